"""Reads of bridge-building after a permanent move (the bridge-builder's list, a plan, the
new-area checklist) and of the communities for the rehoused.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseAssignment
from core.db import count_of
from households.models import Household
from households.selectors import household_search, residents_prefetch
from outreach.calendar import Event, case_ref
from outreach.models import Contact
from referrals.bridge.permissions import communities_for_user, follow_up_plans_for_user
from referrals.models import (
    ChecklistItem,
    ChecklistList,
    ChecklistStatus,
    Community,
    CommunityMeeting,
    CommunityMembership,
    FollowUpPlan,
    FollowUpVisit,
    Referral,
)
from referrals.permissions import referrals_for_user
from referrals.selectors import ChecklistProgress

# A follow-up contact due within this many days is "due soon" on the bridge-builder's list.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class FollowUpFilters:
    scope: str = "mine"  # "mine" or "all"
    closed: bool = False


@dataclass
class FollowUpRow:
    """One household in follow-up, as the bridge-builder's list shows it."""

    plan: FollowUpPlan
    checklist: ChecklistProgress
    today: datetime.date

    @property
    def next_due(self) -> datetime.date | None:
        return self.plan.next_due  # type: ignore[attr-defined]

    @property
    def urgency(self) -> str:
        """overdue (due before today), today, soon (within DUE_SOON_DAYS), later, or none."""
        if self.next_due is None:
            return "none"
        if self.next_due < self.today:
            return "overdue"
        if self.next_due == self.today:
            return "today"
        if self.next_due <= self.today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "soon"
        return "later"

    @property
    def days_overdue(self) -> int:
        return (self.today - self.next_due).days if self.next_due else 0

    @property
    def days_left(self) -> int:
        return (self.next_due - self.today).days if self.next_due else 0


def _mine_q(user: User) -> Q:
    """Her plans: she is the plan's bridge-builder, or the plan has none and she is on the case."""
    on_case = CaseAssignment.objects.filter(case_id=OuterRef("case_id"), user=user)
    return Q(bridge_builder=user) | Q(bridge_builder__isnull=True) & Q(Exists(on_case))


def has_follow_up_plans(*, user: User) -> bool:
    return follow_up_plans_for_user(user).filter(_mine_q(user), closed_on__isnull=True).exists()


def follow_up_plans(*, user: User, filters: FollowUpFilters) -> QuerySet[FollowUpPlan]:
    """Open plans (or the closed ones), the next follow-up contact due first; each annotated
    with next_visit_id, next_due, next_label, due_count (contacts due today or earlier, not
    done) and last_contact_at (the household's latest contact of any kind)."""
    today = timezone.localdate()
    plans = follow_up_plans_for_user(user).filter(closed_on__isnull=not filters.closed)
    if filters.scope == "mine":
        plans = plans.filter(_mine_q(user))
    open_visits = FollowUpVisit.objects.filter(plan_id=OuterRef("pk"), done_on__isnull=True)
    next_visit = open_visits.order_by("due_on", "pk")
    contacts = Contact.objects.filter(household_id=OuterRef("case__household_id"))
    plans = plans.annotate(
        next_visit_id=Subquery(next_visit.values("pk")[:1]),
        next_due=Subquery(next_visit.values("due_on")[:1]),
        next_label=Subquery(next_visit.values("label")[:1]),
        due_count=count_of(open_visits.filter(due_on__lte=today)),
        last_contact_at=Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
    )
    if filters.closed:
        ordered = plans.order_by("-closed_on", "-pk")
    else:
        ordered = plans.order_by(F("next_due").asc(nulls_last=True), "started_on", "pk")
    return ordered.select_related(
        "case__household__flat__stairwell",
        "case__permanent_flat__stairwell",
        "case__project",
        "bridge_builder",
    ).prefetch_related(residents_prefetch("case__household__residents"))


def new_area_progress(*, case_ids) -> dict[int, ChecklistProgress]:
    """Per case: the new-area checklist's done, not needed and open items (one query)."""
    rows = (
        ChecklistItem.objects.filter(case_id__in=case_ids, section=ChecklistList.NEW_AREA)
        .values("case_id")
        .annotate(
            done=Count("pk", filter=Q(status=ChecklistStatus.DONE)),
            not_needed=Count("pk", filter=Q(status=ChecklistStatus.NOT_NEEDED)),
            open=Count("pk", filter=Q(status=ChecklistStatus.OPEN)),
        )
    )
    return {
        row["case_id"]: ChecklistProgress(row["done"], row["not_needed"], row["open"])
        for row in rows
    }


def follow_up_rows(plans) -> list[FollowUpRow]:
    """The rows of a page of plans, with their checklist progress (one more query)."""
    plans = list(plans)
    progress = new_area_progress(case_ids=[plan.case_id for plan in plans])
    today = timezone.localdate()
    return [
        FollowUpRow(
            plan=plan, checklist=progress.get(plan.case_id, ChecklistProgress()), today=today
        )
        for plan in plans
    ]


def follow_up_visits(*, plan: FollowUpPlan) -> list[FollowUpVisit]:
    return list(plan.visits.select_related("contact__staff").order_by("due_on", "pk"))


def new_area_checklist(*, case: Case) -> list[ChecklistItem]:
    return list(
        case.checklist.filter(section=ChecklistList.NEW_AREA)
        .select_related("updated_by")
        .order_by("pk")
    )


def referrals_since(*, user: User, household: Household, since: datetime.date) -> list[Referral]:
    """The referrals of the household made since the follow-up started (local offers)."""
    return list(
        referrals_for_user(user)
        .filter(household=household, created_at__date__gte=since)
        .select_related("partner")
        .order_by("-created_at", "-pk")
    )


def household_communities(*, user: User, household: Household) -> list[CommunityMembership]:
    return list(
        CommunityMembership.objects.filter(
            household=household, left_on__isnull=True, community__in=communities_for_user(user)
        )
        .select_related("community")
        .order_by("community__name")
    )


# --- communities for the rehoused ---


def community_list(*, user: User) -> QuerySet[Community]:
    """Her organisations' communities, each with its number of members and next meeting."""
    members = CommunityMembership.objects.filter(community_id=OuterRef("pk"), left_on__isnull=True)
    upcoming = CommunityMeeting.objects.filter(
        community_id=OuterRef("pk"), starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return (
        communities_for_user(user)
        .select_related("organisation")
        .annotate(
            member_count=count_of(members),
            next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
            next_meeting_place=Subquery(upcoming.values("place")[:1]),
        )
        .order_by("organisation__name", "name")
    )


@dataclass
class CommunityMembers:
    """The members she may see by name, and how many others there are."""

    visible: list[CommunityMembership]
    others: int
    former: list[CommunityMembership]


def _new_homes(path: str = "household__cases") -> Prefetch:
    """The household's permanent moves (`household.new_homes`), to show where it lives now."""
    moves = Case.objects.filter(permanent_flat__isnull=False).select_related(
        "permanent_flat__stairwell"
    )
    return Prefetch(path, queryset=moves.order_by("-pk"), to_attr="new_homes")


def community_members(*, user: User, community: Community) -> CommunityMembers:
    visible = Household.objects.for_user(user).filter(pk=OuterRef("household_id"))
    memberships = list(
        community.memberships.annotate(visible=Exists(visible))
        .select_related("household__flat__stairwell")
        .prefetch_related(residents_prefetch("household__residents"), _new_homes())
        .order_by("household__flat__stairwell__street", "household__flat__stairwell__number", "pk")
    )
    current = [m for m in memberships if m.left_on is None]
    return CommunityMembers(
        visible=[m for m in current if m.visible],  # type: ignore[attr-defined]
        others=sum(1 for m in current if not m.visible),  # type: ignore[attr-defined]
        former=[m for m in memberships if m.left_on is not None and m.visible],  # type: ignore[attr-defined]
    )


def community_meetings(*, community: Community) -> QuerySet[CommunityMeeting]:
    return community.meetings.annotate(came=Count("attendees")).order_by("-starts_at")


def community_household_search(
    *, user: User, community: Community, q: str, limit: int = 10
) -> list[Household]:
    """Households of the community's organisation she may see, matching `q`, not yet members."""
    if len(q.strip()) < 2:
        return []
    members = community.memberships.filter(left_on__isnull=True).values("household_id")
    households = (
        Household.objects.for_user(user)
        .filter(flat__stairwell__estate__organisation_id=community.organisation_id)
        .exclude(pk__in=members)
    )
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch(), _new_homes("cases"))
        .order_by(
            "flat__stairwell__street", "flat__stairwell__number", "flat__floor", "flat__door"
        )[:limit]
    )


def meeting_attendance(
    *, user: User, meeting: CommunityMeeting
) -> tuple[list[CommunityMembership], set[int], int]:
    """The members of the community on the meeting's day she may see, the households that
    came, and how many came in all."""
    day = timezone.localdate(meeting.starts_at)
    visible = Household.objects.for_user(user).filter(pk=OuterRef("household_id"))
    members = list(
        meeting.community.memberships.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .filter(Exists(visible))
        .select_related("household__flat__stairwell")
        .prefetch_related(residents_prefetch("household__residents"), _new_homes())
        .order_by("household__flat__stairwell__street", "household__flat__stairwell__number", "pk")
    )
    came = set(meeting.attendees.values_list("pk", flat=True))
    return members, came, len(came)


def follow_up_calendar_events(
    *, user: User, first: datetime.date, last: datetime.date
) -> list[Event]:
    """The follow-up contacts due on her open plans from `first` to `last`, for her calendar
    feed (outreach/calendar.py, which says nothing about the household): one query."""
    follow_ups = FollowUpVisit.objects.filter(
        plan__bridge_builder=user,
        plan__closed_on__isnull=True,
        done_on__isnull=True,
        due_on__range=(first, last),
        plan__case__in=Case.objects.for_user(user),
    ).values_list("pk", "plan_id", "plan__case_id", "due_on")
    return [
        Event(
            uid=f"follow-up-{pk}",
            summary=_("Follow-up") + f" · {case_ref(case_id)}",
            path=reverse("referrals:follow_up", args=[plan_id]),
            day=day,
        )
        for pk, plan_id, case_id, day in follow_ups
    ]
