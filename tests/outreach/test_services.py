from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.models import Case
from outreach.models import Channel, Contact, Flag, FlagKind, Invitation, Outcome
from outreach.selectors import contact_summaries, contact_summary
from outreach.services import (
    attendance_mark,
    awaited_reply_mark_replied,
    awaited_reply_record,
    contact_record,
    contact_undo,
    drop_in_session_create,
    drop_in_visit_record,
    flag_resolve,
    meeting_create,
    tip_submit,
)
from tests import factories


def knock(household, by, outcome=Outcome.NO_ANSWER, **fields):
    return contact_record(
        household=household, by=by, channel=Channel.DOOR_KNOCK, outcome=outcome, **fields
    )


def test_it_summarises_unanswered_knocks(cast):
    household = cast.case_a1.household
    march = timezone.now() - timedelta(days=200)
    for days in range(6):
        knock(household, cast.caseworker_a1, occurred_at=march + timedelta(days=days * 20))
    knock(household, cast.caseworker_a1, outcome=Outcome.TALKED_AT_DOOR)
    summary = contact_summary(household=household)
    assert (summary.attempts, summary.unanswered, summary.door_knocks) == (7, 6, 7)
    assert summary.first_at == march
    assert summary.last.outcome == Outcome.TALKED_AT_DOOR
    assert summary.last_reached_at == summary.last_at


def test_the_summary_of_many_households_takes_two_queries(cast, django_assert_max_num_queries):
    households = [cast.case_a1.household, cast.case_a2.household, cast.case_b1.household]
    for household in households:
        knock(household, None)
    with django_assert_max_num_queries(2):
        summaries = contact_summaries(household_ids=[h.pk for h in households])
    assert {h.pk for h in households} == set(summaries)


def test_a_next_step_from_a_contact_becomes_the_cases_next_step(cast):
    household = cast.case_a1.household
    knock(
        household,
        cast.caseworker_a1,
        outcome=Outcome.APPOINTMENT,
        next_step="Besøg med tolk",
        next_step_on=date(2026, 12, 3),
    )
    case = Case.objects.get(pk=cast.case_a1.pk)
    assert (case.next_step, case.next_step_on, case.version) == (
        "Besøg med tolk",
        date(2026, 12, 3),
        2,
    )


def test_only_the_social_team_records_observations_about_the_home(cast):
    household = cast.case_a1.household
    with pytest.raises(PermissionDenied):
        knock(
            household,
            cast.rehousing_officer_a1,
            outcome=Outcome.VISIT_INSIDE,
            observations=["mould"],
        )
    contact = knock(
        household, cast.caseworker_a1, outcome=Outcome.VISIT_INSIDE, observations=["mould", "pests"]
    )
    assert contact.observations == ["mould", "pests"]


def test_a_safety_concern_raises_a_flag_once(cast):
    household = cast.case_a1.household
    knock(household, cast.caseworker_a1, outcome=Outcome.SAFETY_CONCERN)
    knock(household, cast.caseworker_a1, outcome=Outcome.SAFETY_CONCERN)
    assert (
        Flag.objects.filter(
            household=household, kind=FlagKind.SAFETY_CONCERN, resolved_at=None
        ).count()
        == 1
    )


def test_a_contact_can_be_undone_by_its_author_within_ten_minutes(cast):
    contact = knock(cast.case_a1.household, cast.caseworker_a1)
    with pytest.raises(PermissionDenied):
        contact_undo(contact=contact, by=cast.manager_a)
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    contact.refresh_from_db()
    with pytest.raises(PermissionDenied):
        contact_undo(contact=contact, by=cast.caseworker_a1)
    fresh = knock(cast.case_a1.household, cast.caseworker_a1)
    contact_undo(contact=fresh, by=cast.caseworker_a1)
    assert not Contact.objects.filter(pk=fresh.pk).exists()


def test_a_tip_is_about_the_flat_and_its_current_household(cast):
    flat = cast.case_a1.household.flat
    tip = tip_submit(
        flat=flat,
        by=cast.caretaker_a1,
        source="caretaker",
        text="Åbner aldrig; handler tirsdag formiddag",
    )
    assert tip.household == cast.case_a1.household
    with pytest.raises(ValidationError):
        tip_submit(flat=flat, by=cast.caretaker_a1, source="caretaker", text="  ")


def test_meetings_invite_stairwells_and_take_attendance_with_walk_ins(cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    neighbour = factories.make_household(factories.make_flat(stairwell, floor=2), "Ib Nabo")
    elsewhere = factories.make_household(
        factories.make_flat(factories.make_stairwell(project.estate, street="Andenvej")),
        "Else Andersen",
    )
    meeting = meeting_create(
        project=project,
        by=cast.caseworker_a1,
        held_at=timezone.now() - timedelta(hours=1),
        place="Fælleshuset",
        topic="Sådan foregår genhusningen",
        stairwells=[stairwell],
        sent_via="letter",
        sent_on=timezone.localdate() - timedelta(days=14),
    )
    assert set(meeting.invitations.values_list("household", flat=True)) == {
        cast.case_a1.household_id,
        neighbour.pk,
    }

    attendance_mark(meeting=meeting, household=cast.case_a1.household, by=cast.caseworker_a1)
    walk_in = attendance_mark(meeting=meeting, household=elsewhere, by=cast.caseworker_a1)
    assert (walk_in.invited, walk_in.attended) == (False, True)
    assert Contact.objects.filter(meeting=meeting).count() == 2

    attendance_mark(meeting=meeting, household=elsewhere, by=cast.caseworker_a1, attended=False)
    assert not Invitation.objects.filter(meeting=meeting, household=elsewhere).exists()
    assert Contact.objects.filter(meeting=meeting).count() == 1
    attendance_mark(
        meeting=meeting, household=cast.case_a1.household, by=cast.caseworker_a1
    )  # twice: no change
    assert Contact.objects.filter(meeting=meeting).count() == 1


def test_the_cafe_registers_a_visitor_once_per_session(cast):
    session = drop_in_session_create(
        estate=cast.case_a1.project.estate,
        by=cast.caseworker_a1,
        held_on=timezone.localdate(),
        place="Fælleshuset",
    )
    household = cast.case_a1.household
    drop_in_visit_record(
        session=session, household=household, by=cast.caseworker_a1, help_topics=["address_change"]
    )
    drop_in_visit_record(
        session=session, household=household, by=cast.caseworker_a1, help_topics=["bank"]
    )
    visit = Contact.objects.get(drop_in_session=session)
    assert visit.help_topics == ["address_change", "bank"]
    assert visit.reached


def test_a_letter_awaiting_reply_is_logged_and_its_reply_too(cast):
    household = cast.case_a1.household
    today = timezone.localdate()
    reply = awaited_reply_record(
        household=household,
        by=cast.rehousing_officer_a1,
        subject="Tilbud om midlertidig bolig",
        sent_via="letter",
        sent_on=today - timedelta(days=10),
        due_on=today - timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        awaited_reply_mark_replied(
            reply=reply, by=cast.rehousing_officer_a1, replied_on=today + timedelta(days=1)
        )
    awaited_reply_mark_replied(reply=reply, by=cast.rehousing_officer_a1, note="Siger ja tak")
    reply.refresh_from_db()
    assert reply.replied_on == today
    outcomes = list(household.contacts.order_by("occurred_at").values_list("outcome", flat=True))
    assert outcomes == [Outcome.SENT, Outcome.REPLIED]


def test_resolving_a_flag_needs_a_reason(cast):
    flag = Flag.objects.create(
        household=cast.case_a1.household, kind=FlagKind.NO_REPLY, reason="Intet svar"
    )
    with pytest.raises(ValidationError):
        flag_resolve(flag=flag, by=cast.caseworker_a1, resolution=" ")
    flag_resolve(flag=flag, by=cast.caseworker_a1, resolution="Svarede i telefonen")
    flag.refresh_from_db()
    assert (flag.resolved_by, flag.resolution) == (cast.caseworker_a1, "Svarede i telefonen")
    with pytest.raises(ValidationError):
        flag_resolve(flag=flag, by=cast.caseworker_a1, resolution="igen")
