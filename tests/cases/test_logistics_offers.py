"""Offers and moves: reserving, answers, no double booking under concurrent offers, deadlines
feeding the outreach flags, and the household's addresses over time."""

import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from cases.logistics.models import MoveKind, MoveStatus, Offer, OfferStatus, RehousingKind
from cases.logistics.selectors import case_moves, case_whereabouts, offer_count
from cases.logistics.services import move_plan, move_update, offer_make, offer_reply
from cases.models import Case, ProjectKind
from cases.stages import Stage
from outreach.models import AwaitedReply, Flag, FlagKind
from outreach.scan import flags_evaluate
from tests import factories

TODAY = date(2026, 2, 2)


@pytest.fixture(autouse=True)
def _english():
    """The reasons and errors are checked in English, the language of the msgids."""
    with translation.override("en"):
        yield


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def _renovation(count: int = 1):
    organisation = factories.make_organisation()
    estate = factories.make_estate(organisation, "Hjemgården")
    project = factories.make_project(estate, kind=ProjectKind.RENOVATION_WITH_RETURN)
    stairwell = factories.make_stairwell(estate, street="Hjemvej")
    factories.make_schedule(
        project, stairwell, move_out_on=date(2026, 3, 2), return_on=date(2026, 6, 1)
    )
    cases = [
        factories.make_case(
            project,
            factories.make_household(
                factories.make_flat(stairwell, floor=n, door="tv"), f"Hanne Hansen{n}"
            ),
            stage=Stage.NOTIFIED,
        )
        for n in range(count)
    ]
    pool_flat = factories.make_pool_flat(organisation)
    return organisation, cases, pool_flat


@pytest.mark.django_db
def test_an_offer_reserves_the_flat_for_the_stay_and_awaits_a_reply(frozen, cast):
    _org, (case,), pool_flat = _renovation()

    offer = offer_make(case=case, pool_flat=pool_flat, by=cast.rehousing_officer_a1)

    assert offer.status == OfferStatus.PENDING
    assert (offer.holds_from, offer.holds_until) == (date(2026, 3, 2), date(2026, 6, 1))
    assert offer.kind == RehousingKind.TEMPORARY
    # The project's reply time (14 days unless the project says otherwise).
    assert offer.reply_due_on == TODAY + timedelta(days=14)
    letter = offer.awaited_reply
    assert letter.household_id == case.household_id and letter.due_on == offer.reply_due_on
    assert "Offer of a temporary flat" in letter.subject


@pytest.mark.django_db
def test_a_second_offer_of_the_same_flat_in_the_period_is_refused(frozen, cast):
    _org, (first, second), pool_flat = _renovation(2)
    offer_make(case=first, pool_flat=pool_flat, by=None)

    with pytest.raises(ValidationError, match="taken in the period"):
        offer_make(case=second, pool_flat=pool_flat, by=None)


@pytest.mark.django_db
def test_the_database_refuses_overlapping_holds_even_past_the_service(frozen):
    _org, (first, second), pool_flat = _renovation(2)
    offer = offer_make(case=first, pool_flat=pool_flat, by=None)

    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.create(
            case=second,
            pool_flat=pool_flat,
            kind=RehousingKind.TEMPORARY,
            holds_from=date(2026, 5, 1),
            holds_until=date(2026, 8, 1),
            sent_via="letter",
            reply_due_on=offer.reply_due_on,
        )
    # Back to back is fine: the period is half-open.
    Offer.objects.create(
        case=second,
        pool_flat=pool_flat,
        kind=RehousingKind.TEMPORARY,
        holds_from=date(2026, 6, 1),
        holds_until=date(2026, 9, 1),
        sent_via="letter",
        reply_due_on=offer.reply_due_on,
    )


@pytest.mark.django_db(transaction=True)
def test_two_officers_offering_one_flat_at_once_get_one_offer(frozen):
    """Two real connections race for the flat: the row lock lets one win, the other is told."""
    _org, (first, second), pool_flat = _renovation(2)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def offer(case: Case) -> None:
        try:
            barrier.wait(timeout=10)
            offer_make(case=case, pool_flat=pool_flat, by=None)
            outcomes.append("offered")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=offer, args=(case,)) for case in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes)[-1] == "offered"
    assert outcomes.count("offered") == 1, outcomes
    assert Offer.objects.filter(pool_flat=pool_flat).count() == 1
    assert AwaitedReply.objects.count() == 1  # the loser's letter was rolled back with it


@pytest.mark.django_db
def test_accepting_sets_the_temporary_flat_and_bumps_the_case_version(frozen, cast):
    _org, (case,), pool_flat = _renovation()
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    version = Case.objects.get(pk=case.pk).version

    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=cast.rehousing_officer_a1)

    case.refresh_from_db()
    assert case.temporary_flat_id == pool_flat.flat_id
    assert case.version == version + 1
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.replied_on == TODAY
    assert offer.awaited_reply.replied_on == TODAY


@pytest.mark.django_db
def test_a_refusal_needs_a_reason_is_counted_and_frees_the_flat(frozen):
    _org, (first, second), pool_flat = _renovation(2)
    offer = offer_make(case=first, pool_flat=pool_flat, by=None)

    with pytest.raises(ValidationError):
        offer_reply(offer=offer, status=OfferStatus.REFUSED, by=None)
    offer_reply(offer=offer, status=OfferStatus.REFUSED, refusal_reason="location", by=None)

    count = offer_count(case=first, offers=list(first.offers.all()))
    assert (count.made, count.refused, count.required) == (1, 1, 2)
    assert "Refused: Location" in AwaitedReply.objects.get().reply_note
    offer_make(case=second, pool_flat=pool_flat, by=None)  # the flat is free again
    with pytest.raises(ValidationError, match="already answered"):
        offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)


@pytest.mark.django_db
def test_an_offer_unanswered_by_its_deadline_raises_a_no_reply_flag(frozen):
    _org, (case,), pool_flat = _renovation()
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)

    flags_evaluate(household_ids=[case.household_id], today=offer.reply_due_on)
    assert not Flag.objects.filter(kind=FlagKind.NO_REPLY).exists()

    frozen.move_to(offer.reply_due_on + timedelta(days=1))
    flags_evaluate(household_ids=[case.household_id])
    flag = Flag.objects.get(kind=FlagKind.NO_REPLY, resolved_at__isnull=True)
    assert flag.household_id == case.household_id
    assert "Offer of a temporary flat" in flag.reason

    # Recording that no reply came frees the flat but keeps the flag: she must be reached.
    offer_reply(offer=offer, status=OfferStatus.NO_REPLY, by=None)
    flags_evaluate(household_ids=[case.household_id])
    assert Flag.objects.filter(kind=FlagKind.NO_REPLY, resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_an_answer_resolves_the_no_reply_flag(frozen):
    _org, (case,), pool_flat = _renovation()
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    frozen.move_to(offer.reply_due_on + timedelta(days=2))
    flags_evaluate(household_ids=[case.household_id])

    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)
    flags_evaluate(household_ids=[case.household_id])

    assert not Flag.objects.filter(kind=FlagKind.NO_REPLY, resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_a_withdrawn_offer_no_longer_awaits_a_reply(frozen):
    _org, (case,), pool_flat = _renovation()
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)

    offer_reply(offer=offer, status=OfferStatus.WITHDRAWN, by=None)

    assert not AwaitedReply.objects.exists()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN and offer.awaited_reply is None


@pytest.mark.django_db
def test_withdrawing_an_accepted_offer_clears_the_flat(frozen):
    _org, (case,), pool_flat = _renovation()
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)

    offer_reply(offer=offer, status=OfferStatus.WITHDRAWN, by=None)

    case.refresh_from_db()
    assert case.temporary_flat is None


# --- Moves and addresses --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_address_history_follows_the_moves(frozen):
    _org, (case,), pool_flat = _renovation()
    home = case.household.flat
    offer = offer_make(case=case, pool_flat=pool_flat, by=None)
    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)
    Case.objects.filter(pk=case.pk).update(stage=Stage.PACKING)
    case = Case.objects.select_related("household__flat", "temporary_flat").get(pk=case.pk)

    away = move_plan(case=case, kind=MoveKind.TO_TEMPORARY, moves_on=date(2026, 3, 2), by=None)
    where = case_whereabouts(case=case, moves=case_moves(case=case), today=TODAY)
    assert where.now.flat == home and not where.away
    assert where.next_move == away

    frozen.move_to(date(2026, 3, 2))
    move_update(move=away, by=None, expected_version=away.version, data={}, done=True)
    case.refresh_from_db()
    assert case.stage == Stage.TEMPORARY  # the move took the case on
    where = case_whereabouts(case=case, moves=case_moves(case=case), today=date(2026, 3, 2))
    assert where.away and where.now.flat == pool_flat.flat and where.home == home
    assert where.now.since == date(2026, 3, 2)

    Case.objects.filter(pk=case.pk).update(stage=Stage.PACKING_RETURN)
    case.refresh_from_db()
    back = move_plan(case=case, kind=MoveKind.RETURN, moves_on=date(2026, 6, 1), by=None)
    frozen.move_to(date(2026, 6, 1))
    move_update(move=back, by=None, expected_version=back.version, data={}, done=True)
    where = case_whereabouts(case=case, moves=case_moves(case=case), today=date(2026, 6, 1))
    assert not where.away and where.now.flat == home
    assert [a.kind for a in where.history] == ["home", "temporary", "home"]
    assert Case.objects.get(pk=case.pk).stage == Stage.RETURNED


@pytest.mark.django_db
def test_a_permanent_move_changes_where_home_is(frozen):
    organisation = factories.make_organisation()
    project = factories.make_project(
        factories.make_estate(organisation), kind=ProjectKind.TRANSFORMATION
    )
    case = factories.make_case(project, stage=Stage.PACKING)
    new_home = factories.make_flat(factories.make_stairwell(factories.make_estate(organisation)))
    Case.objects.filter(pk=case.pk).update(permanent_flat=new_home)
    case = Case.objects.select_related("household__flat", "permanent_flat").get(pk=case.pk)

    move = move_plan(case=case, kind=MoveKind.TO_PERMANENT, moves_on=TODAY, by=None)
    move_update(move=move, by=None, expected_version=move.version, data={}, done=True)

    where = case_whereabouts(case=case, moves=case_moves(case=case), today=TODAY)
    assert where.home == new_home and where.now.flat == new_home and not where.away
    assert Case.objects.get(pk=case.pk).stage == Stage.MOVED_PERMANENTLY


@pytest.mark.django_db
def test_a_move_cannot_happen_in_the_future_nor_be_planned_twice(frozen):
    _org, (case,), pool_flat = _renovation()
    Case.objects.filter(pk=case.pk).update(temporary_flat=pool_flat.flat, stage=Stage.PACKING)
    case = Case.objects.select_related("household__flat", "temporary_flat").get(pk=case.pk)
    move = move_plan(case=case, kind=MoveKind.TO_TEMPORARY, moves_on=date(2026, 3, 2), by=None)

    with pytest.raises(ValidationError, match="future"):
        move_update(move=move, by=None, expected_version=move.version, data={}, done=True)
    with pytest.raises(ValidationError, match="already planned"):
        move_plan(case=case, kind=MoveKind.TO_TEMPORARY, moves_on=date(2026, 3, 3), by=None)
    move.refresh_from_db()
    assert move.status == MoveStatus.PLANNED


@pytest.mark.django_db
def test_a_case_with_a_temporary_flat_but_no_recorded_move_is_read_from_its_stage(frozen):
    _org, (case,), pool_flat = _renovation()
    Case.objects.filter(pk=case.pk).update(temporary_flat=pool_flat.flat, stage=Stage.TEMPORARY)
    case = Case.objects.select_related("household__flat", "temporary_flat").get(pk=case.pk)

    where = case_whereabouts(case=case, moves=[], today=TODAY)

    assert where.away and where.now.flat == pool_flat.flat and where.now.since is None
