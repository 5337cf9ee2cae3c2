"""Pages of the rents: a flat's rent by hand, a project's rent difference and empty days, and
the quarterly statement for the financing claim. Rent is economy: the roles with
`households.view_rent` see it (the rehousing officer and the manager), the visitator never."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from cases.economy.rent_forms import FlatRentForm, QuarterForm
from cases.economy.rents import (
    ZERO,
    Stay,
    StayMonth,
    case_stays,
    project_empty_days,
    project_stays,
    quarter_statement,
    stay_months,
)
from cases.logistics.permissions import get_project_for_logistics
from core.exports import Cell
from core.http import AuthedRequest
from core.permissions import require_perm
from core.versioning import ConflictError, conflict_notice
from households.audit import export_table, log_access
from households.permissions import get_flat_for_user
from households.services import FLAT_RENT_FIELDS, flat_rent_update


@require_http_methods(["GET", "POST"])
def flat_rent_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    flat = get_flat_for_user(request.user, pk)
    require_perm(request.user, "households.change_rent")
    form = FlatRentForm(request.POST or None, instance=flat)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FLAT_RENT_FIELDS}
        try:
            flat_rent_update(
                flat=flat, by=request.user, expected_version=form.cleaned_data["version"], data=data
            )
        except ConflictError as error:
            conflict, rebound = conflict_notice(form, error, FLAT_RENT_FIELDS)
            form = FlatRentForm(rebound, instance=error.current)
        else:
            messages.success(request, _("The rent is saved."))
            return redirect("households:flat", pk=flat.pk)
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"flat": flat, "form": form, "conflict": conflict}
    return render(request, "cases/economy/flat_rent_form.html", context, status=status)


@dataclass(frozen=True)
class StayTotals:
    stay: Stay
    months: list[StayMonth]
    days: int
    household_pays: Decimal
    flat_costs: Decimal
    difference: Decimal


def _stay_totals(stay: Stay, today: date) -> StayTotals:
    months = stay_months(stay, until=today)
    return StayTotals(
        stay=stay,
        months=months,
        days=sum(month.days for month in months),
        household_pays=sum((month.household_pays for month in months), ZERO),
        flat_costs=sum((month.flat_costs for month in months), ZERO),
        difference=sum((month.difference for month in months), ZERO),
    )


def _quarter_now() -> tuple[int, int]:
    today = timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


@require_GET
def project_rents(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_logistics(request.user, pk, perm="households.view_rent", pool=False)
    today = timezone.localdate()
    stays = [_stay_totals(stay, today) for stay in project_stays(project=project)]
    empty = project_empty_days(project)
    year, quarter = _quarter_now()
    difference = sum((row.difference for row in stays), ZERO)
    empty_cost = sum((flat.cost for flat in empty), ZERO)
    context = {
        "project": project,
        "stays": stays,
        "difference": difference,
        "empty": empty,
        "empty_days": sum(flat.days for flat in empty),
        "empty_cost": empty_cost,
        "carries": difference + empty_cost,
        "today": today,
        "quarter_form": QuarterForm(initial={"aar": year, "kvartal": quarter}),
        "can_claim": request.user.has_perm("cases.change_project"),
    }
    log_access(
        request,
        what=gettext_noop("rents of a project"),
        households=sorted({row.stay.household_id for row in stays}),
    )
    return render(request, "cases/economy/project_rents.html", context)


@require_GET
def quarter_statement_export(
    request: AuthedRequest, pk: int, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """Per pool flat: the days the project's households stayed, what that cost and they paid,
    the empty days and their rent; flat level, no household named."""
    project = get_project_for_logistics(request.user, pk, perm="households.view_rent", pool=False)
    require_perm(request.user, "cases.change_project")
    form = QuarterForm(request.GET)
    if not form.is_valid():
        year, quarter = _quarter_now()
    else:
        year, quarter = form.cleaned_data["aar"], form.cleaned_data["kvartal"]
    rows: list[list[Cell]] = [
        [
            row.pool_flat.flat.address,
            row.pool_flat.flat.stairwell.estate.name,
            row.monthly_cost,
            row.stay_days,
            row.stays_cost,
            row.households_pay,
            row.difference,
            row.empty_days,
            row.empty_cost,
            row.project_carries,
            _("Yes") if row.rent_missing else "",
        ]
        for row in quarter_statement(project, year=year, quarter=quarter)
    ]
    headers = [
        _("Temporary flat"),
        _("Estate"),
        _("Rent the project pays a month (kr.)"),
        _("Days occupied"),
        _("Rent of the days occupied (kr.)"),
        _("Paid by the households (kr.)"),
        _("Rent difference (kr.)"),
        _("Empty days"),
        _("Rent of the empty days (kr.)"),
        _("The project carries (kr.)"),
        _("A household's own rent not recorded"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename=f"kvartalsopgoerelse-{project.pk}-{year}-k{quarter}",
        what=gettext_noop("quarterly statement of rents and empty days (export)"),
        headers=headers,
        rows=rows,
    )


def case_rent_context(request: AuthedRequest, case) -> dict:
    """The rent part of a case's logistics page, for the roles that see rents: her own flat's
    rent and her stay month by month."""
    if not request.user.has_perm("households.view_rent"):
        return {}
    today = timezone.localdate()
    return {
        "rent": {
            "own_flat": case.household.flat,
            "stays": [_stay_totals(stay, today) for stay in case_stays(case=case)],
            "can_change": request.user.has_perm("households.change_rent"),
        }
    }
