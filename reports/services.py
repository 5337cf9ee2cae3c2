"""Making reports: rendering a PDF, ordering a large one from a worker, and the worker's run."""

import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases import charts
from cases.economy.selectors import chart_rows
from cases.models import Case
from cases.reports.makers import JobWords, report_maker
from cases.reports.models import ReportJob, ReportKind, ReportStatus
from core.jobs import job_claim, job_heartbeat, job_mine
from core.pdf import render_pdf
from reports.permissions import (
    ReportScope,
    get_case_for_summary,
    get_report_scope_for_user,
    scope_cases,
)
from reports.selectors import (
    LONG_LIST,
    Report,
    case_summary,
    compact_rows,
    count_runs,
    count_width,
    list_rows,
    report_build,
    report_household_count,
)

logger = logging.getLogger(__name__)

STATUS_TEMPLATE = "reports/status_pdf.html"


def report_charts(report: Report, *, width: int = 640) -> dict:
    """The page draws them narrower than the A4 page, so a phone still reads the labels."""
    return {
        "funnel": charts.stage_funnel(report.funnel, width=width),
        "weeks": charts.contacts_per_week(report.weeks, width=width),
        "meetings": charts.attendance_per_meeting(report.meetings, width=width),
        "budget": charts.budget_chart(chart_rows(report.budget), width=width)
        if report.budget is not None
        else "",
    }


def report_is_large(*, scope: ReportScope, cases=None, households: int | None = None) -> bool:
    """A whole organisation, or more households than the setting: rendered by a worker.
    `households`: their number if known (a report's household_total), else counted in `cases`."""
    if scope.kind == ReportKind.ORGANISATION:
        return True
    if households is None:
        households = report_household_count(cases)
    return households > settings.REPORT_ASYNC_HOUSEHOLDS


def report_compact_lists(report: Report) -> dict:
    """The lists too long for a table row each, as paragraphs (reports/selectors.py)."""
    named = report.named
    compact = {}
    if len(report.not_reached) > LONG_LIST:
        compact["not_reached"] = compact_rows(
            report.not_reached, named=named, date_label=_("Last reached"), attempts=True
        )
    if len(report.packing_late) > LONG_LIST:
        compact["packing_late"] = compact_rows(
            report.packing_late, named=named, date_label=_("Move-out")
        )
    if len(report.follow_ups) > LONG_LIST:
        compact["follow_ups"] = compact_rows(
            report.follow_ups, named=named, date_label=_("Due"), by_date=True, detail=True
        )
    return compact


def report_lists(report: Report, compact: dict) -> dict:
    """The lists printed a household a row (those not printed compactly)."""
    lists = {}
    if "not_reached" not in compact:
        lists["not_reached"] = list_rows(report.not_reached, attempts=True)
    if "packing_late" not in compact:
        lists["packing_late"] = list_rows(report.packing_late)
    if "follow_ups" not in compact:
        lists["follow_ups"] = list_rows(report.follow_ups)
    return lists


def report_count_runs(report: Report) -> dict:
    """The two stage tables' rows as one text each (reports/selectors.py count_runs)."""
    largest = max((max(group.counts, default=0) for group in report.groups), default=0)
    stage_digits = count_width(len(report.stages), largest=largest, page=66)
    largest = max((max(counts, default=0) for _label, counts in report.over_time), default=0)
    month_digits = count_width(len(report.months), largest=largest)
    stage_runs = count_runs([group.counts for group in report.groups], stage_digits)
    labels = [label for label, _counts in report.over_time]
    month_runs = count_runs([counts for _label, counts in report.over_time], month_digits)
    return {
        "stage_digits": stage_digits,
        "group_runs": list(zip(report.groups, stage_runs, strict=True)),
        "month_digits": month_digits,
        "month_runs": list(zip(labels, month_runs, strict=True)),
    }


def report_render(*, report: Report, request=None) -> bytes:
    compact = report_compact_lists(report)
    context = {
        **report_count_runs(report),
        "report": report,
        "charts": report_charts(report),
        "confidential": report.named,
        "compact": compact,
        "lists": report_lists(report, compact),
    }
    return render_pdf(STATUS_TEMPLATE, context, request=request)


def report_filename(report: Report) -> str:
    stamp = report.printed_at.strftime("%Y-%m-%d")
    named = "-fortroligt" if report.named else ""
    return f"rapport-{report.kind}-{stamp}{named}.pdf"


@transaction.atomic
def report_job_order(*, by: User, scope: ReportScope, named: bool) -> ReportJob:
    """Record the order and hand it to a worker once the order is committed. The row is the
    truth: if the queue loses it, the dispatcher sends it again (core/jobs.py)."""
    from core.queue import enqueue_job_on_commit
    from reports.tasks import render_report

    job = ReportJob.objects.create(
        kind=scope.kind,
        target_id=scope.target_id,
        named=named,
        ordered_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_job_on_commit(render_report, ReportJob, job.pk)
    return job


CASE_SUMMARY_TEMPLATE = "reports/case_summary_pdf.html"


def case_summary_is_large(*, case: Case) -> bool:
    """More contacts and stage changes than the setting: rendered by a worker."""
    from cases.models import StageChange
    from outreach.models import Contact

    entries = Contact.objects.filter(household_id=case.household_id).count()
    entries += StageChange.objects.filter(case=case).count()
    return entries > settings.CASE_SUMMARY_ASYNC_ENTRIES


def case_summary_render(*, user: User, case: Case, own_copy: bool, request=None) -> bytes:
    summary = case_summary(user=user, case=case, own_copy=own_copy)
    context = {"summary": summary, "confidential": not own_copy}
    return render_pdf(CASE_SUMMARY_TEMPLATE, context, request=request)


@transaction.atomic
def case_summary_order(*, by: User, case: Case, own_copy: bool) -> ReportJob:
    """A long case summary, ordered from the worker like a large report (the caller checked
    her right to the case's summary; the worker checks it again)."""
    from core.queue import enqueue_job_on_commit
    from reports.tasks import render_report

    job = ReportJob.objects.create(
        kind=ReportKind.CASE_SUMMARY,
        target_id=case.pk,
        named=True,
        own_copy=own_copy,
        ordered_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    enqueue_job_on_commit(render_report, ReportJob, job.pk)
    return job


def report_job_retry(*, job: ReportJob, by: User) -> ReportJob:
    """ "Prøv igen" on a failed report: the same order again, a new job (her rights as they are
    now: the caller checked them). A job that has not failed is returned as it is."""
    if job.status != ReportStatus.FAILED and not job.is_stuck:
        return job
    maker = report_maker(job.kind)
    if maker is not None:
        return maker.retry(job, by)
    if job.kind == ReportKind.CASE_SUMMARY:
        case = get_case_for_summary(by, job.target_id)
        return case_summary_order(by=by, case=case, own_copy=job.own_copy)
    scope = get_report_scope_for_user(by, job.kind, job.target_id, named=job.named)
    return report_job_order(by=by, scope=scope, named=job.named)


def _make_case_summary(job: ReportJob, mine) -> tuple[bytes, str, list[int]]:
    case = get_case_for_summary(job.ordered_by, job.target_id)
    mine.update(progress=15, title=str(_("Case summary")))
    pdf = case_summary_render(user=job.ordered_by, case=case, own_copy=job.own_copy)
    suffix = "-egen-kopi" if job.own_copy else ""
    return pdf, f"sagsresume-{case.pk}{suffix}.pdf", [case.household_id]


def _make_report(job: ReportJob, mine) -> tuple[bytes, str, list[int]]:
    scope = get_report_scope_for_user(job.ordered_by, job.kind, job.target_id, named=job.named)
    cases = scope_cases(job.ordered_by, scope)
    mine.update(progress=15)
    report = report_build(scope=scope, cases=cases, named=job.named, user=job.ordered_by)
    mine.update(progress=50, title=f"{report.title}: {report.subject}"[:300])
    pdf = report_render(report=report)
    return pdf, report_filename(report), report.household_ids if job.named else []


def report_job_run(*, job_id: int) -> ReportJob | None:
    """Render the ordered report, once. The job is claimed with a conditional UPDATE
    (core/jobs.py): a second delivery, or a job another worker has, is left alone; every write
    names this attempt, so a worker whose job was taken back cannot overwrite the new attempt.

    The scope is looked up again with the orderer's rights as they are now: a report is never
    made from cases she can no longer see.
    """
    attempt = job_claim(ReportJob, job_id)
    job = ReportJob.objects.select_related("ordered_by").filter(pk=job_id).first()
    if job is None or attempt is None:
        return job
    mine = job_mine(ReportJob, job.pk, attempt)
    mine.update(started_at=timezone.now(), progress=5)
    try:
        with job_heartbeat(ReportJob, job.pk, attempt), translation.override(job.language):
            maker = report_maker(job.kind)
            if maker is not None:
                make = maker.make
            elif job.kind == ReportKind.CASE_SUMMARY:
                make = _make_case_summary
            else:
                make = _make_report
            pdf, filename, household_ids = make(job, mine)
            mine.update(progress=90)
            job.file.save(filename, ContentFile(pdf), save=False)
        done = mine.update(
            file=job.file.name,
            household_ids=household_ids,
            status=ReportStatus.DONE,
            progress=100,
            finished_at=timezone.now(),
        )
        if not done:  # taken back meanwhile: the newer attempt makes its own file
            job.file.delete(save=False)
    except BaseException as exc:  # the soft time limit too: the page must say it failed
        # The reason only: the job page says what could not be made (report_job_words).
        with translation.override(job.language):
            message = _("The job stopped with an error ({error}).").format(error=type(exc).__name__)
        logger.exception("Report job %s failed", job.pk)
        mine.update(status=ReportStatus.FAILED, finished_at=timezone.now(), error=message)
        raise
    job.refresh_from_db()
    return job


def _status_report_words() -> JobWords:
    return JobWords(
        ready=gettext_lazy("The report is ready."),
        download=gettext_lazy("Download the PDF"),
        making=gettext_lazy("Making the report …"),
        restarting=gettext_lazy("The worker stopped; the report is being started again …"),
        failed=gettext_lazy("The report could not be made."),
        kept=gettext_lazy("You can leave this page: the report is kept for you under Reports."),
    )


def _case_summary_words() -> JobWords:
    return JobWords(
        ready=gettext_lazy("The case summary is ready."),
        download=gettext_lazy("Download the PDF"),
        making=gettext_lazy("Making the case summary …"),
        restarting=gettext_lazy("The worker stopped; the case summary is being started again …"),
        failed=gettext_lazy("The case summary could not be made."),
        kept=gettext_lazy(
            "You can leave this page: the case summary is kept for you under Reports."
        ),
    )


def report_job_words(job: ReportJob) -> JobWords:
    """What the job page calls this job: its maker's words, or those of reports' own kinds."""
    maker = report_maker(job.kind)
    if maker is not None:
        return maker.words
    if job.kind == ReportKind.CASE_SUMMARY:
        return _case_summary_words()
    return _status_report_words()


def recent_report_jobs(*, user: User, limit: int = 5):
    return ReportJob.objects.filter(ordered_by=user).order_by("-ordered_at", "-pk")[:limit]
