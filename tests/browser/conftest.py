import os
from pathlib import Path

import pytest

from tests.conftest import ROOT, skip_unless
from tests.factories import PASSWORD, make_totp_device, totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    skip_unless(
        CHROMIUM.exists(),
        "Browser tests need Debian's chromium (apt-get install chromium); .ci/run installs it",
    )
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test are fine.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


PHONE = {"width": 390, "height": 844}  # iPhone 12/13/14


def open_page(browser, live_server, viewport=PHONE, **options):
    """A page in a browser context of its own, in Danish, on the test server; the caller closes
    the context. `options` go to Playwright's new_context (color_scheme, bypass_csp …)."""
    context = browser.new_context(
        viewport=viewport, locale="da-DK", base_url=live_server.url, **options
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


@pytest.fixture
def phone(browser, live_server):
    """A page in a phone-sized window (iPhone 12/13/14 width), in Danish."""
    context, page = open_page(browser, live_server)
    yield page
    context.close()


def screenshot(page, name: str, *, full_page: bool = True) -> None:
    """A picture for a person to look at (test-artifacts/screenshots): the whole page, or with
    full_page=False the screen only, which costs Chromium no second layout at the page's height."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def log_in(page, username: str) -> None:
    """Start a logged-in session for the user, her code typed, as client.force_login does
    (tests/conftest.py), and open the page the login would lead to: the ?next= of the login page
    she was sent to, else her start page. Half a second less than the form and the code page,
    which the tests of logging in go through: tests/test_two_factor.py, the new caseworker of
    the invitation walkthroughs (test_team_invitation.py, test_project_walkthrough.py) and
    log_in_through_the_form (test_content_security_policy.py)."""
    from urllib.parse import parse_qs, urlsplit

    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    if not page.url.startswith("http"):
        page.goto("/")
    client = Client()
    client.force_login(User.objects.get(username=username))
    address = urlsplit(page.url)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": f"{address.scheme}://{address.netloc}",
            }
        ]
    )
    sent_to_log_in = "/konto/login/" in address.path
    page.goto(parse_qs(address.query).get("next", ["/"])[0] if sent_to_log_in else "/")
    page.wait_for_url(lambda url: "/konto/" not in url)


def log_in_through_the_form(page, username: str, *, password: str = PASSWORD) -> None:
    """Log in through the form, then type the code from the user's (test) authenticator app.

    Leaves the page where the login leads (the user's start page, or ?next=).
    """
    from django.contrib.auth.models import User

    device = make_totp_device(User.objects.get(username=username))
    if not page.url.endswith("/konto/login/") and "/konto/login/?" not in page.url:
        page.goto("/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(password)
    page.get_by_role("button", name="Log ind").click()
    page.wait_for_url("**/konto/kode/**")
    page.get_by_label("Kode").fill(totp_code(device))
    page.get_by_role("button", name="Bekræft").click()
    page.wait_for_url(lambda url: "/konto/" not in url)
