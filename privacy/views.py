"""The privacy pages: everything held about a resident (art. 15), erasing a resident (art. 17),
and the access log for managers (who saw or took out which household's data, and when)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from core.http import AuthedRequest
from core.paging import OpenEndedPage, open_ended_page
from core.permissions import require_perm
from households.audit import log_access
from households.models import AccessAction
from privacy.forms import AccessLogFilterForm, ErasureForm
from privacy.permissions import get_resident_for_user
from privacy.selectors import (
    access_log_entries,
    access_log_lines,
    access_log_scope,
    access_log_staff,
    access_log_summary,
    resident_data,
)
from privacy.services import (
    RESIDENT_ACCESS_WHAT,
    resident_access_export,
    resident_access_is_large,
    resident_access_order,
)
from privacy.services import resident_erase as erase


@require_GET
def resident_access(request: AuthedRequest, household_pk: int, pk: int) -> HttpResponse:
    """Everything held about the resident (art. 15), as a PDF and a JSON file in one zip; a
    large one is ordered from the worker (the reports' progress page and download)."""
    resident = get_resident_for_user(request.user, household_pk, pk, action="access")
    sections = resident_data(resident=resident)
    if resident_access_is_large(sections=sections):
        job = resident_access_order(by=request.user, resident=resident)
        return redirect("reports:job", pk=job.pk)
    export = resident_access_export(resident=resident, sections=sections, request=request)
    log_access(
        request,
        what=RESIDENT_ACCESS_WHAT,
        action=AccessAction.EXPORT,
        residents=[(resident.household_id, resident.pk)],
    )
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_http_methods(["GET", "POST"])
def resident_erase(request: AuthedRequest, household_pk: int, pk: int) -> HttpResponse:
    resident = get_resident_for_user(request.user, household_pk, pk, action="erase")
    household = resident.household
    form = ErasureForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        result = erase(resident=resident, by=request.user)
        # The one trace left, written once the erasure has committed (so no row says it
        # happened if it did not): that it happened, by whom and why; ids only, no names.
        log_access(
            request,
            # Worded now, in the manager's language: the reason is free text anyway.
            what=f"{_('Erased on request')}: {form.cleaned_data['reason']}",
            action=AccessAction.ERASE,
            residents=[(result.household_id, result.resident_id)],
        )
        messages.success(request, _("The resident's data has been erased."))
        if result.household_erased:
            return redirect("cases:caseload")
        return redirect("households:detail", household.pk)
    others = [r for r in household.residents.all() if r.pk != resident.pk]
    context = {"resident": resident, "household": household, "form": form, "others": others}
    log_access(
        request,
        what=gettext_noop("erasure confirmation"),
        residents=[(household.pk, resident.pk)],
    )
    return render(request, "privacy/resident_erase.html", context)


ACCESS_LOG_PAGE_SIZE = 50


@require_GET
def access_log(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "households.view_accesslog")
    scope = access_log_scope(user=request.user)
    if not (scope.everything or scope.organisation_ids):
        raise PermissionDenied
    form = AccessLogFilterForm(request.GET, staff=access_log_staff(scope=scope))
    filters = form.filters()
    rows = (
        access_log_summary(scope=scope, filters=filters, by=filters.group)
        if filters.group
        else access_log_entries(scope=scope, filters=filters)
    )
    page: Page | OpenEndedPage
    if filters.group:
        page = Paginator(rows, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
        lines = access_log_lines(page.object_list)
    else:
        # No exact count over a million rows: "Previous / Next" only (core/paging.py).
        page = open_ended_page(rows, request.GET.get("page"), ACCESS_LOG_PAGE_SIZE)
        lines = None
    template = "privacy/access_log.html"
    context = {"form": form, "page": page, "lines": lines, "filters": filters}
    return render(request, f"{template}#results" if request.htmx else template, context)
