"""Bridge-building after a permanent move: the bridge-builder's list, the follow-up plan of a
household, recording a follow-up contact, the bridge-builder of a plan, and closing it."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.permissions import can_assign_staff
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from core.versioning import ConflictError
from households.audit import export_table, log_access
from households.templatetags.people import staff_name
from outreach.forms import ContactForm
from outreach.models import REACHED_OUTCOMES, Channel, Outcome
from outreach.permissions import can_view_observations
from referrals.bridge.forms import BridgeBuilderForm, FollowUpCloseForm
from referrals.bridge.permissions import get_follow_up_plan_for_user, get_follow_up_visit_for_user
from referrals.bridge.selectors import (
    FollowUpFilters,
    follow_up_plans,
    follow_up_rows,
    follow_up_visits,
    has_follow_up_plans,
    household_communities,
    new_area_checklist,
    referrals_since,
)
from referrals.bridge.services import (
    bridge_builder_choices,
    follow_up_contact_record,
    follow_up_plan_assign,
    follow_up_plan_close,
)
from referrals.models import FollowUpPlan

PAGE_SIZE = 50


def _follow_up_query(request: AuthedRequest):
    """The follow-up list's filters and plans: one query for the page and its exports."""
    require_perm(request.user, "referrals.view_followupplan")
    default_scope = "mine" if has_follow_up_plans(user=request.user) else "all"
    scope = request.GET.get("scope")
    filters = FollowUpFilters(
        scope=scope if scope in ("mine", "all") else default_scope,
        closed=request.GET.get("status") == "closed",
    )
    return filters, follow_up_plans(user=request.user, filters=filters)


@require_GET
def follow_up_list(request: AuthedRequest) -> HttpResponse:
    """The bridge-builder's start page: households in follow-up, the next contact due first."""
    filters, plans = _follow_up_query(request)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = follow_up_rows(page.object_list)
    context = {"page": page, "rows": rows, "filters": filters, "today": timezone.localdate()}
    log_access(
        request,
        what=gettext_noop("follow-up list"),
        households=[row.plan.case.household_id for row in rows],
    )
    template = "referrals/followup/follow_up_list.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_GET
def follow_up_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    _filters, plans = _follow_up_query(request)
    rows = follow_up_rows(plans)
    table = []
    for row in rows:
        plan: Any = row.plan  # annotated by follow_up_plans: next_due, next_label, last_contact_at
        is_open = not plan.closed_on
        table.append(
            [
                plan.case.household.display_name(),
                plan.case.permanent_flat.full_address if plan.case.permanent_flat else "",
                plan.next_label if is_open and plan.next_due else "",
                plan.next_due if is_open else None,
                plan.last_contact_at,
                f"{row.checklist.settled}/{row.checklist.total}" if row.checklist.total else "",
                staff_name(plan.bridge_builder) if plan.bridge_builder else "",
                plan.closed_on,
            ]
        )
    headers = [
        _("Household"),
        _("New address"),
        _("Next contact"),
        _("Due"),
        _("Last contact"),
        _("New area settled"),
        _("Bridge-builder"),
        _("Closed"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="opfoelgning",
        what=gettext_noop("follow-up list (export)"),
        headers=headers,
        rows=table,
        households=[row.plan.case.household_id for row in rows],
    )


def _referral_add_url(household_id: int) -> str:
    try:
        return reverse("referrals:referral_create", args=[household_id])
    except NoReverseMatch:  # the referral form is another part's; the page works without it
        return ""


def _plan_context(request: AuthedRequest, plan: FollowUpPlan, **overrides) -> dict:
    user = request.user
    case = plan.case
    can_change = user.has_perm("referrals.change_followupplan") and plan.closed_on is None
    can_assign = can_assign_staff(user, case) and plan.closed_on is None
    context = {
        "plan": plan,
        "case": case,
        "household": case.household,
        "visits": follow_up_visits(plan=plan),
        "checklist": new_area_checklist(case=case),
        "referrals": (
            referrals_since(user=user, household=case.household, since=plan.started_on)
            if user.has_perm("referrals.view_referral")
            else None
        ),
        "communities": household_communities(user=user, household=case.household),
        "can_change": can_change,
        "can_record": can_change and user.has_perm("outreach.add_contact"),
        "can_change_checklist": user.has_perm("referrals.change_checklistitem"),
        "referral_add_url": (
            _referral_add_url(case.household_id) if user.has_perm("referrals.add_referral") else ""
        ),
        "close_form": FollowUpCloseForm() if can_change else None,
        "assign_form": (
            BridgeBuilderForm(
                choices=bridge_builder_choices(case=case), current=plan.bridge_builder
            )
            if can_assign
            else None
        ),
        "today": timezone.localdate(),
    }
    context.update(overrides)
    return context


@require_GET
def follow_up_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_follow_up_plan_for_user(request.user, pk)
    context = _plan_context(request, plan)
    log_access(request, what=gettext_noop("follow-up plan"), households=[plan.case.household_id])
    return render(request, "referrals/followup/follow_up_detail.html", context)


@require_http_methods(["GET", "POST"])
def follow_up_contact(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record a follow-up contact: outreach's contact form, saved to the contact log and to
    the follow-up contact it answers."""
    visit = get_follow_up_visit_for_user(request.user, pk)
    plan = visit.plan
    form = ContactForm(
        request.POST or None,
        can_observe=can_view_observations(request.user),
        initial={"channel": Channel.PHONE, "outcome": Outcome.TALKED},
    )
    if visit.done_on is not None or plan.closed_on is not None:
        messages.info(request, _("This follow-up contact has already been recorded."))
        return redirect("referrals:follow_up", pk=plan.pk)
    if request.method == "POST" and form.is_valid():
        try:
            contact = follow_up_contact_record(
                visit=visit, by=request.user, **form.contact_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        except AlreadySaved:
            messages.info(request, ALREADY_SAVED)
            return redirect("referrals:follow_up", pk=plan.pk)
        else:
            if contact.outcome in REACHED_OUTCOMES:
                messages.success(request, _("The follow-up contact is recorded."))
            else:
                messages.warning(
                    request,
                    _(
                        "The contact is saved in the contact log. The household was not reached,"
                        " so the follow-up contact is still due."
                    ),
                )
            return redirect("referrals:follow_up", pk=plan.pk)
    context = {
        "visit": visit,
        "plan": plan,
        "household": plan.case.household,
        "form": form,
        "can_observe": can_view_observations(request.user),
    }
    status = 400 if form.errors else 200
    log_access(
        request, what=gettext_noop("follow-up contact form"), households=[plan.case.household_id]
    )
    return render(request, "referrals/followup/contact_form.html", context, status=status)


@require_POST
def follow_up_close(request: AuthedRequest, pk: int) -> HttpResponse:
    plan = get_follow_up_plan_for_user(request.user, pk, for_change=True)
    form = FollowUpCloseForm(request.POST)
    if form.is_valid():
        try:
            follow_up_plan_close(plan=plan, by=request.user, note=form.cleaned_data["closing_note"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                messages.error(request, " ".join(error.messages))
                return redirect("referrals:follow_up", pk=plan.pk)
        else:
            messages.success(request, _("The follow-up is closed, and the case with it."))
            return redirect("referrals:follow_up", pk=plan.pk)
    context = _plan_context(request, plan, close_form=form, close_open=True)
    return render(request, "referrals/followup/follow_up_detail.html", context, status=400)


@require_POST
def follow_up_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """A manager chooses or changes the bridge-builder of the household."""
    plan = get_follow_up_plan_for_user(request.user, pk)
    if not can_assign_staff(request.user, plan.case):
        raise PermissionDenied
    form = BridgeBuilderForm(request.POST, choices=bridge_builder_choices(case=plan.case))
    if not form.is_valid():
        messages.error(request, _("Choose a bridge-builder from the list."))
        return redirect("referrals:follow_up", pk=plan.pk)
    try:
        plan = follow_up_plan_assign(
            plan=plan,
            bridge_builder=form.cleaned_data["bridge_builder"],
            by=request.user,
            expected_id=form.cleaned_data["expected"],
        )
    except ConflictError as conflict:
        current = conflict.current.bridge_builder  # type: ignore[attr-defined]
        messages.warning(
            request,
            _("Someone else changed the bridge-builder to %(name)s meanwhile. Nothing was changed.")
            % {"name": staff_name(current) if current else _("nobody")},
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is the bridge-builder now.") % {"name": staff_name(plan.bridge_builder)},
        )
    return redirect("referrals:follow_up", pk=plan.pk)
