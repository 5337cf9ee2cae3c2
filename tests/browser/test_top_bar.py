"""The top bar of every role fits a phone in two rows and a desktop in one, every entry in reach
(the rest under "Mere"), and never makes the page wider than the screen."""

import pytest

from cases.models import CaseAssignment
from outreach.models import FlagKind
from outreach.services import flag_raise
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"

# The rows of the bar: its items (the brand, each entry, "Mere" and the name), grouped by height.
ROWS = """() => {
  const items = [...document.querySelectorAll("header.topbar nav > ul > li")]
    .map((li) => li.getBoundingClientRect())
    .filter((box) => box.width > 0)
    .sort((a, b) => a.top - b.top);
  let rows = 0, bottom = -Infinity;
  for (const box of items) {
    if (box.top >= bottom - 1) { rows += 1; bottom = box.bottom; }
    else { bottom = Math.max(bottom, box.bottom); }
  }
  return rows;
}"""

# The flag counts of the entries on screen have come (each slot is swapped for its count when it
# comes into view; a hidden copy of an entry keeps its slot).
COUNTS_LOADED = """() => ![...document.querySelectorAll("header.topbar .nav-count-slot")]
  .some((slot) => slot.checkVisibility())"""

ROLES = {
    "caseworker_a1": 2,  # the rows on a phone (on a desktop: one)
    "bridge_builder_a": 2,
    "rehousing_officer_a1": 2,
    "manager_a": 2,
    "visitator": 2,
    "caretaker_a1": 2,
}


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def in_view(page, locator) -> None:
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, box


@pytest.mark.parametrize("user_key", list(ROLES))
def test_it_fits_the_top_bar_of_each_role_on_a_phone_and_a_desktop(page, cast, user_key):
    log_in(page, getattr(cast, user_key).username)
    page.wait_for_function(COUNTS_LOADED)  # the flag count is loaded after the page
    bar = page.locator("header.topbar")
    for width, rows in ((1280, 1), (1024, 1), (375, ROLES[user_key])):
        page.set_viewport_size({"width": width, "height": 812})
        screenshot(page, f"top-bar-{user_key}-{width}", full_page=False)  # the bar is on top
        assert page.evaluate(ROWS) <= rows, f"{user_key} at {width} px"
        assert page.evaluate(OVERFLOW) is False, f"{user_key} at {width} px"
        for entry in bar.locator("nav > ul > li:visible > a").all():
            in_view(page, entry)
        more = bar.locator("details.nav-more:visible")
        if more.count():
            more.locator("summary").click()
            more.locator("ul").evaluate("(menu) => menu.getAnimations().forEach((a) => a.finish())")
            for entry in more.locator("ul li:visible a").all():
                in_view(page, entry)
            assert page.evaluate(OVERFLOW) is False, f"{user_key} at {width} px, Mere open"
            screenshot(page, f"top-bar-{user_key}-{width}-mere", full_page=False)
            more.locator("summary").click()
        account = bar.locator("details.nav-account")
        account.locator("summary").click()
        in_view(page, account.get_by_role("button", name="Log ud"))
        account.locator("summary").click()


def test_it_loads_the_flag_count_once_where_the_flags_entry_shows(page, cast):
    """On a desktop the manager's Flag is on the bar; on a phone under "Mere", where its count
    is asked for when she opens it (each copy of the entry loads it when it comes into view)."""
    CaseAssignment.objects.create(case=cast.case_a1, user=cast.manager_a, role="caseworker")
    flag_raise(household=cast.case_a1.household, case=cast.case_a1, kind=FlagKind.NO_CONTACT,
               reason="Åbner ikke")  # fmt: skip
    asked: list[str] = []
    page.on("request", lambda request: "/flag/antal/" in request.url and asked.append(request.url))
    log_in(page, cast.manager_a.username)
    page.wait_for_load_state("networkidle")
    bar = page.locator("header.topbar")
    bar.locator("li.nav-wide .nav-count", has_text="1").wait_for()
    assert len(asked) == 1

    page.set_viewport_size({"width": 375, "height": 812})
    page.wait_for_timeout(200)
    assert len(asked) == 1  # nothing shows the count on the phone's bar
    bar.locator("details.nav-more summary").click()
    bar.locator("details.nav-more li.nav-narrow .nav-count", has_text="1").wait_for()
    assert len(asked) == 2
