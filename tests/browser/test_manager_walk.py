"""A manager's round of the main pages on a phone: no Content-Security-Policy violation, no error
in the console and nothing wider than the screen (the pages of several features meet here)."""

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before the page's own scripts (through the DevTools protocol, which CSP does not govern).
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""

OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"


def test_it_walks_a_manager_through_the_main_pages_without_a_violation_error_or_overflow(
    phone, cast
):
    page = phone
    problems: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.add_init_script(LISTEN)
    organisation = cast.case_a1.project.estate.organisation

    log_in(page, cast.manager_a.username)
    pages = [
        ("/sager/", "Sager", "caseload"),
        (f"/sager/{cast.case_a1.pk}/", "Agnete Markørsen", "case"),
        ("/rapporter/", "Rapporter", "reports"),
        (f"/organisationer/{organisation.pk}/vandseng/", "Vandsengseffekten", "waterbed"),
        ("/adgangslog/", "Adgangslog", "access-log"),
    ]
    for path, heading, name in pages:
        response = page.goto(path, wait_until="networkidle")
        assert response is not None and response.status == 200, path
        page.get_by_role("heading", name=heading).first.wait_for()
        if page.evaluate(OVERFLOW):
            problems.append(f"{path}: wider than the phone's screen")
        problems += [f"{path}: CSP {v}" for v in page.evaluate("window.__cspViolations")]
        screenshot(page, f"manager-walk-{name}-phone")

    # The user menu opens onto the screen (it holds the access log, the import, the duplicates).
    page.locator("header details.nav-account summary").click()
    menu = page.locator("header details.nav-account ul")
    menu.get_by_role("link", name="Adgangslog").wait_for()
    box = menu.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert page.evaluate(OVERFLOW) is False

    assert problems == []
