"""GDPR writes: the retention's anonymisation of households whose cases closed long ago, and
the erasure of one resident on request (art. 17). What is removed follows the field
classification (privacy/classification.py); which tables hold a household's data follows
the relations (privacy.selectors.household_paths).

Two tables cannot be changed and are designed around: consents refuse UPDATE (a trigger), so a
consent is deleted, never blanked, and its signed scan with it; the access log is append-only
and holds ids only, so it stays.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop
from guardian.models import GroupObjectPermission, UserObjectPermission

from cases.economy.models import Expense
from cases.models import Case
from cases.stages import Stage
from households.models import AccessLog, Household, Resident
from outreach.letters.models import Letter
from privacy.classification import Level, anonymised_values, fields_at, is_free_text
from privacy.selectors import household_paths, is_permission_model
from referrals.models import Consent, Referral

ERASED = "[slettet]"


def _delete_files_on_commit(names: list[str], field: models.FileField | None = None) -> None:
    """Files go once the rows that named them are gone for good (not if the transaction rolls
    back). `field` says whose storage they are in: consent evidence unless said otherwise."""
    names = [name for name in names if name]
    if not names:
        return
    storage = (field or Consent._meta.get_field("evidence")).storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


def _delete_consents(consents: models.QuerySet[Consent]) -> None:
    """Delete `consents`, the consents that replaced them, and their evidence files.

    A referral that relied on one keeps its record but no longer says what it shared (the
    database requires a consent for that)."""
    ids = set(consents.values_list("pk", flat=True))
    while True:  # a consent that replaces a deleted one cannot stay (RESTRICT, and no UPDATE)
        successors = set(
            Consent.objects.filter(replaces__in=ids)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        if not successors:
            break
        ids |= successors
    if not ids:
        return
    selected = Consent.objects.filter(pk__in=ids)
    files = list(selected.exclude(evidence="").values_list("evidence", flat=True))
    Referral.objects.filter(consent__in=ids).update(consent=None, shared=[])
    selected.delete()
    _delete_files_on_commit(files)


def retention_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.RETENTION_CLOSED_CASE_DAYS)


def households_due_for_anonymisation(now: datetime | None = None) -> models.QuerySet[Household]:
    """Households not yet anonymised whose every case is closed, the last longer ago than the
    retention period. A household with an open case, or without a case, is kept. Closing a
    project starts the clock again for its households (a project closed within the period)."""
    cutoff = retention_cutoff(now)
    kept = Case.objects.exclude(stage=Stage.CLOSED, closed_at__lt=cutoff) | Case.objects.filter(
        project__closed_at__gte=cutoff
    )
    return Household.objects.filter(
        anonymised_at__isnull=True, pk__in=Case.objects.values("household_id")
    ).exclude(pk__in=kept.values("household_id"))


@transaction.atomic
def retention_anonymise(*, now: datetime | None = None) -> int:
    """Remove names, contact data and free text of the households due; keep the statistics.

    Set-based: one statement per table, whatever the number of households. Idempotent: an
    anonymised household is marked and never selected again. Returns how many it anonymised.
    """
    now = now or timezone.now()
    ids = list(
        households_due_for_anonymisation(now).select_for_update().values_list("pk", flat=True)
    )
    if not ids:
        return 0
    _delete_consents(Consent.objects.filter(household__in=ids))
    # A letter's PDF names the household: the file goes, the row keeps its dates and kind.
    letters = Letter.objects.filter(household__in=ids).exclude(pdf="")
    pdfs = list(letters.values_list("pdf", flat=True))
    letters.update(pdf="")
    _delete_files_on_commit(pdfs, Letter._meta.get_field("pdf"))
    for model, path in household_paths().items():
        if model in (Household, Consent, AccessLog) or is_permission_model(model):
            continue
        values = anonymised_values(model)
        if values:
            model._default_manager.filter(**{f"{path}__in": ids}).update(**values)
    Household.objects.filter(pk__in=ids).update(anonymised_at=now, **anonymised_values(Household))
    return len(ids)


def expired_data_purge(*, now: datetime | None = None) -> dict[str, int]:
    """What no one needs once it has expired: ended sessions (with their record per user) and
    the files of worker-made reports older than REPORT_KEEP_DAYS (a named report names
    residents; whoever needs it again orders a new one). Idempotent."""
    from django.contrib.sessions.models import Session

    from cases.reports.models import ReportJob

    now = now or timezone.now()
    _total, deleted = Session.objects.filter(expire_date__lt=now).delete()
    sessions = deleted.get(Session._meta.label, 0)
    old = ReportJob.objects.filter(
        ordered_at__lt=now - timedelta(days=settings.REPORT_KEEP_DAYS)
    ).exclude(file="")
    names = list(old.values_list("file", flat=True))
    reports = old.update(file="", household_ids=[])
    _delete_files_on_commit(names, ReportJob._meta.get_field("file"))
    return {"sessions": sessions, "report_files": reports}


# --- erasure of one resident ---------------------------------------------------------------


@dataclass
class ErasureResult:
    household_id: int
    resident_id: int
    household_erased: bool


def _mention_pattern(resident: Resident, others: list[Resident]) -> tuple[list[str], str]:
    """The words that name `resident` and no one who stays, and one regex for them.

    Her full name (also as "last, first"), first name, last name, phone and e-mail each count
    unless a remaining resident of the household has the same: a shared surname is hers only
    where it stands with her first name, and a shared landline is the household's."""
    theirs = {
        value.strip().casefold()
        for other in others
        for value in (
            other.first_name,
            other.last_name,
            other.full_name,
            other.phone,
            other.email,
        )
        if value.strip()
    }
    first, last = resident.first_name.strip(), resident.last_name.strip()
    whole = [f"{first} {last}", f"{last}, {first}"] if first and last else []
    alone = [first, last, resident.phone.strip()]
    words = [w for w in whole if w.casefold() not in theirs]
    words += [w for w in alone if len(w) >= 2 and w.casefold() not in theirs]
    parts = [rf"(?<!\w){re.escape(word)}(?!\w)" for word in words]
    email = resident.email.strip()
    if email and email.casefold() not in theirs:  # first: "pia@…" is more than "Pia"
        words.insert(0, email)
        parts.insert(0, re.escape(email))
    return words, "|".join(parts)


def _scrub_mentions(resident: Resident) -> None:
    """Replace what names her (see `_mention_pattern`) in the household's free text with
    [slettet]. The residents' own rows are not free text about her: hers is deleted, and a
    co-resident's name and contact fields are never touched.

    Rows are found in SQL (ILIKE on the text columns), changed in Python (whole words, any
    case, the longest match first) and written back with one bulk update per table."""
    others = list(
        Resident.objects.filter(household_id=resident.household_id).exclude(pk=resident.pk)
    )
    words, alternatives = _mention_pattern(resident, others)
    if not words:
        return
    pattern = re.compile(alternatives, re.IGNORECASE)
    for model, path in household_paths().items():
        if model in (Resident, Consent, AccessLog) or is_permission_model(model):
            continue
        columns = [f for f in fields_at(model, Level.PERSONAL, Level.SENSITIVE) if is_free_text(f)]
        if not columns:
            continue
        mentions = Q()
        for column in columns:
            for word in words:
                mentions |= Q(**{f"{column.name}__icontains": word})
        rows = list(model._default_manager.filter(mentions, **{path: resident.household_id}))
        for row in rows:
            for column in columns:
                text = getattr(row, column.attname)
                setattr(row, column.attname, pattern.sub(ERASED, text))
        if rows:
            model._default_manager.bulk_update(rows, [column.name for column in columns])


def _delete_generic_permissions(model: type[models.Model], ids: list[int]) -> None:
    """Guardian's generic tables, in case a row was ever granted there instead of the direct
    ones (their object id is text and has no foreign key)."""
    content_type = ContentType.objects.get_for_model(model)
    object_pks = [str(pk) for pk in ids]
    for table in (UserObjectPermission, GroupObjectPermission):
        table.objects.filter(content_type=content_type, object_pk__in=object_pks).delete()


@transaction.atomic
def resident_erase(*, resident: Resident, by: User) -> ErasureResult:
    """Remove every trace of `resident`: her row, the consents and referrals about her or given
    by her, her name and contact data in the household's free text, and the evidence files.

    When she is the last resident, the household goes too, with its cases and everything
    about them (the flat, the estate's, stays). The access log keeps its rows: ids only.
    """
    household = Household.objects.select_for_update().get(pk=resident.household_id)
    resident = Resident.objects.get(pk=resident.pk, household=household)
    result = ErasureResult(
        household_id=household.pk,
        resident_id=resident.pk,
        household_erased=not household.residents.exclude(pk=resident.pk).exists(),
    )
    given_by_her = Q(resident=resident) | Q(given_by__icontains=resident.full_name)
    if result.household_erased:
        given_by_her = Q(household=household)
    _delete_consents(Consent.objects.filter(given_by_her, household=household))
    if result.household_erased:
        cases = list(household.cases.values_list("pk", flat=True))
        _delete_generic_permissions(Case, cases)
        _delete_generic_permissions(Household, [household.pk])
        _delete_generic_permissions(
            Resident, list(household.residents.values_list("pk", flat=True))
        )
        receipts = list(
            Expense.objects.filter(case__in=cases)
            .exclude(receipt="")
            .values_list("receipt", flat=True)
        )
        Case.objects.filter(pk__in=cases).delete()  # PROTECT: before the household
        _delete_files_on_commit(receipts, Expense._meta.get_field("receipt"))  # type: ignore[arg-type]
        household.delete()
        return result
    _scrub_mentions(resident)
    _delete_generic_permissions(Resident, [resident.pk])
    resident.delete()
    Household.objects.filter(pk=household.pk).update(version=models.F("version") + 1)
    return result


# --- The art. 15 export (PDF and JSON in one zip), in the request or by the worker ---------

# The access log's words for the export, in the request or by the worker.
RESIDENT_ACCESS_WHAT = gettext_noop("right of access (PDF and JSON)")


@dataclass(frozen=True)
class ResidentAccessExport:
    content: bytes
    filename: str


def resident_access_is_large(*, sections) -> bool:
    """More rows than the setting: the PDF (17 pages and more) is rendered by a worker."""
    return sum(len(section.rows) for section in sections) > settings.RESIDENT_ACCESS_ASYNC_ROWS


def resident_access_export(*, resident: Resident, sections=None, request=None):
    """Everything held about the resident, as a PDF and a JSON file in one zip."""
    import io
    import json
    import zipfile

    from core.pdf import render_pdf
    from privacy.selectors import WITHHELD, resident_data

    if sections is None:
        sections = resident_data(resident=resident)
    now = timezone.localtime()
    context = {
        "resident": resident,
        "sections": sections,
        "now": now,
        "withheld": WITHHELD,
        "row_count": sum(len(section.rows) for section in sections),
    }
    pdf = render_pdf("privacy/resident_access_pdf.html", context, request=request)
    data = {
        "generated_at": now.isoformat(),
        "resident_id": resident.pk,
        "household_id": resident.household_id,
        "withheld_fields": {model: sorted(names) for model, names in WITHHELD.items()},
        "data": {section.model: section.rows for section in sections},
    }
    name = f"indsigt-beboer-{resident.pk}-{now:%Y%m%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.pdf", pdf)
        archive.writestr(f"{name}.json", json.dumps(data, ensure_ascii=False, indent=2))
    return ResidentAccessExport(buffer.getvalue(), f"{name}.zip")


@transaction.atomic
def resident_access_order(*, by: User, resident: Resident):
    """A large art. 15 export, ordered from the report worker (the caller checked her right
    to it; the worker checks it again). `reports` runs and serves the job through the maker
    registered in PrivacyConfig.ready()."""
    from django.utils import translation

    from cases.reports.models import ReportJob, ReportKind, ReportStatus
    from core.queue import enqueue_job_on_commit, task_by_name

    # A second click (or a reload) while her file is being made opens the same job.
    under_way = (
        ReportJob.objects.filter(
            kind=ReportKind.RESIDENT_ACCESS,
            target_id=resident.pk,
            ordered_by=by,
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
        )
        .order_by("-pk")
        .first()
    )
    if under_way is not None and not under_way.is_stuck:
        return under_way
    job = ReportJob.objects.create(
        kind=ReportKind.RESIDENT_ACCESS,
        target_id=resident.pk,
        named=True,
        ordered_by=by,
        household_ids=[resident.household_id],
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_job_on_commit(task_by_name("cases.reports.tasks.render_report"), ReportJob, job.pk)
    return job


def _job_resident(user, job) -> Resident:
    """The job's resident, if `user` may still take out her data (404 otherwise, also when
    she has been erased meanwhile)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from privacy.permissions import get_resident_for_user

    household_id = Resident.objects.filter(pk=job.target_id).values_list("household_id", flat=True)
    if not household_id:
        raise Http404
    try:
        return get_resident_for_user(user, household_id[0], job.target_id, action="access")
    except PermissionDenied:
        raise Http404 from None


def _resident_access_make(job, mine) -> tuple[bytes, str, list[int]]:
    from django.utils.translation import gettext

    resident = _job_resident(job.ordered_by, job)
    mine.update(progress=15, title=gettext("Right of access"))
    export = resident_access_export(resident=resident)
    return export.content, export.filename, [resident.household_id]


def _resident_access_check(user, job) -> None:
    _job_resident(user, job)


def _resident_access_download(request, job) -> tuple[str, str]:
    """The same access-log row as the direct download."""
    from households.audit import log_access
    from households.models import AccessAction

    log_access(
        request,
        what=RESIDENT_ACCESS_WHAT,
        action=AccessAction.EXPORT,
        residents=[(job.household_ids[0], job.target_id)],
    )
    ordered = timezone.localtime(job.ordered_at)
    return f"indsigt-beboer-{job.target_id}-{ordered:%Y%m%d}.zip", "application/zip"


def _resident_access_retry(job, by: User):
    return resident_access_order(by=by, resident=_job_resident(by, job))


def resident_access_maker_register() -> None:
    from django.utils.translation import gettext_lazy as _

    from cases.reports.makers import JobWords, ReportMaker, report_maker_register
    from cases.reports.models import ReportKind

    words = JobWords(
        ready=_("Your copy of the personal data (zip) is ready."),
        download=_("Download the zip file"),
        making=_("Making the copy of the personal data …"),
        restarting=_("The worker stopped; the copy of the personal data is being started again …"),
        failed=_("The copy of the personal data could not be made."),
        kept=_("You can leave this page and come back later: the copy is kept for you here."),
    )
    report_maker_register(
        ReportKind.RESIDENT_ACCESS,
        ReportMaker(
            make=_resident_access_make,
            check=_resident_access_check,
            download=_resident_access_download,
            retry=_resident_access_retry,
            words=words,
        ),
    )
