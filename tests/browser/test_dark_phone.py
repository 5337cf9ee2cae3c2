"""A phone set to dark mode gets the same light pages: Pico's dark theme under the app's own
colours (a flag's card, the badges) gave light grey text on a white card."""

import pytest
from django.urls import reverse

from outreach.models import Flag, FlagKind
from tests.browser.conftest import log_in, open_page, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLOURS = """() => {
  const colour = (selector, name) => getComputedStyle(document.querySelector(selector))[name];
  return [colour("html", "backgroundColor"), colour(".flag-reason", "color")];
}"""


def test_a_dark_phone_shows_the_case_page_dark_on_light(browser, live_server, cast):
    case = cast.case_a1
    Flag.objects.create(
        household=case.household, case=case, kind=FlagKind.SAFETY_CONCERN, reason="Bekymring"
    )
    context, page = open_page(browser, live_server, color_scheme="dark")
    try:
        log_in(page, cast.caseworker_a1.username)
        page.goto(reverse("cases:detail", args=[case.pk]))
        screenshot(page, "dark-phone-case", full_page=False)
        background, text = page.evaluate(COLOURS)
        assert background == "rgb(255, 255, 255)"
        red, green, blue = (int(part) for part in text[4:-1].split(","))
        assert max(red, green, blue) < 100, text  # dark text
    finally:
        context.close()
