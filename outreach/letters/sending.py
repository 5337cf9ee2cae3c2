"""Letters going out: one household's letter, a batch for a stairwell or a project (a job),
and registering how and when they were sent and received.

Writes live here (services, keyword-only, under a transaction); the text comes from the
template's current version in the household's language (rendering.py), the due date of an
answer from cases/deadlines.py, the PDF from layout.py, digital post from senders.py.
"""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.deadlines import LetterKind, reply_due_on, termination_text_problems
from cases.models import Case, Project
from core.jobs import job_claim, job_heartbeat, job_mine
from core.once import once_bind, once_claim
from core.queue import enqueue_job_on_commit
from households.models import Household, Stairwell
from outreach.letters import rendering
from outreach.letters.layout import LetterText, PrintedLetter, letter_pdf, letters_pdfs
from outreach.letters.models import (
    Letter,
    LetterBatch,
    LetterBatchStatus,
    LetterLanguage,
    LetterTemplate,
    LetterTemplateVersion,
    SentVia,
)
from outreach.letters.senders import OutgoingLetter, letter_sender
from outreach.models import AwaitedReply, InvitationChannel
from outreach.services import awaited_reply_record

logger = logging.getLogger(__name__)

# What people type as a language ("arabisk", "Arabic", "ar", "engelsk") -> a letter language.
LANGUAGE_WORDS = {
    LetterLanguage.ARABIC: ("ar", "ara", "arabic", "arabisk", "arabisch", "عربي", "العربية"),
    LetterLanguage.ENGLISH: ("en", "eng", "english", "engelsk", "englisch"),
    LetterLanguage.DANISH: ("da", "dan", "danish", "dansk", "dänisch"),
}
SENT_VIA_CHANNEL: dict[str, str] = {
    SentVia.POSTED: InvitationChannel.LETTER,
    SentVia.HANDED_OVER: InvitationChannel.BY_HAND,
    SentVia.DIGITAL_POST: InvitationChannel.DIGITAL_POST,
}


def language_code(text: str) -> str | None:
    """The letter language a typed language names, or None (Somali, Farsi … have no version)."""
    word = text.strip().lower().split(",")[0].split("(")[0].strip()
    for code, words in LANGUAGE_WORDS.items():
        if word in words:
            return code
    return None


def household_language(household: Household) -> str:
    """The language to write to her in: the household's own, else the contact person's."""
    contact = next(
        iter(sorted(household.residents.all(), key=lambda r: (not r.is_contact_person, r.pk))), None
    )
    for typed in (household.reach_language, contact.language if contact else ""):
        if typed.strip():
            return language_code(typed) or LetterLanguage.DANISH
    return LetterLanguage.DANISH


def current_version(template: LetterTemplate, language: str) -> LetterTemplateVersion | None:
    return template.versions.filter(language=language).order_by("-number").first()


def _open_case(household: Household, project: Project | None) -> Case | None:
    cases = household.cases.open()
    if project is not None:
        cases = cases.filter(project=project)
    return cases.order_by("-opened_at").first()


def termination_problems(letter: Letter) -> list[str]:
    """What a termination letter's Danish text lacks before it may be sent."""
    if letter.template_version.template.kind != LetterKind.TERMINATION:
        return []
    return termination_text_problems(letter.danish_body_rendered or letter.body_rendered)


def _check_termination(kind: str, body: str) -> None:
    if kind == LetterKind.TERMINATION:
        problems = termination_text_problems(body)
        if problems:
            raise ValidationError(
                _("A termination cannot be sent without: %(problems)s")
                % {"problems": "; ".join(problems)}
            )


def _window_lines(household: Household) -> list[str]:
    name, _others = household.name_and_others()
    flat = household.flat
    return [name, flat.address, f"{flat.stairwell.postcode} {flat.stairwell.city}"]


def _build_letter(
    *,
    household: Household,
    template: LetterTemplate,
    danish: LetterTemplateVersion,
    by,
    case: Case | None,
    offer=None,
    today: date,
    batch: LetterBatch | None = None,
    cache: dict | None = None,
) -> Letter:
    language = household_language(household)
    translated = current_version(template, language) if language != LetterLanguage.DANISH else None
    version = translated or danish

    def text(of: LetterTemplateVersion) -> tuple[str, str]:
        context = rendering.context_for(
            household,
            case,
            offer,
            by,
            kind=template.kind,
            language=of.language,
            today=today,
            cache=cache,
        )
        try:
            return rendering.render(of.subject, context), rendering.render(of.body, context)
        except rendering.TemplateTextError as error:  # saved before the rules were tightened
            raise ValidationError(str(error)) from error

    danish_subject, danish_body = text(danish)
    _check_termination(template.kind, danish_body)
    subject, body = text(version) if translated else (danish_subject, danish_body)
    return Letter(
        household=household,
        case=case,
        offer=offer,
        template_version=version,
        language=version.language,
        subject=subject[:200],
        body_rendered=body,
        danish_template_version=danish if translated else None,
        danish_subject=danish_subject[:200] if translated else "",
        danish_body_rendered=danish_body if translated else "",
        recipient_address="\n".join(_window_lines(household)),
        batch=batch,
        created_by=by,
        created_at=timezone.now(),
    )


def printed_letter(letter: Letter) -> PrintedLetter:
    """What the letter prints, from what was stored when it was made (never re-rendered)."""
    lines = letter.recipient_address.splitlines()
    estate = letter.household.flat.stairwell.estate
    translated = bool(letter.danish_template_version_id)
    own = LetterText(letter.language, letter.subject, letter.body_rendered)
    return PrintedLetter(
        key=str(letter.pk),
        sender_lines=[estate.organisation.name, estate.name],
        recipient_name=lines[0] if lines else "",
        recipient_address_lines=lines[1:],
        dated=timezone.localtime(letter.created_at).date(),
        danish=LetterText("da", letter.danish_subject, letter.danish_body_rendered)
        if translated
        else own,
        translation=own if translated else None,
        reference=_("Letter no. %(number)s") % {"number": letter.pk},
    )


@transaction.atomic
def letter_generate(
    *,
    household: Household,
    template: LetterTemplate,
    by,
    case: Case | None = None,
    offer=None,
    once_key: UUID | None = None,
) -> Letter:
    """One household's letter from the template's current version in her language (Danish
    when there is none), with the exact text and the PDF stored. Not yet sent."""
    once_claim(key=once_key, model=Letter)
    danish = current_version(template, LetterLanguage.DANISH)
    if danish is None or not template.active:
        raise ValidationError(_("The template has no Danish text in use."))
    offers_day = offer.letter_day if offer is not None else None
    if offers_day is not None and offers_day < timezone.localdate():
        # It is sent on the offer's day (Offer.letter_day), and not before it is made.
        raise ValidationError(
            _("The offer was sent on %(day)s: its letter can no longer be made.")
            % {"day": date_format(offers_day, "j. F Y")},
            code="after_the_offers_day",
        )
    case = case or _open_case(household, None)
    letter = _build_letter(
        household=household,
        template=template,
        danish=danish,
        by=by,
        case=case,
        offer=offer,
        today=timezone.localdate(),
    )
    letter.save()
    letter.pdf.save("letter.pdf", ContentFile(letter_pdf(printed_letter(letter))), save=True)
    once_bind(key=once_key, saved=letter)
    return letter


def _offers_letter_day(letter: Letter) -> date | None:
    """The day the letter's offer was sent, if the letter is the one awaiting the offer's reply
    (Offer.letter_day): it is sent that day and no other."""
    return letter.offer.letter_day if letter.offer is not None else None


def _send_one(letter: Letter, *, via: str, sent_on: date, by) -> None:
    offers_day = _offers_letter_day(letter)
    if offers_day is not None and sent_on != offers_day:
        raise ValidationError(
            _("The offer was sent on %(day)s: its letter is registered as sent that day.")
            % {"day": date_format(offers_day, "j. F Y")},
            code="not_the_offers_day",
        )
    problems = termination_problems(letter)
    if problems:
        raise ValidationError(
            _("A termination cannot be sent without: %(problems)s")
            % {"problems": "; ".join(problems)}
        )
    if via == SentVia.DIGITAL_POST:
        with letter.pdf.open("rb") as file:
            pdf = file.read()
        letter_sender().send(
            OutgoingLetter(letter_id=letter.pk, printed=printed_letter(letter), pdf=pdf)
        )
    letter.sent_via, letter.sent_on = via, sent_on
    template = letter.template_version.template
    reply = None
    if letter.offer is not None and letter.offer.awaited_reply_id:
        reply = letter.offer.awaited_reply  # the offer's own letter awaiting reply
    elif letter.case is not None:
        due = reply_due_on(template.kind, sent_on, letter.case.project)
        if due is not None:
            reply = awaited_reply_record(
                household=letter.household,
                by=by,
                subject=(letter.danish_subject or letter.subject)[:200],
                sent_via=SENT_VIA_CHANNEL[via],
                due_on=due,
                sent_on=sent_on,
                case=letter.case,
            )
    letter.awaited_reply = reply
    letter.save(update_fields=["sent_via", "sent_on", "awaited_reply"])


@transaction.atomic
def letters_register_sent(*, letters: list[Letter], via: str, sent_on: date | None, by) -> int:
    """Register how and when letters went out (those not yet registered); a letter that
    expects an answer gets its letter awaiting reply, due as cases/deadlines.py says.
    Digital post hands each to the sender. Returns how many were registered."""
    if via not in SentVia.values:
        raise ValidationError(_("Choose how the letter was sent."))
    if sent_on is not None and sent_on > timezone.localdate():
        raise ValidationError(_("A letter cannot be registered as sent in the future."))
    count = 0
    for letter in letters:
        if letter.sent_on is not None:
            continue
        day = sent_on or _offers_letter_day(letter) or timezone.localdate()
        if day < timezone.localtime(letter.created_at).date():
            raise ValidationError(_("A letter cannot be sent before it was made."))
        _send_one(letter, via=via, sent_on=day, by=by)
        count += 1
    return count


@transaction.atomic
def letter_register_received(*, letter: Letter, received_on: date | None, by) -> None:
    received_on = received_on or timezone.localdate()
    if letter.sent_on is None:
        raise ValidationError(_("Register the letter as sent first."))
    if not letter.sent_on <= received_on <= timezone.localdate():
        raise ValidationError(_("The day received must lie between the day sent and today."))
    letter.received_on = received_on
    letter.save(update_fields=["received_on"])


def batch_households(batch: LetterBatch):
    """The households of the batch: those with an open case in its project (and stairwell)."""
    cases = Case.objects.open().filter(project=batch.project)
    if batch.stairwell_id:
        cases = cases.filter(household__flat__stairwell=batch.stairwell)
    return (
        Household.objects.filter(pk__in=cases.values("household"))
        .select_related("flat__stairwell__estate__organisation")
        .prefetch_related("residents")
        .order_by(
            "flat__stairwell__street", "flat__stairwell__number", "flat__floor", "flat__door", "pk"
        )
    )


@transaction.atomic
def batch_create(
    *,
    project: Project,
    template: LetterTemplate,
    by,
    stairwell: Stairwell | None = None,
    once_key: UUID | None = None,
) -> LetterBatch:
    """Order the letters of a stairwell or a whole project; a worker makes them (batch_run)."""
    from outreach.letters import tasks

    once_claim(key=once_key, model=LetterBatch)
    if template.organisation_id != project.estate.organisation_id:
        raise ValidationError(_("The template belongs to another organisation."))
    if current_version(template, LetterLanguage.DANISH) is None or not template.active:
        raise ValidationError(_("The template has no Danish text in use."))
    if stairwell is not None and stairwell.estate_id != project.estate_id:
        raise ValidationError(_("The stairwell is not in the project's estate."))
    batch = LetterBatch.objects.create(
        project=project, stairwell=stairwell, template=template, created_by=by
    )
    enqueue_job_on_commit(tasks.make_letter_batch, LetterBatch, batch.pk)
    once_bind(key=once_key, saved=batch)
    return batch


def batch_run(*, batch_id: int) -> LetterBatch | None:
    """Make the batch's letters, once (claimed as core/jobs.py says): each household's letter
    record with its exact text, one merged PDF (each household on a new sheet) and each
    letter's own PDF. Progress: 10 % letters written, then the PDF's steps."""
    attempt = job_claim(LetterBatch, batch_id)
    batch = (
        LetterBatch.objects.select_related("template", "project", "created_by")
        .filter(pk=batch_id)
        .first()
    )
    if batch is None or attempt is None:
        return batch
    mine = job_mine(LetterBatch, batch.pk, attempt)
    mine.update(started_at=timezone.now(), progress=2)
    try:
        with job_heartbeat(LetterBatch, batch.pk, attempt), translation.override("da"):
            _batch_make(batch, mine)
    except BaseException as exc:
        logger.exception("Letter batch %s failed", batch.pk)
        mine.update(
            status=LetterBatchStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{_('The letters could not be made.')} ({type(exc).__name__})",
        )
        raise
    batch.refresh_from_db()
    return batch


def _batch_make(batch: LetterBatch, mine) -> None:
    template = batch.template
    danish = current_version(template, LetterLanguage.DANISH)
    if danish is None:
        raise ValidationError(_("The template has no Danish text in use."))
    today = timezone.localdate()
    cache: dict = {}  # what every letter of the batch reads alike (rendering.context_for)
    with transaction.atomic():
        batch.letters.all().delete()  # an earlier attempt's, taken back
        households = list(batch_households(batch))
        cases = {
            case.household_id: case
            for case in Case.objects.open()
            .filter(project=batch.project, household__in=households)
            .select_related("project")
        }
        letters = [
            _build_letter(
                household=household,
                template=template,
                danish=danish,
                by=batch.created_by,
                case=cases.get(household.pk),
                today=today,
                batch=batch,
                cache=cache,
            )
            for household in households
        ]
        Letter.objects.bulk_create(letters)
    mine.update(progress=10, letter_count=len(letters))
    by_id = {household.pk: household for household in households}
    for letter in letters:  # printed_letter reads these; they are loaded already
        letter.household = by_id[letter.household_id]
    pdfs = letters_pdfs(
        [printed_letter(letter) for letter in letters],
        progress=lambda percent: mine.update(progress=10 + percent * 85 // 100),
    )
    for letter in letters:
        letter.pdf.save("letter.pdf", ContentFile(pdfs.single[str(letter.pk)]), save=False)
    Letter.objects.bulk_update(letters, ["pdf"], batch_size=500)
    batch.pdf.save("batch.pdf", ContentFile(pdfs.merged), save=False)
    done = mine.update(
        pdf=batch.pdf.name, status=LetterBatchStatus.DONE, progress=100, finished_at=timezone.now()
    )
    if not done:
        batch.pdf.delete(save=False)


def batch_zip(batch: LetterBatch) -> bytes:
    """Each letter of the batch as its own PDF, in one zip (named by flat, then letter)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for letter in batch.letters.select_related("household__flat__stairwell").order_by("pk"):
            if not letter.pdf:
                continue
            flat = letter.household.flat
            name = f"{flat.address}-{letter.pk}.pdf".replace("/", "-").replace(" ", "_")
            with letter.pdf.open("rb") as file:
                archive.writestr(name, file.read())
    return out.getvalue()


@transaction.atomic
def batch_register_sent(*, batch: LetterBatch, via: str, sent_on: date | None, by) -> int:
    """Every letter of the batch registered as sent the same way on the same day."""
    letters = list(
        batch.letters.select_related(
            "household__flat__stairwell__estate__organisation",
            "template_version__template",
            "case__project",
            "offer",
        ).order_by("pk")
    )
    return letters_register_sent(letters=letters, via=via, sent_on=sent_on, by=by)


def letter_awaited(letter: Letter) -> AwaitedReply | None:
    return letter.awaited_reply
