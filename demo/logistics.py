"""Demo rehousing logistics for Vestegnen: a pool of replacement flats a little too small for
the next waves of Vestergården, housing needs, offers (refused, accepted, awaiting a reply and
one overdue), the moves behind today's temporary stays and permanent homes, planned moves, and
an area above the waterbed threshold. Fictional; deterministic; loaded once."""

import random
from datetime import date, timedelta

from django.contrib.auth.models import User
from django.db.models import Min

from cases.logistics.models import (
    HousingNeed,
    Move,
    MoveKind,
    MoveStatus,
    Offer,
    OfferChannel,
    OfferStatus,
    PoolFlat,
    PoolKind,
    RehousingKind,
)
from cases.logistics.selectors import cases_needing_a_flat, households_left_without
from cases.logistics.services import offer_make, offer_reply
from cases.models import Case, Project, StageChange
from cases.stages import Stage
from households.models import Estate, Flat, Organisation, Stairwell

VESTEGNEN = "Boligselskabet Vestegnen"
DESTINATIONS = ("Søhusene", "Rosenhaven")
# Vestegnen's board decided: at most two particularly vulnerable households per area. Avedøre
# has had three (two moved, one on the way): the waterbed page's story.
WATERBED_THRESHOLD = 2
MOVERS = ("Flyttefirmaet Hvidovre ApS", "Avedøre Flytteservice", "3-Mands Flytning")
AWAY = (Stage.TEMPORARY, Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN)
SETTLED = (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP, Stage.CLOSED)
SHORT_BY = 4  # flats too few for the households moving out in the next two waves


def logistics_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Build the logistics demo once; returns whether anything was created."""
    try:
        organisation = Organisation.objects.get(name=VESTEGNEN)
        project_a = Project.objects.get(name="Helhedsplan Vestergården")
        project_b = Project.objects.get(name="Omdannelse af Nordparken")
    except (Organisation.DoesNotExist, Project.DoesNotExist):
        return False
    if PoolFlat.objects.filter(organisation=organisation).exists():
        return False
    rng = random.Random("2650-logistics")
    officer = users["genhusning"]
    Organisation.objects.filter(pk=organisation.pk).update(waterbed_threshold=WATERBED_THRESHOLD)
    cases = list(
        Case.objects.filter(project__in=[project_a, project_b])
        .with_schedule()
        .with_vulnerability()
        .select_related("household__flat", "temporary_flat", "permanent_flat", "project")
        .order_by("pk")
    )
    held = _temporary_stays(rng, organisation, cases, officer=officer, today=today)
    _permanent_moves(cases, officer=officer)
    _needs(rng, [project_a, project_b], today=today)
    _free_flats(rng, organisation, [project_a, project_b], held=held, today=today)
    _offers(project_a, project_b, officer=officer, today=today)
    return True


def _rent(rng: random.Random, flat: Flat) -> int:
    return 2800 + 1350 * flat.rooms + rng.randrange(0, 8) * 100


def _pool_flat(
    rng: random.Random, organisation: Organisation, flat: Flat, kind: str, *, lift: bool = False
) -> PoolFlat:
    ground = flat.floor is not None and flat.floor <= 0
    return PoolFlat(
        organisation=organisation,
        flat=flat,
        kind=kind,
        rent=_rent(rng, flat),
        step_free=(ground or lift) and rng.random() < 0.5,
        has_lift=lift,
        pets_allowed=rng.random() < 0.6,
        available_from=date(2024, 1, 1),
    )


def _temporary_stays(
    rng: random.Random,
    organisation: Organisation,
    cases: list[Case],
    *,
    officer: User,
    today: date,
) -> dict[int, date]:
    """The temporary flats in use become pool flats, held by accepted offers for the stay; the
    moves out are recorded, the returns planned. Returns when each held pool flat is free."""
    stays = [c for c in cases if c.temporary_flat_id and c.stage in (*AWAY, Stage.PACKING)]
    pool = {}
    for case in stays:
        if case.temporary_flat_id not in pool:
            assert case.temporary_flat is not None
            pool[case.temporary_flat_id] = _pool_flat(
                rng, organisation, case.temporary_flat, PoolKind.TEMPORARY
            )
    PoolFlat.objects.bulk_create(pool.values())
    offers, moves = [], []
    free_on: dict[int, date] = {}
    for case in stays:
        starts = case.effective_move_out_on  # type: ignore[attr-defined]
        ends = case.effective_return_on  # type: ignore[attr-defined]
        if starts is None or ends is None or ends <= starts:
            continue
        pool_flat = pool[case.temporary_flat_id]
        sent = min(starts, today) - timedelta(days=40)
        offers.append(
            Offer(
                case=case,
                pool_flat=pool_flat,
                kind=RehousingKind.TEMPORARY,
                holds_from=starts,
                holds_until=ends,
                sent_via=OfferChannel.BY_HAND,
                sent_on=sent,
                reply_due_on=sent + timedelta(days=7),
                replied_on=sent + timedelta(days=rng.randrange(1, 7)),
                status=OfferStatus.ACCEPTED,
                created_by=officer,
            )
        )
        free_on[pool_flat.pk] = ends
        home, temporary = case.household.flat, pool_flat.flat
        movers = rng.choice(MOVERS)
        if case.stage in AWAY:
            moves.append(_move(case, MoveKind.TO_TEMPORARY, home, temporary, starts, movers))
            moves[-1].status = MoveStatus.DONE
            moves[-1].keys_handed_over = moves[-1].keys_returned = True
        else:
            moves.append(_move(case, MoveKind.TO_TEMPORARY, home, temporary, starts, movers))
            moves[-1].movers_booked = rng.random() < 0.7
        if case.stage in (Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN) and ends >= today:
            moves.append(_move(case, MoveKind.RETURN, temporary, home, ends, movers))
            moves[-1].movers_booked = case.stage == Stage.PACKING_RETURN
        for move in moves[-2:]:
            move.created_by = officer
    Offer.objects.bulk_create(offers)
    Move.objects.bulk_create(moves)
    return free_on


def _move(case: Case, kind: str, from_flat: Flat, to_flat: Flat, on: date, movers: str) -> Move:
    return Move(
        case=case,
        kind=kind,
        from_flat=from_flat,
        to_flat=to_flat,
        moves_on=on,
        starts_at=None,
        movers=movers,
        movers_booked=True,
        paid_by_project=True,
    )


def _permanent_moves(cases: list[Case], *, officer: User) -> None:
    """The permanent homes already moved into, on the day the case moved permanently."""
    settled = [c for c in cases if c.permanent_flat_id and c.stage in SETTLED]
    moved_on = dict(
        StageChange.objects.filter(case__in=settled, to_stage=Stage.MOVED_PERMANENTLY)
        .values_list("case_id")
        .annotate(day=Min("changed_at"))
    )
    moves = []
    for case in settled:
        if case.pk not in moved_on or case.permanent_flat_id == case.household.flat_id:
            continue
        assert case.permanent_flat is not None
        move = _move(
            case,
            MoveKind.TO_PERMANENT,
            case.household.flat,
            case.permanent_flat,
            moved_on[case.pk].date(),
            MOVERS[case.pk % len(MOVERS)],
        )
        move.status = MoveStatus.DONE
        move.keys_handed_over = move.keys_returned = True
        move.created_by = officer
        moves.append(move)
    Move.objects.bulk_create(moves)


def _needs(rng: random.Random, projects: list[Project], *, today: date) -> None:
    """Needs of most households still waiting: the elderly need the ground floor, some have
    pets or a rent limit; movers of the transformation wish for an area."""
    needs = []
    for project in projects:
        waiting = (
            cases_needing_a_flat(project=project, today=today)
            .select_related("household__flat")
            .prefetch_related("household__residents")
        )
        for case in waiting:
            if rng.random() < 0.25:
                continue
            rooms = case.household.flat.rooms
            years = [r.birth_year for r in case.household.residents.all() if r.birth_year]
            elderly = bool(years) and min(years) <= today.year - 72
            permanent = not project.expects_return
            if permanent and rooms > 1 and rng.random() < 0.3:
                rooms -= 1  # the children have moved out
            elif not permanent and rooms >= 4:
                rooms -= 1  # one room less will do for three months
            needs.append(
                HousingNeed(
                    case=case,
                    kind=RehousingKind.TEMPORARY if project.expects_return else "permanent",
                    rooms=rooms,
                    ground_floor_or_lift=elderly,
                    pets=rng.random() < 0.12,
                    rent_limit=rng.choice((7500, 8000, 9000)) if rng.random() < 0.2 else None,
                    wished_areas=rng.choice(([], ["Friheden"], ["Avedøre"], ["Friheden"]))
                    if permanent
                    else [],
                    school_area="Avedøre" if permanent and rng.random() < 0.15 else "",
                )
            )
    HousingNeed.objects.bulk_create(needs)


def _free_flats(
    rng: random.Random,
    organisation: Organisation,
    projects: list[Project],
    *,
    held: dict[int, date],
    today: date,
) -> None:
    """The free flats of Søhusene and Rosenhaven join the pool, and flats of another landlord
    are rented for it: a few too few for the households moving out in the next eight weeks,
    counting the temporary flats that are free again by then."""
    used = set(
        Case.objects.exclude(stage=Stage.ENDED)
        .filter(permanent_flat__isnull=False)
        .values_list("permanent_flat", flat=True)
    ) | set(
        Case.objects.filter(temporary_flat__isnull=False).values_list("temporary_flat", flat=True)
    )
    free = list(
        Flat.objects.filter(
            stairwell__estate__organisation=organisation,
            stairwell__estate__name__in=DESTINATIONS,
            households__isnull=True,
        )
        .exclude(pk__in=used)
        .order_by("pk")
    )
    PoolFlat.objects.bulk_create(
        _pool_flat(rng, organisation, flat, PoolKind.BOTH) for flat in free
    )
    outside = []
    for project in projects:
        waiting = list(
            cases_needing_a_flat(project=project, today=today).values_list(
                "need_from",  # type: ignore[misc]
                flat=True,
            )
        )
        if not waiting:
            continue
        window_ends = max(waiting[0], today) + timedelta(weeks=8)
        ready = list(held.values()) if project.expects_return else []
        ready += [date.min] * len(free)
        unmet = households_left_without(
            needed_on=[day for day in waiting if day <= window_ends], ready_on=sorted(ready)
        )
        kind = PoolKind.TEMPORARY if project.expects_return else PoolKind.PERMANENT
        outside += [kind] * max(unmet - SHORT_BY, 3)
    flats = _outside_estate(organisation, len(outside))
    PoolFlat.objects.bulk_create(
        _pool_flat(rng, organisation, flat, kind, lift=flat.stairwell.street == "Strandengen")
        for flat, kind in zip(flats, outside, strict=True)
    )


def _outside_estate(organisation: Organisation, count: int) -> list[Flat]:
    """Flats rented from another landlord: Strandengen (Hvidovre Strand, with lifts), the
    first four in Avedøre."""
    landlord, _ = Organisation.objects.get_or_create(name="Boligselskabet Strandengen")
    municipality = organisation.estates.first().municipality  # type: ignore[union-attr]
    flats = []
    for name, area, number, street, size in (
        ("Avedøre Stationsby", "Avedøre", "31", "Stationsbyen", 4),
        ("Strandengen", "Hvidovre Strand", "12", "Strandengen", max(count - 4, 0)),
    ):
        if not size:
            continue
        estate = Estate.objects.create(
            organisation=landlord, municipality=municipality, number=number, name=name, area=area
        )
        for index in range(size):
            if index % 8 == 0:
                stairwell = Stairwell.objects.create(
                    estate=estate, street=street, number=2 * (index // 8) + 1,
                    postcode="2650", city="Hvidovre",
                )  # fmt: skip
            flats.append(
                Flat(
                    stairwell=stairwell,
                    floor=index % 8 // 2,
                    door=("tv", "th")[index % 2],
                    rooms=(2, 3, 4, 3, 4, 5)[index % 6],
                    area_m2=(58, 74, 92, 79, 95, 112)[index % 6],
                )
            )
    return Flat.objects.bulk_create(flats)


def _offers(project_a: Project, project_b: Project, *, officer: User, today: date) -> None:
    """In Vestergården's next wave: a refusal and a new offer, an acceptance with its move
    planned, an offer awaiting reply and one past its deadline."""
    from cases.logistics.matching import ranked_pool_flats
    from cases.logistics.services import move_plan

    waiting = list(
        cases_needing_a_flat(project=project_a, today=today).select_related(
            "project__estate__organisation", "household__flat"
        )[:6]
    )
    if len(waiting) < 4:
        return
    refused, accepted, pending, overdue = waiting[:4]

    # A flat whose household is still away (though home again before this one moves in) is
    # skipped, so no flat is any open case's temporary flat twice.
    in_use = set(
        Case.objects.open()
        .filter(temporary_flat__isnull=False)
        .values_list("temporary_flat", flat=True)
    )

    def best(case: Case):
        matches = ranked_pool_flats(case=case, today=today)
        free = [m.pool_flat for m in matches if m.pool_flat.flat_id not in in_use]
        return free[0] if free else None

    flat = best(refused)
    if flat:
        offer = offer_make(
            case=refused,
            pool_flat=flat,
            by=officer,
            sent_on=today - timedelta(days=16),
            reply_due_on=today - timedelta(days=9),
        )
        offer_reply(
            offer=offer,
            status=OfferStatus.REFUSED,
            by=officer,
            replied_on=today - timedelta(days=11),
            refusal_reason="location",
            note="Vil ikke så langt fra datterens skole",
        )
    # The refused household's new offer goes out today: demo/economy.py makes its letter.
    for case, sent_days_ago in ((refused, 0), (pending, 3), (overdue, 12)):
        flat = best(case)
        if flat:
            offer_make(
                case=case,
                pool_flat=flat,
                by=officer,
                sent_via=OfferChannel.LETTER,
                sent_on=today - timedelta(days=sent_days_ago),
                reply_due_on=today - timedelta(days=sent_days_ago) + timedelta(days=7),
            )
    flat = best(accepted)
    if flat:
        offer = offer_make(
            case=accepted, pool_flat=flat, by=officer, sent_on=today - timedelta(days=6)
        )
        offer_reply(
            offer=offer, status=OfferStatus.ACCEPTED, by=officer, replied_on=today - timedelta(2)
        )
        case = Case.objects.select_related("household__flat", "temporary_flat").get(pk=accepted.pk)
        move_plan(
            case=case,
            kind=MoveKind.TO_TEMPORARY,
            moves_on=offer.holds_from,
            by=officer,
            data={"movers": MOVERS[0], "movers_booked": True, "paid_by_project": True},
        )
