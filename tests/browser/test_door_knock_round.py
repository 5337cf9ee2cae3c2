"""A caseworker knocks on three doors of a stairwell with her phone, and the case pages show it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case
from outreach.models import Contact
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_phone(browser, live_server):
    """A 375 by 812 phone (iPhone X, 11 Pro, mini), in Danish."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_caseworker_does_a_door_knock_round_on_her_phone(small_phone, cast):
    page = small_phone
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell  # Agnete Markørsen lives on the 1st, tv
    first = factories.make_case(
        project, factories.make_household(factories.make_flat(stairwell, 0, "tv"), "Bo Stuesen")
    )
    second = factories.make_case(
        project, factories.make_household(factories.make_flat(stairwell, 0, "th"), "Eva Stuen")
    )
    talked = cast.case_a1
    next_on = timezone.localdate() + timedelta(days=7)

    log_in(page, cast.caseworker_a1.username)
    page.goto(f"/opsoegning/runde/{stairwell.pk}/")
    round_url = page.url
    floors = page.locator(".floor-head").all_inner_texts()
    assert floors == ["Stueetagen (st.)", "1. sal"]
    page.evaluate("window.__marker = 1; window.__heading = document.querySelector('h1')")

    def card(case):
        return page.locator(f"#bolig-{case.household.flat_id}")

    # Two one-tap knocks: nobody answers.
    for case in (first, second):
        card(case).get_by_role("button", name="Ingen svar").click()
        card(case).get_by_text("Ingen svar registreret kl.").wait_for()
        assert "Banket på én gang" in card(case).inner_text()

    # A talk at the third door, with a next step and its date.
    card(talked).get_by_role("button", name="Talt med…").click()
    form = card(talked).locator("form.talk-form")
    form.wait_for()
    assert form.get_by_label("Talt med i døren").is_checked()
    form.get_by_label("Hvem blev mødt").fill("Agnete selv")
    form.get_by_label("Notat", exact=True).fill("Vil gerne have hjælp til at pakke")
    form.get_by_label("Næste skridt", exact=True).fill("Besøg med nedpakningshjælp")
    form.get_by_label("Dato for næste skridt").fill(next_on.isoformat())
    screenshot(page, "door-knock-round-talk-form-phone")
    form.get_by_role("button", name="Gem").click()
    card(talked).get_by_text("Talt med i døren registreret kl.").wait_for()
    assert "Besøg med nedpakningshjælp" in card(talked).inner_text()

    # No page was loaded: same address, same document.
    assert page.url == round_url
    assert page.evaluate(
        "window.__marker === 1 && window.__heading === document.querySelector('h1')"
    )
    screenshot(page, "door-knock-round-phone")

    contacts = Contact.objects.filter(household__flat__stairwell=stairwell)
    assert sorted(contacts.values_list("outcome", flat=True)) == [
        "no_answer",
        "no_answer",
        "talked_at_door",
    ]
    assert set(contacts.values_list("staff", flat=True)) == {cast.caseworker_a1.pk}

    # The case page of the household she talked to: the talk, and its next step.
    card(talked).get_by_role("link", name="Agnete Markørsen").click()
    page.wait_for_url(f"**/sager/{talked.pk}/")
    next_step = page.locator("article.next-step").inner_text()
    assert "Besøg med nedpakningshjælp" in next_step
    log = page.locator("#contacts").inner_text()
    assert "Talt med i døren" in log and "Agnete selv" in log
    assert "Vil gerne have hjælp til at pakke" in log and "Besøg med nedpakningshjælp" in log
    screenshot(page, "case-after-door-knock-round-phone")
    case = Case.objects.get(pk=talked.pk)
    assert (case.next_step, case.next_step_on) == ("Besøg med nedpakningshjælp", next_on)

    # The case pages of the two who did not open show the unanswered knock.
    for case in (first, second):
        page.goto(f"/sager/{case.pk}/")
        log = page.locator("#contacts").inner_text()
        assert "Ingen svar" in log and "Dørbankning" in log
        assert "Banket på én gang" in log and "aldrig nået" in log
