"""The flat pickers with many flats (households/pickers.py): the caretaker's tip form on her
phone and the pool form search as she types; without JavaScript the search box is a plain
search. Only the flats she may choose are offered."""

import pytest

from cases.logistics.models import PoolFlat
from outreach.models import Tip
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEARCH = "Søg: vej, nummer, etage eller dør"


def test_she_finds_the_flat_as_she_types_and_passes_on_a_tip(phone, cast):
    flats = factories.make_many_flats(cast.case_a1.project.estate, 240)
    page = phone
    page.goto("/tips/ny/")
    log_in(page, cast.caseworker_a1.username)
    assert page.locator("option").count() == 0  # 240 flats: no list of them
    search = page.get_by_label(SEARCH)
    search.fill("mængdevej 8 9")
    page.get_by_label("Mængdevej 8, 9. th").wait_for()
    assert page.locator("#results-flat input[type=radio]").count() == 3
    search.press("Enter")  # searches; neither reloads nor sends the form
    page.get_by_label("Mængdevej 8, 9. th").check()
    assert "q=" not in page.url
    page.locator("label.chip", has_text="Nabo").click()
    page.get_by_label("Tippet").fill("Ses om morgenen")
    screenshot(page, "flat-picker-tip-phone")
    page.get_by_role("button", name="Send tippet").click()
    page.get_by_text("Tak!").wait_for()
    assert Tip.objects.get().flat == flats[239]


def test_the_officer_adds_a_flat_to_the_pool_with_the_type_ahead(phone, cast):
    estate = cast.case_a1.project.estate
    flats = factories.make_many_flats(estate, 240)
    page = phone
    page.goto("/genhusningsboliger/ny/")
    log_in(page, cast.rehousing_officer_a1.username)
    page.get_by_label(SEARCH).fill("mængdevej 2 st")
    page.get_by_label("Mængdevej 2, st. tv", exact=False).first.check()
    page.locator("[name=kind]").select_option("temporary")
    page.locator("[name=rent]").fill("6100")
    page.locator("[name=available_from]").fill("2026-04-01")
    page.get_by_role("button", name="Gem").click()
    page.get_by_text("Boligen er i puljen").wait_for()
    assert PoolFlat.objects.get(flat=flats[30]).organisation == estate.organisation


def test_without_javascript_the_search_box_is_a_plain_search(browser, live_server, cast):
    flats = factories.make_many_flats(cast.case_a1.project.estate, 240)
    context = browser.new_context(
        java_script_enabled=False, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/tips/ny/")
    log_in(page, cast.caseworker_a1.username)
    page.get_by_label(SEARCH).fill("mængdevej 8 9")
    page.get_by_role("button", name="Søg", exact=True).click()
    page.get_by_label("Mængdevej 8, 9. tv").check()
    assert page.locator("#results-flat input[type=radio]").count() == 3
    page.locator("label.chip", has_text="Nabo").click()
    page.get_by_label("Tippet").fill("Ses om aftenen")
    page.get_by_role("button", name="Send tippet").click()
    page.get_by_text("Tak!").wait_for()
    assert Tip.objects.get().flat == flats[237]
    context.close()
