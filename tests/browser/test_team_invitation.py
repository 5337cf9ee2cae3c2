"""A manager invites a caseworker and gives her two estates; the new caseworker follows the link
in the mail, chooses her password, sets up her authenticator app and sees exactly those cases.
No step touches /admin/."""

import base64
import re

import pytest
from django.core import mail
from django_otp.oath import TOTP

from cases.models import CaseAssignment
from cases.services import case_assign_staff
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "tre ord og en kop kaffe"


def code_from_key(shown_key: str) -> str:
    """What her authenticator app shows for the key she typed in (base32, with spaces)."""
    key = base64.b32decode(shown_key.replace(" ", ""))
    return f"{TOTP(key).token():06d}"


def test_a_manager_invites_a_caseworker_who_then_sees_exactly_her_two_estates(
    browser, live_server, cast
):
    organisation = cast.case_a1.project.estate.organisation
    estate_a1, estate_a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    estate_a3 = factories.make_estate(organisation, "Søndermarken")
    project_a3 = factories.make_project(estate_a3)
    expected = {cast.case_a1.pk}
    expected |= {factories.make_case(cast.case_a1.project).pk for _ in range(3)}
    expected |= {factories.make_case(project_a3).pk for _ in range(4)}
    hidden = {cast.case_a2.pk, *(factories.make_case(cast.case_a2.project).pk for _ in range(2))}
    visited: list[str] = []

    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    manager = desk.new_page()
    manager.set_default_timeout(10_000)
    manager.on("request", lambda request: visited.append(request.url))
    log_in(manager, cast.manager_a.username)
    manager.locator("header details.nav-account summary").click()
    manager.locator("header details.nav-account").get_by_role("link", name="Medarbejdere").click()
    manager.get_by_role("heading", name="Medarbejdere").wait_for()
    screenshot(manager, "team-page")

    manager.get_by_role("button", name="Invitér en kollega").click()
    manager.get_by_label("Fornavn").fill("Sofie")
    manager.get_by_label("Efternavn").fill("Lund")
    manager.get_by_label("E-mail").fill("sofie.lund@example.dk")
    manager.get_by_label("Boligsocial medarbejder").check()
    estates = manager.get_by_role("group", name="Afdelinger")
    estates.get_by_label(estate_a1.name).check()
    estates.get_by_label(estate_a3.name).check()
    screenshot(manager, "team-invite-form")
    manager.get_by_role("button", name="Send invitationen").click()
    manager.get_by_text("Invitationen er sendt til sofie.lund@example.dk").wait_for()
    row = manager.locator("table.team tr", has_text="Sofie Lund")
    assert "Inviteret" in row.inner_text()
    assert "Søndermarken" in row.inner_text() and "Vestergården" in row.inner_text()
    assert estate_a2.name not in row.inner_text()
    screenshot(manager, "team-page-invited")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/konto/invitation/\S+/", message.body).group(0)
    path = "/" + link.split("/", 3)[3]  # the mail links to SITE_URL; the test server is elsewhere

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="da-DK", base_url=live_server.url
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    phone.on("request", lambda request: visited.append(request.url))
    phone.goto(path)
    phone.get_by_role("heading", name="Velkommen til genhusning").wait_for()
    assert "/set-password/" in phone.url  # the token left the address at once
    phone.locator("input[name=new_password1]").fill(PASSWORD)
    phone.locator("input[name=new_password2]").fill(PASSWORD)
    screenshot(phone, "team-invitation-password-phone")
    phone.get_by_role("button", name="Gem adgangskode").click()
    phone.wait_for_url("**/konto/login/**")
    phone.get_by_text("Din adgangskode er gemt").wait_for()

    phone.get_by_label("Brugernavn").fill("sofie.lund@example.dk")
    phone.get_by_label("Adgangskode").fill(PASSWORD)
    phone.get_by_role("button", name="Log ind").click()
    phone.wait_for_url("**/konto/kode/opret/**")
    phone.get_by_text("Kan du ikke scanne?").click()  # she types the key into her app
    shown_key = phone.locator("code.otp-secret").inner_text()
    screenshot(phone, "team-invitation-enrol-phone")
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
    screenshot(phone, "team-invited-caseload-phone")
    assert shown == expected
    assert not shown & hidden
    for case_id in hidden:
        assert phone.goto(f"/sager/{case_id}/").status == 404
    assert not [url for url in visited if "/admin/" in url]
    desk.close()
    phone_context.close()


# Runs before the page's own scripts (through the DevTools protocol, which CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def test_a_manager_deactivates_a_caseworker_on_her_phone_and_hands_her_cases_over(
    browser, live_server, phone, cast
):
    for case in (cast.case_a1, factories.make_case(cast.case_a1.project)):
        case_assign_staff(case=case, user=cast.caseworker_a1, by=cast.manager_a)
    leaving = browser.new_context(base_url=live_server.url, locale="da-DK").new_page()
    log_in(leaving, cast.caseworker_a1.username)
    problems: list[str] = []
    phone.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    phone.add_init_script(LISTEN)

    log_in(phone, cast.manager_a.username)
    organisation = cast.case_a1.project.estate.organisation
    phone.goto(f"/organisationer/{organisation.pk}/medarbejdere/")
    phone.get_by_role("link", name="Maja Holm").click()
    phone.get_by_role("button", name="Deaktivér og overdrag").click()
    assert "Åbne sager\n2" in phone.locator("table.handover-counts").inner_text().replace(
        "\t", "\n"
    )
    phone.get_by_label("Hvem overtager hendes arbejde").select_option(label="caseworker_a2")
    screenshot(phone, "team-deactivate-choose-phone")
    phone.get_by_role("button", name="Næste: tjek").click()
    phone.get_by_role("heading", name="Tjek, før du bekræfter").wait_for()
    screenshot(phone, "team-deactivate-confirm-phone")
    phone.once("dialog", lambda dialog: dialog.accept())  # the last question (static/js/confirm.js)
    phone.get_by_role("button", name="Deaktivér og overdrag").click()
    phone.get_by_text("Maja Holm er deaktiveret og logget ud; 2 opgaver er flyttet til").wait_for()
    screenshot(phone, "team-after-handover-phone")
    problems += [f"CSP {v}" for v in phone.evaluate("window.__cspViolations")]
    assert not phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert problems == []

    leaving.goto("/sager/")
    assert "/konto/login/" in leaving.url  # her session ended at once
    assert CaseAssignment.objects.filter(user=cast.caseworker_a2).count() == 2
    leaving.context.close()
