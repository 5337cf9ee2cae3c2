"""The demo's rehousing economy and sent letters, for Boligselskabet Vestegnen.

Rents on every flat (net rent and a-conto by the flat's size), a project rent on half of the
temporary pool flats, a budget per category for both projects, expenses across the cases of
both (most approved by the manager, a few awaiting approval, one correction), one stairwell's
notice batch registered as posted and an offer's letter awaiting the household's reply.

Written with the services of cases/economy and outreach/letters, as a user would; fictional,
deterministic, loaded once (the budget lines are the mark).
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from cases.deadlines import LetterKind
from cases.economy.models import BudgetCategory, BudgetLine, Expense, ExpenseKind
from cases.economy.services import budget_set, expense_approve, expense_correct, expense_create
from cases.logistics.models import (
    Move,
    MoveKind,
    MoveStatus,
    Offer,
    OfferChannel,
    OfferStatus,
    PoolFlat,
    RehousingKind,
)
from cases.logistics.models import PoolKind as Kind
from cases.models import Case, Project, StairwellSchedule
from cases.stages import OPEN_STAGES, Stage
from households.models import Flat, Organisation
from outreach.letters.models import LetterTemplate, SentVia
from outreach.letters.sending import (
    batch_create,
    batch_register_sent,
    batch_run,
    letter_generate,
    letters_register_sent,
)

VESTEGNEN = "Boligselskabet Vestegnen"
PROJECTS = ("Helhedsplan Vestergården", "Omdannelse af Nordparken")
MOVERS = ("Flyttefirmaet Hvidovre ApS", "Avedøre Flytteservice", "3-Mands Flytning")
CLEANERS = ("Rent & Pænt ApS", "Vestegnens Rengøring")
STORAGE = "Hvidovre Depotrum"
INTERPRETER = "Tolkeservice Øst"
BOXES = "Flyttekasser.dk"
# Per household of the project, what the board set aside (kr.); rounded to whole thousands.
_BUDGET_PER_HOUSEHOLD = {
    BudgetCategory.MOVERS_OUT: 9_500,
    BudgetCategory.MOVERS_HOME: 9_000,
    BudgetCategory.BOXES: 900,
    BudgetCategory.STORAGE: 1_800,
    BudgetCategory.CLEANING: 2_500,
    BudgetCategory.INTERPRETER: 400,
    BudgetCategory.COMPENSATION: 1_500,
    BudgetCategory.RENT_DIFFERENCE: 4_000,
    BudgetCategory.EMPTY_DAYS: 1_200,
}


def economy_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Build the economy and the sent letters once; returns whether anything was created."""
    try:
        organisation = Organisation.objects.get(name=VESTEGNEN)
        projects = [Project.objects.get(name=name) for name in PROJECTS]
    except (Organisation.DoesNotExist, Project.DoesNotExist):
        return False
    if BudgetLine.objects.filter(project__in=projects).exists():
        return False
    rng = random.Random("2650-economy")
    manager, officer = users["leder"], users["genhusning"]
    _rents(rng)
    _project_rents(organisation)
    _empty_period(projects[0], officer=officer, today=today)
    for project in projects:
        _budget(project, by=manager)
    _expenses(rng, projects, officer=officer, manager=manager, today=today)
    _notice_batch(organisation, projects[0], by=users["sagsbehandler"], today=today)
    _offer_letter(organisation, projects[0], by=officer, today=today)
    return True


# --- Rents -----------------------------------------------------------------------------------


def _rents(rng: random.Random) -> None:
    """Net rent 4,500-9,500 kr. and a-conto 500-1,100 kr. a month by the flat's size, on every
    flat without a rent (Kildeparken's tenant import would bring its own). One bulk update:
    the rents are data the tenant import writes as well, not an edit anyone made."""
    flats = list(Flat.objects.filter(net_rent__isnull=True).order_by("pk"))
    for flat in flats:
        net = 4_500 + (flat.area_m2 - 45) * 62 + rng.randrange(-15, 16) * 10
        aconto = 500 + (flat.area_m2 - 40) * 7 + rng.randrange(-4, 5) * 10
        flat.net_rent = Decimal(min(max(net, 4_500), 9_500))
        flat.aconto = Decimal(min(max(aconto, 500), 1_100))
    Flat.objects.bulk_update(flats, ["net_rent", "aconto"], batch_size=500)


def _project_rents(organisation: Organisation) -> None:
    """Three of four temporary pool flats are let to the project furnished, on a short lease:
    their own rent plus 2,400-3,000 kr. a month; the fourth costs the project its own rent."""
    pool = list(
        PoolFlat.objects.filter(organisation=organisation, kind=Kind.TEMPORARY)
        .select_related("flat")
        .order_by("pk")
    )
    chosen = []
    for index, pool_flat in enumerate(pool):
        own = pool_flat.flat.monthly_rent
        if own is not None and index % 4 != 3:
            pool_flat.project_rent = own + 2_400 + index % 3 * 300
            chosen.append(pool_flat)
    PoolFlat.objects.bulk_update(chosen, ["project_rent"])


def _empty_period(project: Project, *, officer: User, today: date) -> None:
    """The household of the project that came home last had stayed in a pool flat that then
    stood empty until the next household moved in: her stay recorded as the logistics demo
    records the stays (an accepted temporary offer, both moves done)."""
    returned = (
        Case.objects.filter(project=project, stage=Stage.REESTABLISHED)
        .with_schedule()
        .select_related("household__flat")
        .order_by("-effective_return_on", "pk")
        .first()
    )
    if returned is None:
        return
    starts, ends = returned.effective_move_out_on, returned.effective_return_on  # type: ignore[attr-defined]
    if starts is None or ends is None or not starts < ends < today:
        return
    next_stay = (
        Offer.objects.filter(
            case__project=project,
            kind=RehousingKind.TEMPORARY,
            status=OfferStatus.ACCEPTED,
            holds_from__gt=ends + timedelta(days=7),
        )
        .select_related("pool_flat__flat")
        .order_by("holds_from", "pk")
        .first()
    )
    if next_stay is None:
        return
    pool_flat, home = next_stay.pool_flat, returned.household.flat
    sent = starts - timedelta(days=40)
    Offer.objects.create(
        case=returned,
        pool_flat=pool_flat,
        kind=RehousingKind.TEMPORARY,
        holds_from=starts,
        holds_until=ends,
        sent_via=OfferChannel.BY_HAND,
        sent_on=sent,
        reply_due_on=sent + timedelta(days=7),
        replied_on=sent + timedelta(days=3),
        status=OfferStatus.ACCEPTED,
        created_by=officer,
    )
    moves = [
        (MoveKind.TO_TEMPORARY, home, pool_flat.flat, starts),
        (MoveKind.RETURN, pool_flat.flat, home, ends),
    ]
    Move.objects.bulk_create(
        Move(
            case=returned,
            kind=kind,
            from_flat=from_flat,
            to_flat=to_flat,
            moves_on=on,
            movers=MOVERS[1],
            movers_booked=True,
            status=MoveStatus.DONE,
            keys_handed_over=True,
            keys_returned=True,
            created_by=officer,
        )
        for kind, from_flat, to_flat, on in moves
    )


# --- Budget and expenses ---------------------------------------------------------------------


# A project whose households move out for good has no move home and no temporary stays.
_ONLY_WITH_RETURN = {
    BudgetCategory.MOVERS_HOME,
    BudgetCategory.RENT_DIFFERENCE,
    BudgetCategory.EMPTY_DAYS,
}


def _budget(project: Project, *, by: User) -> None:
    households = max(Case.objects.filter(project=project).count(), 10)
    budget_set(
        project=project,
        by=by,
        amounts={
            category: Decimal(round(per * households, -3))
            for category, per in _BUDGET_PER_HOUSEHOLD.items()
            if project.expects_return or category not in _ONLY_WITH_RETURN
        },
    )


def _kr(rng: random.Random, low: int, high: int, step: int = 25) -> Decimal:
    return Decimal(rng.randrange(low // step, high // step + 1) * step)


def _expenses(
    rng: random.Random, projects: list[Project], *, officer: User, manager: User, today: date
) -> None:
    """Expenses of the cases whose households moved out (movers, boxes, cleaning, storage,
    an interpreter where she speaks another language), then of those about to move (awaiting
    approval). 15-30 in all."""
    done = Move.objects.filter(
        case__project__in=projects, case__stage__in=OPEN_STAGES, status=MoveStatus.DONE
    ).select_related("case__household")
    moved = [  # the temporary stays, and the permanent moves of the transformation
        *done.filter(kind=MoveKind.TO_TEMPORARY).order_by("moves_on", "pk")[:6],
        *done.filter(kind=MoveKind.TO_PERMANENT).order_by("moves_on", "pk")[:2],
    ]
    approved: list[Expense] = []
    for index, move in enumerate(moved):
        case, day = move.case, move.moves_on

        def add(kind: str, amount: Decimal, on: date, supplier: str, **extra) -> Expense:
            data = {"kind": kind, "amount": amount, "spent_on": on, "supplier": supplier, **extra}
            return expense_create(case=case, by=officer, data=data)  # noqa: B023 - called at once

        approved.append(
            add(ExpenseKind.MOVERS_OUT, _kr(rng, 7_800, 12_400, 100), day, move.movers or MOVERS[0])
        )
        if index % 2 == 0:
            boxes = _kr(rng, 650, 1_200)
            approved.append(add(ExpenseKind.BOXES, boxes, day - timedelta(days=14), BOXES))
        if index % 3 != 2:
            cleaning = _kr(rng, 2_100, 3_400)
            cleaner = CLEANERS[index % 2]
            approved.append(add(ExpenseKind.CLEANING, cleaning, day + timedelta(days=1), cleaner))
        if index in (1, 4):
            until = max(day + timedelta(days=150), today + timedelta(days=60))
            approved.append(
                add(ExpenseKind.STORAGE, Decimal("1295.00"), day, STORAGE, storage_until=until)
            )
        if index in (0, 3):
            approved.append(
                add(
                    ExpenseKind.INTERPRETER,
                    Decimal("850.00"),
                    day - timedelta(days=30),
                    INTERPRETER,
                    note="Informationsmøde om genhusningen, 1 time",
                )
            )
    for expense in approved:
        expense_approve(expense=expense, by=manager)
    if approved:
        movers = approved[0]  # the movers sent back what they charged for an hour too many
        expense_approve(
            expense=expense_correct(
                expense=movers,
                by=officer,
                amount=Decimal("-850.00"),
                spent_on=min(movers.spent_on + timedelta(days=20), today),
                note="Kreditnota: en time for meget faktureret",
            ),
            by=manager,
        )
    _awaiting(rng, projects, officer=officer, today=today)


def _awaiting(rng: random.Random, projects: list[Project], *, officer: User, today: date) -> None:
    """The households moving out next: boxes and an interpreter entered, awaiting approval."""
    planned = list(
        Move.objects.filter(
            case__project__in=projects,
            case__stage__in=OPEN_STAGES,
            kind=MoveKind.TO_TEMPORARY,
            status=MoveStatus.PLANNED,
        )
        .select_related("case")
        .order_by("moves_on", "pk")[:3]
    )
    for index, move in enumerate(planned):
        entered = [
            {
                "kind": ExpenseKind.BOXES,
                "amount": _kr(rng, 650, 1_200),
                "spent_on": today - timedelta(days=index + 1),
                "supplier": BOXES,
            }
        ]
        if index == 0:
            entered.append(
                {
                    "kind": ExpenseKind.INTERPRETER,
                    "amount": Decimal("1275.00"),
                    "spent_on": today - timedelta(days=2),
                    "supplier": INTERPRETER,
                    "note": "Gennemgang af genhusningsaftalen, 1,5 time",
                }
            )
        for data in entered:
            expense_create(case=move.case, by=officer, data=data)


# --- Letters ---------------------------------------------------------------------------------


def _template(organisation: Organisation, kind: str) -> LetterTemplate | None:
    return (
        LetterTemplate.objects.filter(organisation=organisation, kind=kind, active=True)
        .order_by("pk")
        .first()
    )


def _notice_batch(organisation: Organisation, project: Project, *, by: User, today: date) -> None:
    """The notice of the stairwell notified last (its households are at the stage "Notified"),
    made and registered as posted. The letters are made here, not by the worker, so that the
    demo has them at once; the next stairwell's notice is left for the README's walk."""
    template = _template(organisation, LetterKind.NOTICE)
    schedule = (
        StairwellSchedule.objects.filter(project=project, notice_on__lte=today)
        .select_related("stairwell")
        .order_by("-notice_on", "pk")
        .first()
    )
    if template is None or schedule is None:
        return
    batch = batch_create(project=project, template=template, by=by, stairwell=schedule.stairwell)
    batch_run(batch_id=batch.pk)
    batch_register_sent(batch=batch, via=SentVia.POSTED, sent_on=today, by=by)


def _offer_letter(organisation: Organisation, project: Project, *, by: User, today: date) -> None:
    """The letter of today's offer, registered as posted: the letter awaiting reply is the
    offer's own, and the letter goes out the day the offer was recorded as sent by letter (it
    was registered as posted today for an offer sent two days before, so the household page
    gave the one sending two days)."""
    template = _template(organisation, LetterKind.OFFER)
    offer = (
        Offer.objects.filter(case__project=project, status=OfferStatus.PENDING, sent_on=today)
        .select_related("case__household")
        .order_by("pk")
        .first()
    )
    if template is None or offer is None:
        return
    letter = letter_generate(
        household=offer.case.household, template=template, by=by, case=offer.case, offer=offer
    )
    letters_register_sent(letters=[letter], via=SentVia.POSTED, sent_on=today, by=by)
