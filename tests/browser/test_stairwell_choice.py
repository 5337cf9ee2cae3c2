"""Choosing among many stairwells with htmx: the round's search on a phone, and the new
project form that loads the chosen estate's stairwells."""

import pytest

from cases.models import Project
from households.models import Flat, Household, Stairwell
from outreach.selectors import ROUND_ALL_AT_ONCE
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_finds_her_stairwell_among_many_by_typing_its_address(phone, cast):
    estate = cast.case_a1.project.estate
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street="Aavej", number=n, postcode="2650", city="Hvidovre")
        for n in range(1, ROUND_ALL_AT_ONCE + 20)
    )
    flats = Flat.objects.bulk_create(
        Flat(stairwell=s, floor=1, door="tv", rooms=3, area_m2=75) for s in stairwells
    )
    Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    page = phone
    log_in(page, cast.caseworker_a1.username)

    page.goto("/opsoegning/runde/")
    page.evaluate("window.__marker = 1")
    page.get_by_label("Find en opgang i afdelingen").fill("aavej 77")
    results = page.locator("#round-results")
    results.get_by_role("heading", name="Opgange, der passer på “aavej 77”").wait_for()
    assert results.get_by_role("link").count() == 1
    assert page.evaluate("window.__marker") == 1  # the results alone were swapped in
    results.get_by_role("link", name="Aavej 77").click()
    page.wait_for_url(f"**/opsoegning/runde/{stairwells[76].pk}/")


def test_a_manager_chooses_the_estate_and_then_its_stairwells(browser, live_server, cast):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    nordparken = cast.case_a2.project.estate
    log_in(page, cast.manager_a.username)

    page.goto("/projekter/ny/")
    page.get_by_text("Vælg afdelingen for at se dens opgange.").wait_for()
    page.evaluate("window.__marker = 1")
    page.locator("#id_estate").select_option(str(nordparken.pk))
    page.get_by_label("Skjultvej 3").check()
    assert page.get_by_label("Markørvej 3").count() == 0  # the other estate's
    assert page.evaluate("window.__marker") == 1
    page.get_by_label("Navn").fill("Nyt tag i Nordparken")
    page.get_by_label("Projektnummer").fill("P-2026-77")
    page.get_by_role("button", name="Opret projektet").click()
    page.get_by_role("heading", name="Tidsplan for opgangene").wait_for()

    project = Project.objects.get(number="P-2026-77")
    assert project.estate == nordparken
    assert list(project.stairwells.all()) == [cast.case_a2.household.flat.stairwell]
    context.close()
