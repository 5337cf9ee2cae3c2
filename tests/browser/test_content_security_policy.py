"""Under the real Content-Security-Policy, Chromium reports no violation on the htmx pages, and
htmx still swaps what it should; a deliberate inline style proves the listener hears one."""

import pytest

from households.models import AccessAction, AccessLog
from tests.browser.conftest import log_in_through_the_form, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts (through the DevTools protocol, which CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def watched(phone):
    console = []
    phone.on("console", lambda message: console.append(message.text))
    phone.add_init_script(LISTEN)

    def violations():
        reported = phone.evaluate("window.__cspViolations")
        return reported + [text for text in console if "Content Security Policy" in text]

    phone.violations = violations
    return phone


def test_the_htmx_pages_work_under_the_policy_without_a_violation(watched, cast):
    page = watched
    log_in_through_the_form(page, cast.caseworker_a1.username)  # its pages under the policy too
    page.wait_for_url("**/sager/**")

    # the caseload's search swaps the results in place (htmx)
    results = page.locator("#results")
    assert results.get_by_role("link", name="Agnete Markørsen").count() == 1
    page.get_by_label("Søg").fill("Ingenveje")
    page.wait_for_url("**q=Ingenveje**")  # htmx pushed the search into the address
    results.get_by_role("link", name="Agnete Markørsen").wait_for(state="detached")
    assert page.violations() == []

    # the case page's stage change swaps the stage panel (htmx, with its confirm dialog)
    page.goto(f"/sager/{cast.case_a1.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Flyt til “Varslet”").click()
    page.locator(".current-stage .badge", has_text="Varslet").wait_for()
    assert page.violations() == []

    # the household page and its contact log
    page.goto(f"/husstande/{cast.case_a1.household_id}/kontakter/")
    page.get_by_text("Agnete Markørsen").first.wait_for()
    assert page.violations() == []
    page.locator("details.nav-account summary").click()
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/konto/login/**")

    # the manager's access log: a filter change swaps the results (htmx)
    log_in_through_the_form(page, cast.manager_a.username)
    page.goto("/adgangslog/")
    page.get_by_label("Handling").select_option(AccessAction.LOGIN)
    page.locator("#access-log-results").get_by_text("Logget ind").first.wait_for()
    page.wait_for_url("**action=login**")
    screenshot(page, "access-log-logins-phone")
    assert page.violations() == []

    # The listener hears a violation when there is one.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in violation for violation in page.violations())

    # and the logins went through the log
    assert AccessLog.objects.filter(action=AccessAction.LOGIN).count() == 2
    assert AccessLog.objects.filter(action=AccessAction.LOGOUT).count() == 1
