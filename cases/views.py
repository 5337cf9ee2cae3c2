from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.forms import AssignForm, CaseForm, CaseloadFilterForm, DeadlineSettingsForm, StageForm
from cases.logistics.permissions import waterbed_organisations
from cases.logistics.selectors import offers_refused
from cases.logistics.waterbed import destination_warning
from cases.models import Case, Project, ScheduleChange, StairwellSchedule
from cases.permissions import (
    can_assign_staff,
    can_change_deadlines,
    can_manage_project,
    can_view_project,
    get_case_for_user,
    get_organisation_for_deadlines,
    get_project_for_user,
    project_estates_for_user,
)
from cases.planning.selectors import households_without_case
from cases.selectors import (
    assignable_staff,
    case_stage_history,
    caseload_cases,
    caseload_export_rows,
    caseload_filter_options,
    caseload_ordered,
    caseload_page,
    deadline_rules_for,
    has_assigned_cases,
    project_stage_table,
)
from cases.services import (
    CASE_EDITABLE_FIELDS,
    DEADLINE_SETTING_FIELDS,
    case_advance_stage,
    case_assign_staff,
    case_unassign_staff,
    case_undo_stage,
    deadline_settings_save,
)
from cases.services import case_update as case_update_service
from cases.stages import (
    FINAL,
    MOVED,
    OPEN_STAGES,
    Stage,
    allowed_next_stages,
    can_undo,
    primary_next_stage,
)
from core.http import AuthedRequest, reverse_each
from core.permissions import require_perm
from core.versioning import ConflictError, conflict_notice
from households.audit import export_table, log_access
from households.permissions import can_view_social_data
from households.pickers import flat_picker
from households.selectors import latest_assessment
from households.templatetags.people import staff_name_text

PAGE_SIZE = 50


def _caseload_query(request: AuthedRequest):
    """The caseload's filter form, filters and cases (filtered, not yet ordered): one query for
    the page and its exports."""
    require_perm(request.user, "cases.view_case")
    options = caseload_filter_options(user=request.user)
    default_scope = "mine" if has_assigned_cases(user=request.user) else "all"
    data = request.GET.copy()
    data.setdefault("scope", default_scope)
    form = CaseloadFilterForm(data, options=options)
    filters = form.filters(default_scope=default_scope)
    return form, filters, caseload_cases(user=request.user, filters=filters)


@require_GET
def caseload_view(request: AuthedRequest) -> HttpResponse:
    form, filters, cases = _caseload_query(request)
    page = caseload_page(cases, request.GET.get("page"), PAGE_SIZE)
    labels = {stage: str(label) for stage, label in Stage.choices}  # translated once a page
    urls = reverse_each("cases:detail", [case.pk for case in page.object_list])
    for case in page.object_list:  # her own name is not repeated on her own cases
        case.stage_label = labels[case.stage]  # get_stage_display costs a millisecond a row
        case.detail_url = urls[case.pk]
        # caseload_ordered's staff_rows: [user id, first name, last name, username]
        staff = [(user_id, staff_name_text(*name)) for user_id, *name in case.staff_rows or []]
        case.is_mine = any(user_id == request.user.pk for user_id, _name in staff)
        case.assigned = [name for _user_id, name in staff]
        case.other_staff = [name for user_id, name in staff if user_id != request.user.pk]
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "today": timezone.localdate(),
        "can_knock": request.user.has_perm("outreach.add_contact"),
    }
    template = "cases/caseload.html#results" if request.htmx else "cases/caseload.html"
    return render(request, template, context)


@require_GET
def caseload_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """The caseload as on the page (the same filters), every page of it; the same columns."""
    _form, _filters, filtered = _caseload_query(request)
    cases = caseload_ordered(filtered)
    # The households first (for the access log, one query of ids), then the rows as the file is
    # written, a chunk of cases at a time: constant memory however long the caseload.
    households = list(cases.values_list("household_id", flat=True))
    rows = caseload_export_rows(cases)
    headers = [
        _("Household"),
        _("Address"),
        _("Postcode"),
        _("Estate"),
        _("Project"),
        _("Stage"),
        _("Vulnerability"),
        _("Next step on"),
        _("Next step"),
        _("Move-out"),
        _("Staff"),
    ]
    return export_table(
        request,
        fmt=fmt,
        filename="sager",
        what=gettext_noop("caseload (export)"),
        headers=headers,
        rows=rows,
        households=households,
    )


def _detail_context(request: AuthedRequest, case: Case, **overrides) -> dict:
    user = request.user
    can_change = user.has_perm("cases.change_case") and not case.is_closed
    can_assign = can_assign_staff(user, case)
    history = list(case_stage_history(case=case))
    last = history[0] if history else None
    undoable = (
        last
        if last is not None
        and can_change
        and last.to_stage == case.stage
        and can_undo(
            from_stage=last.from_stage,
            to_stage=last.to_stage,
            changed_by_id=last.changed_by_id,
            changed_at=last.changed_at,
            user_id=user.pk,
            now=timezone.now(),
        )
        else None
    )
    context = {
        "case": case,
        "household": case.household,
        "residents": case.household.residents.all(),
        "assessment": latest_assessment(household=case.household),
        "can_view_social": can_view_social_data(user),
        "can_view_project": can_view_project(user, case.project),
        # one per project and stairwell: no ordering (the model's joins two tables to sort)
        "schedule": StairwellSchedule.objects.filter(
            project=case.project_id, stairwell=case.household.flat.stairwell_id
        )
        .order_by()
        .first(),
        "history": history,
        "undoable_change": undoable,
        "today": timezone.localdate(),
        "final_stages": FINAL,
        "assignments": case.assignments.select_related("user"),
        "can_change": can_change,
        "can_assign": can_assign,
        "stage_form": StageForm(case=case) if can_change else None,
        "can_end": Stage.ENDED in allowed_next_stages(case.stage),
        "primary_stage": primary_next_stage(case.stage, expects_return=case.project.expects_return),
        "assign_form": AssignForm(staff=assignable_staff(case=case)) if can_assign else None,
        "waterbed": destination_warning(case=case, flat=case.permanent_flat),
        "destination_missing": case.stage in MOVED and case.permanent_flat_id is None,
        "offers_refused": offers_refused(case=case)
        if case.is_open and user.has_perm("cases.view_offer")
        else None,
    }
    context.update(overrides)
    return context


@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    context = _detail_context(request, case)
    log_access(request, what=gettext_noop("case page"), households=[case.household_id])
    return render(request, "cases/case_detail.html", context)


@require_POST
def case_stage(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, for_change=True)
    form = StageForm(request.POST, case=case)
    if form.is_valid():
        try:
            case = case_advance_stage(
                case=case,
                to_stage=form.cleaned_data["to_stage"],
                by=request.user,
                note=form.cleaned_data["note"],
                end_reason=form.cleaned_data["end_reason"],
                expected_stage=form.cleaned_data["expected_stage"],
            )
        except ConflictError as conflict:
            messages.warning(
                request,
                _("Someone else moved the case to “%(stage)s” meanwhile. Nothing was changed.")
                % {"stage": Stage(conflict.current.stage).label},
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("The case is now in “%(stage)s”.") % {"stage": Stage(case.stage).label}
            )
    if not request.htmx:
        return redirect("cases:detail", pk=case.pk)
    context = _detail_context(request, get_case_for_user(request.user, pk))
    if form.errors:
        context["stage_form"] = form  # show what was wrong next to the fields
    return render(request, "cases/case_detail.html#stage-panel", context)


@require_POST
def case_stage_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, for_change=True)
    try:
        case = case_undo_stage(case=case, by=request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Undone: the case is back in “%(stage)s”.") % {"stage": Stage(case.stage).label},
        )
    if not request.htmx:
        return redirect("cases:detail", pk=case.pk)
    context = _detail_context(request, get_case_for_user(request.user, pk))
    return render(request, "cases/case_detail.html#stage-panel", context)


@require_http_methods(["GET", "POST"])
def case_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, for_change=True)
    form = CaseForm(request.POST or None, instance=case)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in CASE_EDITABLE_FIELDS}
        try:
            case_update_service(
                case=case, by=request.user, expected_version=form.cleaned_data["version"], data=data
            )
        except ConflictError as error:
            conflict, rebound = conflict_notice(form, error, CASE_EDITABLE_FIELDS)
            form = CaseForm(rebound, instance=error.current)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The case is saved."))
            if "permanent_flat" in form.changed_data:
                warning = destination_warning(case=case, flat=case.permanent_flat)
                if warning:
                    messages.warning(request, _("Waterbed: %(warning)s") % {"warning": warning})
            return redirect("cases:detail", pk=case.pk)
    status = 409 if conflict else 400 if form.is_bound and form.errors else 200
    log_access(request, what=gettext_noop("case form"), households=[case.household_id])
    return render(
        request,
        "cases/case_form.html",
        {
            "case": case,
            "form": form,
            "conflict": conflict,
            "waterbed": destination_warning(
                case=case, flat=case.permanent_flat, waterbed=form.waterbed
            ),
            "pickers": form.flat_pickers(
                felt=request.GET.get("felt", ""), q=request.GET.get("q", "")
            ),
        },
        status=status,
    )


@require_GET
def case_flat_search(request: AuthedRequest, pk: int) -> HttpResponse:
    """The type-ahead of the case form's flat pickers: a few destinations matching the words."""
    case = get_case_for_user(request.user, pk, for_change=True)
    name = "permanent_flat" if request.GET.get("felt") == "permanent_flat" else "temporary_flat"
    picker = flat_picker(
        CaseForm(instance=case)[name],
        q=request.GET.get("q", ""),
        current=request.GET.get(name),  # the one she checked; without it, the case's own
        listed=False,
        none_label=_("Not decided"),
        no_match=_("No free flat matches. Flats of stairwells being emptied are not offered."),
    )
    return render(request, "includes/typeahead_choices.html", picker)


def _assignments_response(request: AuthedRequest, case: Case) -> HttpResponse:
    if request.htmx:
        return render(request, "cases/case_detail.html#assignments", _detail_context(request, case))
    return redirect("cases:detail", pk=case.pk)


@require_POST
def case_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not can_assign_staff(request.user, case):
        raise PermissionDenied
    form = AssignForm(request.POST, staff=assignable_staff(case=case))
    if form.is_valid():
        case_assign_staff(case=case, user=form.cleaned_data["user"], by=request.user)
        messages.success(request, _("The staff member is assigned and gets an e-mail."))
    else:
        messages.error(request, _("Choose a staff member from the list."))
    return _assignments_response(request, case)


@require_POST
def case_unassign(request: AuthedRequest, pk: int, user_id: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not can_assign_staff(request.user, case):
        raise PermissionDenied
    assignment = case.assignments.filter(user_id=user_id).first()
    if assignment is not None:
        case_unassign_staff(case=case, user=assignment.user)
        messages.success(request, _("The staff member is no longer on the case."))
    return _assignments_response(request, case)


@require_GET
def project_list(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "cases.view_project")
    projects = (
        Project.objects.for_user(request.user)
        .select_related("estate")
        .annotate(
            open_cases=Count("cases", filter=Q(cases__stage__in=OPEN_STAGES)),
            all_cases=Count("cases"),
        )
        .order_by("estate__name", "name")
    )
    context = {
        "projects": projects,
        "waterbed_organisations": waterbed_organisations(request.user),
        "can_add_project": project_estates_for_user(request.user).exists(),
    }
    return render(request, "cases/project_list.html", context)


@require_GET
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_user(request.user, pk)
    stages, rows, totals = project_stage_table(project=project)
    if request.user.has_perm("outreach.add_contact"):
        urls = reverse_each("outreach:round_stairwell", [row.stairwell.pk for row in rows])
        for row in rows:
            row.round_url = urls[row.stairwell.pk]
    can_manage = can_manage_project(request.user, project)
    context = {
        "project": project,
        "stages": stages,
        "rows": rows,
        "totals": totals,
        "case_total": sum(totals),
        "can_manage": can_manage,
        "missing_cases": households_without_case(project=project).count() if can_manage else 0,
        "open_total": sum(
            total for stage, total in zip(stages, totals, strict=True) if stage != Stage.CLOSED
        ),
        "schedule_history": ScheduleChange.objects.filter(project=project).select_related(
            "stairwell", "changed_by"
        )[:50],
    }
    return render(request, "cases/project_detail.html", context)


# --- The deadline rules of the law, and the organisation's own periods ------------------------


def _deadline_context(request: AuthedRequest, organisation, form=None) -> dict:
    rows, version = deadline_rules_for(organisation=organisation)
    can_edit = can_change_deadlines(request.user, organisation)
    if form is None:
        initial: dict[str, int | None] = {"version": version}
        initial.update({row.rule.setting: row.own for row in rows if row.rule.setting})
        form = DeadlineSettingsForm(initial=initial)
    return {"organisation": organisation, "rows": rows, "form": form, "can_edit": can_edit}


@require_GET
def deadline_rules(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_deadlines(request.user, pk)
    return render(request, "cases/deadline_rules.html", _deadline_context(request, organisation))


@require_POST
def deadline_rules_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_deadlines(request.user, pk, for_change=True)
    form = DeadlineSettingsForm(request.POST)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in DEADLINE_SETTING_FIELDS}
        try:
            deadline_settings_save(
                organisation=organisation,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                data=data,
            )
        except ConflictError:
            messages.error(
                request,
                _("Someone else has just changed the periods. Here they are now; try again."),
            )
            return redirect("cases:deadlines", pk=organisation.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The organisation's periods are saved."))
            return redirect("cases:deadlines", pk=organisation.pk)
    context = _deadline_context(request, organisation, form)
    return render(request, "cases/deadline_rules.html", context, status=400)
