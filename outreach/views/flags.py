"""Views of outreach: the flags page, resolving a flag, and the count in the navigation."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from cases.models import Project
from cases.selectors import has_assigned_cases
from core.http import AuthedRequest
from core.permissions import require_perm
from households.audit import export_table, log_access
from households.templatetags.people import staff_name
from outreach.forms import FlagFilterForm, FlagResolveForm
from outreach.models import FlagKind
from outreach.permissions import can_run_scan, get_flag_for_user
from outreach.scan import flag_reason_text
from outreach.selectors import flag_list, flag_page, my_open_flag_count
from outreach.services import flag_resolve
from outreach.views import next_url

PAGE_SIZE = 50


def _flag_query(request: AuthedRequest):
    """The flags page's form, filters and flags: one query for the page and its exports."""
    require_perm(request.user, "outreach.view_flag")
    projects = Project.objects.for_user(request.user).order_by("name")
    default_scope = "mine" if has_assigned_cases(user=request.user) else "all"
    data = request.GET.copy()
    data.setdefault("scope", default_scope)
    form = FlagFilterForm(data, projects=projects)
    filters = form.filters(default_scope=default_scope)
    return form, filters, flag_list(user=request.user, filters=filters)


@require_GET
def flag_list_view(request: AuthedRequest) -> HttpResponse:
    form, filters, flags = _flag_query(request)
    page = flag_page(flags, request.GET.get("page"), PAGE_SIZE)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "can_resolve": request.user.has_perm("outreach.change_flag"),
        "can_run_scan": can_run_scan(request.user),
    }
    template = "outreach/flags/flag_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_GET
def flag_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _form, _filters, flags = _flag_query(request)
    flags = list(flags)
    rows = [
        [
            flag.household.display_name(),
            flag.household.flat.address,
            flag.case.project.name if flag.case else "",
            FlagKind(flag.kind).label,
            flag_reason_text(flag),
            flag.raised_at,
            flag.resolved_at,
            staff_name(flag.resolved_by) if flag.resolved_at else "",
            flag.resolution,
        ]
        for flag in flags
    ]
    headers = [
        _("Household"),
        _("Address"),
        _("Project"),
        _("Kind"),
        _("Reason"),
        _("Raised"),
        _("Resolved"),
        _("Resolved by"),
        _("Resolution"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="flag",
        what=gettext_noop("flags (export)"),
        headers=headers,
        rows=rows,
        households=[flag.household_id for flag in flags],
    )


@require_http_methods(["GET", "POST"])
def flag_resolve_view(request: AuthedRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "outreach.view_flag")
    flag = get_flag_for_user(request.user, pk, for_change=True)
    form = FlagResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            flag_resolve(flag=flag, by=request.user, resolution=form.cleaned_data["resolution"])
        except ValidationError as error:
            form.add_error("resolution", error)
        else:
            if not request.htmx:
                messages.success(request, _("The flag is resolved."))
                return redirect(next_url(request, reverse("outreach:flags")))
            form = FlagResolveForm()
    flag = get_flag_for_user(request.user, pk)  # as saved now, with its household
    context = {
        "flag": flag,
        "form": form,
        "can_resolve": True,
        "compact": (request.POST.get("compact") or request.GET.get("compact")) == "1",
        "next": next_url(request, reverse("outreach:flags")),
    }
    log_access(request, what=gettext_noop("flag resolution form"), households=[flag.household_id])
    if request.htmx:
        return render(request, "outreach/flags/flag_item.html", context)
    status = 400 if form.errors else 200
    return render(request, "outreach/flags/flag_resolve.html", context, status=status)


@require_GET
def flag_count(request: AuthedRequest) -> HttpResponse:
    """The open flags on my cases, loaded into the navigation after the page (keeps pages lean)."""
    require_perm(request.user, "outreach.view_flag")
    count = my_open_flag_count(user=request.user)
    return render(request, "outreach/flags/flag_count.html", {"count": count})
