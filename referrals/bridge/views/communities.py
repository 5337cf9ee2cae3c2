"""Communities for the rehoused (fællesskaber for genhusede): the list, a community with its
members and meetings, adding and removing members, and ticking who came to a meeting."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.http import AuthedRequest
from core.permissions import require_perm
from households.audit import log_access
from households.permissions import get_household_for_user
from referrals.bridge.forms import (
    CommunityAttendanceForm,
    CommunityForm,
    CommunityMeetingForm,
    HouseholdChoiceForm,
)
from referrals.bridge.permissions import (
    community_organisations_for_user,
    get_community_for_user,
    get_community_meeting_for_user,
    get_community_membership_for_user,
)
from referrals.bridge.selectors import (
    CommunityMembers,
    community_household_search,
    community_list,
    community_meetings,
    community_members,
    meeting_attendance,
)
from referrals.bridge.services import (
    community_attendance_set,
    community_member_add,
    community_member_leave,
)
from referrals.bridge.services import community_create as community_create_service
from referrals.bridge.services import community_meeting_create as community_meeting_create_service
from referrals.models import Community

SEARCH_MAX = 100
DETAIL = "referrals/communities/community_detail.html"


@require_GET
def community_list_view(request: AuthedRequest) -> HttpResponse:
    require_perm(request.user, "referrals.view_community")
    context = {
        "communities": community_list(user=request.user),
        "can_create": community_organisations_for_user(request.user).exists(),
    }
    return render(request, "referrals/communities/community_list.html", context)


@require_http_methods(["GET", "POST"])
def community_create(request: AuthedRequest) -> HttpResponse:
    organisations = community_organisations_for_user(request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = CommunityForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            community = community_create_service(
                organisation=data["organisation"],
                name=data["name"],
                area=data["area"],
                description=data["description"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The community is created. Add its members."))
            return redirect("referrals:community", pk=community.pk)
    status = 400 if form.errors else 200
    return render(
        request, "referrals/communities/community_form.html", {"form": form}, status=status
    )


def _community_context(request: AuthedRequest, community: Community, **overrides) -> dict:
    members = community_members(user=request.user, community=community)
    context: dict[str, Any] = {
        "community": community,
        "members": members,
        "meetings": community_meetings(community=community),
        "can_change": request.user.has_perm("referrals.change_community"),
        "meeting_form": CommunityMeetingForm(),
        "q": "",
        "found": [],
    }
    context.update(overrides)
    return context


@require_GET
def community_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    community = get_community_for_user(request.user, pk)
    context = _community_context(request, community)
    members: CommunityMembers = context["members"]
    log_access(
        request,
        what=gettext_noop("community page"),
        households=[m.household_id for m in members.visible],
    )
    return render(request, DETAIL, context)


@require_GET
def community_search(request: AuthedRequest, pk: int) -> HttpResponse:
    """Households she may see, to add as members (htmx: the results only)."""
    community = get_community_for_user(request.user, pk, for_change=True)
    q = request.GET.get("q", "").strip()[:SEARCH_MAX]
    found = community_household_search(user=request.user, community=community, q=q)
    if request.htmx:
        results = {"community": community, "q": q, "found": found, "can_change": True}
        return render(request, f"{DETAIL}#search-results", results)
    context = _community_context(request, community, q=q, found=found)
    members: CommunityMembers = context["members"]
    log_access(
        request,
        what=gettext_noop("community page"),
        households=[m.household_id for m in members.visible],
    )
    return render(request, DETAIL, context)


def _members_response(request: AuthedRequest, community: Community, **extra) -> HttpResponse:
    if not request.htmx:
        return redirect("referrals:community", pk=community.pk)
    context = _community_context(request, community, **extra)
    return render(request, f"{DETAIL}#members", context)


@require_POST
def community_member_add_view(request: AuthedRequest, pk: int) -> HttpResponse:
    community = get_community_for_user(request.user, pk, for_change=True)
    form = HouseholdChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404
    household = get_household_for_user(request.user, form.cleaned_data["household"])
    try:
        community_member_add(community=community, household=household)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s is a member now.") % {"name": household.display_name()}
        )
    return _members_response(request, community)


@require_POST
def community_member_leave_view(request: AuthedRequest, pk: int) -> HttpResponse:
    membership = get_community_membership_for_user(request.user, pk)
    try:
        community_member_leave(membership=membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s has left the community.") % {"name": membership.household.display_name()},
        )
    return _members_response(request, membership.community)


@require_POST
def community_meeting_create(request: AuthedRequest, pk: int) -> HttpResponse:
    community = get_community_for_user(request.user, pk, for_change=True)
    form = CommunityMeetingForm(request.POST)
    if form.is_valid():
        try:
            meeting = community_meeting_create_service(community=community, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The meeting is planned."))
            return redirect("referrals:community_meeting", pk=meeting.pk)
    context = _community_context(request, community, meeting_form=form, meeting_open=True)
    return render(request, DETAIL, context, status=400)


def _attendance_context(request: AuthedRequest, meeting, **extra) -> dict:
    members, came, came_count = meeting_attendance(user=request.user, meeting=meeting)
    return {
        "meeting": meeting,
        "community": meeting.community,
        "members": members,
        "came": came,
        "came_count": came_count,
        "can_change": request.user.has_perm("referrals.change_community"),
        "is_past": meeting.starts_at <= timezone.now(),
        **extra,
    }


@require_GET
def community_meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_community_meeting_for_user(request.user, pk)
    context = _attendance_context(request, meeting)
    log_access(
        request,
        what=gettext_noop("community meeting"),
        households=[m.household_id for m in context["members"]],
    )
    return render(request, "referrals/communities/meeting_detail.html", context)


@require_POST
def community_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    """One tap per member: came, or tapped again: did not come."""
    meeting = get_community_meeting_for_user(request.user, pk, for_change=True)
    form = CommunityAttendanceForm(request.POST)
    if not form.is_valid():
        raise Http404
    household = get_household_for_user(request.user, form.cleaned_data["household"])
    problem = ""
    try:
        community_attendance_set(
            meeting=meeting, household=household, attended=form.cleaned_data["attended"]
        )
    except ValidationError as error:
        problem = " ".join(error.messages)
    if not request.htmx:
        if problem:
            messages.error(request, problem)
        return redirect("referrals:community_meeting", pk=meeting.pk)
    context = _attendance_context(request, meeting, problem=problem)
    return render(request, "referrals/communities/meeting_detail.html#attendance", context)
