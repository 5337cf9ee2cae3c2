"""Making reports: rendering a PDF, ordering a large one from a worker, and the worker's run."""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import charts
from cases.reports.models import ReportJob, ReportKind, ReportStatus
from core.pdf import render_pdf
from reports.permissions import ReportScope, get_report_scope_for_user, scope_cases
from reports.selectors import Report, report_build, report_household_count

logger = logging.getLogger(__name__)

STATUS_TEMPLATE = "reports/status_pdf.html"


def report_charts(report: Report, *, width: int = 640) -> dict:
    """The page draws them narrower than the A4 page, so a phone still reads the labels."""
    return {
        "funnel": charts.stage_funnel(report.funnel, width=width),
        "weeks": charts.contacts_per_week(report.weeks, width=width),
        "meetings": charts.attendance_per_meeting(report.meetings, width=width),
    }


def report_is_large(*, scope: ReportScope, cases) -> bool:
    """A whole organisation, or more households than the setting: rendered by a worker."""
    if scope.kind == ReportKind.ORGANISATION:
        return True
    return report_household_count(cases) > settings.REPORT_ASYNC_HOUSEHOLDS


def report_render(*, report: Report, request=None) -> bytes:
    context = {"report": report, "charts": report_charts(report), "confidential": report.named}
    return render_pdf(STATUS_TEMPLATE, context, request=request)


def report_filename(report: Report) -> str:
    stamp = report.printed_at.strftime("%Y-%m-%d")
    named = "-fortroligt" if report.named else ""
    return f"rapport-{report.kind}-{stamp}{named}.pdf"


@transaction.atomic
def report_job_order(*, by: User, scope: ReportScope, named: bool) -> ReportJob:
    """Record the order and hand it to a worker once the order is committed."""
    from core.queue import enqueue_on_commit
    from reports.tasks import render_report

    job = ReportJob.objects.create(
        kind=scope.kind,
        target_id=scope.target_id,
        named=named,
        ordered_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_on_commit(render_report, job.pk)
    return job


def _progress(job: ReportJob, percent: int, **values) -> None:
    ReportJob.objects.filter(pk=job.pk).update(progress=percent, **values)


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Render the ordered report. Idempotent: a job already running or finished is left alone.

    The scope is looked up again with the orderer's rights as they are now: a report is never
    made from cases she can no longer see.
    """
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportStatus.QUEUED).update(
        status=ReportStatus.RUNNING, started_at=timezone.now(), progress=5
    )
    job = ReportJob.objects.select_related("ordered_by").filter(pk=job_id).first()
    if job is None or not claimed:
        return job
    try:
        with translation.override(job.language):
            scope = get_report_scope_for_user(
                job.ordered_by, job.kind, job.target_id, named=job.named
            )
            cases = scope_cases(job.ordered_by, scope)
            _progress(job, 15)
            report = report_build(scope=scope, cases=cases, named=job.named)
            _progress(job, 50, title=f"{report.title}: {report.subject}"[:300])
            pdf = report_render(report=report)
            _progress(job, 90)
            job.file.save(report_filename(report), ContentFile(pdf), save=False)
        ReportJob.objects.filter(pk=job.pk).update(
            file=job.file.name,
            household_ids=report.household_ids if job.named else [],
            status=ReportStatus.DONE,
            progress=100,
            finished_at=timezone.now(),
        )
    except BaseException as exc:  # the soft time limit too: the page must say it failed
        with translation.override(job.language):
            message = _("The report could not be made.")
        logger.exception("Report job %s failed", job.pk)
        ReportJob.objects.filter(pk=job.pk).update(
            status=ReportStatus.FAILED,
            finished_at=timezone.now(),
            error=f"{message} ({type(exc).__name__})",
        )
        raise
    job.refresh_from_db()
    return job


def recent_report_jobs(*, user: User, limit: int = 5):
    return ReportJob.objects.filter(ordered_by=user).order_by("-ordered_at", "-pk")[:limit]
