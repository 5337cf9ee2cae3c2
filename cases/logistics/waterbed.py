"""The waterbed (vandsengseffekten): where the organisation's households move permanently, and
how many particularly vulnerable ones each destination area has received.

This is the one place that counts them. A case counts in its destination area (the area of the
estate of its permanent flat) once the permanent flat is chosen, unless the case ended (left on
its own, evicted, deceased). It has *landed* on the day of its done move to the new home, or,
without a recorded move, on the day it moved to "moved permanently"; until then it is on its
way. Vulnerable means: the household's newest assessment says particularly vulnerable.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate, TruncQuarter
from django.utils.translation import ngettext

from cases.logistics.models import Move, MoveKind, MoveStatus
from cases.models import Case, CaseQuerySet, StageChange
from cases.stages import MOVED, Stage
from households.models import Flat, Organisation, VulnerabilityLevel

DESTINATION_AREA = "permanent_flat__stairwell__estate__area"
QUARTERS_SHOWN = 12

IS_VULNERABLE = Q(vulnerability=VulnerabilityLevel.PARTICULARLY)


def destination_cases(*, organisation_id: int, excluding_case: int | None = None) -> CaseQuerySet:
    """The organisation's cases that count for the waterbed, annotated with `destination_area`,
    `vulnerability` and `landed_on` (None: the flat is chosen, the household not there yet)."""
    moved = (
        Move.objects.filter(case=OuterRef("pk"), kind=MoveKind.TO_PERMANENT, status=MoveStatus.DONE)
        .order_by("moves_on")
        .values("moves_on")[:1]
    )
    stage = (
        StageChange.objects.filter(case=OuterRef("pk"), to_stage=Stage.MOVED_PERMANENTLY)
        .order_by("changed_at")
        .values(day=TruncDate("changed_at"))[:1]
    )
    return _counted_cases(organisation_id, excluding_case).annotate(
        landed_on=Coalesce(Subquery(moved), Subquery(stage))
    )


def _counted_cases(organisation_id: int, excluding_case: int | None) -> CaseQuerySet:
    """destination_cases without `landed_on` (the counts need not build it)."""
    cases = Case.objects.filter(
        project__estate__organisation_id=organisation_id,
        permanent_flat__isnull=False,
        end_reason="",
    )
    if excluding_case is not None:
        cases = cases.exclude(pk=excluding_case)
    return cases.with_vulnerability().annotate(destination_area=F(DESTINATION_AREA))


def waterbed_counts(*, organisation_id: int, excluding_case: int | None = None) -> dict[str, int]:
    """Per destination area: the particularly vulnerable households counted there (areas with
    none are left out).

    The vulnerability (a subquery per case) is a filter of the count, not of the rows: in the
    WHERE clause PostgreSQL judged it on every organisation's cases before the join to the
    organisation, a plan four times slower at 50,000 households."""
    rows = (
        _counted_cases(organisation_id, excluding_case)  # type: ignore[misc]
        .values("destination_area")
        .annotate(households=Count("household_id", distinct=True, filter=IS_VULNERABLE))
        .values_list("destination_area", "households")
    )
    return {area: households for area, households in rows if households}


@dataclass(frozen=True)
class Waterbed:
    threshold: int
    counts: dict[str, int]

    @property
    def full_areas(self) -> list[str]:
        return sorted(area for area, count in self.counts.items() if count >= self.threshold)

    @property
    def notes(self) -> list[str]:
        return [self.warning(area) for area in self.full_areas]

    def is_full(self, area: str) -> bool:
        """At the threshold or over it: one more would take the area above it."""
        return self.counts.get(area, 0) >= self.threshold

    def warning(self, area: str) -> str:
        count = self.counts.get(area, 0)
        return ngettext(
            "%(count)s particularly vulnerable household already rehoused in %(area)s "
            "(limit %(limit)s)",
            "%(count)s particularly vulnerable households already rehoused in %(area)s "
            "(limit %(limit)s)",
            count,
        ) % {"count": count, "area": area, "limit": self.threshold}

    def warning_for(self, area: str) -> str:
        return self.warning(area) if self.is_full(area) else ""


def waterbed_for(*, organisation: Organisation, excluding_case: int | None = None) -> Waterbed:
    return Waterbed(
        threshold=organisation.waterbed_threshold,
        counts=waterbed_counts(organisation_id=organisation.pk, excluding_case=excluding_case),
    )


def case_waterbed(*, case: Case) -> Waterbed:
    """The waterbed of the case's organisation, not counting the case itself."""
    return waterbed_for(organisation=case.project.estate.organisation, excluding_case=case.pk)


def destination_warning(*, case: Case, flat: Flat | None, waterbed: Waterbed | None = None) -> str:
    """The warning when `flat` is (to be) the case's permanent destination and its area has
    already received the threshold of particularly vulnerable households, not counting the
    case itself. The same for every household: the rehousing officer must not learn from the
    warning whether this one is vulnerable. `waterbed`: case_waterbed(case), if already read."""
    if flat is None:
        return ""
    waterbed = waterbed or case_waterbed(case=case)
    return waterbed.warning_for(flat.stairwell.estate.area)


# --- The monitoring page ---------------------------------------------------------------------


@dataclass
class Period:
    starts_on: date
    households: int = 0
    vulnerable: int = 0
    households_so_far: int = 0
    vulnerable_so_far: int = 0

    @property
    def label(self) -> str:
        return f"{(self.starts_on.month - 1) // 3 + 1}. kvt. {self.starts_on.year}"

    @property
    def short_label(self) -> str:
        return f"K{(self.starts_on.month - 1) // 3 + 1} {self.starts_on:%y}"


@dataclass
class AreaRow:
    area: str
    threshold: int
    periods: list[Period] = field(default_factory=list)
    landed: int = 0
    landed_vulnerable: int = 0
    on_the_way: int = 0
    on_the_way_vulnerable: int = 0

    @property
    def vulnerable(self) -> int:
        return self.landed_vulnerable + self.on_the_way_vulnerable

    @property
    def households(self) -> int:
        return self.landed + self.on_the_way

    @property
    def status(self) -> str:
        if self.vulnerable > self.threshold:
            return "over"
        if self.vulnerable == self.threshold:
            return "at"
        return "under"


@dataclass
class WaterbedReport:
    organisation: Organisation
    threshold: int
    quarters: list[date]
    areas: list[AreaRow]
    without_destination: int

    @property
    def marked(self) -> list[AreaRow]:
        return [row for row in self.areas if row.status != "under"]


def _quarter(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 10 else date(day.year, day.month + 3, 1)


def _quarters(first: date, last: date) -> list[date]:
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(_next_quarter(quarters[-1]))
    return quarters[-QUARTERS_SHOWN:]


def waterbed_report(*, organisation: Organisation, today: date) -> WaterbedReport:
    """Per destination area and quarter: the households that landed there, the particularly
    vulnerable among them, both summed up to each quarter, and those on their way. Two queries,
    whatever the number of cases."""
    rows = list(
        destination_cases(organisation_id=organisation.pk)
        .annotate(quarter=TruncQuarter("landed_on"))
        .values("destination_area", "quarter")
        .annotate(
            households=Count("household_id", distinct=True),
            vulnerable=Count("household_id", distinct=True, filter=IS_VULNERABLE),
        )
        .order_by("destination_area", "quarter")
    )
    landed_quarters = [row["quarter"] for row in rows if row["quarter"] is not None]
    quarters = _quarters(min(landed_quarters), _quarter(today)) if landed_quarters else []
    areas: dict[str, AreaRow] = {}
    for row in rows:
        area = areas.setdefault(
            row["destination_area"],
            AreaRow(
                area=row["destination_area"],
                threshold=organisation.waterbed_threshold,
                periods=[Period(starts_on=quarter) for quarter in quarters],
            ),
        )
        quarter = row["quarter"]
        if quarter is None:
            area.on_the_way += row["households"]
            area.on_the_way_vulnerable += row["vulnerable"]
            continue
        area.landed += row["households"]
        area.landed_vulnerable += row["vulnerable"]
        for period in area.periods:
            if period.starts_on == quarter:
                period.households += row["households"]
                period.vulnerable += row["vulnerable"]
            if period.starts_on >= quarter:
                period.households_so_far += row["households"]
                period.vulnerable_so_far += row["vulnerable"]
    without = Case.objects.filter(
        project__estate__organisation_id=organisation.pk,
        stage__in=MOVED,
        permanent_flat__isnull=True,
    ).count()
    return WaterbedReport(
        organisation=organisation,
        threshold=organisation.waterbed_threshold,
        quarters=quarters,
        areas=sorted(areas.values(), key=lambda row: (-row.vulnerable, row.area)),
        without_destination=without,
    )
