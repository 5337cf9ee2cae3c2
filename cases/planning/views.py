"""A project's life in the app: set up, schedule, open and distribute its cases, close."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Project
from cases.permissions import (
    get_project_for_manager,
    get_project_for_user,
    project_estates_for_user,
)
from cases.planning.forms import DistributeForm, ProjectForm, ScheduleForm, ScheduleUploadForm
from cases.planning.schedule_file import read_schedule_file
from cases.planning.sections import BoundSection, project_form_sections
from cases.planning.selectors import (
    open_caseloads,
    project_caseworkers,
    schedule_timeline,
    stairwell_loads,
)
from cases.planning.services import (
    PROJECT_EDITABLE_FIELDS,
    distribution_counts,
    project_close,
    project_create,
    project_distribute,
    project_open_cases,
    project_update,
    schedule_apply,
    schedule_current,
    schedule_preview,
)
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from core.versioning import ConflictError, conflict_notice
from households.audit import log_access
from households.imports import FileError
from households.templatetags.people import staff_name

SCHEDULE_LABELS = {
    "notice_on": gettext_lazy("Notice"),
    "packing_on": gettext_lazy("Packing"),
    "move_out_on": gettext_lazy("Move-out"),
    "return_on": gettext_lazy("Return"),
}


def _all_valid(form, sections: list[BoundSection]) -> bool:
    """Every part of the project form is checked, so each shows its errors at once."""
    return all([form.is_valid(), *(bound.form.is_valid() for bound in sections)])


def _add_error(form, sections: list[BoundSection], error: ValidationError) -> None:
    """A refusal from a service, shown at the field it names in whichever part holds it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        holder = next((b.form for b in sections if name in b.form.fields), None)
        if holder is not None:
            holder.add_error(name, errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


def _project_form_page(request, context: dict, status: int) -> HttpResponse:
    return render(request, "cases/planning/project_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def project_new(request: AuthedRequest) -> HttpResponse:
    """A new project: the estate first, then that estate's stairwells (htmx loads them when
    the estate changes; without JavaScript, ?estate= shows them)."""
    require_perm(request.user, "cases.add_project")
    estates = project_estates_for_user(request.user).order_by("name")
    choices = list(estates)
    if not choices:
        raise PermissionDenied
    given = request.POST if request.method == "POST" else request.GET
    chosen = given.get("estate", "")
    estate = next((choice for choice in choices if str(choice.pk) == chosen), None)
    if request.method == "GET" and chosen and estate is None:
        raise Http404  # not an estate she may start a project on
    if not chosen and len(choices) == 1:
        estate = choices[0]
    initial = {}
    if request.method == "GET":  # the fields typed before "Show the stairwells" (no JavaScript)
        initial = {name: given[name] for name in PROJECT_EDITABLE_FIELDS if given.get(name)}
    form = ProjectForm(request.POST or None, estates=estates, estate=estate, initial=initial)
    if request.htmx and request.method == "GET":  # another estate chosen: its stairwells
        return render(request, "cases/planning/project_form.html#stairwells", {"form": form})
    sections = project_form_sections(user=request.user, data=request.POST or None)
    if request.method == "POST" and _all_valid(form, sections):
        data = {name: form.cleaned_data[name] for name in PROJECT_EDITABLE_FIELDS}
        try:
            project = project_create(
                estate=form.cleaned_data["estate"],
                by=request.user,
                data=data,
                stairwells=form.cleaned_data["stairwells"],
                once_key=form.cleaned_data.get("once_key"),
                then=[bound.saver() for bound in sections],
            )
        except AlreadySaved as already:
            messages.info(request, str(ALREADY_SAVED))
            if already.saved is None:
                return redirect("cases:projects")
            return redirect("cases:project", pk=already.saved.pk)
        except ValidationError as error:
            _add_error(form, sections, error)
        else:
            messages.success(request, _("The project is created. Now enter its schedule."))
            return redirect("cases:schedule", pk=project.pk)
    invalid = any(part.is_bound and part.errors for part in [form, *(b.form for b in sections)])
    context = {"form": form, "sections": sections}
    return _project_form_page(request, context, status=400 if invalid else 200)


@require_http_methods(["GET", "POST"])
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = get_project_for_manager(request.user, pk)
    form = ProjectForm(request.POST or None, instance=project, estates=None)
    sections = project_form_sections(user=request.user, data=request.POST or None, project=project)
    conflict = None
    if request.method == "POST" and _all_valid(form, sections):
        data = {name: form.cleaned_data[name] for name in PROJECT_EDITABLE_FIELDS}
        try:
            project_update(
                project=project,
                by=request.user,
                expected_version=form.cleaned_data["version"],
                data=data,
                stairwells=form.cleaned_data["stairwells"],
                then=[bound.saver() for bound in sections],
            )
        except ConflictError as error:
            conflict, rebound = conflict_notice(form, error, PROJECT_EDITABLE_FIELDS)
            form = ProjectForm(rebound, instance=error.current, estates=None)
        except ValidationError as error:
            _add_error(form, sections, error)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("cases:project", pk=project.pk)
    invalid = any(part.is_bound and part.errors for part in [form, *(b.form for b in sections)])
    status = 409 if conflict else 400 if invalid else 200
    context = {"form": form, "sections": sections, "project": project, "conflict": conflict}
    return _project_form_page(request, context, status=status)


def _schedule_form(project: Project, data=None) -> ScheduleForm:
    stairwells = list(project.stairwells.order_by("street", "number", "letter"))
    current = schedule_current(project=project)
    return ScheduleForm(data, project=project, stairwells=stairwells, current=current)


def _schedule_page(request: AuthedRequest, project: Project, form, upload_form=None, **extra):
    context = {
        "project": project,
        "form": form,
        "upload_form": upload_form or ScheduleUploadForm(),
        "columns": [SCHEDULE_LABELS[name] for name in form.columns],
        **extra,
    }
    bad = form.errors or (upload_form is not None and upload_form.errors) or extra.get("errors")
    return render(request, "cases/planning/schedule.html", context, status=400 if bad else 200)


def _by_name(households: dict, facts: set) -> list[tuple]:
    rows = [(households[h], kind) for h, kind in facts if h in households]
    return sorted(rows, key=lambda row: (row[0].display_name(), row[1]))


def _preview_page(request: AuthedRequest, project: Project, form: ScheduleForm) -> HttpResponse:
    preview = schedule_preview(project=project, proposed=form.proposed())
    if not preview.changes:
        messages.info(request, _("Nothing changes: these are the saved dates."))
        return _schedule_page(request, project, _schedule_form(project))
    households = [touched.case.household_id for touched in preview.cases]
    log_access(request, what=gettext_noop("schedule change (preview)"), households=households)
    names = {touched.case.household_id: touched.case.household for touched in preview.cases}
    flags_appear, flags_go = preview.effects.get("flags", (set(), set()))
    context = {
        "project": project,
        "form": form,
        "preview": preview,
        "hidden": [form[name] for name in form.fields if name != "reason"],
        "flags_appear": _by_name(names, flags_appear),
        "flags_go": _by_name(names, flags_go),
        "letters": [
            {**letter, "household": names.get(letter["household_id"])} for letter in preview.letters
        ],
    }
    status = 400 if form.errors else 200
    return render(request, "cases/planning/schedule_preview.html", context, status=status)


@require_http_methods(["GET", "POST"])
def schedule(request: AuthedRequest, pk: int) -> HttpResponse:
    """The schedule as one table; saving first shows what the change touches, then applies."""
    project = get_project_for_manager(request.user, pk)
    form = _schedule_form(project, request.POST or None)
    action = request.POST.get("action", "preview")
    if request.method == "POST" and form.is_valid() and action != "edit":
        if action != "apply":
            return _preview_page(request, project, form)
        try:
            changes = schedule_apply(
                project=project,
                proposed=form.proposed(),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return _preview_page(request, project, form)
        messages.success(
            request,
            ngettext("%(count)s date is changed.", "%(count)s dates are changed.", len(changes))
            % {"count": len(changes)},
        )
        return redirect("cases:project", pk=project.pk)
    return _schedule_page(request, project, form)


@require_POST
def schedule_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """A schedule file goes through the same preview as the table (errors by row and column)."""
    project = get_project_for_manager(request.user, pk)
    upload_form = ScheduleUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _schedule_page(request, project, _schedule_form(project), upload_form)
    upload = upload_form.cleaned_data["file"]
    try:
        read = read_schedule_file(
            project=project,
            content=upload.read(),
            file_kind="xlsx" if upload.name.lower().endswith(".xlsx") else "csv",
        )
    except FileError as error:
        upload_form.add_error("file", str(error))
        return _schedule_page(request, project, _schedule_form(project), upload_form)
    if read.errors:
        return _schedule_page(request, project, _schedule_form(project), errors=read.errors)
    current = schedule_current(project=project)
    merged = {pk: {**current[pk], **dates} for pk, dates in read.dates.items()}
    form = _schedule_form(project, ScheduleForm.data_from({**current, **merged}))
    if not form.is_valid():
        return _schedule_page(request, project, form)
    return _preview_page(request, project, form)


@require_POST
def open_cases(request: AuthedRequest, pk: int) -> HttpResponse:
    """One case per household of the affected stairwells that has none yet."""
    project = get_project_for_manager(request.user, pk)
    require_perm(request.user, "cases.add_case")
    opened = project_open_cases(project=project, by=request.user)
    if opened:
        messages.success(
            request,
            ngettext("%(count)s case is opened.", "%(count)s cases are opened.", opened)
            % {"count": opened},
        )
    else:
        messages.info(request, _("Every household of the project already has a case."))
    return redirect("cases:project", pk=project.pk)


@require_http_methods(["GET", "POST"])
def distribute(request: AuthedRequest, pk: int) -> HttpResponse:
    """Caseworkers by stairwell in bulk: first the counts per person, then apply."""
    project = get_project_for_manager(request.user, pk)
    require_perm(request.user, "cases.add_caseassignment")
    caseworkers = list(project_caseworkers(project=project))
    loads = stairwell_loads(project=project)
    form = DistributeForm(request.POST or None, loads=loads, caseworkers=caseworkers)
    context: dict = {"project": project, "form": form}
    if request.method == "POST" and form.is_valid() and form.plan():
        plan = form.plan()
        if request.POST.get("action") == "apply":
            try:
                assigned = project_distribute(project=project, plan=plan, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s case is assigned.", "%(count)s cases are assigned.", assigned
                    )
                    % {"count": assigned},
                )
                return redirect("cases:project", pk=project.pk)
        counts = distribution_counts(project=project, plan=plan)
        current = open_caseloads(user_ids=[user.pk for user in counts])
        context["preview"] = [
            {"user": user, "new": new, "now": current.get(user.pk, 0)}
            for user, new in sorted(counts.items(), key=lambda item: staff_name(item[0]))
        ]
    status = 400 if form.errors else 200
    return render(request, "cases/planning/distribute.html", context, status=status)


@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    """Close the project when every case is closed; it is read-only afterwards."""
    project = get_project_for_manager(request.user, pk)
    try:
        project_close(project=project, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The project is closed. It can be read but no longer changed."))
    return redirect("cases:project", pk=project.pk)


@require_GET
def timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    """The schedule for a project meeting: months across, stairwells down (prints on A4
    landscape)."""
    project = get_project_for_user(request.user, pk)
    months, rows = schedule_timeline(project=project)
    context = {"project": project, "months": months, "rows": rows}
    return render(request, "cases/planning/timeline.html", context)
