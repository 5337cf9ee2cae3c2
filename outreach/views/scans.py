"""Views of outreach: the recent flag scans, "run now", and a project's flag thresholds."""

from collections import Counter
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.permissions import get_project_for_user
from core.http import AuthedRequest
from core.permissions import require_perm
from outreach.forms import ThresholdsForm
from outreach.models import FlagKind, ScanRun, ScanStatus
from outreach.permissions import (
    can_change_thresholds,
    can_run_scan,
    scan_organisations_for_user,
)
from outreach.scan import (
    flag_scan_request,
    is_active,
    last_successful_scan,
    project_thresholds,
    scan_run_active,
    scan_runs_recent,
)
from outreach.services import thresholds_update

# The nightly scan runs every 24 hours; a little slack before the page warns.
SCAN_OVERDUE_AFTER = timedelta(hours=26)


def _per_kind(counts: dict) -> list[tuple[str, int]]:
    return [
        (str(FlagKind(kind).label), counts[kind]) for kind in FlagKind.values if counts.get(kind)
    ]


def _numbers(run: ScanRun, organisations: frozenset[int] | None) -> dict:
    """The run's numbers: all of them, or the sum over `organisations`."""
    if organisations is None:
        households, raised, resolved = run.households_scanned, run.raised, run.resolved
    else:
        parts = [run.by_organisation.get(str(pk), {}) for pk in organisations]
        households = sum(part.get("households", 0) for part in parts)
        raised, resolved = Counter(), Counter()
        for part in parts:
            raised.update(part.get("raised", {}))
            resolved.update(part.get("resolved", {}))
    return {"households": households, "raised": _per_kind(raised), "resolved": _per_kind(resolved)}


def _row(run: ScanRun, now, organisations: frozenset[int] | None) -> dict:
    return {
        "run": run,
        **_numbers(run, organisations),
        "active": is_active(run, now=now),
        "stalled": run.status in (ScanStatus.QUEUED, ScanStatus.RUNNING)
        and not is_active(run, now=now),
    }


@require_GET
def scan_list(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.view_scanrun")
    now = timezone.now()
    organisations = scan_organisations_for_user(request.user)
    rows = [_row(run, now, organisations) for run in scan_runs_recent()]
    last_success = last_successful_scan()
    last_finished = last_success.finished_at if last_success else None
    context = {
        "rows": rows,
        "polling": any(row["active"] for row in rows),
        "last_success": last_success,
        "overdue": last_finished is None or last_finished < now - SCAN_OVERDUE_AFTER,
        "can_run": can_run_scan(request.user),
        "all_organisations": organisations is None,
    }
    template = "outreach/scans/scan_list.html"
    return render(request, f"{template}#runs" if request.htmx else template, context)


@require_POST
def scan_run(request: AuthedRequest) -> HttpResponse:
    if not can_run_scan(request.user):
        raise PermissionDenied
    if scan_run_active():
        messages.info(request, _("A scan is already queued or running."))
        return redirect("outreach:scans")
    run = flag_scan_request(by=request.user)
    if run.status == ScanStatus.FAILED:
        messages.error(
            request,
            _(
                "The scan could not be started: the job queue does not answer. Try again in a few"
                " minutes; the nightly scan runs as usual once the queue is back."
            ),
        )
    else:
        messages.success(request, _("The scan is queued. The list below shows when it has run."))
    return redirect("outreach:scans")


@require_http_methods(["GET", "POST"])
def thresholds(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    if not can_change_thresholds(request.user, project):
        raise PermissionDenied
    current = project_thresholds(project=project)
    form = ThresholdsForm(request.POST or None, initial=current)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            thresholds_update(project=project, values=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                messages.success(request, _("The flag thresholds are saved."))
                return redirect("cases:project", pk=project.pk)
            saved, current = True, project_thresholds(project=project)
    context = {
        "project": project,
        "form": form,
        "saved": saved,
        "current": current,
        "open_form": bool(form.errors) or not request.htmx,
    }
    template = "outreach/scans/thresholds.html"
    if request.htmx:
        return render(request, f"{template}#thresholds", context)
    return render(request, template, context, status=400 if form.errors else 200)
