"""A knock recorded with no signal (a stairwell's basement) or refused by the server says "Ikke
gemt" at the bottom of the screen, instead of a button that looks as if it had worked; the next
tap that arrives records the knock once and takes the message away (static/js/htmx-errors.js)."""

import pytest
from django.contrib.sessions.models import Session

from outreach.models import Contact
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_knock_without_signal_says_not_saved_and_the_next_tap_records_it_once(phone, cast):
    case = cast.case_a1
    stairwell = case.household.flat.stairwell
    log_in(phone, cast.caseworker_a1.username)
    phone.goto(f"/opsoegning/runde/{stairwell.pk}/")
    card = phone.locator(f"#bolig-{case.household.flat_id}")
    alert = phone.locator(".htmx-alert")

    phone.context.set_offline(True)
    card.get_by_role("button", name="Ingen svar").click()
    alert.get_by_text("Ikke gemt: ingen forbindelse").wait_for()
    screenshot(phone, "no-signal-knock", full_page=False)
    assert not Contact.objects.filter(household=case.household).exists()

    phone.context.set_offline(False)
    phone.route("**/opsoegning/**", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    card.get_by_role("button", name="Ingen svar").click()
    alert.get_by_text("Ikke gemt: noget gik galt (fejl 502)").wait_for()
    phone.unroute("**/opsoegning/**")

    card.get_by_role("button", name="Ingen svar").click()
    card.get_by_text("Ingen svar registreret kl.").wait_for()
    assert alert.is_hidden()
    assert Contact.objects.filter(household=case.household).count() == 1


def test_a_knock_after_the_session_ended_goes_to_the_login_and_back_to_the_round(phone, cast):
    """Her session ended while she walked between stairwells (30 idle minutes): the knock sends
    the whole page to the login page, not the login page into the door's card, and the login
    brings her back to the round, where the next tap records the knock."""
    case = cast.case_a1
    stairwell = case.household.flat.stairwell
    log_in(phone, cast.caseworker_a1.username)
    phone.goto(f"/opsoegning/runde/{stairwell.pk}/", wait_until="networkidle")  # its counts too
    Session.objects.all().delete()  # as the idle timeout does

    card = phone.locator(f"#bolig-{case.household.flat_id}")
    card.get_by_role("button", name="Ingen svar").click()
    phone.wait_for_url(f"**/konto/login/?next=%2Fopsoegning%2Frunde%2F{stairwell.pk}%2F")
    assert phone.locator(f"#bolig-{case.household.flat_id}").count() == 0
    screenshot(phone, "session-ended-knock-login", full_page=False)
    assert not Contact.objects.filter(household=case.household).exists()

    log_in(phone, cast.caseworker_a1.username)
    assert phone.url.endswith(f"/opsoegning/runde/{stairwell.pk}/")
    card.get_by_role("button", name="Ingen svar").click()
    card.get_by_text("Ingen svar registreret kl.").wait_for()
    assert Contact.objects.filter(household=case.household).count() == 1
