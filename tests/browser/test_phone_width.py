"""A manager's wide tables on a phone, the case page's expenses too: they scroll inside their
box, the page never sideways (a page wider than the screen slides about under the thumb and
hides its right edge)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.economy.services import expense_create
from households.models import VulnerabilityFactor
from tests.browser.conftest import log_in, open_page, screenshot
from tests.factories import assess

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_WIDER_THAN_SCREEN = (
    "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
)


def test_the_managers_wide_tables_do_not_widen_the_page_on_a_phone(phone, cast):
    case = cast.case_a1
    case.project.stairwells.add(case.household.flat.stairwell)
    expense_create(
        case=case,
        by=cast.rehousing_officer_a1,
        data={
            "kind": "movers_out",
            "amount": Decimal("12500"),
            "spent_on": date(2026, 3, 1),
            "supplier": "Flyttefirmaet Hvidovre ApS",
        },
    )
    # A long name in the breadcrumb of a page four steps down: the trail wraps on the phone.
    case.household.residents.update(first_name="Anne-Mette", last_name="Christiansen-Østergaard")
    # The longest vulnerability factor, a tag of its own on the household page.
    assess(case.household, "particularly", [VulnerabilityFactor.RUN_DOWN_HOME])
    log_in(phone, cast.manager_a.username)
    phone.set_viewport_size({"width": 360, "height": 780})  # a common Android phone, narrower

    for name, url in (
        ("approvals", reverse("economy:approvals")),
        ("distribute", reverse("cases:distribute", args=[case.project_id])),
        ("deadlines", reverse("cases:deadlines", args=[case.project.estate.organisation_id])),
        # the expense table in the case page's side column, which is the page's column on a phone
        ("case", reverse("cases:detail", args=[case.pk])),
        ("case-flats", reverse("logistics:case_flats", args=[case.pk])),
        ("household", reverse("households:detail", args=[case.household_id])),
    ):
        phone.goto(url)
        screenshot(phone, f"phone-width-{name}")
        assert phone.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0, name


def test_the_lists_scroll_inside_their_box_on_a_tablet(phone, cast):
    """Between a phone's cards (below 760 px) and a desktop's width, a list's table is wider than
    the page (a tablet upright: 768 px, the content 700 px): it scrolls sideways in its own box."""
    case = cast.case_a1
    log_in(phone, cast.manager_a.username)
    phone.set_viewport_size({"width": 768, "height": 1024})

    for name, url in (
        ("caseload", reverse("cases:caseload") + "?scope=all"),
        ("household", reverse("households:detail", args=[case.household_id])),
        ("meetings", reverse("outreach:meetings")),
        ("letters", reverse("outreach:letters")),
        ("team", reverse("team:team", args=[case.project.estate.organisation_id])),
        ("access-log", reverse("privacy:access_log")),
    ):
        phone.goto(url)
        screenshot(phone, f"tablet-width-{name}", full_page=False)
        assert phone.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0, name
        assert phone.locator("main table").count() == phone.locator(".table-scroll table").count()


LARGE_TEXT = """document.addEventListener("DOMContentLoaded", () => {
  const style = document.createElement("style");
  style.textContent = ":root { font-size: 130% !important; }";
  document.head.appendChild(style);
});"""


def test_with_the_phones_text_set_large_the_round_and_household_keep_to_the_screen(
    browser, live_server, cast
):
    """A phone's larger text (Android's font size at 130 %): the round's three buttons, a long
    partner's tag and a long heading keep to the screen. (The page's policy allows no inline
    style, so this test's context sets the larger text past it.)"""
    case = cast.case_a1
    context, page = open_page(browser, live_server, bypass_csp=True)
    page.add_init_script(LARGE_TEXT)
    try:
        log_in(page, cast.caseworker_a1.username)
        for name, url in (
            ("round", f"/opsoegning/runde/{case.household.flat.stairwell_id}/"),
            ("partners", reverse("referrals:partners")),
        ):
            page.goto(url)
            screenshot(page, f"large-text-{name}", full_page=False)
            assert page.evaluate(PAGE_WIDER_THAN_SCREEN) <= 0, name
    finally:
        context.close()
