"""The numbers and lists of the reports: one set of building blocks over any set of cases.

Every block is an aggregate query or one list query, so a report costs the same number of
queries for ten households as for ten thousand. Lists show flat addresses; names only when the
report is named, and never a social note, a vulnerability factor or an observation.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import cast

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.economy.selectors import Budget, project_budget
from cases.models import Case, CaseQuerySet, Project, StageChange
from cases.stages import OPEN_STAGES, STAGE_ORDER, Stage
from core.db import count_of
from households.models import Estate, Organisation, Stairwell
from households.selectors import residents_prefetch
from outreach.models import DEFAULT_THRESHOLDS, Channel, Contact, Flag, FlagKind, Invitation
from referrals.models import FollowUpVisit, Referral, ReferralStatus
from reports.permissions import ReportScope

WEEKS = 12
MONTHS = 6
MEETINGS = 8
FOLLOW_UP_HORIZON_DAYS = 14

# The steps of the funnel, and the stages that count as having reached each (DOMAIN.md).
FUNNEL_RANK: dict[str, int] = {
    Stage.IDENTIFIED: 0,
    Stage.NOTIFIED: 1,
    Stage.PACKING: 2,
    Stage.TEMPORARY: 3,
    Stage.MOVED_PERMANENTLY: 3,
    Stage.RETURN_NOTIFIED: 3,
    Stage.PACKING_RETURN: 3,
    Stage.RETURNED: 4,
    Stage.REESTABLISHED: 4,
    Stage.FOLLOW_UP: 4,
    Stage.CLOSED: 5,
}


def funnel_steps() -> list[str]:
    return [
        _("Identified"),
        _("Notified"),
        _("Packing"),
        _("Moved out"),
        _("Home again or settled"),
        _("Closed"),
    ]


@dataclass
class GroupRow:
    """One stairwell (or estate) and how many of its cases are in each stage."""

    name: str
    counts: list[int]
    total: int


@dataclass
class HouseholdRow:
    """One household in a list of the report: its flat, and its name only in a named report."""

    household_id: int
    address: str
    stage: str
    name: str = ""
    date: datetime.date | None = None
    attempts: int = 0
    detail: str = ""


# A list longer than this (an organisation's thousands of households) is printed compactly: one
# paragraph per stairwell (or per day), the households in it one after another, instead of a
# table row each. The same facts; a fraction of the boxes to lay out.
LONG_LIST = 400


@dataclass
class CompactGroup:
    heading: str
    text: str


def compact_rows(
    rows: list[HouseholdRow],
    *,
    named: bool,
    date_label: str,
    by_date: bool = False,
    attempts: bool = False,
    detail: bool = False,
) -> list[CompactGroup]:
    """The rows of a long list as paragraphs: per stairwell in address order, or per day (the
    follow-ups, in date order). Each household: its flat (and name), stage, date and the rest."""
    never = _("never")
    groups: list[CompactGroup] = []
    heading: str | None = None
    items: list[str] = []
    for row in rows:
        stairwell, _comma, unit = row.address.partition(", ")
        day = row.date.strftime("%d.%m.%Y") if row.date else never
        key = day if by_date else stairwell
        parts = [row.address if by_date else (unit or stairwell)]
        if named:
            parts[0] += f" ({row.name})"
        facts = [row.stage]
        if detail:
            facts.append(row.detail)
        if not by_date:
            facts.append(f"{date_label.lower()} {day}")
        if attempts:
            facts.append(_("%(count)s attempts") % {"count": row.attempts})
        item = f"{parts[0]}: {', '.join(facts)}"
        if key != heading:
            if heading is not None:
                groups.append(CompactGroup(heading, "; ".join(items)))
            heading, items = key, []
        items.append(item)
    if heading is not None:
        groups.append(CompactGroup(heading, "; ".join(items)))
    return groups


# A list of the printed report (reports/includes/household_rows.html) puts a household's date, its
# attempts and its stage in one cell as one text, a tab between them: the CSS tab stops (td.facts,
# static/css/pdf.css) set each under its header. One text box instead of three: the PDF's cost is
# per box (bench/README.md, issue 19). The stage, the one field of varying width, comes last: a
# field before a tab has the same width in every row (a date, a number padded with figure spaces),
# so every row's tab is as long (WeasyPrint draws a tab's advance a little longer than Pango lays
# it out, 1024/1000: equal tabs keep the columns straight).
TAB = "\t"
FIGURE_SPACE = "\u2007"  # as wide as a digit: numbers padded with it line up on the right


@dataclass
class ListRow:
    row: HouseholdRow
    facts: str


def count_width(columns: int, *, largest: int = 0, page: int = 72) -> int:
    """How many digits wide a column of counts is: as wide as `page` digits allow (the width
    left beside the first column, at the table's font), at least 5 and a digit more than the
    largest count has (a blank between two counts), at most 12."""
    return min(12, max(5, len(str(largest)) + 1, page // max(columns, 1)))


def count_runs(rows: list[list[int]], width: int) -> list[str]:
    """Each row's counts as one text: each count right-aligned in a field of `width` digits
    (padded with figure spaces; a zero is a blank field), under columns as wide (`ch`, the width
    of a digit: static/css/pdf.css). One text box a row instead of one a count."""
    return [
        "".join((str(count) if count else "").rjust(width, FIGURE_SPACE) for count in counts)
        for counts in rows
    ]


def list_rows(rows: list[HouseholdRow], *, attempts: bool = False) -> list[ListRow]:
    """Each household's date, attempts and stage as one text, apart by tabs."""
    never = _("never")
    digits = max((len(str(row.attempts)) for row in rows), default=1) if attempts else 0
    listed = []
    for row in rows:
        fields = [row.date.strftime("%d.%m.%Y") if row.date else never]
        if attempts:
            fields.append(str(row.attempts).rjust(digits, FIGURE_SPACE))
        fields.append(row.stage)
        listed.append(ListRow(row, TAB.join(fields)))
    return listed


@dataclass
class Outreach:
    attempts: int = 0
    reached: int = 0
    door_knocks: int = 0
    meetings: int = 0
    invited: int = 0
    attended: int = 0

    @property
    def attendance_rate(self) -> int | None:
        return round(100 * self.attended / self.invited) if self.invited else None


@dataclass
class Report:
    title: str
    subject: str
    organisation: str
    kind: str
    named: bool
    printed_at: datetime.datetime
    since: datetime.date
    case_total: int = 0
    open_total: int = 0
    # The cases' households for report_is_large: exact in a project (one case a household) and
    # above REPORT_ASYNC_HOUSEHOLDS cases; under that, the number of cases (no fewer).
    household_total: int = 0
    group_label: str = ""
    stages: list[Stage] = field(default_factory=list)
    groups: list[GroupRow] = field(default_factory=list)
    stage_totals: list[int] = field(default_factory=list)
    funnel: list[tuple[str, int]] = field(default_factory=list)
    months: list[datetime.date] = field(default_factory=list)
    over_time: list[tuple[str, list[int]]] = field(default_factory=list)
    flags: list[tuple[str, int]] = field(default_factory=list)
    no_contact_days: int = DEFAULT_THRESHOLDS["no_contact_days"]
    not_reached: list[HouseholdRow] = field(default_factory=list)
    not_reached_count: int = 0
    packing_window_days: int = DEFAULT_THRESHOLDS["packing_window_days"]
    packing_late: list[HouseholdRow] = field(default_factory=list)
    packing_late_count: int = 0
    outreach: Outreach = field(default_factory=Outreach)
    weeks: list[tuple[str, int, int]] = field(default_factory=list)
    meetings: list[tuple[str, int, int]] = field(default_factory=list)
    referrals: list[tuple[str, int]] = field(default_factory=list)
    referral_total: int = 0
    follow_ups: list[HouseholdRow] = field(default_factory=list)
    follow_ups_overdue: int = 0
    budget: Budget | None = None  # a project's, for a reader who may see it

    @property
    def household_ids(self) -> list[int]:
        """Every household the lists show (the named report logs one row for each)."""
        rows = self.not_reached + self.packing_late + self.follow_ups
        return sorted({row.household_id for row in rows})


def _month_ends(today: datetime.date, months: int) -> list[datetime.date]:
    """The last day of each of the `months` months up to today's (today for this month)."""
    ends = [today]
    first = today.replace(day=1)
    for _index in range(months - 1):
        first_of_previous = (first - datetime.timedelta(days=1)).replace(day=1)
        ends.append(first - datetime.timedelta(days=1))
        first = first_of_previous
    return list(reversed(ends))


def _stages_by_group(
    cases: QuerySet[Case], by_estate: bool, **extra: Count
) -> tuple[list, list, list, dict[str, int]]:
    """The cases by group (stairwell or estate) and stage, and the sums of the `extra` counts
    over all the groups: a case is in one group and one stage, so a count of cases summed over
    the groups is the count over all of them, without a pass of its own."""
    key = "project__estate_id" if by_estate else "household__flat__stairwell_id"
    counts = cases.order_by().values(key, "stage").annotate(n=Count("pk", distinct=True), **extra)
    by_group: dict[int, dict[str, int]] = defaultdict(dict)
    sums = dict.fromkeys(extra, 0)
    for row in counts:
        by_group[row[key]][row["stage"]] = row["n"]
        for name in extra:
            sums[name] += row[name]
    present = {stage for stages in by_group.values() for stage in stages}
    stages = [Stage(stage) for stage in STAGE_ORDER if stage in present]
    if by_estate:
        names = {estate.pk: estate.name for estate in Estate.objects.filter(pk__in=by_group)}
    else:
        names = {
            stairwell.pk: str(stairwell)
            for stairwell in Stairwell.objects.filter(pk__in=by_group).order_by(
                "street", "number", "letter"
            )
        }
    groups = []
    for pk, name in sorted(names.items(), key=lambda item: _natural(item[1])):
        row = [by_group[pk].get(stage, 0) for stage in stages]
        groups.append(GroupRow(name, row, sum(row)))
    totals = [sum(group.counts[index] for group in groups) for index in range(len(stages))]
    return stages, groups, totals, sums


def _natural(name: str) -> tuple:
    street, _space, rest = name.rpartition(" ")
    digits = "".join(ch for ch in rest if ch.isdigit())
    return (street, int(digits) if digits else 0, rest) if street else (name, 0, "")


def _history(cases: QuerySet[Case], months: list[datetime.date]):
    """The funnel (the furthest step each case reached) and the stages at each month's end.

    Counted by the database in one query over the cases' stage changes: each change holds from
    its time until the case's next one (by time, then id); a case is at a month's end in the
    stage of the change that holds then. The changes themselves never reach Python (thousands
    of rows for a project of thousands of cases).
    """
    ends = [
        timezone.make_aware(datetime.datetime.combine(end, datetime.time.max)) for end in months
    ]
    try:
        case_sql, case_params = cases.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # no case (`pk IN ()`): nothing to count
        case_sql, case_params = "SELECT NULL::bigint WHERE false", ()
    ranks = " ".join("WHEN %s THEN %s" for _stage in FUNNEL_RANK)
    rank_params = [value for item in FUNNEL_RANK.items() for value in item]
    sql = f"""
        WITH change AS (
            SELECT case_id, to_stage, changed_at,
                   LEAD(changed_at) OVER (PARTITION BY case_id ORDER BY changed_at, id) AS until
            FROM {StageChange._meta.db_table}
            WHERE case_id IN ({case_sql})
        )
        SELECT false, month.number, change.to_stage, COUNT(*)
        FROM change
        JOIN UNNEST(%s::timestamptz[]) WITH ORDINALITY AS month(ends_at, number)
          ON change.changed_at <= month.ends_at
         AND (change.until IS NULL OR change.until > month.ends_at)
        WHERE change.to_stage <> ''
        GROUP BY month.number, change.to_stage
        UNION ALL
        SELECT true, furthest.rank, NULL, COUNT(*)
        FROM (
            SELECT MAX(CASE to_stage {ranks} ELSE 0 END) AS rank FROM change GROUP BY case_id
        ) AS furthest
        GROUP BY furthest.rank
    """  # noqa: S608 - the cases' SQL is compiled by the ORM; every value is a parameter
    furthest: Counter[int] = Counter()
    at_month: list[Counter[str]] = [Counter() for _end in months]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*case_params, ends, *rank_params])
        for is_rank, key, stage, count in cursor.fetchall():
            if is_rank:
                furthest[key] = count
            else:
                at_month[key - 1][stage] = count
    steps = funnel_steps()
    funnel = [
        (step, sum(furthest[r] for r in range(rank, len(steps)))) for rank, step in enumerate(steps)
    ]
    present = {stage for counter in at_month for stage in counter}
    over_time = [
        (str(Stage(stage).label), [counter.get(stage, 0) for counter in at_month])
        for stage in STAGE_ORDER
        if stage in present
    ]
    return funnel, over_time


def _household_rows(cases: QuerySet[Case], named: bool) -> QuerySet[Case]:
    cases = cases.select_related("household__flat__stairwell").order_by(
        "household__flat__stairwell__street",
        "household__flat__stairwell__number",
        "household__flat__stairwell__letter",
        "household__flat__floor",
        "household__flat__door",
        "pk",
    )
    if named:
        cases = cases.prefetch_related(residents_prefetch("household__residents"))
    return cases


def _stage_labels() -> dict[str, str]:
    """Translated once a list: get_stage_display() costs most of a millisecond a row (the lazy
    label is hashed and translated again for every row of thousands)."""
    return {value: str(label) for value, label in Stage.choices}


def _row(case: Case, named: bool, labels: dict[str, str], **values) -> HouseholdRow:
    return HouseholdRow(
        household_id=case.household_id,
        address=case.household.flat.address,
        stage=labels[case.stage],
        name=case.household.display_name() if named else "",
        **values,
    )


def _not_reached_q(days: int) -> Q:
    """An open case whose household nobody has reached for `days` days."""
    since = timezone.now() - datetime.timedelta(days=days)
    reached = Contact.objects.filter(household=OuterRef("household"), reached=True)
    return Q(stage__in=OPEN_STAGES) & ~Q(Exists(reached.filter(occurred_at__gte=since)))


def _not_reached_cases(cases, days: int):
    return cases.filter(_not_reached_q(days))


def _not_reached(cases, named: bool) -> list[HouseholdRow]:
    # Per case, through the contacts' household index: no join and GROUP BY of every contact
    # of thousands of households (three seconds for an organisation).
    contacts = Contact.objects.filter(household=OuterRef("household_id")).order_by()
    rows = cases.annotate(
        last_reached=Subquery(
            contacts.filter(reached=True).order_by("-occurred_at").values("occurred_at")[:1]
        ),
        attempts=count_of(contacts),
    )
    labels = _stage_labels()
    found = []
    for case in _household_rows(rows, named):
        last = case.last_reached  # type: ignore[attr-defined]
        attempts = case.attempts  # type: ignore[attr-defined]
        day = timezone.localdate(last) if last else None
        found.append(_row(case, named, labels, date=day, attempts=attempts))
    return found


def _packing_late_q(days: int, today: datetime.date) -> Q:
    """Move-out within `days` days, and the case is not packing yet (with_schedule's dates)."""
    return Q(stage__in=[Stage.IDENTIFIED, Stage.NOTIFIED]) & Q(
        effective_move_out_on__lte=today + datetime.timedelta(days=days)
    )


def _packing_late_cases(cases, days: int, today: datetime.date):
    return cases.with_schedule().filter(_packing_late_q(days, today))


def _packing_late(cases, named: bool) -> list[HouseholdRow]:
    labels = _stage_labels()
    found = []
    for case in _household_rows(cases, named):
        move_out = case.effective_move_out_on  # type: ignore[attr-defined]
        found.append(_row(case, named, labels, date=move_out))
    return found


def _follow_ups(cases, named: bool, today: datetime.date) -> list[HouseholdRow]:
    """Next steps, referral follow-ups and bridge-building contacts due within two weeks.

    Only what kind of follow-up it is, never its free text: a next step may say anything.
    """
    horizon = today + datetime.timedelta(days=FOLLOW_UP_HORIZON_DAYS)
    open_cases = cases.open()
    steps = _household_rows(open_cases.filter(next_step_on__lte=horizon), named)
    labels = _stage_labels()
    next_step = _("Next step")
    rows = [_row(case, named, labels, date=case.next_step_on, detail=next_step) for case in steps]
    case_by_household = {
        case.household_id: case
        for case in _household_rows(
            cases.filter(
                Q(household__referrals__follow_up_on__lte=horizon)
                | Q(follow_up_plan__visits__due_on__lte=horizon)
            ).distinct(),
            named,
        )
    }
    referral_dates = (
        Referral.objects.open()
        .filter(household_id__in=case_by_household, follow_up_on__lte=horizon)
        .values_list("household_id", "follow_up_on")
    )
    for household_id, day in referral_dates:
        case = case_by_household[household_id]
        rows.append(_row(case, named, labels, date=day, detail=_("Follow-up on a referral")))
    visit_dates = FollowUpVisit.objects.filter(
        plan__case__in=cases,
        done_on__isnull=True,
        due_on__lte=horizon,
        plan__closed_on__isnull=True,
    ).values_list("plan__case__household_id", "due_on")
    for household_id, day in visit_dates:
        if household_id in case_by_household:
            case = case_by_household[household_id]
            rows.append(_row(case, named, labels, date=day, detail=_("Bridge-building contact")))
    rows.sort(key=lambda row: (row.date or today, row.address))
    return rows


def _outreach(cases, since: datetime.date, today: datetime.date):
    households = cases.values("household_id")
    start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
    contacts = Contact.objects.filter(household_id__in=households, occurred_at__gte=start)
    # The weeks' counts, and the totals as their sums: one pass over the contacts, not two.
    week_rows = list(
        contacts.annotate(week=TruncWeek("occurred_at"))
        .values("week")
        .annotate(
            attempts=Count("pk"),
            reached=Count("pk", filter=Q(reached=True)),
            door_knocks=Count("pk", filter=Q(channel=Channel.DOOR_KNOCK)),
        )
    )
    totals = {
        name: sum(row[name] for row in week_rows) for name in ("attempts", "reached", "door_knocks")
    }
    per_week = {
        timezone.localdate(row["week"])
        if isinstance(row["week"], datetime.datetime)
        else row["week"]: row
        for row in week_rows
    }
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = []
    for back in range(WEEKS - 1, -1, -1):
        week = monday - datetime.timedelta(weeks=back)
        row = per_week.get(week, {})
        weeks.append(
            (
                _("wk %(week)s") % {"week": week.isocalendar()[1]},
                row.get("attempts", 0),
                row.get("reached", 0),
            )
        )
    invitations = (
        Invitation.objects.filter(
            household_id__in=households,
            meeting__held_at__lte=timezone.now(),
            invited=True,
        )
        .values("meeting_id", "meeting__held_at", "meeting__topic")
        .annotate(invited=Count("pk"), attended=Count("pk", filter=Q(attended=True)))
        .order_by("-meeting__held_at")[:MEETINGS]
    )
    meetings = []
    for row in reversed(invitations):
        held = timezone.localtime(row["meeting__held_at"])
        label = f"{held:%d.%m.%y} {row['meeting__topic']}"  # whole: the chart wraps it
        meetings.append((label, row["invited"], row["attended"]))
    outreach = Outreach(
        attempts=totals["attempts"],
        reached=totals["reached"],
        door_knocks=totals["door_knocks"],
        meetings=len(meetings),
        invited=sum(invited for _label, invited, _attended in meetings),
        attended=sum(attended for _label, _invited, attended in meetings),
    )
    return outreach, weeks, meetings


def report_subject(scope: ReportScope) -> tuple[str, str]:
    """The report's title and what it is about, in the reader's language."""
    target = scope.target
    if isinstance(target, Organisation):
        return _("Organisation report"), target.name
    if isinstance(target, Estate):
        return _("Estate report"), f"{target.name} ({_('estate')} {target.number})"
    if isinstance(target, Project):
        return _("Project status report"), f"{target.name} · {target.estate.name}"
    name = target.get_full_name() or target.get_username()
    return _("Caseload report"), name


def report_build(
    *,
    scope: ReportScope,
    cases: QuerySet[Case],
    named: bool,
    today: datetime.date | None = None,
    lists: bool = True,
    user=None,
) -> Report:
    """Every section of a status report over `cases` (already limited to what the reader sees).

    Without `lists` (the page), the lists of households are only counted.
    """
    today = today or timezone.localdate()
    since = today - datetime.timedelta(weeks=WEEKS)
    if lists:
        # The visible cases' ids once, as a list: behind `pk IN (subquery)` the planner
        # estimated 36 of 300 cases and joined all 58,700 cases to households, flats and
        # stairwells before the subquery cut them down (0.2-0.35 s for each list at 50,000
        # households); with the ids it reads just these cases by their index.
        cases = Case.objects.filter(pk__in=list(cases.order_by().values_list("pk", flat=True)))
    title, subject = report_subject(scope)
    thresholds = dict(DEFAULT_THRESHOLDS)
    if scope.kind == "project":
        from outreach.scan import project_thresholds

        thresholds = project_thresholds(project=scope.target)  # type: ignore[arg-type]
    report = Report(
        title=title,
        subject=subject,
        organisation=scope.organisation.name,
        kind=scope.kind,
        named=named,
        printed_at=timezone.localtime(),
        since=since,
        no_contact_days=thresholds["no_contact_days"],
        packing_window_days=thresholds["packing_window_days"],
    )
    extra: dict[str, Count] = {}
    if not lists:  # the lists' lengths are counted below; here, with the stages
        extra["not_reached"] = Count(
            "pk", distinct=True, filter=_not_reached_q(report.no_contact_days)
        )
        extra["packing_late"] = Count(
            "pk", distinct=True, filter=_packing_late_q(report.packing_window_days, today)
        )
    by_estate = scope.kind == "organisation"
    report.group_label = _("Estate") if by_estate else _("Stairwell")
    report.stages, report.groups, report.stage_totals, sums = _stages_by_group(
        cast(CaseQuerySet, cases).with_schedule() if extra else cases, by_estate, **extra
    )
    report.case_total = sum(report.stage_totals)
    report.open_total = sum(
        total
        for stage, total in zip(report.stages, report.stage_totals, strict=True)
        if stage in OPEN_STAGES
    )
    if scope.kind == "project" or report.case_total <= settings.REPORT_ASYNC_HOUSEHOLDS:
        # One case a household in a project; elsewhere no more households than cases.
        report.household_total = report.case_total
    else:
        report.household_total = report_household_count(cases)
    report.months = _month_ends(today, MONTHS)
    report.funnel, report.over_time = _history(cases, report.months)
    flag_counts = dict(
        Flag.objects.filter(household_id__in=cases.values("household_id"), resolved_at__isnull=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    report.flags = [(str(kind.label), flag_counts.get(kind.value, 0)) for kind in FlagKind]
    if lists:
        not_reached = _not_reached_cases(cases, report.no_contact_days)
        packing_late = _packing_late_cases(cases, report.packing_window_days, today)
        report.not_reached = _not_reached(not_reached, named)
        report.packing_late = _packing_late(packing_late, named)
        report.not_reached_count = len(report.not_reached)
        report.packing_late_count = len(report.packing_late)
    else:
        report.not_reached_count = sums["not_reached"]
        report.packing_late_count = sums["packing_late"]
    report.outreach, report.weeks, report.meetings = _outreach(cases, since, today)
    referral_counts = dict(
        Referral.objects.filter(household_id__in=cases.values("household_id"))
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    report.referrals = [
        (str(status.label), referral_counts.get(status.value, 0)) for status in ReferralStatus
    ]
    report.referral_total = sum(referral_counts.values())
    if lists:
        report.follow_ups = _follow_ups(cases, named, today)
    report.follow_ups_overdue = sum(1 for row in report.follow_ups if row.date and row.date < today)
    if scope.kind == "project" and user is not None and user.has_perm("cases.view_budgetline"):
        report.budget = project_budget(project=scope.target)  # type: ignore[arg-type]
    return report


def report_household_count(cases: QuerySet[Case]) -> int:
    return cases.order_by().values("household_id").distinct().count()


@dataclass
class CaseSummary:
    """One household's case on paper: for the caseworker, or as the household's own copy.

    The own copy (the right of access) leaves out what identifies other people: who passed on
    a tip, who else was met at the door, and which member of staff wrote what.
    """

    case: Case
    own_copy: bool
    printed_at: datetime.datetime
    residents: list
    schedule: Case
    history: list
    assessment: object | None
    contacts: list
    referrals: list
    tips: list
    flags: list
    staff: list


def case_summary(*, user, case: Case, own_copy: bool) -> CaseSummary:
    from cases.selectors import case_stage_history
    from outreach.models import withhold_others
    from outreach.selectors import household_contacts, household_tips
    from referrals.selectors import household_referrals

    household = case.household
    schedule = Case.objects.with_schedule().get(pk=case.pk)

    def own(rows: list) -> list:
        return withhold_others(rows) if own_copy else rows

    return CaseSummary(
        case=case,
        own_copy=own_copy,
        printed_at=timezone.localtime(),
        residents=list(household.residents.all()),
        schedule=schedule,
        history=list(case_stage_history(case=case).order_by("changed_at", "pk")),
        assessment=household.assessments.order_by("-assessed_at", "-pk").first(),
        contacts=own(list(household_contacts(household=household).order_by("occurred_at", "pk"))),
        referrals=list(household_referrals(user=user, household=household)),
        tips=own(list(household_tips(user=user, household=household))),
        flags=list(household.flags.filter(resolved_at__isnull=True).order_by("raised_at")),
        staff=list(case.assignments.select_related("user")),
    )
