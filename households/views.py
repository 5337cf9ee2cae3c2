from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from core.http import AuthedRequest
from core.permissions import require_perm
from core.versioning import ConflictError, conflict_notice
from households.audit import log_access
from households.forms import HouseholdForm, ResidentForm, VulnerabilityForm
from households.models import Household
from households.permissions import can_view_social_data, get_flat_for_user, get_household_for_user
from households.selectors import assessment_history
from households.services import (
    HOUSEHOLD_EDITABLE_FIELDS,
    RESIDENT_EDITABLE_FIELDS,
    household_update,
    resident_add,
    resident_update,
    vulnerability_assess,
)


@require_GET
def household_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    assessments = list(assessment_history(household=household))
    context = {
        "household": household,
        "residents": household.residents.all(),
        "assessment": assessments[0] if assessments else None,
        "assessments": assessments,
        "can_view_social": can_view_social_data(request.user),
    }
    log_access(request, what=gettext_noop("household page"), households=[household.pk])
    return render(request, "households/household_detail.html", context)


@require_http_methods(["GET", "POST"])
def household_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk, for_change=True)
    if not can_view_social_data(request.user):
        raise PermissionDenied
    form = HouseholdForm(request.POST or None, instance=household)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in HOUSEHOLD_EDITABLE_FIELDS}
        try:
            household_update(
                household=household,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ConflictError as error:
            conflict, rebound = conflict_notice(form, error, HOUSEHOLD_EDITABLE_FIELDS)
            form = HouseholdForm(rebound, instance=error.current)
        else:
            messages.success(request, _("The household is saved."))
            return redirect("households:detail", pk=household.pk)
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"household": household, "form": form, "conflict": conflict}
    log_access(request, what=gettext_noop("household form"), households=[household.pk])
    return render(request, "households/household_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def resident_edit(request: AuthedRequest, household_pk: int, pk: int | None = None) -> HttpResponse:
    household = get_household_for_user(request.user, household_pk)
    perm = "households.change_resident" if pk else "households.add_resident"
    require_perm(request.user, perm)
    resident = household.residents.filter(pk=pk).first() if pk else None
    if pk and resident is None:
        raise Http404
    form = ResidentForm(request.POST or None, instance=resident)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in RESIDENT_EDITABLE_FIELDS}
        try:
            if resident is None:
                resident_add(household=household, data=data)
            else:
                resident_update(
                    resident=resident, expected_version=form.cleaned_data["version"], data=data
                )
        except ConflictError as error:
            conflict, rebound = conflict_notice(form, error, RESIDENT_EDITABLE_FIELDS)
            form = ResidentForm(rebound, instance=error.current)
        else:
            messages.success(request, _("The resident is saved."))
            return redirect("households:detail", pk=household.pk)
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    context = {"household": household, "resident": resident, "form": form, "conflict": conflict}
    if resident is not None:
        log_access(
            request, what=gettext_noop("resident form"), residents=[(household.pk, resident.pk)]
        )
    return render(request, "households/resident_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def household_assess(request: AuthedRequest, pk: int) -> HttpResponse:
    household = get_household_for_user(request.user, pk)
    if not (
        request.user.has_perm("households.add_vulnerabilityassessment")
        and can_view_social_data(request.user)
    ):
        raise PermissionDenied
    latest = household.assessments.first()
    initial = {"level": latest.level, "factors": latest.factors} if latest else {}
    form = VulnerabilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            vulnerability_assess(household=household, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The assessment is saved."))
            return redirect("households:detail", pk=household.pk)
    status = 400 if form.is_bound and form.errors else 200
    log_access(request, what=gettext_noop("vulnerability assessment"), households=[household.pk])
    return render(
        request,
        "households/assess_form.html",
        {"household": household, "form": form},
        status=status,
    )


@require_GET
def flat_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    flat = get_flat_for_user(request.user, pk)
    households = (
        Household.objects.for_user(request.user).filter(flat=flat).prefetch_related("residents")
    )
    context = {"flat": flat, "households": households}
    log_access(request, what=gettext_noop("flat page"), households=[h.pk for h in households])
    return render(request, "households/flat_detail.html", context)
