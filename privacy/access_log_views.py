"""The access log, for managers: who saw or took out which household's data, and when; which
households one user saw; who saw one household."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.http import AuthedRequest
from referrals.forms import AccessLogFilterForm
from referrals.selectors import (
    access_log_entries,
    access_log_lines,
    access_log_scope,
    access_log_staff,
    access_log_summary,
)

PAGE_SIZE = 50


@require_GET
def access_log(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_perm("households.view_accesslog"):
        raise PermissionDenied
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
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    lines = access_log_lines(page.object_list) if filters.group else None
    template = "privacy/access_log.html"
    context = {"form": form, "page": page, "lines": lines, "filters": filters}
    return render(request, f"{template}#results" if request.htmx else template, context)
