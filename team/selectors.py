"""Reads of the team: its people with their role, estates, projects and caseload; what a
departing colleague has open; who may take it over."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db.models import CharField, Count, Prefetch, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseAssignment, Project, ProjectUserObjectPermission
from cases.stages import OPEN_STAGES
from core.roles import Role
from households.models import (
    Estate,
    EstateUserObjectPermission,
    Household,
    Organisation,
    OrganisationUserObjectPermission,
)
from households.templatetags.people import staff_name
from outreach.models import AwaitedReply, Flag, Meeting
from referrals.models import FollowUpPlan
from team.models import Handover, HandoverKind, Invitation

# The roles a manager gives on the team page; the visitator acts for the municipality.
TEAM_ROLES = (
    Role.CASEWORKER,
    Role.BRIDGE_BUILDER,
    Role.REHOUSING_OFFICER,
    Role.MANAGER,
    Role.CARETAKER,
)
ORGANISATION_CODENAMES = ("staff_of_organisation", "manage_organisation")
ESTATE_CODENAMES = ("work_in_estate", "submit_tip")


def organisation_people(*, organisation: Organisation) -> QuerySet[User]:
    """Everyone given work in the organisation: as its staff or manager, in one of its estates
    or projects (deactivated people too)."""
    on_organisation = OrganisationUserObjectPermission.objects.filter(
        content_object=organisation, permission__codename__in=ORGANISATION_CODENAMES
    ).values("user_id")
    on_estates = EstateUserObjectPermission.objects.filter(
        content_object__organisation=organisation, permission__codename__in=ESTATE_CODENAMES
    ).values("user_id")
    on_projects = ProjectUserObjectPermission.objects.filter(
        content_object__estate__organisation=organisation, permission__codename="work_in_project"
    ).values("user_id")
    return User.objects.filter(
        Q(pk__in=on_organisation) | Q(pk__in=on_estates) | Q(pk__in=on_projects)
    )


def role_of_member(user: User) -> str | None:
    """Her role (the group of genhusning/roles.py she is in); reads prefetched groups."""
    names = {group.name for group in user.groups.all()}
    return next((role for role in Role.values if role in names), None)


def works_for_another_organisation(*, user: User, organisation: Organisation) -> bool:
    """Her role and her account are one for all organisations: a manager of one organisation
    does not change them for another."""
    return (
        OrganisationUserObjectPermission.objects.filter(
            user=user, permission__codename__in=ORGANISATION_CODENAMES
        )
        .exclude(content_object=organisation)
        .exists()
        or EstateUserObjectPermission.objects.filter(
            user=user, permission__codename__in=ESTATE_CODENAMES
        )
        .exclude(content_object__organisation=organisation)
        .exists()
        or ProjectUserObjectPermission.objects.filter(
            user=user, permission__codename="work_in_project"
        )
        .exclude(content_object__estate__organisation=organisation)
        .exists()
    )


def deactivation_refusal(*, organisation: Organisation, user: User, by: User) -> str:
    """Why `by` may not deactivate `user` here ("" if she may)."""
    if user.pk == by.pk:
        return _("You cannot deactivate yourself.")
    if user.is_superuser:
        return _("A system administrator is changed in the administration only.")
    if user.is_active and works_for_another_organisation(user=user, organisation=organisation):
        return _(
            "She also works for another housing organisation; ask an administrator to close "
            "her account."
        )
    return ""


@dataclass
class Member:
    user: User
    role: str | None
    estates: list[Estate] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    open_cases: int = 0
    invitation: Invitation | None = None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role else ""

    @property
    def invitation_expires_at(self) -> datetime | None:
        sent = self.invitation.sent_at if self.invitation else None
        return sent + timedelta(days=settings.INVITATION_DAYS) if sent else None

    @property
    def status(self) -> str:
        """active, invited (link valid), invitation_expired, not_sent or deactivated."""
        if not self.user.is_active:
            return "deactivated"
        invitation = self.invitation
        if invitation is None or invitation.accepted_at is not None:
            return "active"
        expires = self.invitation_expires_at
        if expires is None:
            return "not_sent"
        return "invited" if expires > timezone.now() else "invitation_expired"


def organisation_estates(*, organisation: Organisation) -> list[Estate]:
    return list(Estate.objects.filter(organisation=organisation).order_by("name"))


def organisation_projects(*, organisation: Organisation) -> list[Project]:
    return list(
        Project.objects.filter(estate__organisation=organisation)
        .select_related("estate")
        .order_by("estate__name", "name")
    )


def team_members(*, organisation: Organisation, user_ids: list[int] | None = None) -> list[Member]:
    """The people of the team, active ones first, each with her role, her estates and projects
    in this organisation and her open cases here. Six queries, whatever the team's size."""
    people = organisation_people(organisation=organisation)
    if user_ids is not None:
        people = people.filter(pk__in=user_ids)
    open_here = Q(
        case_assignments__case__stage__in=OPEN_STAGES,
        case_assignments__case__project__estate__organisation=organisation,
    )
    users = list(
        people.filter(is_superuser=False)
        .annotate(open_cases=Count("case_assignments", filter=open_here))
        .select_related("team_invitation")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values).order_by())
        )
    )
    users.sort(key=lambda user: (not user.is_active, staff_name(user).casefold()))
    ids = [user.pk for user in users]
    estates = {estate.pk: estate for estate in organisation_estates(organisation=organisation)}
    projects = {project.pk: project for project in organisation_projects(organisation=organisation)}
    estates_of: dict[int, list[Estate]] = defaultdict(list)
    for user_id, estate_id in (
        EstateUserObjectPermission.objects.filter(
            user_id__in=ids,
            content_object_id__in=estates,
            permission__codename__in=ESTATE_CODENAMES,
        )
        .order_by("content_object__name")
        .values_list("user_id", "content_object_id")
        .distinct()
    ):
        estates_of[user_id].append(estates[estate_id])
    projects_of: dict[int, list[Project]] = defaultdict(list)
    for user_id, project_id in ProjectUserObjectPermission.objects.filter(
        user_id__in=ids, content_object_id__in=projects, permission__codename="work_in_project"
    ).values_list("user_id", "content_object_id"):
        projects_of[user_id].append(projects[project_id])
    return [
        Member(
            user=user,
            role=role_of_member(user),
            estates=estates_of[user.pk],
            projects=sorted(projects_of[user.pk], key=lambda p: (p.estate.name, p.name)),
            open_cases=user.open_cases,  # type: ignore[attr-defined]
            invitation=getattr(user, "team_invitation", None),
        )
        for user in users
    ]


def member_access(*, organisation: Organisation, user: User) -> tuple[list[int], list[int]]:
    """The ids of the estates and projects of `organisation` she works in (for the form)."""
    estates = EstateUserObjectPermission.objects.filter(
        user=user,
        content_object__organisation=organisation,
        permission__codename__in=ESTATE_CODENAMES,
    ).values_list("content_object_id", flat=True)
    projects = ProjectUserObjectPermission.objects.filter(
        user=user,
        content_object__estate__organisation=organisation,
        permission__codename="work_in_project",
    ).values_list("content_object_id", flat=True)
    return sorted(set(estates)), sorted(set(projects))


# --- a handover -------------------------------------------------------------------------------


def handover_querysets(*, organisation: Organisation, user: User) -> dict[str, QuerySet]:
    """Her open work in `organisation`, by kind. An open flag belongs to its household: those of
    the households of her open cases follow the cases (counted, with a history row). A
    door-knock round is not kept (it is made on the spot from a stairwell or from flats chosen
    in the caseload), so there is no round list to move: the new colleague's rounds come from
    the cases she takes over."""
    assignments = CaseAssignment.objects.filter(
        user=user,
        case__stage__in=OPEN_STAGES,
        case__project__estate__organisation=organisation,
    )
    return {
        HandoverKind.CASE: assignments,
        HandoverKind.FOLLOW_UP_PLAN: FollowUpPlan.objects.filter(
            bridge_builder=user,
            closed_on__isnull=True,
            case__project__estate__organisation=organisation,
        ),
        HandoverKind.LETTER: AwaitedReply.objects.filter(
            created_by=user,
            replied_on__isnull=True,
            household__flat__stairwell__estate__organisation=organisation,
        ),
        HandoverKind.MEETING: Meeting.objects.filter(
            created_by=user,
            held_at__gte=timezone.now(),
            project__estate__organisation=organisation,
        ),
        HandoverKind.FLAG: Flag.objects.filter(
            resolved_at__isnull=True, household__in=assignments.values("case__household_id")
        ),
    }


def handover_counts(*, organisation: Organisation, user: User) -> dict[str, int]:
    """How many of each kind she has open (one query)."""
    querysets = handover_querysets(organisation=organisation, user=user)
    counted = [
        queryset.order_by()
        .annotate(handover_kind=Value(str(kind), output_field=CharField()))
        .values_list("handover_kind")
        .annotate(n=Count("pk"))
        for kind, queryset in querysets.items()
    ]
    found = dict(counted[0].union(*counted[1:], all=True))
    return {kind: found.get(kind, 0) for kind in HandoverKind.values}


def handover_recipients(
    *, organisation: Organisation, user: User, counts: dict[str, int]
) -> QuerySet[User]:
    """The active colleagues of the organisation's staff who can take over all of her work:
    a follow-up plan needs a bridge-builder; a case a caseworker or a bridge-builder (as case
    assignments do); letters and meetings anyone of the social or rehousing team."""
    if counts.get(HandoverKind.FOLLOW_UP_PLAN):
        roles: tuple[str, ...] = (Role.BRIDGE_BUILDER,)
    elif counts.get(HandoverKind.CASE):
        roles = (Role.CASEWORKER, Role.BRIDGE_BUILDER)
    else:
        roles = (Role.CASEWORKER, Role.BRIDGE_BUILDER, Role.REHOUSING_OFFICER, Role.MANAGER)
    staff = OrganisationUserObjectPermission.objects.filter(
        content_object=organisation, permission__codename="staff_of_organisation"
    ).values("user_id")
    return (
        User.objects.filter(
            is_active=True, is_superuser=False, pk__in=staff, groups__name__in=roles
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def member_handovers(*, organisation: Organisation, user: User) -> QuerySet[Handover]:
    """The handovers from and to her in this organisation, newest first."""
    return (
        Handover.objects.filter(organisation=organisation)
        .filter(Q(from_user=user) | Q(to_user=user))
        .select_related("from_user", "to_user", "by")
    )


def handover_household_ids(*, handover: Handover) -> list[int]:
    """The households whose cases, plans or letters moved (for the access log; one query)."""
    items = handover.items.all()
    cases = items.filter(kind=HandoverKind.CASE).values("object_id")
    plans = items.filter(kind=HandoverKind.FOLLOW_UP_PLAN).values("object_id")
    letters = items.filter(kind=HandoverKind.LETTER).values("object_id")
    of_cases = Case.objects.filter(Q(pk__in=cases) | Q(follow_up_plan__in=plans))
    of_letters = AwaitedReply.objects.filter(pk__in=letters)
    return list(
        Household.objects.filter(
            Q(pk__in=of_cases.values("household_id")) | Q(pk__in=of_letters.values("household_id"))
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
