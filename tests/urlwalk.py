"""Walking every URL pattern of the project, and planting an object of every kind they name.

Shared by the tests that walk every URL (tests/referrals/test_visitator_leaks.py and
tests/test_permission_matrix.py): `plant` fills one case's household with marker strings and
makes an object of each kind a URL's `<int:pk>` can name; `url_patterns` lists every URL name
of the project; `urls_with_ids` makes the URLs of one name with the planted ids.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter

from cases.economy.models import Expense
from cases.logistics.models import Move, Offer, PoolFlat
from cases.models import Case, StageChange
from cases.reports.models import ReportJob
from cases.stages import Stage
from core.exports import XLSX_TYPE
from households.models import (
    Resident,
    VulnerabilityAssessment,
    VulnerabilityFactor,
    VulnerabilityLevel,
)
from households.services import tenant_import_upload
from outreach.letters.models import Letter, LetterBatch, LetterTemplate, LetterTemplateVersion
from outreach.models import (
    AwaitedReply,
    Channel,
    Contact,
    DropInSession,
    Flag,
    FlagKind,
    HomeObservation,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from referrals.bridge.services import follow_up_plan_start
from referrals.models import (
    ChecklistItem,
    Community,
    CommunityMeeting,
    CommunityMembership,
    DataCategory,
    Partner,
    Purpose,
    ReferralStatus,
)
from referrals.services import referral_create, referral_transition
from tests import factories


def category_markers(prefix: str) -> dict[str, tuple[str, ...]]:
    """The strings each data category shows, planted in the household of `prefix`."""
    return {
        DataCategory.IDENTITY: (
            f"{prefix}fornavn",
            f"{prefix}efternavn",
            f"{prefix}-PHONE-5501",
            f"{prefix.lower()}-mail@example.org",
            f"{prefix}andenfornavn",
        ),
        DataCategory.HOUSING: (f"{prefix}midlertidigvej",),
        DataCategory.SOCIAL: (f"{prefix}-SOCIAL-NOTE",),
        DataCategory.VULNERABILITY: ("Demens",),  # the factor only this household has
        DataCategory.CONTACTS: (f"{prefix}-CONTACT-NOTE", f"{prefix}-CONTACT-MET"),
        DataCategory.HOME: (f"{prefix}-HOME-OBS",),
    }


def never_markers(prefix: str) -> tuple[str, ...]:
    """Planted in fields no consent category shows."""
    return tuple(
        f"{prefix}-{what}"
        for what in (
            "VULN-NOTE",
            "TIP-TEXT",
            "OTHER-REASON",
            "OTHER-OUTCOME",
            "OTHER-EVENT-NOTE",
            "DRAFT-REASON",
            "FLAG-REASON",
            "LETTER-SUBJECT",
            "LETTER-REPLY",
            "NEXT-STEP",
            "STAGE-NOTE",
            "GIVEN-BY",
            "CHECKLIST-HELPER",
            "CHECKLIST-NOTE",
            "MEETING-TOPIC",
            "CAFE-PLACE",
            "OFFER-NOTE",
            "MOVE-NOTE",
            "COMMUNITY-TOPIC",
            "SEND-NOTE",
            "EXPENSE-NOTE",
        )
    )


def all_markers(prefix: str) -> set[str]:
    found = {marker for markers in category_markers(prefix).values() for marker in markers}
    found.discard("Demens")  # shared by both households: checked on A only
    return found | set(never_markers(prefix))


# Pages for every signed-in user (the account pages, the health check, the language switch):
# they show nothing of a household.
OPEN_PAGES = {
    "accounts:otp_enrol",
    "accounts:otp_verify",
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "team:invitation_accept",  # an invitation's one-time link: the new colleague sets her password
}


@dataclass
class Planted:
    ids: dict[str, list[int]] = field(default_factory=dict)

    def add(self, key: str, pk: int) -> None:
        self.ids.setdefault(key, []).append(pk)


def plant(planted: Planted, case: Case, prefix: str, *, staff: User, partners: dict[str, Partner]):
    """Every sensitive field of `case`'s household gets a marker of `prefix`, and an object of
    every kind a URL names is made around it (its ids in `planted`)."""
    household = case.household
    estate = case.project.estate
    household.social_note = f"{prefix}-SOCIAL-NOTE"
    household.save(update_fields=["social_note"])
    first = household.residents.get()
    first.first_name, first.last_name = f"{prefix}fornavn", f"{prefix}efternavn"
    first.phone, first.email = f"{prefix}-PHONE-5501", f"{prefix.lower()}-mail@example.org"
    first.save()
    second = Resident.objects.create(
        household=household, first_name=f"{prefix}andenfornavn", last_name="Hansen"
    )
    VulnerabilityAssessment.objects.create(
        household=household,
        level=VulnerabilityLevel.PARTICULARLY,
        factors=[VulnerabilityFactor.DEMENTIA],
        note=f"{prefix}-VULN-NOTE",
    )
    temporary = factories.make_flat(
        factories.make_stairwell(estate, street=f"{prefix}midlertidigvej", number=9)
    )
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.TEMPORARY, temporary_flat=temporary, next_step=f"{prefix}-NEXT-STEP"
    )
    StageChange.objects.create(case=case, to_stage=Stage.TEMPORARY, note=f"{prefix}-STAGE-NOTE")
    contact = Contact.objects.create(
        household=household,
        case=case,
        staff=staff,
        channel=Channel.DOOR_KNOCK,
        outcome=Outcome.VISIT_INSIDE,
        met=f"{prefix}-CONTACT-MET",
        note=f"{prefix}-CONTACT-NOTE",
        observations=[HomeObservation.NEEDLES],
        observation_note=f"{prefix}-HOME-OBS",
    )
    tip = Tip.objects.create(
        flat=household.flat,
        household=household,
        source=TipSource.CARETAKER,
        text=f"{prefix}-TIP-TEXT",
    )
    flag = Flag.objects.create(
        household=household, case=case, kind=FlagKind.NO_CONTACT, reason=f"{prefix}-FLAG-REASON"
    )
    letter = AwaitedReply.objects.create(
        household=household,
        case=case,
        subject=f"{prefix}-LETTER-SUBJECT",
        sent_via="letter",
        due_on=timezone.localdate() + timedelta(days=7),
        reply_note=f"{prefix}-LETTER-REPLY",
    )
    item = ChecklistItem.objects.filter(case=case).first()
    ChecklistItem.objects.filter(pk=item.pk).update(
        helped_by=f"{prefix}-CHECKLIST-HELPER", note=f"{prefix}-CHECKLIST-NOTE"
    )
    meeting = Meeting.objects.create(
        project=case.project,
        held_at=timezone.now(),
        place="Fælleshuset",
        topic=f"{prefix}-MEETING-TOPIC",
    )
    cafe = DropInSession.objects.create(
        estate=estate, held_on=timezone.localdate(), place=f"{prefix}-CAFE-PLACE"
    )
    pool_flat = PoolFlat.objects.create(
        organisation=estate.organisation,
        flat=factories.make_flat(factories.make_stairwell(estate, street="Puljevej")),
        kind="temporary",
        rent=6000,
        available_from=date(2026, 1, 1),
    )
    offer = Offer.objects.create(
        case=case,
        pool_flat=pool_flat,
        kind="temporary",
        holds_from=date(2026, 3, 1),
        sent_via="letter",
        reply_due_on=timezone.localdate() + timedelta(days=14),
        note=f"{prefix}-OFFER-NOTE",
    )
    move = Move.objects.create(
        case=case,
        kind="to_temporary",
        from_flat=household.flat,
        to_flat=temporary,
        moves_on=date(2026, 5, 1),
        note=f"{prefix}-MOVE-NOTE",
    )
    plan = follow_up_plan_start(case=case)
    community = Community.objects.create(organisation=estate.organisation, name="Nybyggerne")
    membership = CommunityMembership.objects.create(community=community, household=household)
    community_meeting = CommunityMeeting.objects.create(
        community=community,
        starts_at=timezone.now(),
        place="Biblioteket",
        topic=f"{prefix}-COMMUNITY-TOPIC",
    )
    # A referral to another partner, sent and answered; a draft to her own partner.
    other = referral_create(
        household=household,
        partner=partners["other"],
        reason=f"{prefix}-OTHER-REASON",
        by=staff,
        purpose=Purpose.REFERRAL,
    )
    other = referral_transition(
        referral=other, to_status=ReferralStatus.SENT, by=staff, note=f"{prefix}-OTHER-EVENT-NOTE"
    )
    referral_transition(
        referral=other,
        to_status=ReferralStatus.DECLINED,
        by=staff,
        outcome=f"{prefix}-OTHER-OUTCOME",
    )
    draft = referral_create(
        household=household,
        partner=partners["visitator"],
        reason=f"{prefix}-DRAFT-REASON",
        by=staff,
        purpose=Purpose.REFERRAL,
    )
    schedule = factories.make_schedule(
        case.project, household.flat.stairwell, notice_on=date(2026, 2, 1)
    )
    # A previewed tenant list of the estate, with the household's marked names in it.
    tenant_import = tenant_import_upload(
        organisation=estate.organisation,
        by=staff,
        content=(
            "afdeling;vej;husnr;etage;doer;postnr;by;vaerelser;areal;"
            "lejer1_fornavn;lejer1_efternavn\n"
            f"{estate.number};{prefix}importvej;3;1;tv;2650;Hvidovre;3;75;"
            f"{prefix}fornavn;{prefix}efternavn\n"
        ).encode(),
        file_kind="csv",
    )
    # A letter template of the estate's organisation (organisation A has two: one per estate).
    letter_template = LetterTemplate.objects.create(
        organisation=estate.organisation, kind="notice", name=f"Varsling {estate.name}"
    )
    expense = Expense.objects.create(
        case=case,
        kind="movers_out",
        amount=4200,
        spent_on=date(2026, 5, 1),
        supplier="Flyttefirma",
        note=f"{prefix}-EXPENSE-NOTE",
        entered_by=staff,
    )
    report_job = ReportJob.objects.create(
        kind="project", target_id=case.project_id, ordered_by=staff, named=True
    )
    sent_letter, letter_batch = _plant_letters(case, prefix, staff=staff)
    for key, obj in (
        ("household", household),
        ("case", case),
        ("flat", household.flat),
        ("flat", temporary),
        ("stairwell", household.flat.stairwell),
        ("resident", first),
        ("resident", second),
        ("contact", contact),
        ("tip", tip),
        ("flag", flag),
        ("letter", letter),
        ("checklist", item),
        ("meeting", meeting),
        ("cafe", cafe),
        ("pool_flat", pool_flat),
        ("offer", offer),
        ("move", move),
        ("plan", plan),
        ("visit", plan.visits.first()),
        ("community", community),
        ("membership", membership),
        ("community_meeting", community_meeting),
        ("referral", other),
        ("referral", draft),
        ("project", case.project),
        ("partner", partners["other"]),
        ("schedule", schedule),
        ("organisation", estate.organisation),
        ("estate", estate),
        ("report", report_job),
        ("tenant_import", tenant_import),
        ("sent_letter", sent_letter),
        ("letter_batch", letter_batch),
        ("letter_template", letter_template),
        ("expense", expense),
    ):
        planted.add(key, obj.pk)


def _plant_letters(case: Case, prefix: str, *, staff: User):
    """A letter from a template to the household, and a finished batch of its stairwell."""
    template = LetterTemplate.objects.create(
        organisation=case.project.estate.organisation, kind="notice", name=f"{prefix} varsel"
    )
    version = LetterTemplateVersion.objects.create(
        template=template, language="da", number=1, subject="Varsel", body="Kære beboer"
    )
    batch = LetterBatch.objects.create(
        project=case.project,
        stairwell=case.household.flat.stairwell,
        template=template,
        created_by=staff,
        status="done",
        progress=100,
        letter_count=1,
    )
    blank = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(blank)
    batch.pdf.save("batch.pdf", ContentFile(blank.getvalue()))
    letter = Letter.objects.create(
        household=case.household,
        case=case,
        template_version=version,
        subject="Varsel",
        body_rendered="Kære beboer",
        recipient_address="Beboer\nVej 1\n2650 Hvidovre",
        batch=batch,
        created_by=staff,
    )
    letter.pdf.save("letter.pdf", ContentFile(blank.getvalue()))
    return letter, batch


def text_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if response.get("Content-Type", "") == XLSX_TYPE:  # zipped XML: read its cells
        sheet = load_workbook(io.BytesIO(content), read_only=True).active
        return "\n".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)
    return content.decode("utf-8", errors="replace")


def found(texts: dict[str, str], markers) -> set[str]:
    return {marker for marker in markers for text in texts.values() if marker in text}


# --- every URL pattern of the project ---

# The other integer arguments, by name.
KWARG_MODELS = {
    "household_pk": "household",
    "stairwell_pk": "stairwell",
    "case_pk": "case",
    "project_pk": "project",
    "user_id": "user",
}


def url_patterns(patterns=None, prefix: str = ""):
    """(name, pattern) of every URL of the project; the admin as one entry."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                yield "admin:index", entry
                continue
            namespace = f"{entry.namespace}:" if entry.namespace else prefix
            yield from url_patterns(entry.url_patterns, namespace)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}", entry


def urls_with_ids(name: str, pattern, planted: Planted, pk_model: str | None) -> list[str]:
    """The URLs of `name` with every combination of the planted ids its arguments name."""
    if name == "admin:index":
        return [reverse("admin:index")]
    converters = pattern.pattern.converters
    if not converters:
        return [reverse(name)]
    kwargs_choices: list[dict] = [{}]
    for kwarg in converters:
        if kwarg == "pk":
            assert pk_model, f"{name}: say which model its pk names"
            ids = planted.ids[pk_model]
        elif kwarg in KWARG_MODELS:
            ids = planted.ids[KWARG_MODELS[kwarg]]
        elif kwarg in ("uidb64", "token"):
            ids = ["x"]
        elif kwarg == "language":  # a letter template's language
            ids = ["da"]
        else:
            pytest.fail(f"{name}: unknown URL argument {kwarg}; add it to KWARG_MODELS")
        kwargs_choices = [{**kwargs, kwarg: value} for kwargs in kwargs_choices for value in ids]
    return [reverse(name, kwargs=kwargs) for kwargs in kwargs_choices]
