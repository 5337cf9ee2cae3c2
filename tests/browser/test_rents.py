"""A rehousing officer records a flat's rent by hand and reads a temporary stay's rent month by
month on the case page; the manager reads the project's rent difference and empty days."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.logistics.models import Offer, OfferStatus
from households.models import Flat
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def stays(cast):
    case = cast.case_a1
    estate = case.project.estate
    flat = factories.make_flat(factories.make_stairwell(estate, street="Midlertidigvej", number=4))
    pool_flat = factories.make_pool_flat(
        estate.organisation, flat, kind="temporary", project_rent=Decimal("7440")
    )
    second = factories.make_case(case.project)
    Flat.objects.filter(pk=second.household.flat_id).update(net_rent=Decimal("4000"))
    for stay_case, starts_on, ends_on in (
        (case, date(2026, 3, 15), date(2026, 5, 10)),
        (second, date(2026, 6, 5), date(2026, 9, 1)),
    ):
        Offer.objects.create(
            case=stay_case,
            pool_flat=pool_flat,
            kind="temporary",
            holds_from=starts_on,
            holds_until=ends_on,
            sent_via="letter",
            sent_on=date(2026, 1, 5),
            reply_due_on=date(2026, 1, 19),
            status=OfferStatus.ACCEPTED,
        )
    return case


def test_an_officer_records_the_rent_and_reads_the_stay_month_by_month(desktop, cast, stays):
    page = desktop
    page.goto(reverse("households:flat", args=[stays.household.flat_id]))
    log_in(page, "rehousing_officer_a1")
    page.get_by_role("link", name="Registrér huslejen").click()
    page.get_by_label("nettoleje pr. måned (kr.)").fill("5.000,00")
    page.get_by_label("a conto varme og vand pr. måned (kr.)").fill("600")
    page.get_by_role("button", name="Gem").click()
    page.wait_for_selector("#flat-rent")
    assert "5.000,00 kr." in page.inner_text("#flat-rent")

    page.goto(reverse("logistics:case", args=[stays.pk]))
    rent = page.inner_text("#rent")
    assert "3.070,97" in rent and "1.009,03" in rent and "3.383,22" in rent
    page.locator("#rent").scroll_into_view_if_needed()
    screenshot(page, "rents-case")

    page.context.clear_cookies()
    page.goto(reverse("rents:project", args=[stays.project_id]))
    log_in(page, "manager_a")
    assert "26" in page.inner_text("#empty") and "6.272,00" in page.inner_text("#empty")
    screenshot(page, "rents-project")


def test_the_stays_months_and_their_total_fit_a_phone(phone, cast, stays):
    log_in(phone, "rehousing_officer_a1")
    phone.goto(reverse("logistics:case", args=[stays.pk]))
    phone.locator("#rent").scroll_into_view_if_needed()
    screenshot(phone, "rents-case-phone")
    wider = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert phone.evaluate(wider) <= 0
    assert "I alt" in phone.inner_text("#rent tfoot")
