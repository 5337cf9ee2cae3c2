"""Issue 14's walk: from an organisation with only an imported tenant list, a manager creates a
project, enters a 12-stairwell schedule, opens its 300 cases, invites a caseworker and gives her
two stairwells; the caseworker sets her password and her authenticator app and sees exactly those
cases. No step touches /admin/."""

import re
from datetime import date, timedelta

import pytest
from django.core import mail

from cases.models import Case, Project, StairwellSchedule
from core.roles import Role
from households.models import Flat, Household, Resident, Stairwell
from households.services import organisation_add_manager
from tests import factories
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_team_invitation import PASSWORD, code_from_key

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PER_STAIRWELL = 25


def _tenant_list():
    """What the tenant import leaves: an estate of 12 stairwells, 300 households, no project."""
    organisation = factories.make_organisation("Boligselskabet Kløver")
    estate = factories.make_estate(organisation, "Kløvermarken")
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street="Kløvermarken", number=number, letter=letter,
                  postcode="2650", city="Hvidovre")
        for number in (3, 5, 7, 9) for letter in "ABC"
    )  # fmt: skip
    flats = Flat.objects.bulk_create(
        Flat(stairwell=stairwell, floor=n // 3, door=("tv", "mf", "th")[n % 3], rooms=3,
             area_m2=75)
        for stairwell in stairwells for n in range(PER_STAIRWELL)
    )  # fmt: skip
    households = Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    Resident.objects.bulk_create(
        Resident(household=household, first_name="Beboer", last_name=f"Nr{index}",
                 is_contact_person=True)
        for index, household in enumerate(households)
    )  # fmt: skip
    manager = factories.make_user(
        "leder_klover", Role.MANAGER, first_name="Lene", last_name="Leder"
    )
    organisation_add_manager(organisation=organisation, user=manager)
    return estate, stairwells, manager


def test_a_manager_starts_a_project_and_her_new_caseworker_sees_her_two_stairwells(
    browser, live_server
):
    estate, stairwells, manager_user = _tenant_list()
    visited: list[str] = []
    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    manager = desk.new_page()
    manager.set_default_timeout(20_000)
    manager.on("request", lambda request: visited.append(request.url))
    log_in(manager, manager_user.username)

    # 1. The project.
    manager.goto("/projekter/")
    manager.get_by_role("button", name="Nyt projekt").click()
    manager.get_by_label("Navn").fill("Helhedsplan Kløvermarken")
    manager.get_by_label("Projektnummer").fill("P-2026-31")
    manager.get_by_label("Landsbyggefondens sagsnummer").fill("LBF 4711")
    manager.get_by_label("Alle opgange i afdelingen").check()
    screenshot(manager, "project-new")
    manager.get_by_role("button", name="Opret projektet").click()
    manager.get_by_role("heading", name="Tidsplan for opgangene").wait_for()
    project = Project.objects.get(number="P-2026-31")
    assert project.stairwells.count() == 12

    # 2. The schedule: a row per stairwell, a month apart.
    for index, stairwell in enumerate(stairwells):
        move_out = date(2026, 9, 1) + timedelta(days=30 * index)
        for name, day in (
            ("notice_on", move_out - timedelta(days=92)),
            ("packing_on", move_out - timedelta(days=14)),
            ("move_out_on", move_out),
            ("return_on", move_out + timedelta(days=120)),
        ):
            manager.locator(f"input[name='{stairwell.pk}-{name}']").fill(day.isoformat())
    screenshot(manager, "project-schedule")
    manager.get_by_role("button", name="Se hvad ændringen berører").click()
    manager.get_by_role("heading", name="Kontroller ændringen af tidsplanen").wait_for()
    screenshot(manager, "project-schedule-preview")
    manager.get_by_role("button", name="Gennemfør ændringen").click()
    manager.get_by_text("48 datoer er ændret").wait_for()
    assert StairwellSchedule.objects.filter(project=project).count() == 12

    # 3. The cases.
    manager.get_by_role("button", name="Opret 300 sager").click()
    manager.get_by_text("300 sager er oprettet").wait_for()
    assert Case.objects.filter(project=project).count() == 300

    # 4. The caseworker: invited with no estate; she gets two stairwells.
    manager.goto(f"/organisationer/{estate.organisation_id}/medarbejdere/")
    manager.get_by_role("button", name="Invitér en kollega").click()
    manager.get_by_label("Fornavn").fill("Mette")
    manager.get_by_label("Efternavn").fill("Madsen")
    manager.get_by_label("E-mail").fill("mette.madsen@example.dk")
    manager.get_by_label("Boligsocial medarbejder").check()
    manager.get_by_role("button", name="Send invitationen").click()
    manager.get_by_text("Invitationen er sendt til mette.madsen@example.dk").wait_for()

    manager.goto(f"/projekter/{project.pk}/")
    manager.get_by_role("button", name="Fordel sagerne").click()
    first, second = stairwells[0], stairwells[1]
    for stairwell in (first, second):
        manager.get_by_label(str(stairwell), exact=True).select_option(label="Mette Madsen")
    manager.get_by_role("button", name="Vis antal pr. person").click()
    preview = manager.locator("#distribution-preview")
    preview.wait_for()
    assert re.search(r"Mette Madsen\s+50\s+0", preview.inner_text())
    screenshot(manager, "project-distribute-preview")
    manager.get_by_role("button", name="Gennemfør fordelingen").click()
    manager.get_by_text("50 sager er fordelt").wait_for()

    # One mail about the distribution: her two stairwells and their counts, no resident.
    invitation, distribution = mail.outbox
    assert distribution.to == ["mette.madsen@example.dk"]
    assert f"{first}: 25 sager" in distribution.body and f"{second}: 25 sager" in distribution.body
    assert "50 sager i alt." in distribution.body and "Beboer" not in distribution.body

    # 5. She follows the link, sets her password and her app, and sees exactly those cases.
    message = invitation
    link = re.search(r"https?://\S+/konto/invitation/\S+/", message.body).group(0)
    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="da-DK", base_url=live_server.url
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(20_000)
    phone.on("request", lambda request: visited.append(request.url))
    phone.goto("/" + link.split("/", 3)[3])
    phone.locator("input[name=new_password1]").fill(PASSWORD)
    phone.locator("input[name=new_password2]").fill(PASSWORD)
    phone.get_by_role("button", name="Gem adgangskode").click()
    phone.wait_for_url("**/konto/login/**")
    phone.get_by_label("Brugernavn").fill("mette.madsen@example.dk")
    phone.get_by_label("Adgangskode").fill(PASSWORD)
    phone.get_by_role("button", name="Log ind").click()
    phone.wait_for_url("**/konto/kode/opret/**")
    phone.get_by_text("Kan du ikke scanne?").click()
    shown_key = phone.locator("code.otp-secret").inner_text()
    phone.get_by_label("Den 6-cifrede kode, appen viser").fill(code_from_key(shown_key))
    phone.get_by_role("button", name="Bekræft").click()
    phone.get_by_role("heading", name="Dine reservekoder").wait_for()
    phone.get_by_role("button", name="Jeg har gemt dem – fortsæt").click()

    phone.goto("/sager/?scope=all")
    links = phone.locator("table.caseload a.case-link")
    links.first.wait_for()
    shown = {
        int(href.strip("/").split("/")[-1])
        for href in links.evaluate_all("l => l.map(a => a.getAttribute('href'))")
    }
    expected = set(
        Case.objects.filter(
            project=project, household__flat__stairwell__in=[first, second]
        ).values_list("pk", flat=True)
    )
    screenshot(phone, "project-caseworker-caseload-phone")
    assert len(expected) == 50
    assert shown == expected
    other = Case.objects.filter(project=project, household__flat__stairwell=stairwells[2]).first()
    assert phone.goto(f"/sager/{other.pk}/").status == 404
    assert not [url for url in visited if "/admin/" in url]
    desk.close()
    phone_context.close()
