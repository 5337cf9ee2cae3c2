"""Who may see and change which follow-up plans, follow-up contacts and communities."""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from cases.models import Case
from core.permissions import require_perm
from households.models import Household, Organisation
from households.permissions import user_grants
from referrals.models import (
    Community,
    CommunityMeeting,
    CommunityMembership,
    FollowUpPlan,
    FollowUpVisit,
)
from referrals.permissions import staff_organisations_q


def follow_up_plans_for_user(user: User) -> QuerySet[FollowUpPlan]:
    if not (user.is_active and user.has_perm("referrals.view_followupplan")):
        return FollowUpPlan.objects.none()
    return FollowUpPlan.objects.filter(case__in=Case.objects.for_user(user))


def get_follow_up_plan_for_user(user: User, pk: int, *, for_change: bool = False) -> FollowUpPlan:
    plan = (
        follow_up_plans_for_user(user)
        .select_related(
            "case__household__flat__stairwell__estate",
            "case__permanent_flat__stairwell__estate",
            "case__project__estate",
            "bridge_builder",
        )
        .prefetch_related("case__household__residents")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    if for_change:
        require_perm(user, "referrals.change_followupplan")
    return plan


def get_follow_up_visit_for_user(user: User, pk: int) -> FollowUpVisit:
    """A follow-up contact to record: she must see the plan and may change it."""
    visit = (
        FollowUpVisit.objects.filter(plan__in=follow_up_plans_for_user(user), pk=pk)
        .select_related("plan__case__household__flat__stairwell")
        .prefetch_related("plan__case__household__residents")
        .first()
    )
    if visit is None:
        raise Http404
    if not (
        user.has_perm("referrals.change_followupplan") and user.has_perm("outreach.add_contact")
    ):
        raise PermissionDenied
    return visit


def communities_for_user(user: User) -> QuerySet[Community]:
    if not (user.is_active and user.has_perm("referrals.view_community")):
        return Community.objects.none()
    return Community.objects.filter(staff_organisations_q(user))


def get_community_for_user(user: User, pk: int, *, for_change: bool = False) -> Community:
    community = communities_for_user(user).filter(pk=pk).first()
    if community is None:
        raise Http404
    if for_change:
        require_perm(user, "referrals.change_community")
    return community


def community_organisations_for_user(user: User) -> QuerySet[Organisation]:
    """The organisations she may start a community in: those she leads."""
    if not (user.is_active and user.has_perm("referrals.add_community")):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations).order_by(
        "name"
    )


def get_community_meeting_for_user(
    user: User, pk: int, *, for_change: bool = False
) -> CommunityMeeting:
    meeting = (
        CommunityMeeting.objects.filter(community__in=communities_for_user(user), pk=pk)
        .select_related("community")
        .first()
    )
    if meeting is None:
        raise Http404
    if for_change:
        require_perm(user, "referrals.change_community")
    return meeting


def get_community_membership_for_user(user: User, pk: int) -> CommunityMembership:
    """A membership to change: she sees the community, may change it, and sees the household."""
    membership = (
        CommunityMembership.objects.filter(
            community__in=communities_for_user(user),
            household__in=Household.objects.for_user(user),
            pk=pk,
        )
        .select_related("community", "household")
        .first()
    )
    if membership is None:
        raise Http404
    require_perm(user, "referrals.change_community")
    return membership
