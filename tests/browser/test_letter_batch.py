"""A manager edits the notice template and previews it for a household, then sends the notice
and the offer to one stairwell as batches: chooses the template and the stairwell, gets one PDF
(a sheet per household), registers it as posted; every household of the stairwell shows the
letters, and the offers' letters awaiting reply carry the due date cases/deadlines.py computes."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases.deadlines import LetterKind, reply_due_on
from outreach.letters.models import Letter, LetterTemplate, LetterTemplateVersion
from tests import factories
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def make_template(organisation, kind, name, subject):
    template = LetterTemplate.objects.create(organisation=organisation, kind=kind, name=name)
    LetterTemplateVersion.objects.create(
        template=template,
        language="da",
        number=1,
        subject=subject,
        body="Kære {{ husstand_navn }}\n\nDette brev handler om {{ adresse }}.",
    )
    return template


def send_batch(page, project, template_name: str, stairwell_label: str, count: int) -> bytes:
    page.goto(reverse("cases:project", args=[project.pk]))
    page.get_by_role("button", name="Breve til en opgang/hele projektet").click()
    page.get_by_label("Skabelon").select_option(label=template_name)
    page.get_by_label("Opgang").select_option(label=stairwell_label)
    page.get_by_role("button", name="Lav brevene").click()
    download_link = page.get_by_role("button", name="Hent PDF'en til udskrift")
    download_link.wait_for(timeout=60_000)
    with page.expect_download() as download:
        download_link.click()
    pdf = download.value.path().read_bytes()
    page.locator("form.batch-sent select[name=sent_via]").select_option("posted")
    page.get_by_role("button", name=f"Registrér {count} breve som sendt").click()
    page.get_by_text(f"{count} breve er registreret som sendt.").wait_for()
    return pdf


def test_a_manager_sends_a_stairwell_its_letters_in_one_batch(browser, live_server, cast):
    context = browser.new_context(locale="da-DK", base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    case = cast.case_a1
    project, stairwell = case.project, case.household.flat.stairwell
    households = [case.household] + [
        factories.make_case(
            project,
            factories.make_household(
                factories.make_flat(stairwell, floor=floor), f"Beboer Etage{floor}"
            ),
        ).household
        for floor in (2, 3)
    ]
    organisation = project.estate.organisation
    notice = make_template(organisation, LetterKind.NOTICE, "Varsel", "Varsel om renovering")
    make_template(organisation, LetterKind.OFFER, "Tilbud", "Tilbud om midlertidig bolig")

    log_in(page, cast.manager_a.username)
    # The manager edits the notice's Danish text and previews it for a household first.
    page.goto(reverse("outreach:template_edit", args=[notice.pk, "da"]))
    page.locator("[name=subject]").fill("Varsel om renovering af opgangen")
    page.locator("#q-household").fill("Agnete")
    page.locator("#results-household input[type=radio]").first.check()
    page.locator("button[name=action][value=preview]").click()
    page.locator(".letter-preview").get_by_text("Agnete Markørsen").first.wait_for()
    page.locator("button[name=action][value=save]").click()
    page.wait_for_url(f"**{reverse('outreach:template', args=[notice.pk])}")
    assert notice.versions.filter(language="da").count() == 2

    notice_pdf = send_batch(page, project, "Varsel", str(stairwell), 3)
    screenshot(page, "letter-batch-registered")
    reader = PdfReader(io.BytesIO(notice_pdf))
    assert len(reader.pages) == 3  # each household on its own sheet
    first_sheet = reader.pages[0].extract_text()
    assert "Agnete Markørsen" in first_sheet and "Varsel om renovering af opgangen" in first_sheet
    send_batch(page, project, "Tilbud", str(stairwell), 3)

    due = reply_due_on(LetterKind.OFFER, timezone.localdate(), project)
    for household in households:
        page.goto(reverse("households:detail", args=[household.pk]))
        section = page.locator("#sent-letters")
        section.get_by_text("Varsel om renovering af opgangen").wait_for()
        section.get_by_text("Tilbud om midlertidig bolig").wait_for()
        assert section.locator("tr.sent-letter").count() == 2
        awaiting = page.locator("#letters")
        awaiting.get_by_text("Tilbud om midlertidig bolig").wait_for()
        letters = Letter.objects.filter(household=household)
        assert {letter.sent_via for letter in letters} == {"posted"}
        offer = letters.get(template_version__template__kind=LetterKind.OFFER)
        assert offer.awaited_reply is not None and offer.awaited_reply.due_on == due
        notice = letters.get(template_version__template__kind=LetterKind.NOTICE)
        assert notice.awaited_reply is None
    screenshot(page, "letter-household-section")
    context.close()
