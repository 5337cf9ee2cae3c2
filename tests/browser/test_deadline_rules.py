"""A manager opens the deadlines of the law from a project, gives the tenants eight weeks to
object, and sees it beside the law's six; a household that refused the project's offers shows the
panel of the next step on its case page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.deadlines import RULES
from cases.logistics.models import Offer, OfferStatus, RefusalReason, RehousingKind
from cases.models import Case, DeadlineSettings
from cases.stages import Stage
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "15"


@pytest.fixture
def desktop(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="da-DK", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_manager_sets_the_objection_period_and_a_refused_household_shows_the_next_step(
    desktop, cast
):
    page = desktop
    log_in(page, "manager_a")
    page.goto(f"/projekter/{cast.case_a1.project_id}/")
    page.get_by_role("link", name="Lovens frister og organisationens egne").click()
    page.wait_for_url("**/frister/")
    for rule in RULES:
        assert page.get_by_role("link", name=rule.source).first.get_attribute("href") == rule.url
    page.get_by_label("Indsigelsesfrist efter en opsigelse (uger)").fill("8")
    page.get_by_role("button", name="Gem fristerne").click()
    page.wait_for_selector("text=Organisationens frister er gemt.")
    assert page.locator("#rule-objection strong").last.inner_text() == "8 uger"
    assert DeadlineSettings.objects.get().objection_weeks == 8
    screenshot(page, f"{SHOTS}-deadline-rules")

    # Agnete has refused the project's two offers.
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED)
    today = timezone.localdate()
    organisation = case.project.estate.organisation
    for n in range(2):
        Offer.objects.create(
            case=case,
            pool_flat=factories.make_pool_flat(organisation),
            kind=RehousingKind.TEMPORARY,
            holds_from=today + timedelta(days=30),
            holds_until=today + timedelta(days=120),
            sent_via="letter",
            sent_on=today - timedelta(days=20),
            reply_due_on=today - timedelta(days=6),
            status=OfferStatus.REFUSED,
            replied_on=today - timedelta(days=10 - n),
            refusal_reason=RefusalReason.LOCATION,
        )
    page.goto(f"/sager/{case.pk}/")
    panel = page.locator("#after-the-offers")
    assert "Intet sker af sig selv" in panel.inner_text()
    assert panel.get_by_role("link", name="Giv et sidste tilbud").is_visible()
    assert panel.get_by_role("link", name="Bed en leder gennemgå tilbuddene").is_visible()
    panel.scroll_into_view_if_needed()
    screenshot(page, f"{SHOTS}-after-the-offers")
