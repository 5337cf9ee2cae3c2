"""Reads worth naming: partners, the referrals of a household, the checklist of a case, and
the coordination view (every intervention of a household in one place)."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from cases.models import AssignmentRole, Case
from cases.selectors import household_cases_for_user
from households.models import Household
from outreach.models import Flag
from outreach.selectors import household_open_flags
from referrals.bridge.permissions import follow_up_plans_for_user
from referrals.models import (
    OPEN_REFERRAL_STATUSES,
    ChecklistItem,
    ChecklistStatus,
    Consent,
    FollowUpPlan,
    Partner,
    Referral,
)
from referrals.permissions import partners_for_user, referrals_for_user


def partner_choices(*, user: User, household: Household) -> QuerySet[Partner]:
    """The active partners of the household's organisation that `user` may see."""
    return (
        partners_for_user(user)
        .filter(organisation_id=household.flat.stairwell.estate.organisation_id, active=True)
        .select_related("municipality")
        .order_by("kind", "name")
    )


def partner_list(*, user: User, kind: str = "") -> QuerySet[Partner]:
    partners = partners_for_user(user).select_related("municipality", "organisation")
    if kind:
        partners = partners.filter(kind=kind)
    return partners.order_by("organisation__name", "-active", "kind", "name")


def household_referrals(*, user: User, household: Household) -> QuerySet[Referral]:
    return (
        referrals_for_user(user)
        .filter(household=household)
        .select_related("partner", "resident")
        .order_by("-created_at", "-pk")
    )


def referral_history(*, referral: Referral) -> QuerySet:
    return referral.events.select_related("by").order_by("at", "pk")


def case_checklist(*, case: Case) -> list[ChecklistItem]:
    return list(case.checklist.select_related("updated_by").order_by("section", "pk"))


@dataclass(frozen=True)
class ChecklistProgress:
    done: int = 0
    not_needed: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.done + self.not_needed + self.open

    @property
    def settled(self) -> int:
        return self.done + self.not_needed


def progress_of(items: list[ChecklistItem]) -> ChecklistProgress:
    statuses = [item.status for item in items]
    return ChecklistProgress(
        statuses.count(ChecklistStatus.DONE),
        statuses.count(ChecklistStatus.NOT_NEEDED),
        statuses.count(ChecklistStatus.OPEN),
    )


def checklist_progress(*, case_ids) -> dict[int, ChecklistProgress]:
    """Per case: how many checklist items are done, not needed and still to do (one query)."""
    rows = (
        ChecklistItem.objects.filter(case_id__in=case_ids)
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


@dataclass
class CaseInterventions:
    case: Case
    caseworkers: list[User] = field(default_factory=list)
    bridge_builders: list[User] = field(default_factory=list)
    checklist: ChecklistProgress = ChecklistProgress()
    plan: FollowUpPlan | None = None


@dataclass
class Coordination:
    """Every intervention of one household, as far as `user` may see them."""

    cases: list[CaseInterventions]
    referrals: list[Referral] | None  # None: she may not see referrals
    partners: list[Partner]
    flags: list[Flag] | None  # None: she may not see flags
    can_see_plans: bool
    today: datetime.date
    valid_consents: int | None = None  # None: she may not see consents

    @property
    def open_referrals(self) -> list[Referral]:
        return [r for r in self.referrals or [] if r.status in OPEN_REFERRAL_STATUSES]

    @property
    def quiet(self) -> bool:
        """No open referral, flag, checklist or follow-up plan."""
        return not (
            self.open_referrals
            or self.flags
            or any(row.checklist.total or row.plan for row in self.cases)
        )


def household_coordination(
    *,
    user: User,
    household: Household,
    cases: list[Case] | None = None,
    flags: list[Flag] | None = None,
) -> Coordination:
    """A fixed number of queries, however many cases, referrals and flags the household has.

    `cases` and `flags`: the household's cases and open flags the user may see, already read
    (the household page reads them once for the sections that show them)."""
    if cases is None:
        cases = household_cases_for_user(user=user, household=household)
    by_case = {case.pk: CaseInterventions(case=case) for case in cases}
    for case in cases:
        row = by_case[case.pk]
        for assignment in case.assignments.all():
            if assignment.role == AssignmentRole.BRIDGE_BUILDER:
                row.bridge_builders.append(assignment.user)
            else:
                row.caseworkers.append(assignment.user)
    if by_case and user.has_perm("referrals.view_checklistitem"):
        for case_id, progress in checklist_progress(case_ids=list(by_case)).items():
            by_case[case_id].checklist = progress
    can_see_plans = user.has_perm("referrals.view_followupplan")
    if can_see_plans and by_case:
        plans = (
            follow_up_plans_for_user(user)
            .filter(case_id__in=by_case)
            .select_related("bridge_builder")
            .annotate(next_due=Min("visits__due_on", filter=Q(visits__done_on__isnull=True)))
        )
        for plan in plans:
            by_case[plan.case_id].plan = plan
    referrals = None
    partners: list[Partner] = []
    if user.has_perm("referrals.view_referral"):
        referrals = list(household_referrals(user=user, household=household))
        seen: dict[int, Partner] = {}
        for referral in referrals:
            referral.is_open = referral.status in OPEN_REFERRAL_STATUSES  # type: ignore[attr-defined]
            if referral.is_open:  # type: ignore[attr-defined]
                seen.setdefault(referral.partner_id, referral.partner)
        partners = sorted(seen.values(), key=lambda partner: partner.name)
    if not user.has_perm("outreach.view_flag"):
        flags = None
    elif flags is None:
        flags = list(household_open_flags(user=user, household=household))
    valid_consents = None
    if user.has_perm("referrals.view_consent"):
        valid_consents = Consent.objects.valid().filter(household=household).count()
    return Coordination(
        valid_consents=valid_consents,
        cases=list(by_case.values()),
        referrals=referrals,
        partners=partners,
        flags=flags,
        can_see_plans=can_see_plans,
        today=timezone.localdate(),
    )
