import pytest

from cases.models import Case
from cases.stages import Stage
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_caseworker_moves_a_case_one_stage_on_her_phone(phone, cast):
    log_in(phone, cast.caseworker_a1.username)
    phone.wait_for_url("**/sager/**")
    screenshot(phone, "caseload-phone")

    phone.get_by_role("link", name="Agnete Markørsen").click()
    phone.wait_for_url(f"**/sager/{cast.case_a1.pk}/")
    assert phone.locator(".current-stage .badge").inner_text() == "Identificeret"

    phone.get_by_label("Notat til historikken (valgfrit)").fill(
        "Varslingsbrev afleveret personligt"
    )
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="Flyt til “Varslet”").click()

    # htmx swaps the stage panel in place: new stage, the next button, and the history line.
    phone.locator(".current-stage .badge", has_text="Varslet").wait_for()
    assert phone.get_by_role("status").inner_text() == "Sagen er nu i “Varslet”."
    assert phone.get_by_role("button", name="Flyt til “Nedpakning”").is_visible()
    history = phone.locator("ol.history li").first.inner_text()
    assert "Identificeret → Varslet" in history
    assert "Varslingsbrev afleveret personligt" in history
    assert "Maja Holm" in history
    screenshot(phone, "case-after-stage-change-phone")

    case = Case.objects.get(pk=cast.case_a1.pk)
    assert case.stage == Stage.NOTIFIED
    assert case.stage_changes.first().changed_by == cast.caseworker_a1

    phone.reload()  # and it is still so after a reload
    assert phone.locator(".current-stage .badge").inner_text() == "Varslet"
