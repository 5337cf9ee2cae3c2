"""Views of outreach: information meetings, and attendance taken at the door."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.models import Project
from core.http import AuthedRequest
from core.once import ALREADY_SAVED, AlreadySaved
from core.permissions import require_perm
from households.audit import export_table
from households.models import Household
from outreach.forms import AttendanceForm, MeetingForm, MeetingInviteForm
from outreach.models import Meeting
from outreach.permissions import get_meeting_for_user, meetings_for_user
from outreach.selectors import (
    INVITATION_SHOWN,
    attendance_counts,
    attendance_household,
    meeting_invitation_page,
    meetings_with_counts,
    start_of_today,
    walk_in_candidates,
)
from outreach.services import attendance_mark, meeting_invite_stairwells
from outreach.services import meeting_create as meeting_create_service

PAGE_SIZE = 30
SEARCH_MAX = 100


def _meeting_query(request: AuthedRequest):
    """The projects, the chosen one and its meetings: one query for the page and its exports."""
    require_perm(request.user, "outreach.view_meeting")
    projects = Project.objects.for_user(request.user).order_by("name")
    project = _chosen_project(projects, request.GET.get("project"))
    meetings = meetings_with_counts(meetings_for_user(request.user))
    if project is not None:
        meetings = meetings.filter(project=project)
    return projects, project, meetings


@require_GET
def meeting_list(request: AuthedRequest) -> HttpResponse:
    projects, project, meetings = _meeting_query(request)
    today = start_of_today()
    past = meetings.filter(held_at__lt=today).order_by("-held_at", "-pk")
    context = {
        "projects": projects,
        "project": project,
        "upcoming": meetings.filter(held_at__gte=today).order_by("held_at", "pk"),
        "page": Paginator(past, PAGE_SIZE).get_page(request.GET.get("page")),
        "can_add": request.user.has_perm("outreach.add_meeting"),
        "now": timezone.now(),
    }
    return render(request, "outreach/meetings/meeting_list.html", context)


@require_GET
def meeting_export(request: AuthedRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    """Every meeting of the page (coming and held, newest first), with its attendance counts."""
    _projects, _project, meetings = _meeting_query(request)
    now = timezone.now()
    rows = []
    for meeting in meetings.order_by("-held_at", "-pk"):
        held = meeting.held_at <= now
        rate = (
            round(100 * meeting.attended_count / meeting.invited_count)
            if held and meeting.invited_count
            else None
        )
        rows.append(
            [
                meeting.topic,
                meeting.project.name,
                meeting.held_at,
                meeting.place,
                meeting.invited_count,
                meeting.attended_count if held else None,
                meeting.walk_in_count if held else None,
                rate,
            ]
        )
    headers = [
        _("Meeting"),
        _("Project"),
        _("Time"),
        _("Place"),
        _("Invited"),
        _("Attended"),
        _("Walk-ins"),
        _("Attendance (%)"),
    ]
    # Counts only, no household: the log has one row naming the file.
    return export_table(
        request,
        fmt=fmt,
        filename="informationsmoeder",
        what=gettext_noop("information meetings (export)"),
        headers=headers,
        rows=rows,
    )


def _chosen_project(projects: QuerySet[Project], value: str | None) -> Project | None:
    if not value or not value.isdigit():
        return None
    return projects.select_related("estate").filter(pk=int(value)).first()


@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "outreach.add_meeting")
    projects = Project.objects.for_user(request.user).select_related("estate").order_by("name")
    project = _chosen_project(projects, request.POST.get("project") or request.GET.get("project"))
    form = MeetingForm(request.POST or None, projects=projects, project=project)
    if request.htmx and request.method == "GET":  # another project chosen: its stairwells
        return render(request, "outreach/meetings/meeting_form.html#stairwells", {"form": form})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = meeting_create_service(
                project=data["project"],
                by=request.user,
                held_at=data["held_at"],
                place=data["place"],
                topic=data["topic"],
                stairwells=data["stairwells"],
                sent_via=data["sent_via"],
                sent_on=data["sent_on"],
                once_key=data["once_key"],
            )
        except AlreadySaved as already:
            messages.info(request, ALREADY_SAVED)
            if already.saved is None:
                return redirect("outreach:meetings")
            return redirect("outreach:meeting", pk=already.saved.pk)
        messages.success(request, _("The meeting is created."))
        return redirect("outreach:meeting", pk=meeting.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "project": project}
    return render(request, "outreach/meetings/meeting_form.html", context, status=status)


def _search(request: AuthedRequest) -> str:
    return request.GET.get("q", "").strip()[:SEARCH_MAX]


def _detail_context(request: AuthedRequest, meeting: Meeting, **overrides) -> dict:
    can_change = request.user.has_perm("outreach.change_meeting")
    invited = meeting.stairwells.values("pk")
    q = _search(request)
    held = meeting.held_at <= timezone.now()
    show = request.GET.get("show", "") if held else ""
    show = show if show in INVITATION_SHOWN else ""
    page = meeting_invitation_page(meeting=meeting, q=q, show=show, number=request.GET.get("page"))
    context = {
        "meeting": meeting,
        "counts": attendance_counts(meeting=meeting),
        "held": held,
        "q": q,
        "show": show,
        "page": page,
        "stairwells": list(meeting.stairwells.all()),
        "can_change": can_change,
        "invite_form": MeetingInviteForm(
            stairwells=meeting.project.estate.stairwells.exclude(pk__in=invited)
        )
        if can_change
        else None,
    }
    context.update(overrides)
    return context


@require_GET
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk)
    template = "outreach/meetings/meeting_detail.html"
    context = _detail_context(request, meeting)
    # A search or another page of the list: htmx swaps the list alone.
    return render(request, f"{template}#invitations" if request.htmx else template, context)


@require_POST
def meeting_invite(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, for_change=True)
    invited = meeting.stairwells.values("pk")
    form = MeetingInviteForm(
        request.POST, stairwells=meeting.project.estate.stairwells.exclude(pk__in=invited)
    )
    if form.is_valid():
        count = meeting_invite_stairwells(
            meeting=meeting,
            stairwells=form.cleaned_data["stairwells"],
            sent_via=form.cleaned_data["sent_via"],
            sent_on=form.cleaned_data["sent_on"],
        )
        messages.success(
            request,
            _("%(count)s more households are invited.") % {"count": count},
        )
        return redirect("outreach:meeting", pk=meeting.pk)
    context = _detail_context(request, meeting, invite_form=form)
    return render(request, "outreach/meetings/meeting_detail.html", context, status=400)


def _attendance_context(meeting: Meeting, user, q: str, number, **extra) -> dict:
    page = meeting_invitation_page(meeting=meeting, q=q, number=number)
    return {
        "meeting": meeting,
        "q": q,
        "counts": attendance_counts(meeting=meeting),
        "page": page,
        # Going through the list without a search, a tap keeps its page (a search is cleared).
        "keep_page": page.number if not q and page.number > 1 else None,
        "walk_ins": walk_in_candidates(meeting=meeting, user=user, q=q),
        **extra,
    }


@require_GET
def meeting_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request.user, pk, for_change=True)
    context = _attendance_context(meeting, request.user, _search(request), request.GET.get("page"))
    template = "outreach/meetings/meeting_attendance.html"
    return render(request, f"{template}#results" if request.htmx else template, context)


@require_POST
def meeting_attendance_mark(request: AuthedRequest, pk: int) -> HttpResponse:
    """One tap at the door: came (a walk-in is added on the spot), or tapped again: undo."""
    meeting = get_meeting_for_user(request.user, pk, for_change=True)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        raise Http404
    household = attendance_household(
        meeting=meeting, user=request.user, household_id=form.cleaned_data["household"]
    )
    if household is None:
        raise Http404
    attended = form.cleaned_data["attended"]
    problem = notice = ""
    try:
        attendance_mark(
            meeting=meeting,
            household=household,
            by=request.user,
            attended=attended,
            once_key=form.cleaned_data["once_key"],
        )
    except ValidationError as error:
        problem = " ".join(error.messages)
    except AlreadySaved:
        notice = str(ALREADY_SAVED)
    if not request.htmx:
        if notice:
            messages.info(request, notice)
        elif problem:
            messages.error(request, problem)
        else:
            messages.success(request, _attendance_message(household, attended))
        url = reverse("outreach:meeting_attendance", args=[meeting.pk])
        page = form.cleaned_data["page"]
        return redirect(f"{url}?page={page}" if page and page > 1 else url)
    context = _attendance_context(
        meeting,
        request.user,
        "",
        form.cleaned_data["page"],
        last=household,
        attended=attended,
        problem=problem,
        notice=notice,
    )
    return render(request, "outreach/meetings/meeting_attendance.html#panel", context)


def _attendance_message(household: Household, attended: bool) -> str:
    values = {"name": household.display_name(), "address": household.flat.address}
    if attended:
        return _("%(name)s, %(address)s: attended.") % values
    return _("%(name)s, %(address)s: no longer marked as attended.") % values
