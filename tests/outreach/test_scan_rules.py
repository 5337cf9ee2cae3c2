"""The flag scan's rules, one by one, with data that should and should not flag.

The clock stands still at NOW (Tuesday 10 November 2026, noon in Copenhagen); the default
thresholds apply unless a test sets the project's own.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from cases.models import Case, StageChange
from cases.stages import Stage
from households.models import Household
from outreach.models import (
    DEFAULT_THRESHOLDS,
    AwaitedReply,
    Channel,
    Contact,
    Flag,
    FlagKind,
    FlagThresholds,
    Invitation,
    Meeting,
    Outcome,
)
from outreach.scan import flag_reason_danish, flags_evaluate
from referrals.bridge.services import follow_up_plan_start
from referrals.models import FollowUpPlan, FollowUpVisit
from tests import factories

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=COPENHAGEN)
TODAY = date(2026, 11, 10)


def days_ago(days: int) -> datetime:
    return NOW - timedelta(days=days)


def in_days(days: int) -> date:
    return TODAY + timedelta(days=days)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def project(db):
    estate = factories.make_estate(factories.make_organisation())
    return factories.make_project(estate)


LONG_AGO = days_ago(100)


def open_case(project, stage=Stage.IDENTIFIED, opened=LONG_AGO, **fields) -> Case:
    return factories.make_case(
        project, stage=stage, opened_at=opened, stage_changed_at=opened, **fields
    )


def schedule(case: Case, **dates) -> None:
    factories.make_schedule(case.project, case.household.flat.stairwell, **dates)


def reached(household: Household, when: datetime, outcome=Outcome.TALKED_AT_DOOR) -> Contact:
    return Contact.objects.create(
        household=household, channel=Channel.DOOR_KNOCK, outcome=outcome, occurred_at=when
    )


def meeting(project, when: datetime, *invited_households, attended=()) -> Meeting:
    held = Meeting.objects.create(project=project, held_at=when, place="Fælleshuset", topic="Info")
    recorded = {"attendance_recorded_at": timezone.now()}
    for household in invited_households:
        came = household in attended
        Invitation.objects.create(
            meeting=held, household=household, attended=came, **(recorded if came else {})
        )
    for household in set(attended) - set(invited_households):
        Invitation.objects.create(
            meeting=held, household=household, invited=False, attended=True, **recorded
        )
    return held


def letter(household: Household, due_on: date, subject="Tilbud om midlertidig bolig", **fields):
    fields.setdefault("sent_on", due_on - timedelta(days=14))
    return AwaitedReply.objects.create(
        household=household, subject=subject, sent_via="letter", due_on=due_on, **fields
    )


def flagged(kind: str) -> dict[int, str]:
    """Open flags of a kind: household id -> reason."""
    return dict(
        Flag.objects.filter(kind=kind, resolved_at__isnull=True).values_list(
            "household_id", "reason"
        )
    )


# --- missed information meetings ---


def test_it_flags_a_household_that_missed_as_many_meetings_as_the_threshold(project):
    twice, once = open_case(project).household, open_case(project).household
    meeting(project, days_ago(30), twice)
    meeting(project, days_ago(20), twice, once)

    result = flags_evaluate()

    assert flagged(FlagKind.MISSED_MEETINGS) == {
        twice.pk: "Udeblev fra 2 af 2 møder (senest 21.10.2026)"
    }
    assert result.raised == {FlagKind.MISSED_MEETINGS: 1}


def test_it_starts_counting_again_when_the_household_comes_to_a_meeting(project):
    came_last, came_first = open_case(project).household, open_case(project).household
    meeting(project, days_ago(40), came_last, came_first, attended=[came_first])
    meeting(project, days_ago(30), came_last, came_first)
    meeting(project, days_ago(20), came_last, came_first, attended=[came_last])
    meeting(project, days_ago(10), came_last, came_first)

    flags_evaluate()

    # came_last missed 2 of 4 but came to the third: one missed since. came_first missed 3 in a row.
    assert flagged(FlagKind.MISSED_MEETINGS) == {
        came_first.pk: "Udeblev fra 3 af 4 møder (senest 31.10.2026)"
    }


def test_it_counts_a_walk_in_as_coming(project):
    household = open_case(project).household
    meeting(project, days_ago(30), household)
    meeting(project, days_ago(20), household)
    meeting(project, days_ago(10), attended=[household])  # came without an invitation

    flags_evaluate()

    assert flagged(FlagKind.MISSED_MEETINGS) == {}


def test_it_counts_only_meetings_already_held_and_of_the_cases_project(project):
    household = open_case(project).household
    other_project = factories.make_project(project.estate, name="Tagudskiftning")
    meeting(project, days_ago(10), household)
    meeting(project, NOW + timedelta(hours=2), household)  # later today
    meeting(other_project, days_ago(5), household)

    flags_evaluate()

    assert flagged(FlagKind.MISSED_MEETINGS) == {}


def test_it_uses_the_projects_own_meeting_threshold(project):
    household = open_case(project).household
    meeting(project, days_ago(30), household)
    meeting(project, days_ago(20), household)
    FlagThresholds.objects.create(project=project, missed_meetings=3)

    flags_evaluate()
    assert flagged(FlagKind.MISSED_MEETINGS) == {}

    FlagThresholds.objects.filter(project=project).update(missed_meetings=1)
    flags_evaluate()
    assert household.pk in flagged(FlagKind.MISSED_MEETINGS)


# --- no reply by the due date ---


def test_it_flags_a_letter_unanswered_after_its_due_date(project):
    overdue, due_today, answered = (open_case(project).household for _ in range(3))
    letter(overdue, in_days(-1))
    letter(due_today, TODAY)
    letter(answered, in_days(-5), replied_on=in_days(-6))

    flags_evaluate()

    assert flagged(FlagKind.NO_REPLY) == {
        overdue.pk: "Intet svar på »Tilbud om midlertidig bolig« (frist 9.11.2026)"
    }


def test_it_names_the_oldest_overdue_letter_and_counts_the_others(project):
    household = open_case(project).household
    letter(household, in_days(-3), subject="Skema om indbo")
    letter(household, in_days(-10))
    letter(household, in_days(-1), subject="Nøgleaftale")

    flags_evaluate()

    assert flagged(FlagKind.NO_REPLY) == {
        household.pk: "Intet svar på »Tilbud om midlertidig bolig« (frist 31.10.2026)"
        " og 2 andre breve"
    }


def test_the_stored_words_are_the_shown_words_in_danish_whatever_the_language(project):
    """The scan words a new flag in SQL (outreach/scan.py, _sql_template); the flag is worded
    again from its facts when shown. Both must agree: one and more other letters, a subject
    cut at 80 characters, and a scan run while English is active."""
    one_more, long_subject = (open_case(project).household for _ in range(2))
    letter(one_more, in_days(-3))
    letter(one_more, in_days(-4), subject="Skema om indbo")
    letter(long_subject, in_days(-2), subject="Æ" * 90)

    with translation.override("en"):
        flags_evaluate()

    flags = Flag.objects.filter(kind=FlagKind.NO_REPLY)
    assert {flag.household_id: flag.reason for flag in flags} == {
        one_more.pk: "Intet svar på »Skema om indbo« (frist 6.11.2026) og 1 andet brev",
        long_subject.pk: f"Intet svar på »{'Æ' * 79}…« (frist 8.11.2026)",
    }
    assert all(flag.reason == flag_reason_danish(flag.kind, flag.reason_data) for flag in flags)


# --- no contact while a deadline is near ---


@pytest.mark.parametrize(
    ("last_reached_days_ago", "flags"),
    [(30, True), (29, False), (None, True)],
)
def test_it_flags_silence_of_the_threshold_while_the_move_out_is_near(
    project, last_reached_days_ago, flags
):
    case = open_case(project, stage=Stage.PACKING)
    schedule(case, packing_on=in_days(-5), move_out_on=in_days(20))
    if last_reached_days_ago is not None:
        reached(case.household, days_ago(last_reached_days_ago))
    reached(case.household, days_ago(1), outcome=Outcome.NO_ANSWER)  # an attempt is not contact

    flags_evaluate()

    expected = {}
    if flags:
        days = last_reached_days_ago or 100
        expected = {case.household_id: f"Ikke nået i {days} dage; fraflytning 30.11.2026"}
    assert flagged(FlagKind.NO_CONTACT) == expected


def test_it_counts_silence_from_the_opening_of_a_new_case(project):
    new = open_case(project, stage=Stage.NOTIFIED, opened=days_ago(29))
    older = open_case(project, stage=Stage.NOTIFIED, opened=days_ago(30))
    for case in (new, older):
        schedule(case, packing_on=in_days(10), move_out_on=in_days(30))

    flags_evaluate()

    assert flagged(FlagKind.NO_CONTACT) == {
        older.household_id: "Ikke nået i 30 dage; nedpakning 20.11.2026"
    }


@pytest.mark.parametrize(
    ("deadline_in", "flags"), [(45, True), (46, False), (-30, True), (-31, False)]
)
def test_it_flags_silence_only_while_the_deadline_is_within_the_window(project, deadline_in, flags):
    case = open_case(project, stage=Stage.PACKING)
    schedule(case, move_out_on=in_days(deadline_in))

    flags_evaluate()

    assert (case.household_id in flagged(FlagKind.NO_CONTACT)) == flags


def test_it_takes_the_next_deadline_from_the_stage_and_the_cases_own_dates(project):
    identified = open_case(project, stage=Stage.IDENTIFIED)
    schedule(identified, packing_on=in_days(10), move_out_on=in_days(30))
    no_packing_date = open_case(project, stage=Stage.NOTIFIED, move_out_on=in_days(12))
    schedule(no_packing_date, move_out_on=in_days(90))  # the case's own date wins
    away = open_case(project, stage=Stage.TEMPORARY, return_on=in_days(40))
    away_without_date = open_case(project, stage=Stage.RETURN_NOTIFIED)
    returned = open_case(project, stage=Stage.RETURNED, move_out_on=in_days(5))
    unscheduled = open_case(project, stage=Stage.PACKING)

    flags_evaluate()

    assert flagged(FlagKind.NO_CONTACT) == {
        identified.household_id: "Ikke nået i 100 dage; nedpakning 20.11.2026",
        no_packing_date.household_id: "Ikke nået i 100 dage; fraflytning 22.11.2026",
        away.household_id: "Ikke nået i 100 dage; hjemflytning 20.12.2026",
    }
    for case in (away_without_date, returned, unscheduled):
        assert case.household_id not in flagged(FlagKind.NO_CONTACT)


def test_it_uses_the_projects_own_contact_thresholds(project):
    case = open_case(project, stage=Stage.PACKING)
    schedule(case, move_out_on=in_days(50))
    reached(case.household, days_ago(10))
    FlagThresholds.objects.create(project=project, no_contact_days=10, deadline_window_days=50)

    flags_evaluate()

    assert flagged(FlagKind.NO_CONTACT) == {
        case.household_id: "Ikke nået i 10 dage; fraflytning 30.12.2026"
    }


# --- move-out near, packing not started ---


@pytest.mark.parametrize(
    ("stage", "move_out_in", "flags"),
    [
        (Stage.NOTIFIED, 14, True),
        (Stage.IDENTIFIED, 0, True),
        (Stage.NOTIFIED, 15, False),
        (Stage.NOTIFIED, -30, True),
        (Stage.NOTIFIED, -31, False),
        (Stage.PACKING, 3, False),
        (Stage.TEMPORARY, 3, False),
    ],
)
def test_it_flags_a_near_move_out_before_packing_has_started(project, stage, move_out_in, flags):
    case = open_case(project, stage=stage)
    reached(case.household, days_ago(1))
    schedule(case, move_out_on=in_days(move_out_in))

    flags_evaluate()

    assert (case.household_id in flagged(FlagKind.PACKING_NOT_STARTED)) == flags


def test_it_explains_packing_not_started_with_the_date_and_the_stage(project):
    case = open_case(project, stage=Stage.NOTIFIED, move_out_on=in_days(7))

    flags_evaluate()

    assert flagged(FlagKind.PACKING_NOT_STARTED) == {
        case.household_id: "Fraflytning 17.11.2026; nedpakning er ikke begyndt (fase: Varslet)"
    }


# --- follow-up after a permanent move ---


def moved_permanently(project, moved_days_ago: int, stage=Stage.MOVED_PERMANENTLY) -> Case:
    """A case that moved permanently `moved_days_ago` days ago, with the follow-up plan that
    started then (contacts due after 14, 91 and 182 days: settings.FOLLOW_UP_DAYS)."""
    case = open_case(project, stage=stage)
    StageChange.objects.create(
        case=case,
        from_stage=Stage.PACKING,
        to_stage=Stage.MOVED_PERMANENTLY,
        changed_at=days_ago(moved_days_ago),
    )
    follow_up_plan_start(case=case, on=in_days(-moved_days_ago))
    return case


@pytest.mark.parametrize(("moved_days_ago", "flags"), [(14, True), (13, False)])
def test_it_flags_a_follow_up_contact_that_is_due(project, moved_days_ago, flags):
    case = moved_permanently(project, moved_days_ago)
    reached(case.household, days_ago(1))  # a contact not recorded as the follow-up: no matter

    flags_evaluate()

    expected = (
        {case.household_id: "Opfølgningskontakt “Efter 2 uger” skulle være taget 10.11.2026"}
        if flags
        else {}
    )
    assert flagged(FlagKind.FOLLOW_UP_DUE) == expected


def test_it_names_the_oldest_due_contact_and_counts_the_others(project):
    case = moved_permanently(project, 100, stage=Stage.FOLLOW_UP)

    flags_evaluate()

    assert flagged(FlagKind.FOLLOW_UP_DUE) == {
        case.household_id: "Opfølgningskontakt “Efter 2 uger” skulle være taget 16.8.2026"
        " og 1 mere er forfalden"
    }


def test_it_does_not_flag_done_contacts_or_a_closed_plan(project):
    done = moved_permanently(project, 20, stage=Stage.FOLLOW_UP)
    FollowUpVisit.objects.filter(plan__case=done, due_on__lte=TODAY).update(done_on=TODAY)
    closed = moved_permanently(project, 200, stage=Stage.FOLLOW_UP)
    FollowUpPlan.objects.filter(case=closed).update(closed_on=TODAY, closing_note="Faldet til")
    without_plan = open_case(project, stage=Stage.MOVED_PERMANENTLY)

    flags_evaluate()

    assert flagged(FlagKind.FOLLOW_UP_DUE) == {}
    assert without_plan.household_id not in flagged(FlagKind.FOLLOW_UP_DUE)


def test_it_resolves_the_flag_when_the_contact_is_done(project):
    case = moved_permanently(project, 20, stage=Stage.FOLLOW_UP)
    flags_evaluate()
    visit = FollowUpVisit.objects.get(plan__case=case, due_on__lte=TODAY)
    visit.contact = reached(case.household, NOW)
    visit.done_on = TODAY
    visit.save()

    result = flags_evaluate()

    assert result.resolved == {FlagKind.FOLLOW_UP_DUE: 1}
    assert Flag.objects.get(kind=FlagKind.FOLLOW_UP_DUE).resolution == (
        "Løst automatisk: opfølgningskontakten er taget"
    )


def test_it_resolves_the_flag_when_the_plan_is_closed(project):
    case = moved_permanently(project, 20, stage=Stage.FOLLOW_UP)
    flags_evaluate()
    FollowUpPlan.objects.filter(case=case).update(closed_on=TODAY, closing_note="Faldet til")

    flags_evaluate()

    assert Flag.objects.get(kind=FlagKind.FOLLOW_UP_DUE).resolution == (
        "Løst automatisk: opfølgningen er ikke længere forfalden"
    )


# --- only open cases ---


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.ENDED])
def test_it_never_flags_a_household_without_an_open_case(project, stage):
    fields: dict[str, object] = (
        {"end_reason": "evicted"} if stage == Stage.ENDED else {"closed_at": NOW}
    )
    case = open_case(project, stage=stage, move_out_on=in_days(5), **fields)
    meeting(project, days_ago(30), case.household)
    meeting(project, days_ago(20), case.household)
    letter(case.household, in_days(-3))

    result = flags_evaluate()

    assert result.raised == {}
    assert result.households_scanned == 0


def test_it_points_the_flag_at_the_open_case(project):
    closed = open_case(project, stage=Stage.CLOSED, closed_at=NOW)
    later_project = factories.make_project(project.estate, name="Facaderenovering")
    case = factories.make_case(later_project, closed.household, stage=Stage.NOTIFIED)
    letter(case.household, in_days(-3))

    flags_evaluate()

    assert Flag.objects.get(kind=FlagKind.NO_REPLY).case_id == case.pk


def test_the_defaults_are_those_of_the_model():
    assert DEFAULT_THRESHOLDS == {
        "missed_meetings": 2,
        "no_contact_days": 30,
        "deadline_window_days": 45,
        "packing_window_days": 14,
        "follow_up_days": 14,
    }
