"""The reports page with its charts and print buttons, the PDFs, and the ordered large ones."""

from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from cases.logistics.permissions import waterbed_organisations
from cases.models import Project
from cases.reports.makers import report_maker
from cases.reports.models import ReportKind, ReportStatus
from core.http import AuthedRequest
from core.pdf import pdf_response
from households.audit import log_access
from households.models import AccessAction, Organisation, OrganisationUserObjectPermission
from households.permissions import user_grants
from reports.forms import CaseSummaryForm, ReportOrderForm
from reports.permissions import (
    ReportScope,
    can_print_named,
    can_print_reports,
    estates_for_reports,
    get_case_for_summary,
    get_report_job_for_user,
    get_report_scope_for_user,
    scope_cases,
)
from reports.selectors import report_build
from reports.services import (
    case_summary_is_large,
    case_summary_order,
    case_summary_render,
    recent_report_jobs,
    report_charts,
    report_filename,
    report_is_large,
    report_job_order,
    report_job_retry,
    report_job_words,
    report_render,
)

# What the access log calls each printout (English here, Danish on the access-log page).
PRINTED: dict[tuple[str, bool], str] = {
    (ReportKind.PROJECT, False): gettext_noop("project status report (pseudonymised)"),
    (ReportKind.PROJECT, True): gettext_noop("project status report (named)"),
    (ReportKind.ESTATE, False): gettext_noop("estate report (pseudonymised)"),
    (ReportKind.ESTATE, True): gettext_noop("estate report (named)"),
    (ReportKind.ORGANISATION, False): gettext_noop("organisation report (pseudonymised)"),
    (ReportKind.ORGANISATION, True): gettext_noop("organisation report (named)"),
    (ReportKind.CASELOAD, False): gettext_noop("caseload report (pseudonymised)"),
    (ReportKind.CASELOAD, True): gettext_noop("caseload report (named)"),
}


@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not can_print_reports(user):
        raise Http404
    grants = user_grants(user)
    organisations = Organisation.objects.filter(pk__in=grants.managed_organisations)
    staff = User.objects.filter(
        pk__in=OrganisationUserObjectPermission.objects.filter(
            content_object__in=organisations, permission__codename="staff_of_organisation"
        ).values("user_id"),
        is_active=True,
    ).order_by("first_name", "last_name", "username")
    context = {
        "projects": Project.objects.for_user(user).select_related("estate").order_by("name"),
        "estates": estates_for_reports(user).order_by("name"),
        "organisations": organisations,
        "staff": staff,
        "jobs": recent_report_jobs(user=user),
        "can_named": can_print_named(user),
        "waterbed_organisations": waterbed_organisations(user),
    }
    return render(request, "reports/index.html", context)


def _report_page(request: AuthedRequest, scope: ReportScope) -> HttpResponse:
    """Aggregates and charts only: no household is named or addressed on this page."""
    cases = scope_cases(request.user, scope)
    report = report_build(scope=scope, cases=cases, named=False, lists=False)
    context = {
        "scope": scope,
        "report": report,
        "charts": report_charts(report, width=480),
        "large": report_is_large(scope=scope, households=report.household_total),
        "can_named": can_print_named(request.user),
        "jobs": recent_report_jobs(user=request.user),
    }
    return render(request, "reports/report_page.html", context)


@require_GET
def project_reports(request: AuthedRequest, pk: int) -> HttpResponse:
    return _report_page(request, get_report_scope_for_user(request.user, ReportKind.PROJECT, pk))


@require_GET
def estate_reports(request: AuthedRequest, pk: int) -> HttpResponse:
    return _report_page(request, get_report_scope_for_user(request.user, ReportKind.ESTATE, pk))


@require_POST
def report_print(request: AuthedRequest) -> HttpResponse:
    """A small report comes back as the PDF at once; a large one is ordered from a worker."""
    form = ReportOrderForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, named = form.cleaned_data["kind"], form.cleaned_data["named"]
    scope = get_report_scope_for_user(request.user, kind, form.cleaned_data["target"], named=named)
    cases = scope_cases(request.user, scope)
    if report_is_large(scope=scope, cases=cases):
        job = report_job_order(by=request.user, scope=scope, named=named)
        return redirect("reports:job", pk=job.pk)
    report = report_build(scope=scope, cases=cases, named=named, user=request.user)
    pdf = report_render(report=report, request=request)
    households = report.household_ids if named else []
    log_access(request, what=PRINTED[kind, named], action=AccessAction.PRINT, households=households)
    return pdf_response(pdf, report_filename(report))


@require_GET
def job(request: AuthedRequest, pk: int) -> HttpResponse:
    report_job, _scope = get_report_job_for_user(request.user, pk)
    context = {"job": report_job, "statuses": ReportStatus, "words": report_job_words(report_job)}
    if request.htmx:
        return render(request, "reports/job.html#progress", context)
    return render(request, "reports/job.html", context)


@require_POST
def job_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Prøv igen" on a failed report: the same order as a new job, with her rights of now."""
    report_job, _scope = get_report_job_for_user(request.user, pk)
    new_job = report_job_retry(job=report_job, by=request.user)
    return redirect("reports:job", pk=new_job.pk)


@require_GET
def job_download(request: AuthedRequest, pk: int) -> FileResponse:
    report_job, _scope = get_report_job_for_user(request.user, pk)
    if report_job.status != ReportStatus.DONE or not report_job.file:
        raise Http404
    try:
        handle = report_job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "application/pdf"
    maker = report_maker(report_job.kind)
    if maker is not None:  # it names the file and writes its own access-log rows
        filename, content_type = maker.download(request, report_job)
    else:
        if report_job.kind == ReportKind.CASE_SUMMARY:
            what = _case_summary_printed(report_job.own_copy)
            suffix = "-egen-kopi" if report_job.own_copy else ""
            filename = f"sagsresume-{report_job.target_id}{suffix}.pdf"
        else:
            what = PRINTED[report_job.kind, report_job.named]
            filename = f"rapport-{report_job.kind}-{report_job.ordered_at:%Y-%m-%d}.pdf"
        households = report_job.household_ids
        log_access(request, what=what, action=AccessAction.PRINT, households=households)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _case_summary_printed(own_copy: bool) -> str:
    if own_copy:
        return gettext_noop("case summary (the household's own copy)")
    return gettext_noop("case summary")


@require_POST
def case_summary_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """A short summary comes back as the PDF at once; a long one is ordered from a worker."""
    case = get_case_for_summary(request.user, pk)
    own_copy = CaseSummaryForm(request.POST).is_valid() and bool(request.POST.get("own_copy"))
    if case_summary_is_large(case=case):
        job = case_summary_order(by=request.user, case=case, own_copy=own_copy)
        return redirect("reports:job", pk=job.pk)
    pdf = case_summary_render(user=request.user, case=case, own_copy=own_copy, request=request)
    what = _case_summary_printed(own_copy)
    log_access(request, what=what, action=AccessAction.PRINT, households=[case.household_id])
    suffix = "-egen-kopi" if own_copy else ""
    return pdf_response(pdf, f"sagsresume-{case.pk}{suffix}.pdf")
