"""Reads worth naming: the caseload, stage counts, who can be assigned."""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice
from typing import Any

from django.contrib.auth.models import User
from django.core.paginator import Page
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.lookups import In

from cases.deadlines import RULES, Rule
from cases.models import (
    Case,
    CaseAssignment,
    DeadlineSettings,
    Project,
    StageChange,
    StairwellSchedule,
)
from cases.stages import OPEN_STAGES, STAGE_ORDER, Stage
from core.db import AnyOf, json_rows
from core.paging import ranked_page
from core.roles import Role
from households.models import (
    Flat,
    Household,
    Organisation,
    OrganisationUserObjectPermission,
    Stairwell,
    VulnerabilityLevel,
    address_text,
)
from households.permissions import estate_access_q, user_grants
from households.selectors import (
    household_display_names,
    household_search,
    resident_names,
    residents_prefetch,
)
from households.templatetags.people import staff_name_text


def assignable_staff(*, case: Case) -> QuerySet:
    """Caseworkers and bridge-builders of the case's organisation not yet on the case."""
    staff_ids = OrganisationUserObjectPermission.objects.filter(
        content_object_id=case.project.estate.organisation_id,
        permission__codename="staff_of_organisation",
    ).values("user_id")
    return (
        User.objects.filter(
            is_active=True,
            pk__in=staff_ids,
            groups__name__in=[Role.CASEWORKER, Role.BRIDGE_BUILDER],
        )
        .exclude(case_assignments__case=case)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def _unless_kept(taking: QuerySet, keep: list[int]) -> Exists:
    """Whether a row of `taking` (correlated to the outer flat) takes the flat, unless it is one
    of the case's own (`keep`). The kept flats are left out inside the subquery, not by an OR
    around it: so PostgreSQL can anti-join the organisation's flats to it (a few ms) instead of
    testing every flat of every organisation against the whole table."""
    return Exists(taking.exclude(In(OuterRef("pk"), keep)) if keep else taking)


def _kept(case: Case) -> list[int]:
    return [pk for pk in (case.temporary_flat_id, case.permanent_flat_id) if pk]


def available_flats(*, case: Case) -> QuerySet[Flat]:
    """Flats of the case's organisation it can move to: nobody lives there, no other case uses them.

    The flats the case already has stay on the list, so editing never silently drops them.
    """
    keep = _kept(case)
    others = Case.objects.exclude(pk=case.pk)
    occupied = Household.objects.current().filter(flat=OuterRef("pk"))
    # A temporary flat is free again when its case is over; a permanent one became a home.
    temporary = others.open().filter(temporary_flat=OuterRef("pk"))
    permanent = others.exclude(stage=Stage.ENDED).filter(permanent_flat=OuterRef("pk"))
    return (
        Flat.objects.filter(stairwell__estate__organisation=case.project.estate.organisation_id)
        .filter(
            ~_unless_kept(occupied, keep),
            ~_unless_kept(temporary, keep),
            ~_unless_kept(permanent, keep),
        )
        .exclude(pk=case.household.flat_id)
        .select_related("stairwell__estate")
        .order_by(
            "stairwell__estate__name", "stairwell__street", "stairwell__number", "floor", "door"
        )
    )


def destination_flats(*, case: Case, today: date) -> QuerySet[Flat]:
    """The flats the case may be given as a temporary or permanent home: available_flats, less
    the stairwells being emptied (a running project's schedule that has not yet brought its
    residents home). The flats the case already has stay, as there."""
    emptied = StairwellSchedule.objects.filter(
        Q(project__ends_on__isnull=True) | Q(project__ends_on__gte=today),
        Q(return_on__isnull=True) | Q(return_on__gt=today),
        stairwell=OuterRef("stairwell"),
    )
    return available_flats(case=case).filter(~_unless_kept(emptied, _kept(case)))


def household_cases_for_user(*, user: User, household: Household) -> list[Case]:
    """The household's cases `user` may see, newest first, with what the household page's three
    sections of them show (its cases, where it lives, the interventions): the project, the
    flats, the staff. Two queries, read once for the three; each case gets `household`, the
    one passed in (its flat and residents loaded already)."""
    cases = list(
        Case.objects.for_user(user)
        .filter(household=household)
        .select_related("project", "temporary_flat__stairwell", "permanent_flat__stairwell")
        .prefetch_related(
            Prefetch("assignments", queryset=CaseAssignment.objects.select_related("user"))
        )
        .order_by("-opened_at", "-pk")
    )
    for case in cases:
        case.household = household
    return cases


def case_list_related(queryset: QuerySet[Case]) -> QuerySet[Case]:
    """What a list of cases shows: household, residents, flat, project, responsible staff."""
    return queryset.select_related(
        "project__estate", "household__flat__stairwell"
    ).prefetch_related(
        residents_prefetch("household__residents"),
        Prefetch("assignments", queryset=CaseAssignment.objects.select_related("user")),
    )


@dataclass(frozen=True)
class CaseloadFlagFilter:
    """The caseload's "has flag" filter. Flags are outreach's, above cases: it adds this from
    OutreachConfig.ready (caseload_flag_filter_add); without it the filter offers nothing."""

    kinds: Callable[[], list[tuple[str, Any]]]  # (kind, label)
    # The open flags of the case's household (OuterRef("household")): of a kind, or "any".
    open_flags: Callable[[str], QuerySet]


CASELOAD_FLAG_FILTERS: list[CaseloadFlagFilter] = []


def caseload_flag_filter_add(flag_filter: CaseloadFlagFilter) -> None:
    if flag_filter not in CASELOAD_FLAG_FILTERS:
        CASELOAD_FLAG_FILTERS.append(flag_filter)


def caseload_flag_choices() -> list[tuple[str, Any]]:
    """The kinds of flag the caseload filters by."""
    return [kind for flag_filter in CASELOAD_FLAG_FILTERS for kind in flag_filter.kinds()]


@dataclass(frozen=True)
class CaseloadFilters:
    scope: str = "all"  # "mine" or "all"
    q: str = ""
    estate: int | None = None
    project: int | None = None
    stage: str = "open"  # a stage, "open" or "all"
    vulnerability: str = ""
    staff: int | None = None
    flag: str = ""  # "", "any" (any open flag) or a flag kind


def caseload_cases(*, user: User, filters: CaseloadFilters) -> QuerySet[Case]:
    """The caseload's cases, filtered, in no order and without the stairwell schedule (whose
    join through every case's household and flat only the sort's second key needs)."""
    cases = Case.objects.for_user(user).with_vulnerability()
    if filters.scope == "mine":
        cases = cases.filter(assignments__user=user)
    if filters.stage == "open":
        cases = cases.open()
    elif filters.stage in Stage.values:
        cases = cases.filter(stage=filters.stage)
    if filters.estate:
        cases = cases.filter(project__estate_id=filters.estate)
    if filters.project:
        cases = cases.filter(project_id=filters.project)
    if filters.vulnerability:
        cases = cases.filter(vulnerability=filters.vulnerability)  # type: ignore[misc]
    if filters.staff:
        cases = cases.filter(assignments__user_id=filters.staff)
    if filters.flag:
        for flag_filter in CASELOAD_FLAG_FILTERS:
            cases = cases.filter(Exists(flag_filter.open_flags(filters.flag)))
    return household_search(cases, filters.q, to_household="household")


# The next step's date first, then the move-out (the case's own, else its stairwell's schedule).
CASELOAD_ORDER = (
    F("next_step_on").asc(nulls_last=True),
    F("effective_move_out_on").asc(nulls_last=True),
    "pk",
)


# The columns a row of the list shows (cases/templatetags/caseload.py), of the case and of what
# it joins: a page's fifty rows of five models, and their residents, are made from these alone.
CASELOAD_FIELDS = (
    "household__flat__floor",
    "household__flat__door",
    "household__flat__stairwell__street",
    "household__flat__stairwell__number",
    "household__flat__stairwell__letter",
    "project__name",
    "stage",
    "next_step",
    "next_step_on",
)


@functools.cache
def _caseload_staff() -> Subquery:
    """caseload_ordered's staff column, built once (the same for every list; each query that
    uses it resolves a copy): it costs more to build than to run."""
    return json_rows(
        CaseAssignment.objects.filter(case_id=OuterRef("pk")),
        "case_id",
        ("user_id", "user__first_name", "user__last_name", "user__username"),
        ("role", "assigned_at"),  # CaseAssignment's ordering
    )


def caseload_ordered(cases: QuerySet[Case]) -> QuerySet[Case]:
    """`caseload_cases` in the caseload's order, with what the list shows: the household and its
    flat, the project (not its estate); the residents' names (`resident_rows`: households.
    selectors.resident_names, for household_name_of) and the staff (`staff_rows`: [user id,
    first name, last name, username], in the assignments' order) as two JSON columns of the same
    query. Not as prefetches: those cost two queries more and a model instance a resident and
    two an assignment (~200 a page of 50)."""
    return (
        cases.with_schedule()  # type: ignore[attr-defined]
        .order_by(*CASELOAD_ORDER)
        .select_related("project", "household__flat__stairwell")
        .only(*CASELOAD_FIELDS)
        .annotate(resident_rows=resident_names(), staff_rows=_caseload_staff())
    )


def caseload(*, user: User, filters: CaseloadFilters) -> QuerySet[Case]:
    return caseload_ordered(caseload_cases(user=user, filters=filters))


def caseload_page(cases: QuerySet[Case], number, per_page: int) -> Page:
    """Page `number` of the caseload (`cases`: `caseload_cases`), in two queries (and the
    prefetches). The sort's first key, the next step's date, is the case's own column; only its
    ties are ordered by the move-out, which needs each case's household, flat and stairwell
    schedule: ranked_page joins those for the page's cases and their ties alone."""
    return ranked_page(
        cases,
        number,
        per_page,
        leading=F("next_step_on").asc(nulls_last=True),
        read=lambda keys: caseload_ordered(Case.objects.filter(pk__in=keys).with_vulnerability()),
        whole=lambda: caseload_ordered(cases),
    )


EXPORT_CHUNK = 2000


def caseload_export_rows(cases: QuerySet[Case], *, chunk: int = EXPORT_CHUNK) -> Iterator[list]:
    """The caseload export's rows, read `chunk` cases at a time as the file is written.

    Plain values, no model instances (a manager exports ten thousand cases): one query of the
    cases' columns through a server-side cursor, and per chunk one query of the households'
    residents and one of the staff. The labels are translated here, once, in the request's
    language (the rows are read after the view has returned).
    """
    stages = {value: str(label) for value, label in Stage.choices}
    levels = {value: str(label) for value, label in VulnerabilityLevel.choices}
    columns = cases.prefetch_related(None).values_list(  # type: ignore[misc]
        "pk",
        "household_id",
        "household__flat__stairwell__street",
        "household__flat__stairwell__number",
        "household__flat__stairwell__letter",
        "household__flat__floor",
        "household__flat__door",
        "household__flat__stairwell__postcode",
        "project__estate__name",
        "project__name",
        "stage",
        "vulnerability",
        "next_step_on",
        "next_step",
        "effective_move_out_on",
    )

    def rows() -> Iterator[list]:
        found = columns.iterator(chunk_size=chunk)
        while batch := list(islice(found, chunk)):
            names = household_display_names({row[1] for row in batch})
            staff: dict[int, list[str]] = defaultdict(list)
            assignments = (
                CaseAssignment.objects.filter(case_id__in=[row[0] for row in batch])
                .order_by("case_id", "role", "assigned_at")
                .values_list("case_id", "user__first_name", "user__last_name", "user__username")
            )
            for case_id, first_name, last_name, username in assignments:
                # staff_name(): her full name, her username if she has none
                staff[case_id].append(f"{first_name} {last_name}".strip() or username)
            for (
                pk,
                household_id,
                street,
                number,
                letter,
                floor,
                door,
                postcode,
                estate,
                project,
                stage,
                vulnerability,
                next_step_on,
                next_step,
                move_out_on,
            ) in batch:
                yield [
                    names[household_id],
                    address_text(street, f"{number}{letter}", floor, door),
                    postcode,
                    estate,
                    project,
                    stages[stage],
                    levels[vulnerability] if vulnerability else "",
                    next_step_on,
                    next_step,
                    move_out_on,
                    ", ".join(staff[pk]),
                ]

    return rows()


def caseload_filter_options(*, user: User) -> dict[str, list[tuple[int, str]]]:
    """The projects, estates and staff a user can filter her caseload by, as (id, label) pairs
    (two queries, read as plain values: no model instance for each of the staff).

    Neither reads her cases (a manager sees tens of thousands): the projects are those whose
    cases she sees by her grants (estates, organisations, projects, and the projects of cases
    granted to her alone), the staff the caseworkers and bridge-builders of their organisations,
    as `assignable_staff` offers them.
    """
    if not (user.is_active and user.has_perm("cases.view_case")):
        return {"projects": [], "estates": [], "staff": []}
    visible = Project.objects.all()
    if not user.is_superuser:
        grants = user_grants(user)
        visible = visible.filter(
            estate_access_q(user, "estate")
            | Q(pk__in=grants.projects)
            | Q(pk__in=Case.objects.filter(pk__in=grants.cases).values("project_id"))
        )
    # What the filter's choices show, of the projects, their estates and the staff
    projects = list(
        visible.order_by("name").values_list(
            "pk", "name", "estate_id", "estate__name", "estate__organisation_id"
        )
    )
    estates = sorted({(row[2], row[3], row[4]) for row in projects}, key=lambda row: row[1])
    staff_ids = OrganisationUserObjectPermission.objects.filter(
        content_object_id__in={organisation_id for _pk, _name, organisation_id in estates},
        permission__codename="staff_of_organisation",
    ).values("user_id")
    staff = (
        User.objects.filter(
            is_active=True,
            pk__in=staff_ids,
            groups__name__in=[Role.CASEWORKER, Role.BRIDGE_BUILDER],
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    return {
        "projects": [(pk, name) for pk, name, *_estate in projects],
        "estates": [(pk, name) for pk, name, _organisation_id in estates],
        "staff": [(pk, staff_name_text(*name)) for pk, *name in staff],
    }


def has_assigned_cases(*, user: User) -> bool:
    return CaseAssignment.objects.filter(user=user, case__stage__in=OPEN_STAGES).exists()


def case_stage_history(*, case: Case) -> QuerySet[StageChange]:
    return case.stage_changes.select_related("changed_by")


@dataclass
class StairwellRow:
    stairwell: Stairwell
    schedule: object | None
    counts: list[int]
    total: int
    round_url: str = ""  # the door-knock round of the stairwell, for those who may knock


def project_stage_table(*, project: Project) -> tuple[list[Stage], list[StairwellRow], list[int]]:
    """Per stairwell of the project: its schedule and how many cases are in each stage.

    Returns the stages shown (those with cases, in stage order), one row per stairwell, and the
    column totals. Three queries, whatever the size of the project.
    """
    counts = (
        Case.objects.filter(project=project)
        .values("household__flat__stairwell_id", "stage")
        .annotate(n=Count("pk"))
    )
    by_stairwell: dict[int, dict[str, int]] = defaultdict(dict)
    for row in counts:
        by_stairwell[row["household__flat__stairwell_id"]][row["stage"]] = row["n"]
    present = {stage for stages in by_stairwell.values() for stage in stages}
    stages = [Stage(stage) for stage in STAGE_ORDER if stage in present]

    schedules = {schedule.stairwell_id: schedule for schedule in project.schedules.all()}
    stairwell_ids = sorted(set(schedules) | set(by_stairwell))
    stairwells = Stairwell.objects.filter(AnyOf(F("pk"), Value(stairwell_ids))).order_by(
        "street", "number", "letter"
    )
    rows = []
    for stairwell in stairwells:
        stage_counts = [by_stairwell[stairwell.pk].get(stage, 0) for stage in stages]
        rows.append(
            StairwellRow(stairwell, schedules.get(stairwell.pk), stage_counts, sum(stage_counts))
        )
    totals = [sum(row.counts[index] for row in rows) for index in range(len(stages))]
    return stages, rows, totals


@dataclass
class DeadlineRuleRow:
    rule: Rule
    law: int | None  # the law's period (None: a condition, or the project's own)
    own: int | None  # the organisation's value (None: the law's)


def deadline_rules_for(*, organisation: Organisation) -> tuple[list[DeadlineRuleRow], int]:
    """Every rule with the law's period and the organisation's own, and the settings' version
    for the edit form (1 when the organisation has set nothing yet)."""
    settings = DeadlineSettings.objects.filter(organisation=organisation).first()
    rows = [
        DeadlineRuleRow(
            rule=rule,
            law=rule.default,
            own=getattr(settings, rule.setting) if settings and rule.setting else None,
        )
        for rule in RULES
    ]
    return rows, settings.version if settings else 1
