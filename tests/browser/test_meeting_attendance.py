"""Attendance at the door of an information meeting, on a phone, and the scan that follows."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Flag, FlagKind, Invitation
from outreach.services import meeting_create, meeting_invite_stairwells, thresholds_update
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INVITED = ["Hanne Jensen", "Ole Hansen", "Fatima Ali", "Bent Larsen", "Inge Møller"]


@pytest.fixture
def small_phone(browser, live_server):
    """A phone of 375 by 812 pixels (iPhone X/11 Pro/12 mini), in Danish."""
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def meeting(cast):
    """Five households of one stairwell invited to a meeting that began an hour ago, all with an
    open case in the project; one more household of the estate, not invited."""
    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Solsikkevej", number=4)
    households = {
        name: factories.make_household(factories.make_flat(stairwell, floor=floor), name)
        for floor, name in enumerate(INVITED)
    }
    walk_in = factories.make_household(
        factories.make_flat(factories.make_stairwell(project.estate, "Kastanjevej", 8)),
        "Karl Nielsen",
    )
    for household in [*households.values(), walk_in]:
        factories.make_case(project, household)
    thresholds_update(project=project, values={"missed_meetings": 1})
    meeting = meeting_create(
        project=project,
        by=cast.caseworker_a1,
        held_at=timezone.now() - timedelta(hours=1),
        place="Fælleshuset",
        topic="Sådan foregår genhusningen",
        stairwells=[stairwell],
        sent_via="letter",
        sent_on=timezone.localdate() - timedelta(days=14),
    )
    meeting.households = households  # type: ignore[attr-defined]
    meeting.walk_in = walk_in  # type: ignore[attr-defined]
    return meeting


def search_and_tap(page, text: str, name: str, *, rows: int = 1) -> None:
    page.locator("#attendance-q").fill(text)
    expect(page.locator("#attendance-results li.attendee")).to_have_count(rows)
    page.get_by_role("button", name=re.compile(name)).click()


def expect_ready_for_the_next(page, counter: str) -> None:
    """After a tap: the counter moved on, the search is empty and has the focus again."""
    expect(page.locator(".attendance-counter")).to_contain_text(counter)
    expect(page.locator("#attendance-q")).to_have_value("")
    expect(page.locator("#attendance-q")).to_be_focused()


def test_a_caseworker_takes_attendance_at_the_door_and_the_scan_flags_who_stayed_away(
    small_phone, cast, meeting
):
    page = small_phone
    log_in(page, cast.caseworker_a1.username)
    page.wait_for_url("**/sager/**")
    page.goto(f"/moeder/{meeting.pk}/fremmoede/")
    expect(page.locator(".attendance-counter")).to_contain_text("0 af 5 mødt op")
    expect(page.locator("#attendance-q")).to_be_focused()
    screenshot(page, "meeting-attendance-start-phone")

    search_and_tap(page, "solsikkevej 4 2.", "Fatima Ali")  # by address: floor 2
    expect_ready_for_the_next(page, "1 af 5 mødt op")
    expect(page.locator(".attendance-last")).to_contain_text(
        "Fatima Ali, Solsikkevej 4, 2. tv: mødt op."
    )

    search_and_tap(page, "hanne", "Hanne Jensen")  # by name
    expect_ready_for_the_next(page, "2 af 5 mødt op")
    search_and_tap(page, "Larsen", "Bent Larsen")
    expect_ready_for_the_next(page, "3 af 5 mødt op")

    # Karl was not invited: he is found in the estate and added on the spot.
    page.locator("#attendance-q").fill("karl")
    expect(page.locator(".walk-ins li.attendee")).to_have_count(1)
    expect(page.locator("#attendance-results > ul.attendees").first).to_contain_text(
        "Ingen på listen matcher"
    )
    screenshot(page, "meeting-attendance-walk-in-phone")
    page.get_by_role("button", name=re.compile("Karl Nielsen")).click()
    expect_ready_for_the_next(page, "3 af 5 mødt op")
    expect(page.locator(".attendance-counter")).to_contain_text("+1 ikke inviteret, mødte op")

    # A tap on the wrong household is undone with one more tap.
    search_and_tap(page, "inge", "Inge Møller")
    expect_ready_for_the_next(page, "4 af 5 mødt op")
    page.get_by_role("button", name="Fortryd").click()
    expect_ready_for_the_next(page, "3 af 5 mødt op")
    expect(page.get_by_role("button", name=re.compile("Inge Møller"))).to_have_attribute(
        "aria-pressed", "false"
    )
    screenshot(page, "meeting-attendance-done-phone")

    households = meeting.households
    came = {households[name].pk for name in ("Hanne Jensen", "Fatima Ali", "Bent Larsen")}
    assert (
        set(
            Invitation.objects.filter(meeting=meeting, attended=True, invited=True).values_list(
                "household_id", flat=True
            )
        )
        == came
    )
    assert Invitation.objects.get(meeting=meeting, household=meeting.walk_in).invited is False

    # The next flag scan flags exactly the two invited households that stayed away.
    from outreach.scan import flags_evaluate

    flags_evaluate()
    flagged = set(
        Flag.objects.filter(kind=FlagKind.MISSED_MEETINGS, resolved_at__isnull=True).values_list(
            "household_id", flat=True
        )
    )
    assert flagged == {households["Ole Hansen"].pk, households["Inge Møller"].pk}


def test_a_long_list_at_the_door_is_paged_and_a_tap_on_page_two_stays_there(
    small_phone, cast, meeting
):
    """65 on the list: 50 a page. The next page comes without reloading; a tap there keeps it;
    the meeting page finds a household by its name as it is typed."""
    more = factories.make_households(meeting.project.estate, 60)
    meeting_invite_stairwells(meeting=meeting, stairwells=[more[0].flat.stairwell])
    page = small_phone
    log_in(page, cast.caseworker_a1.username)
    page.wait_for_url("**/sager/**")
    page.goto(f"/moeder/{meeting.pk}/fremmoede/")
    expect(page.locator("#attendance-results li.attendee")).to_have_count(50)
    expect(page.locator("#attendance-results .pagination")).to_contain_text("Side 1 af 2")

    page.get_by_role("link", name=re.compile("Næste")).click()
    expect(page.locator("#attendance-results .pagination")).to_contain_text("Side 2 af 2")
    expect(page.locator("#attendance-results li.attendee")).to_have_count(15)
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    first = page.locator("#attendance-results li.attendee").first
    name = first.locator(".attendee-who strong").inner_text()
    first.get_by_role("button").click()
    expect(page.locator(".attendance-counter")).to_contain_text("1 af 65 mødt op")
    expect(page.locator(".attendance-last")).to_contain_text(f"{name},")
    expect(page.locator("#attendance-results .pagination")).to_contain_text("Side 2 af 2")
    expect(page.get_by_role("button", name=re.compile(name))).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(page, "meeting-attendance-page-two-phone")

    page.goto(f"/moeder/{meeting.pk}/")
    expect(page.locator("#invitations tbody tr")).to_have_count(50)
    page.locator("#invitations-q").fill("hanne")
    expect(page.locator("#invitations tbody tr")).to_have_count(1)
    expect(page.locator("#invitations")).to_contain_text("Hanne Jensen")
    expect(page).to_have_url(re.compile(r"\?q=hanne(&show=)?$"))
    screenshot(page, "meeting-page-search-phone")
