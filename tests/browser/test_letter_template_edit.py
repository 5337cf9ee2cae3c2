"""A manager edits the notice template on her phone, previews it for a real household, saves it
as a new version (issue 15); the old version's text stays in the history."""

import pytest

from cases.deadlines import LetterKind
from outreach.letters.services import current_version, template_create
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth > window.innerWidth"


def test_a_manager_edits_previews_and_saves_the_notice(phone, cast):
    template = template_create(
        organisation=cast.case_a1.project.estate.organisation,
        kind=LetterKind.NOTICE,
        name="Varsling",
        from_standard=True,
        by=cast.manager_a,
    )
    page = phone
    log_in(page, cast.manager_a.username)
    page.goto(f"/brevskabeloner/{template.pk}/da/")
    text = page.get_by_label("Tekst")
    text.fill(text.input_value() + "\nHusk mødet i fælleshuset.\n{{ husstand_navn }}")
    page.get_by_label("Søg: navn eller adresse").fill("Markørsen")
    page.get_by_label("Agnete Markørsen").check()
    page.get_by_role("button", name="Forhåndsvis").click()
    preview = page.locator(".letter-preview")
    preview.wait_for()
    assert "Kære Agnete Markørsen" in preview.inner_text()
    assert "Husk mødet i fælleshuset." in preview.inner_text()
    assert not page.evaluate(OVERFLOW)
    screenshot(page, "letter-template-preview-phone")
    assert current_version(template, "da").number == 1  # the preview saved nothing

    page.get_by_role("button", name="Gem som ny version").click()
    page.wait_for_url(f"**/brevskabeloner/{template.pk}/")
    assert "Version 2" in page.locator("ol.version-history").first.inner_text()
    saved = current_version(template, "da")
    assert saved.number == 2 and "Husk mødet i fælleshuset." in saved.body
    assert "Husk mødet" not in template.versions.get(language="da", number=1).body
