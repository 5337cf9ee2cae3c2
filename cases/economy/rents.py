"""Rents during a rehousing: what a temporary stay costs the building project, the days a
temporary flat stands empty between two of the project's households, and the quarterly
statement of both for the financing claim.

The rules, in one place:

- A household keeps paying her own flat's rent during a temporary stay (almenlejeloven § 86 a).
  Her monthly rent is her own flat's net rent plus a-conto (`Flat.monthly_rent`).
- A temporary flat costs the project, per month: the pool flat's `project_rent` when set, else
  the flat's own net rent plus a-conto, else the pool flat's listed `rent`
  (`pool_flat_monthly_cost`).
- The project carries the difference: what the temporary flat costs minus what the household
  pays (negative when her own rent is the higher).
- A stay is an accepted temporary offer. It starts on the day she moves to the temporary flat
  (the move, else the offer's first day) and ends on the day she moves on, home or to a new
  home (that move, else the offer's last day). The days of a stay are the days from its first
  day up to, not including, its last: the day she moves on is the flat's first free day. A stay
  with no end yet counts up to `until` (default: today).
- Pro rata by days: a month's amount is the monthly amount x the stay's days in that month /
  the days of that month (28-31), rounded to øre per month, half up.
- Empty days: between two consecutive stays in one pool flat, both of households of the
  project, the flat stands ready for the project; its days are from the first household's last
  day up to the next household's first, and cost the flat's monthly cost pro rata.

Every function reads a fixed number of queries whatever the number of cases or flats.
"""

import calendar
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import NamedTuple

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.logistics.models import (
    Move,
    MoveKind,
    MoveStatus,
    Offer,
    OfferStatus,
    PoolFlat,
    RehousingKind,
)
from cases.models import Case, Project
from households.models import Flat

ZERO = Decimal("0.00")
ORE = Decimal("0.01")


def prorate(monthly: Decimal, days: int, days_in_month: int) -> Decimal:
    """`days` of a month's amount, rounded to øre (half up)."""
    return (monthly * days / days_in_month).quantize(ORE, rounding=ROUND_HALF_UP)


def month_slices(starts_on: date, ends_on: date) -> Iterator[tuple[date, int, int]]:
    """(the month's first day, days of [starts_on, ends_on) in it, days of the month)."""
    day = starts_on
    while day < ends_on:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        next_month = date(day.year, day.month, days_in_month) + timedelta(days=1)
        last = min(next_month, ends_on)
        yield date(day.year, day.month, 1), (last - day).days, days_in_month
        day = last


def amount_for(monthly: Decimal, starts_on: date, ends_on: date) -> Decimal:
    """A monthly amount for the days [starts_on, ends_on), pro rata per month."""
    return sum(
        (
            prorate(monthly, days, in_month)
            for _m, days, in_month in month_slices(starts_on, ends_on)
        ),
        ZERO,
    )


def pool_flat_monthly_cost(pool_flat: PoolFlat) -> Decimal:
    """What the project pays a month for the pool flat (needs `flat` loaded)."""
    if pool_flat.project_rent is not None:
        return pool_flat.project_rent
    own = pool_flat.flat.monthly_rent
    if own is not None:
        return own
    return Decimal(pool_flat.rent)


@dataclass(frozen=True)
class Stay:
    """A household's temporary stay in a pool flat (an accepted temporary offer)."""

    case_id: int
    project_id: int
    household_id: int
    household_flat: Flat  # her own flat, whose rent she keeps paying
    pool_flat: PoolFlat
    starts_on: date
    ends_on: date | None  # the day she moves on (not a day of the stay); None: not known yet
    household_rent: Decimal | None  # her own flat's rent a month; None: not recorded
    flat_cost: Decimal  # what the temporary flat costs a month

    def end(self, until: date) -> date:
        return self.ends_on if self.ends_on is not None else max(until, self.starts_on)

    @property
    def rent_known(self) -> bool:
        return self.household_rent is not None


class StayMonth(NamedTuple):
    month: date  # the month's first day
    days: int
    household_pays: Decimal
    flat_costs: Decimal
    difference: Decimal  # flat_costs - household_pays: what the project carries


def _moved_on(kinds: Iterable[str]) -> Subquery:
    return Subquery(
        Move.objects.filter(case=OuterRef("case"), kind__in=list(kinds))
        .exclude(status=MoveStatus.CANCELLED)
        .order_by("moves_on")
        .values("moves_on")[:1]
    )


def _stay_offers(condition: Q) -> QuerySet[Offer]:
    """Accepted temporary offers with their stay's dates: one query with its subqueries."""
    return (
        Offer.objects.filter(condition, kind=RehousingKind.TEMPORARY, status=OfferStatus.ACCEPTED)
        .annotate(
            stay_starts_on=Coalesce(_moved_on([MoveKind.TO_TEMPORARY]), "holds_from"),
            stay_ends_on=Coalesce(
                _moved_on([MoveKind.RETURN, MoveKind.TO_PERMANENT]), "holds_until"
            ),
        )
        .select_related("pool_flat__flat__stairwell__estate", "case__household__flat__stairwell")
        .order_by("pool_flat_id", "stay_starts_on", "pk")
    )


def _stay(offer: Offer) -> Stay:
    household = offer.case.household
    return Stay(
        case_id=offer.case_id,
        project_id=offer.case.project_id,
        household_id=household.pk,
        household_flat=household.flat,
        pool_flat=offer.pool_flat,
        starts_on=offer.stay_starts_on,  # type: ignore[attr-defined]
        ends_on=offer.stay_ends_on,  # type: ignore[attr-defined]
        household_rent=household.flat.monthly_rent,
        flat_cost=pool_flat_monthly_cost(offer.pool_flat),
    )


def case_stays(*, case: Case) -> list[Stay]:
    """The case's temporary stay (at most one accepted temporary offer): one query."""
    return [_stay(offer) for offer in _stay_offers(Q(case=case))]


def project_stays(*, project: Project) -> list[Stay]:
    """The temporary stays of the project's households: one query."""
    return [_stay(offer) for offer in _stay_offers(Q(case__project=project))]


def stay_months(stay: Stay, *, until: date | None = None) -> list[StayMonth]:
    """Month by month: the stay's days, what the household pays, what the temporary flat costs
    and the difference the project carries. No query."""
    ends_on = stay.end(until or timezone.localdate())
    household_rent = stay.household_rent if stay.household_rent is not None else ZERO
    months = []
    for month, days, in_month in month_slices(stay.starts_on, ends_on):
        pays = prorate(household_rent, days, in_month)
        costs = prorate(stay.flat_cost, days, in_month)
        months.append(StayMonth(month, days, pays, costs, costs - pays))
    return months


def project_rent_difference(project: Project, *, until: date | None = None) -> Decimal:
    """The rent difference the project carries over all its temporary stays: one query."""
    return sum(
        (
            month.difference
            for stay in project_stays(project=project)
            for month in stay_months(stay, until=until)
        ),
        ZERO,
    )


# --- Empty days ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmptyPeriod:
    starts_on: date  # the first empty day
    ends_on: date  # the next household's first day (not empty)
    days: int
    cost: Decimal


@dataclass
class FlatEmptyDays:
    pool_flat: PoolFlat
    monthly_cost: Decimal
    periods: list[EmptyPeriod] = field(default_factory=list)

    @property
    def days(self) -> int:
        return sum(period.days for period in self.periods)

    @property
    def cost(self) -> Decimal:
        return sum((period.cost for period in self.periods), ZERO)


def _clip(starts_on: date, ends_on: date, within: tuple[date, date] | None) -> tuple[date, date]:
    if within is None:
        return starts_on, ends_on
    return max(starts_on, within[0]), min(ends_on, within[1])


def _pool_flat_stays(project: Project) -> dict[int, list[Stay]]:
    """Every stay (of any project) in the pool flats the project's households stay in, by flat,
    in order: one query."""
    used = Offer.objects.filter(
        case__project=project, kind=RehousingKind.TEMPORARY, status=OfferStatus.ACCEPTED
    ).values("pool_flat")
    by_flat: dict[int, list[Stay]] = defaultdict(list)
    for offer in _stay_offers(Q(pool_flat__in=used)):
        by_flat[offer.pool_flat_id].append(_stay(offer))
    return by_flat


def _empty_days(
    project: Project, stays: list[Stay], within: tuple[date, date] | None
) -> FlatEmptyDays:
    flat = FlatEmptyDays(pool_flat=stays[0].pool_flat, monthly_cost=stays[0].flat_cost)
    for before, after in pairwise(stays):
        if before.project_id != project.pk or after.project_id != project.pk:
            continue
        if before.ends_on is None or after.starts_on <= before.ends_on:
            continue
        starts_on, ends_on = _clip(before.ends_on, after.starts_on, within)
        if starts_on < ends_on:
            cost = amount_for(flat.monthly_cost, starts_on, ends_on)
            flat.periods.append(EmptyPeriod(starts_on, ends_on, (ends_on - starts_on).days, cost))
    return flat


def project_empty_days(
    project: Project, *, within: tuple[date, date] | None = None
) -> list[FlatEmptyDays]:
    """Per pool flat that stood empty between two of the project's households: its empty
    periods (within [from, to) if given), days and their cost. One query."""
    flats = (_empty_days(project, stays, within) for stays in _pool_flat_stays(project).values())
    return [flat for flat in flats if flat.periods]


# --- The quarterly statement -------------------------------------------------------------------


def quarter_bounds(year: int, quarter: int) -> tuple[date, date]:
    """[first day, first day of the next quarter)."""
    if not 1 <= quarter <= 4:
        raise ValueError(quarter)
    starts_on = date(year, 3 * quarter - 2, 1)
    ends_on = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return starts_on, ends_on


@dataclass
class StatementRow:
    pool_flat: PoolFlat
    monthly_cost: Decimal
    stay_days: int = 0
    stays_cost: Decimal = ZERO
    households_pay: Decimal = ZERO
    empty_days: int = 0
    empty_cost: Decimal = ZERO
    rent_missing: bool = False

    @property
    def difference(self) -> Decimal:
        return self.stays_cost - self.households_pay

    @property
    def project_carries(self) -> Decimal:
        return self.difference + self.empty_cost


def quarter_statement(
    project: Project, *, year: int, quarter: int, until: date | None = None
) -> list[StatementRow]:
    """Per pool flat the project used in the quarter: the days its households stayed and what
    that cost and they paid, its empty days and their cost. One query."""
    within = quarter_bounds(year, quarter)
    today = until or timezone.localdate()
    by_flat = _pool_flat_stays(project)
    rows: list[StatementRow] = []
    for stays in by_flat.values():
        row = StatementRow(pool_flat=stays[0].pool_flat, monthly_cost=stays[0].flat_cost)
        for stay in stays:
            if stay.project_id != project.pk:
                continue
            starts_on, ends_on = _clip(stay.starts_on, stay.end(today), within)
            for _month, days, in_month in month_slices(starts_on, ends_on):
                row.stay_days += days
                row.stays_cost += prorate(stay.flat_cost, days, in_month)
                row.households_pay += prorate(stay.household_rent or ZERO, days, in_month)
                row.rent_missing = row.rent_missing or not stay.rent_known
        empty = _empty_days(project, stays, within)
        row.empty_days, row.empty_cost = empty.days, empty.cost
        if row.stay_days or row.empty_days:
            rows.append(row)
    rows.sort(key=lambda row: (row.pool_flat.flat.address, row.pool_flat.pk))
    return rows
