"""Reads of the rehousing logistics worth naming: the board, the pool, the week's moves, a
case's offers and the household's addresses over time. Each list costs a fixed number of
queries, whatever its length."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)

from cases.logistics.matching import (
    Match,
    Waterbed,
    cases_with_needs,
    explain_matches,
    waterbed_for,
    with_best_matches,
)
from cases.logistics.models import (
    HOLDING_STATUSES,
    HousingNeed,
    Move,
    MoveKind,
    MoveStatus,
    Offer,
    OfferStatus,
    PoolFlat,
    PoolKind,
    RehousingKind,
)
from cases.logistics.services import BEFORE_THE_MOVE
from cases.models import Case, CaseQuerySet, Project, ProjectKind
from cases.stages import Stage
from core.db import count_of
from households.models import Estate, Flat, Household, Resident

BOARD_PAGE_SIZE = 25
BOARD_SUGGESTIONS = 3
BOARD_FREE_FLATS = 30
SOON = timedelta(weeks=8)
AWAY = (Stage.TEMPORARY, Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN)
SETTLED = (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)


def _residents() -> Prefetch:
    return Prefetch(
        "household__residents", queryset=Resident.objects.order_by("-is_contact_person", "pk")
    )


# --- The matching board ------------------------------------------------------------------------


def cases_needing_a_flat(*, project: Project, today: date) -> CaseQuerySet:
    """The project's households that have not moved yet and have no flat of the kind they need
    (an offer awaiting reply does not count as a flat), soonest moving day first."""
    return (
        cases_with_needs(
            Case.objects.filter(project=project, stage__in=BEFORE_THE_MOVE), today=today
        )
        .filter(
            Q(need_kind=RehousingKind.TEMPORARY, temporary_flat__isnull=True)
            | Q(need_kind=RehousingKind.PERMANENT, permanent_flat__isnull=True)
        )
        .order_by("need_from", "pk")
    )


@dataclass
class BoardRow:
    case: Case
    pending: Offer | None
    matches: list[Match]
    refused: int


@dataclass
class Board:
    page: Page
    rows: list[BoardRow]
    free_flats: list[PoolFlat]
    free_total: int
    waterbed: Waterbed
    first_day: date
    window_ends: date
    waiting: int
    waiting_soon: int
    shortfall: int
    suggested: Counter = field(default_factory=Counter)

    @property
    def unmatched(self) -> int:
        """Households on this page without an offer and without a suitable flat."""
        return sum(1 for row in self.rows if row.pending is None and not row.matches)


def _project_pool_kinds(project: Project) -> list[str]:
    if project.kind == ProjectKind.RENOVATION_WITH_RETURN:
        return [PoolKind.TEMPORARY, PoolKind.BOTH]
    if project.kind == ProjectKind.MIXED:
        return [PoolKind.TEMPORARY, PoolKind.PERMANENT, PoolKind.BOTH]
    return [PoolKind.PERMANENT, PoolKind.BOTH]


def households_left_without(*, needed_on: list[date], ready_on: list[date]) -> int:
    """How many households get no flat in time when each, by moving day, takes the flat that
    has been free the longest (sorted lists). Sizes and needs aside: the least the pool lacks."""
    unmet, ready = 0, 0
    for day in sorted(needed_on):
        if ready < len(ready_on) and ready_on[ready] <= day:
            ready += 1
        else:
            unmet += 1
    return unmet


def free_pool_flats(*, project: Project, today: date) -> QuerySet[PoolFlat]:
    """Pool flats of the project's use that nobody holds after `today`."""
    held = Offer.objects.filter(pool_flat=OuterRef("pk"), status__in=HOLDING_STATUSES).filter(
        Q(holds_until__isnull=True) | Q(holds_until__gt=today)
    )
    return (
        PoolFlat.objects.filter(
            organisation_id=project.estate.organisation_id,
            is_active=True,
            kind__in=_project_pool_kinds(project),
        )
        .filter(Q(available_to__isnull=True) | Q(available_to__gt=today))
        .exclude(Exists(held))
        .select_related("flat__stairwell__estate")
        .order_by("available_from", "pk")
    )


def matching_board(*, project: Project, today: date, page_number) -> Board:
    """One page of households needing a flat, each with its best pool flats, and the pool flats
    that are free (or free again) within eight weeks of the first waiting household's moving
    day. Twelve queries, whatever the number of households and flats."""
    organisation = project.estate.organisation
    waterbed = waterbed_for(organisation=organisation)
    needing = cases_needing_a_flat(project=project, today=today)
    page = Paginator(needing.values_list("pk", flat=True), BOARD_PAGE_SIZE).get_page(page_number)
    ids = list(page.object_list)
    cases = list(
        with_best_matches(
            cases_needing_a_flat(project=project, today=today).filter(pk__in=ids),
            full_areas=waterbed.full_areas,
            limit=BOARD_SUGGESTIONS,
        )
        .select_related("household__flat__stairwell", "housing_need")
        .prefetch_related(
            _residents(),
            Prefetch(
                "offers",
                queryset=Offer.objects.select_related("pool_flat__flat__stairwell__estate"),
            ),
        )
    )
    explained = explain_matches([case.matches for case in cases], waterbed)
    rows = []
    suggested: Counter = Counter()
    for case, matches in zip(cases, explained, strict=True):
        offers = list(case.offers.all())
        pending = next((o for o in offers if o.status == OfferStatus.PENDING), None)
        refused = sum(o.status == OfferStatus.REFUSED for o in offers)
        rows.append(BoardRow(case=case, pending=pending, matches=matches, refused=refused))
        if pending is None:
            suggested.update(match.pool_flat.pk for match in matches)
    pending = Offer.objects.filter(case=OuterRef("pk"), status=OfferStatus.PENDING)
    waiting = needing.exclude(Exists(pending))
    first_day = max(
        waiting.values_list("need_from", flat=True).first() or today,  # type: ignore[misc]
        today,
    )
    window_ends = first_day + SOON
    free = (
        free_pool_flats(project=project, today=window_ends)
        .annotate(
            held_until=Max("offers__holds_until", filter=Q(offers__status__in=HOLDING_STATUSES))
        )
        .order_by(F("held_until").asc(nulls_first=True), "available_from", "pk")
    )
    ready_on = sorted(
        max(day for day in row if day is not None)
        for row in free.values_list("held_until", "available_from")
    )
    needed_on = list(
        waiting.filter(need_from__lte=window_ends).values_list("need_from", flat=True)  # type: ignore[misc]
    )
    return Board(
        first_day=first_day,
        window_ends=window_ends,
        waiting=waiting.count(),
        waiting_soon=len(needed_on),
        shortfall=households_left_without(needed_on=needed_on, ready_on=ready_on),
        page=page,
        rows=rows,
        free_flats=list(free[:BOARD_FREE_FLATS]),
        free_total=len(ready_on),
        waterbed=waterbed,
        suggested=suggested,
    )


# --- The pool -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolFilters:
    kind: str = ""
    area: str = ""
    free_only: bool = False


def pool_list(*, user: User, filters: PoolFilters, today: date) -> QuerySet[PoolFlat]:
    flats = PoolFlat.objects.for_user(user).filter(is_active=True)
    if filters.kind:
        flats = flats.filter(kind__in=[filters.kind, PoolKind.BOTH])
    if filters.area:
        flats = flats.filter(flat__stairwell__estate__area=filters.area)
    holds = Offer.objects.filter(status__in=HOLDING_STATUSES).filter(
        Q(holds_until__isnull=True) | Q(holds_until__gt=today)
    )
    if filters.free_only:
        flats = flats.exclude(Exists(holds.filter(pool_flat=OuterRef("pk"))))
    return (
        flats.select_related("organisation", "flat__stairwell__estate")
        .prefetch_related(
            Prefetch(
                "offers",
                queryset=holds.select_related("case__household").order_by("holds_from"),
                to_attr="current_holds",
            )
        )
        .order_by("flat__stairwell__estate__area", "available_from", "pk")
    )


def pool_areas(*, user: User) -> list[str]:
    return list(
        PoolFlat.objects.for_user(user)
        .values_list("flat__stairwell__estate__area", flat=True)
        .distinct()
        .order_by("flat__stairwell__estate__area")
    )


def visible_case_ids(*, user: User, case_ids: set[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(Case.objects.for_user(user).filter(pk__in=case_ids).values_list("pk", flat=True))


def pool_flat_choices(*, organisation_ids: frozenset[int] | set[int]) -> QuerySet[Flat]:
    """Flats of the organisations' estates, and flats already in their pools (an outside
    landlord's flat is registered once, in the administration), for the pool form."""
    in_pool = PoolFlat.objects.filter(organisation_id__in=organisation_ids).values("flat_id")
    return (
        Flat.objects.filter(
            Q(stairwell__estate__organisation_id__in=organisation_ids) | Q(pk__in=in_pool)
        )
        .select_related("stairwell__estate")
        .order_by(
            "stairwell__estate__name", "stairwell__street", "stairwell__number", "floor", "door"
        )
    )


# --- A case's offers and moves -----------------------------------------------------------------


@dataclass
class OfferCount:
    made: int
    refused: int
    required: int

    @property
    def remaining(self) -> int:
        return max(self.required - self.made, 0)


def case_offers(*, case: Case) -> list[Offer]:
    return list(
        case.offers.select_related("pool_flat__flat__stairwell__estate", "created_by").order_by(
            "-sent_on", "-pk"
        )
    )


def offer_count(*, case: Case, offers: list[Offer]) -> OfferCount:
    """Offers made (withdrawn ones are not) against the project's rule, and refusals."""
    made = [offer for offer in offers if offer.status != OfferStatus.WITHDRAWN]
    return OfferCount(
        made=len(made),
        refused=sum(offer.status == OfferStatus.REFUSED for offer in made),
        required=case.project.required_offers,
    )


def case_moves(*, case: Case) -> list[Move]:
    return list(
        case.moves.exclude(status=MoveStatus.CANCELLED).select_related(
            "from_flat__stairwell", "to_flat__stairwell"
        )
    )


def case_need(*, case: Case) -> HousingNeed | None:
    return HousingNeed.objects.filter(case=case).first()


def case_dates(*, case: Case) -> dict:
    """The case's move-out and return days (its own, else its stairwell's)."""
    row = (
        Case.objects.filter(pk=case.pk)
        .with_schedule()
        .values("effective_move_out_on", "effective_return_on")  # type: ignore[misc]
        .get()
    )
    return {"move_out_on": row["effective_move_out_on"], "return_on": row["effective_return_on"]}


def move_kinds_possible(*, case: Case) -> list[str]:
    """The moves the case's flats allow: to the temporary flat and home, to the new home."""
    kinds: list[str] = []
    if case.temporary_flat_id:
        kinds += [MoveKind.TO_TEMPORARY, MoveKind.RETURN]
    if case.permanent_flat_id:
        kinds.append(MoveKind.TO_PERMANENT)
    return kinds


def organisation_areas(*, organisation_id: int) -> list[str]:
    """The areas of the organisation's estates and of its pool's flats, for wishes."""
    estates = Estate.objects.filter(
        Q(organisation_id=organisation_id)
        | Q(stairwells__flats__pool_entries__organisation_id=organisation_id)
    )
    return list(estates.values_list("area", flat=True).distinct().order_by("area"))


# --- Where the household lives -------------------------------------------------------------------


@dataclass
class Address:
    flat: Flat
    kind: str  # "home", "temporary" or "new_home"
    since: date | None


@dataclass
class Whereabouts:
    home: Flat
    now: Address
    history: list[Address]
    next_move: Move | None

    @property
    def away(self) -> bool:
        return self.now.kind == "temporary"


def whereabouts(
    *, household: Household, moves: list[Move], case: Case | None, today: date
) -> Whereabouts:
    """Where the household lives now and where home is, from its done moves. A case with flats
    but no recorded moves (entered before the moves were) is read from its stage."""
    history = [Address(household.flat, "home", household.moved_in_on)]
    home = household.flat
    done = sorted(
        (m for m in moves if m.status == MoveStatus.DONE), key=lambda m: (m.moves_on, m.pk)
    )
    for move in done:
        if move.kind == MoveKind.TO_TEMPORARY:
            history.append(Address(move.to_flat, "temporary", move.moves_on))
        elif move.kind == MoveKind.RETURN:
            history.append(Address(move.to_flat, "home", move.moves_on))
        else:
            home = move.to_flat
            history.append(Address(move.to_flat, "new_home", move.moves_on))
    if not done and case is not None:
        if case.stage in AWAY and case.temporary_flat is not None:
            history.append(Address(case.temporary_flat, "temporary", None))
        elif case.stage in (*SETTLED, Stage.CLOSED) and case.permanent_flat is not None:
            home = case.permanent_flat
            history.append(Address(case.permanent_flat, "new_home", None))
    planned = sorted(
        (m for m in moves if m.status == MoveStatus.PLANNED and m.moves_on >= today - timedelta(7)),
        key=lambda m: (m.moves_on, m.pk),
    )
    return Whereabouts(
        home=home, now=history[-1], history=history, next_move=planned[0] if planned else None
    )


def case_whereabouts(*, case: Case, moves: list[Move], today: date) -> Whereabouts:
    return whereabouts(household=case.household, moves=moves, case=case, today=today)


def household_whereabouts(
    *, household: Household, user: User, today: date, cases: list[Case] | None = None
) -> Whereabouts | None:
    """The household's addresses through its cases the user can see (None without any).

    `cases`: those cases already read, newest first, with their flats (the household page
    reads them once for its sections: cases.selectors.household_cases_for_user)."""
    if cases is None:
        cases = list(
            Case.objects.for_user(user)
            .filter(household=household)
            .select_related("temporary_flat__stairwell", "permanent_flat__stairwell")
            .order_by("-opened_at", "-pk")
        )
    if not cases:
        return None
    moves = list(
        Move.objects.filter(case__in=cases)
        .exclude(status=MoveStatus.CANCELLED)
        .select_related("from_flat__stairwell", "to_flat__stairwell")
    )
    latest = next((c for c in cases if c.is_open), cases[0])
    return whereabouts(household=household, moves=moves, case=latest, today=today)


# --- The week's moves ----------------------------------------------------------------------------


@dataclass
class WeekDay:
    day: date
    moves: list[Move]


@dataclass
class Week:
    starts_on: date
    days: list[WeekDay]
    unplanned: list[Case]

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.starts_on - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.starts_on + timedelta(days=7)

    @property
    def move_count(self) -> int:
        return sum(len(day.moves) for day in self.days)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def project_week(*, project: Project, starts_on: date) -> Week:
    """The project's moves in the week (Monday to Sunday), by day, and the households due to
    move out or home that week without a planned move. Four queries."""
    ends_on = starts_on + timedelta(days=6)
    moves = list(
        Move.objects.filter(case__project=project, moves_on__range=(starts_on, ends_on))
        .exclude(status=MoveStatus.CANCELLED)
        .select_related("case__household", "from_flat__stairwell", "to_flat__stairwell__estate")
        .prefetch_related(
            Prefetch(
                "case__household__residents",
                queryset=Resident.objects.order_by("-is_contact_person", "pk"),
            )
        )
        .order_by("moves_on", "starts_at", "pk")
    )
    by_day: dict[date, list[Move]] = {starts_on + timedelta(days=n): [] for n in range(7)}
    for move in moves:
        by_day[move.moves_on].append(move)
    planned = Move.objects.filter(case=OuterRef("pk")).exclude(status=MoveStatus.CANCELLED)
    leaving = Q(stage__in=BEFORE_THE_MOVE, effective_move_out_on__range=(starts_on, ends_on)) & ~Q(
        Exists(planned.filter(kind__in=[MoveKind.TO_TEMPORARY, MoveKind.TO_PERMANENT]))
    )
    returning = Q(stage__in=AWAY, effective_return_on__range=(starts_on, ends_on)) & ~Q(
        Exists(planned.filter(kind=MoveKind.RETURN))
    )
    unplanned = list(
        Case.objects.filter(project=project)
        .with_schedule()
        .filter(leaving | returning)
        .select_related("household__flat__stairwell")
        .prefetch_related(_residents())
        .order_by("effective_move_out_on", "pk")
    )
    for case in unplanned:
        case.returning = case.stage in AWAY  # type: ignore[attr-defined]
    days = [WeekDay(day, day_moves) for day, day_moves in by_day.items()]
    return Week(starts_on=starts_on, days=days, unplanned=unplanned)


def with_offers_refused(cases: QuerySet[Case]) -> QuerySet[Case]:
    """The cases whose household has refused at least the project's number of suitable offers
    (Project.required_offers, when above 0) and has none awaiting her reply or accepted;
    annotated `refused_count` and `last_refused_on`. Read by the flag scan (OFFERS_REFUSED) and
    the case page's panel of the next step, so both say the same."""
    refused = Offer.objects.filter(case_id=OuterRef("pk"), status=OfferStatus.REFUSED).order_by()
    active = Offer.objects.filter(case_id=OuterRef("pk"), status__in=HOLDING_STATUSES)
    return (
        cases.filter(project__required_offers__gt=0)
        .annotate(
            refused_count=count_of(refused),
            last_refused_on=Subquery(refused.order_by("-replied_on").values("replied_on")[:1]),
        )
        .filter(refused_count__gte=F("project__required_offers"))
        .exclude(Exists(active))
    )


@dataclass(frozen=True)
class OffersRefused:
    refused: int
    required: int
    last_refused_on: date | None


def offers_refused(*, case: Case) -> OffersRefused | None:
    """For the case page: the household has refused the project's offers (one query)."""
    row = (
        with_offers_refused(Case.objects.filter(pk=case.pk))
        .values("refused_count", "project__required_offers", "last_refused_on")  # type: ignore[misc]
        .first()
    )
    if row is None:
        return None
    return OffersRefused(
        refused=row["refused_count"],
        required=row["project__required_offers"],
        last_refused_on=row["last_refused_on"],
    )
