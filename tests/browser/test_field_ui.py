"""Issue 18 in Chromium, on a 375 x 812 phone and a 1280 px desktop: the confirmation before an
irreversible action, the case page in stairwell order, the compact caseload, and axe-core's
accessibility rules on the main pages."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from cases.models import Case
from cases.services import case_assign_staff
from cases.stages import Stage
from core.roles import Role
from households.models import Resident
from households.services import estate_assign_staff
from tests import factories
from tests.browser.conftest import log_in, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def small_phone(browser, live_server):
    context, page = open_page(browser, live_server, PHONE)
    yield page
    context.close()


@pytest.fixture
def desktop(browser, live_server):
    context, page = open_page(browser, live_server, DESKTOP)
    yield page
    context.close()


def _in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_ending_a_case_asks_first_and_cancel_changes_nothing(small_phone, cast):
    page = small_phone
    case = cast.case_a1
    log_in(page, cast.caseworker_a1.username)
    page.goto(f"/sager/{case.pk}/")
    page.locator("details.end-case summary").click()
    page.get_by_label("Årsag").select_option("left_on_own")
    # The no-JS safeguard (a required checkbox) gives way to the dialog.
    assert not page.locator(".end-case [data-confirm-fallback]").is_visible()

    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Afslut sagen", exact=True).click()
    page.wait_for_timeout(500)  # time for a request, had one been sent
    assert questions == ["Vil du afslutte sagen? Det kan ikke fortrydes."]
    assert Case.objects.get(pk=case.pk).stage == Stage.IDENTIFIED

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Afslut sagen", exact=True).click()
    page.locator(".current-stage .badge", has_text="Afsluttet før tid").wait_for()
    assert Case.objects.get(pk=case.pk).stage == Stage.ENDED


def test_a_stage_move_can_be_undone_in_place(small_phone, cast):
    page = small_phone
    case = cast.case_a1
    log_in(page, cast.caseworker_a1.username)
    page.goto(f"/sager/{case.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())  # no question should come; none waits
    page.get_by_role("button", name="Flyt til “Varslet”").click()
    page.locator(".stage-undo").wait_for()
    assert Case.objects.get(pk=case.pk).stage == Stage.NOTIFIED
    # The swapped-in panel's no-JS safeguard gives way to the dialog too (confirm.js does it on
    # htmx:load, which comes after the swap has put the panel in: wait for it, up to 5 s).
    page.wait_for_function(
        "[...document.querySelectorAll('[data-confirm-fallback]')]"
        ".every(e => e.hidden && !e.querySelector('input').required)",
        timeout=5000,
    )
    page.locator(".stage-undo").get_by_role("button", name="Fortryd").click()
    page.locator(".current-stage .badge", has_text="Identificeret").wait_for()
    assert Case.objects.get(pk=case.pk).stage == Stage.IDENTIFIED


def test_on_her_phone_she_reaches_the_phone_the_next_step_and_record_contact(small_phone, cast):
    page = small_phone
    case = cast.case_a1
    household = case.household
    Resident.objects.filter(household=household).update(phone="20 30 40 50")
    Resident.objects.create(household=household, first_name="Bo", last_name="Markørsen")
    Resident.objects.create(
        household=household, first_name="Ida", last_name="Markørsen", phone="60 70 80 90"
    )
    household.reach_channel = "phone"
    household.reach_time = "Hverdage efter kl. 16"
    household.go_between_kind = "caretaker"
    household.go_between_name = "Bent"
    household.go_between_phone = "40 12 34 56"
    household.save()
    Case.objects.filter(pk=case.pk).update(
        next_step="Besøg med nedpakningshjælp",
        next_step_on=timezone.localdate() - timedelta(days=2),
    )

    log_in(page, cast.caseworker_a1.username)
    page.goto("/sager/")
    page.locator("a.case-link").first.click()
    page.wait_for_url(f"**/sager/{case.pk}/")
    assert page.evaluate("window.scrollY") == 0

    call = page.locator("a[href='tel:20304050']")
    next_step = page.locator(".next-step-text")
    record = page.get_by_role("button", name="Registrér kontakt")
    screenshot(page, "case-page-first-screen-phone", full_page=False)
    for locator in (call, next_step, record):
        assert _in_viewport(page, locator), (locator, locator.bounding_box())
    assert "overskredet" in next_step.inner_text()
    assert next_step.locator("time.overdue").count() == 1
    assert record.bounding_box()["height"] >= 44
    # The round's words for the household: how to reach them, on the case page too.
    assert "Hverdage efter kl. 16" in page.locator(".case-who").inner_text()
    assert page.locator(".case-who a[href='tel:40123456']").count() == 1
    # The "(+2)" says what it means.
    assert page.locator("h1 .others").get_attribute("title") == "og 2 andre beboere"
    screenshot(page, "case-page-stairwell-order-phone")


def test_the_phone_caseload_shows_five_cases_a_screen_without_her_own_name(small_phone, cast):
    page = small_phone
    project = cast.case_a1.project
    for household in factories.make_households(project.estate, 7):
        other = factories.make_case(project, household, next_step="Ring og aftal et besøg")
        case_assign_staff(case=other, user=cast.caseworker_a1, by=None)
    case_assign_staff(case=cast.case_a1, user=cast.caseworker_a1, by=None)
    colleague = factories.make_user(
        "colleague_a1", Role.CASEWORKER, first_name="Ole", last_name="Lund"
    )
    estate_assign_staff(estate=project.estate, user=colleague)
    case_assign_staff(case=cast.case_a1, user=colleague, by=None)

    log_in(page, cast.caseworker_a1.username)
    page.goto("/sager/?scope=mine")
    rows = page.locator("table.caseload tbody tr")
    assert rows.count() == 8
    first, fifth = rows.nth(0).bounding_box(), rows.nth(4).bounding_box()
    assert fifth["y"] + fifth["height"] - first["y"] <= PHONE["height"]
    staff = page.locator("table.caseload").inner_text()
    assert "Maja Holm" not in staff  # her own name
    agnete = rows.filter(has_text="Agnete Markørsen")
    assert "Også på sagen: Ole Lund" in agnete.inner_text()
    screenshot(page, "caseload-compact-phone")


MAIN_PAGES = ("/sager/", "case", "round", "household", "/opsoegning/runde/", "/flag/")


def _axe_findings(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document);
            return {passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,
                impact: v.impact, targets: v.nodes.map(n => n.target.join(" ")).slice(0, 3)}))};
        }"""
    )
    assert result["passes"] > 10  # it did run its rules
    return [
        f"{v['id']} ({v['impact']}): {v['targets']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_main_pages_have_no_serious_accessibility_fault(browser, live_server, cast, viewport):
    # Only here may a script be injected (axe-core): the pages' own policy allows none.
    context, page = open_page(browser, live_server, viewport, bypass_csp=True)
    case = cast.case_a1
    case.household.reach_channel = "door"
    case.household.go_between_kind = "relative"
    case.household.go_between_name = "Søn"
    case.household.save()
    urls = {
        "case": f"/sager/{case.pk}/",
        "round": f"/opsoegning/runde/{case.household.flat.stairwell_id}/",
        "household": f"/husstande/{case.household.pk}/",
    }
    log_in(page, cast.caseworker_a1.username)
    findings = {}
    for name in MAIN_PAGES:
        page.goto(urls.get(name, name))
        # A skip link on every page, first in the tab order.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip-link", name
        found = _axe_findings(page)
        if found:
            findings[name] = found
    context.close()
    assert findings == {}
