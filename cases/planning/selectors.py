"""Reads of a project's life: who still lacks a case, the caseload per person, the timeline."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from cases.models import SCHEDULE_DATE_FIELDS, AssignmentRole, Case, CaseAssignment, Project
from cases.stages import OPEN_STAGES
from core.roles import Role
from households.models import Household, OrganisationUserObjectPermission, Stairwell


def households_without_case(*, project: Project) -> QuerySet[Household]:
    """The households living in the project's affected stairwells now, without a case in it
    (a household added by a later import is one of them until the next opening)."""
    return (
        Household.objects.current()
        .filter(flat__stairwell__in=project.stairwells.all())
        .exclude(cases__project=project)
    )


@dataclass
class StairwellLoad:
    stairwell: Stairwell
    open_cases: int
    without_caseworker: int
    caseworkers: list[str]


def project_caseworkers(*, project: Project) -> QuerySet[User]:
    """The active caseworkers of the project's organisation, who may be given its cases."""
    staff_ids = OrganisationUserObjectPermission.objects.filter(
        content_object_id=project.estate.organisation_id,
        permission__codename="staff_of_organisation",
    ).values("user_id")
    return User.objects.filter(
        is_active=True, pk__in=staff_ids, groups__name=Role.CASEWORKER
    ).order_by("first_name", "last_name", "username")


def _without_caseworker() -> Q:
    return ~Q(
        Exists(CaseAssignment.objects.filter(case=OuterRef("pk"), role=AssignmentRole.CASEWORKER))
    )


def open_cases_without_caseworker(*, project: Project) -> QuerySet[Case]:
    return Case.objects.open().filter(project=project).filter(_without_caseworker())


def stairwell_loads(*, project: Project) -> list[StairwellLoad]:
    """Per affected stairwell: its open cases, how many have no caseworker, and who has them.
    Three queries."""
    counts = {
        row["stairwell"]: row
        for row in Case.objects.open()
        .filter(project=project)
        .values(stairwell=F("household__flat__stairwell"))
        .annotate(n=Count("pk"), free=Count("pk", filter=_without_caseworker()))
    }
    names: dict[int, set[str]] = defaultdict(set)
    for stairwell_id, first, last, username in (
        CaseAssignment.objects.filter(
            case__project=project, case__stage__in=OPEN_STAGES, role=AssignmentRole.CASEWORKER
        )
        .values_list(
            "case__household__flat__stairwell",
            "user__first_name",
            "user__last_name",
            "user__username",
        )
        .distinct()
    ):
        names[stairwell_id].add(f"{first} {last}".strip() or username)
    return [
        StairwellLoad(
            stairwell,
            counts.get(stairwell.pk, {}).get("n", 0),
            counts.get(stairwell.pk, {}).get("free", 0),
            sorted(names[stairwell.pk]),
        )
        for stairwell in project.stairwells.order_by("street", "number", "letter")
    ]


def open_caseloads(*, user_ids: list[int]) -> dict[int, int]:
    """How many open cases each person has now, in every project."""
    return dict(
        CaseAssignment.objects.filter(user_id__in=user_ids, case__stage__in=OPEN_STAGES)
        .values_list("user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


@dataclass
class TimelineCell:
    events: list[str]  # the schedule's dates in the month, by field name
    away: bool  # between move-out and return (or after a permanent move-out)


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def schedule_timeline(*, project: Project) -> tuple[list[date], list[tuple[Stairwell, list]]]:
    """The schedule as months across and stairwells down: the first day of each month, and per
    affected stairwell a cell per month. Two queries."""
    schedules = {row.stairwell_id: row for row in project.schedules.all()}
    days = [
        getattr(row, name)
        for row in schedules.values()
        for name in SCHEDULE_DATE_FIELDS
        if getattr(row, name) is not None
    ]
    if not days:
        return [], []
    months = [_month(min(days))]
    while months[-1] < _month(max(days)):
        months.append(_next_month(months[-1]))
    rows = []
    for stairwell in project.stairwells.order_by("street", "number", "letter"):
        schedule = schedules.get(stairwell.pk)
        cells = []
        for month in months:
            end = _next_month(month)
            events = [
                name
                for name in SCHEDULE_DATE_FIELDS
                if schedule and getattr(schedule, name) and month <= getattr(schedule, name) < end
            ]
            left = schedule.move_out_on if schedule else None
            back = schedule.return_on if schedule else None
            away = left is not None and left < end and (back is None or back >= month)
            cells.append(TimelineCell(events, away))
        rows.append((stairwell, cells))
    return months, rows
