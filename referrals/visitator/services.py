"""The visitator's flat list as a PDF: rendered in the request when short, by the report worker
when long (`reports` runs and serves the job through the maker registered in
ReferralsConfig.ready(); referrals may not import reports)."""

from typing import cast

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.forms import ChoiceField
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from referrals.models import Partner
from referrals.visitator.forms import FlatFilterForm
from referrals.visitator.permissions import require_visitator
from referrals.visitator.selectors import flat_state, visitator_flats, visitator_schedules

# The access log's name of the file (the same words in every language).
FLAT_LIST_PDF_WHAT = gettext_noop("affected flats (PDF)")
FLAT_FILTERS = ("project", "estate", "stairwell")


def municipality_names(partners: list[Partner]) -> str:
    return ", ".join(sorted({str(partner.municipality) for partner in partners}))


def with_state(flats) -> list:
    for flat in flats:
        flat.state = flat_state(flat)
    return flats


def filter_summary(form: FlatFilterForm) -> list[str]:
    """'Project: Helhedsplan Vestergården' for each filter chosen (after form.filters())."""
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value:
            choices = cast(list[tuple[object, str]], cast(ChoiceField, field).choices)
            label = next((text for key, text in choices if key == value), "")
            parts.append(f"{field.label}: {label}")
    return parts


def export_name(extension: str) -> str:
    return f"berorte-boliger-{timezone.localdate():%Y-%m-%d}.{extension}"


def flat_list_is_large(*, flats: list) -> bool:
    """More flats than the setting: the PDF is rendered by a worker."""
    return len(flats) > settings.VISITATOR_FLATS_ASYNC_ROWS


def flat_list_pdf(*, partners: list[Partner], form: FlatFilterForm, flats, request=None) -> bytes:
    context = {
        # By project (a heading each), the flats in address order within it.
        "flats": sorted(with_state(list(flats)), key=lambda flat: flat.project_name),
        "municipality": municipality_names(partners),
        "today": timezone.localdate(),
        "filter_summary": filter_summary(form),
    }
    # Imported here: this module is loaded at start-up (referrals/apps.py), WeasyPrint only
    # when a PDF is made (half a second of every management command's start otherwise).
    from core.pdf import render_pdf

    return render_pdf("referrals/visitator/flat_list_pdf.html", context, request=request)


@transaction.atomic
def flat_list_order(*, by: User, partners: list[Partner], query):
    """A long flat list, ordered from the report worker with her filters (the worker looks up
    her partners again: a visitator who lost her right gets nothing)."""
    from cases.reports.models import ReportJob, ReportKind
    from core.queue import enqueue_job_on_commit, task_by_name

    job = ReportJob.objects.create(
        kind=ReportKind.VISITATOR_FLATS,
        target_id=partners[0].pk,
        ordered_by=by,
        options={name: query.get(name, "") for name in FLAT_FILTERS},
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_job_on_commit(task_by_name("cases.reports.tasks.render_report"), ReportJob, job.pk)
    return job


def _make(job, mine) -> tuple[bytes, str, list[int]]:
    partners = require_visitator(job.ordered_by)
    mine.update(progress=15, title=gettext("Affected flats"))
    form = FlatFilterForm(job.options, schedules=visitator_schedules(partners=partners))
    flats = list(visitator_flats(partners=partners, filters=form.filters()))
    mine.update(progress=40)
    # Flat level: no household is in the file.
    return flat_list_pdf(partners=partners, form=form, flats=flats), export_name("pdf"), []


def _check(user, job) -> None:
    if job.ordered_by_id != user.pk:
        raise Http404
    require_visitator(user)


def _download(request, job) -> tuple[str, str]:
    """The same access-log row as the direct download."""
    from households.audit import log_access
    from households.models import AccessAction

    log_access(request, what=FLAT_LIST_PDF_WHAT, action=AccessAction.EXPORT)
    ordered = timezone.localtime(job.ordered_at)
    return f"berorte-boliger-{ordered:%Y-%m-%d}.pdf", "application/pdf"


def _retry(job, by: User):
    return flat_list_order(by=by, partners=require_visitator(by), query=job.options)


def flat_list_maker_register() -> None:
    from django.utils.translation import gettext_lazy as _

    from cases.reports.makers import JobWords, ReportMaker, report_maker_register
    from cases.reports.models import ReportKind

    words = JobWords(
        ready=_("Your list of affected flats (PDF) is ready."),
        download=_("Download the PDF"),
        making=_("Making the list of flats …"),
        restarting=_("The worker stopped; the list of flats is being started again …"),
        failed=_("The list of flats could not be made."),
        kept=_("You can leave this page and come back later: the list is kept for you here."),
    )
    report_maker_register(
        ReportKind.VISITATOR_FLATS,
        ReportMaker(make=_make, check=_check, download=_download, retry=_retry, words=words),
    )
