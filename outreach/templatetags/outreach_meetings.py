"""The meetings sections of others' pages: the project page and the household page."""

from django import template
from django.utils import timezone

from outreach.permissions import meetings_for_user
from outreach.selectors import household_invitations, meetings_with_counts, start_of_today

register = template.Library()

PROJECT_MEETINGS_SHOWN = 10


@register.inclusion_tag("outreach/meetings/project_section.html", takes_context=True)
def project_meetings(context, project) -> dict:
    user = context["request"].user
    if not user.has_perm("outreach.view_meeting"):
        return {"visible": False}
    meetings = meetings_with_counts(meetings_for_user(user).filter(project=project))
    today = start_of_today()
    # One query: a project holds a few meetings a month, not thousands.
    every = list(meetings.order_by("-held_at", "-pk"))
    upcoming = [meeting for meeting in reversed(every) if meeting.held_at >= today]
    past = [meeting for meeting in every if meeting.held_at < today]
    return {
        "visible": True,
        "project": project,
        "upcoming": upcoming,
        "past": past,
        "meetings": upcoming + past[:PROJECT_MEETINGS_SHOWN],
        "shown": PROJECT_MEETINGS_SHOWN,
        "can_add": user.has_perm("outreach.add_meeting"),
        "now": timezone.now(),
    }


@register.inclusion_tag("outreach/meetings/household_section.html", takes_context=True)
def household_meetings(context, household) -> dict:
    user = context["request"].user
    if not user.has_perm("outreach.view_meeting"):
        return {"visible": False}
    invitations = list(household_invitations(user=user, household=household))
    now = timezone.now()
    past = [i for i in invitations if i.invited and i.meeting.held_at < now]
    return {
        "visible": True,
        "invitations": invitations,
        "now": now,
        "invited_past": len(past),
        "attended_past": sum(1 for i in past if i.attended),
    }
