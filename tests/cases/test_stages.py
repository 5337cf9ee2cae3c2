import itertools

import pytest
from django.core.exceptions import ValidationError

from cases.models import Case, StageChange
from cases.services import case_advance_stage
from cases.stages import OPEN_STAGES, TRANSITIONS, EndReason, Stage, allowed_next_stages
from core.versioning import ConflictError
from tests import factories

ALLOWED = {(src, dst) for src in Stage for dst in allowed_next_stages(src)}
FORBIDDEN = [pair for pair in itertools.product(Stage, Stage) if pair not in ALLOWED]


def test_it_has_the_stage_machine_of_the_domain():
    assert TRANSITIONS[Stage.PACKING] == (Stage.TEMPORARY, Stage.MOVED_PERMANENTLY)
    assert allowed_next_stages(Stage.IDENTIFIED) == (Stage.NOTIFIED, Stage.ENDED)
    assert allowed_next_stages(Stage.ENDED) == (Stage.CLOSED,)
    assert allowed_next_stages(Stage.CLOSED) == ()
    assert len(ALLOWED) == 12 + len(
        OPEN_STAGES
    )  # the path, plus an early end from every open stage


@pytest.fixture
def project(db):
    estate = factories.make_estate(factories.make_organisation())
    return factories.make_project(estate)


def _case_in(project, stage):
    reason = EndReason.EVICTED if stage == Stage.ENDED else ""
    return factories.make_case(project, stage=stage, end_reason=reason)


@pytest.mark.parametrize(("from_stage", "to_stage"), sorted(ALLOWED))
def test_it_allows_every_transition_of_the_machine(project, from_stage, to_stage):
    case = _case_in(project, from_stage)
    if to_stage == Stage.MOVED_PERMANENTLY:  # a permanent move needs its destination
        case.permanent_flat = factories.make_flat(factories.make_stairwell(project.estate, "Nyvej"))
        case.save()
    user = factories.make_user("worker")
    reason = EndReason.EVICTED if to_stage == Stage.ENDED else ""

    moved = case_advance_stage(
        case=case, to_stage=to_stage, by=user, note="Aftalt i døren", end_reason=reason
    )

    case.refresh_from_db()
    assert case.stage == moved.stage == to_stage
    change = case.stage_changes.first()
    assert (change.from_stage, change.to_stage, change.changed_by, change.note) == (
        from_stage,
        to_stage,
        user,
        "Aftalt i døren",
    )
    assert (case.closed_at is not None) == (to_stage == Stage.CLOSED)


@pytest.mark.parametrize(("from_stage", "to_stage"), FORBIDDEN)
def test_it_refuses_every_other_transition(project, from_stage, to_stage):
    case = _case_in(project, from_stage)
    before = StageChange.objects.count()

    with pytest.raises(ValidationError):
        case_advance_stage(case=case, to_stage=to_stage, by=None, end_reason=EndReason.DECEASED)

    case.refresh_from_db()
    assert case.stage == from_stage
    assert StageChange.objects.count() == before


def test_it_needs_a_reason_to_end_a_case(project):
    case = factories.make_case(project, stage=Stage.NOTIFIED)
    with pytest.raises(ValidationError):
        case_advance_stage(case=case, to_stage=Stage.ENDED, by=None)
    ended = case_advance_stage(
        case=case, to_stage=Stage.ENDED, by=None, end_reason=EndReason.LEFT_ON_OWN
    )
    assert ended.end_reason == EndReason.LEFT_ON_OWN


def test_it_refuses_a_reason_on_a_normal_transition(project):
    case = factories.make_case(project)
    with pytest.raises(ValidationError):
        case_advance_stage(
            case=case, to_stage=Stage.NOTIFIED, by=None, end_reason=EndReason.EVICTED
        )


def test_it_records_the_whole_history_in_order(project):
    case = factories.make_case(project)
    for stage in (Stage.NOTIFIED, Stage.PACKING, Stage.TEMPORARY):
        case = case_advance_stage(case=case, to_stage=stage, by=None)
    history = [(c.from_stage, c.to_stage) for c in case.stage_changes.order_by("changed_at", "pk")]
    assert history == [
        ("", Stage.IDENTIFIED),
        (Stage.IDENTIFIED, Stage.NOTIFIED),
        (Stage.NOTIFIED, Stage.PACKING),
        (Stage.PACKING, Stage.TEMPORARY),
    ]


def test_it_refuses_a_move_from_a_stage_the_case_has_left(project):
    """Two caseworkers press "next stage" on the same old page: only the first counts."""
    case = factories.make_case(project)
    case_advance_stage(case=case, to_stage=Stage.NOTIFIED, by=None, expected_stage=Stage.IDENTIFIED)
    with pytest.raises(ConflictError) as raised:
        case_advance_stage(
            case=case, to_stage=Stage.NOTIFIED, by=None, expected_stage=Stage.IDENTIFIED
        )
    assert raised.value.current.stage == Stage.NOTIFIED
    assert Case.objects.get(pk=case.pk).stage_changes.count() == 2


def test_the_database_refuses_an_ended_case_without_reason(project):
    from django.db import IntegrityError, transaction

    case = factories.make_case(project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(stage=Stage.ENDED)
