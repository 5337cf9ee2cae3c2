"""The follow-up plan after a permanent move: it starts with the move, its contacts are done by
recording follow-up contacts, it is closed once with a note (and the case with it); the plan
page, the case page section, the bridge-builder of a plan, and who may see and do what.

The clock stands at NOW (Tuesday 10 November 2026, noon in Copenhagen).
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import CaseAssignment, StageChange
from cases.services import case_advance_stage, case_assign_staff
from cases.stages import Stage
from core.roles import Role
from households.models import AccessLog
from outreach.models import Channel, Contact, Flag, FlagKind, Outcome
from outreach.scan import flags_evaluate
from referrals.bridge.services import (
    follow_up_contact_record,
    follow_up_plan_close,
    follow_up_plan_start,
)
from referrals.models import ChecklistList, ChecklistStatus, FollowUpPlan, FollowUpVisit
from tests import factories
from tests.test_access import assert_no_markers

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=COPENHAGEN)
TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def move_permanently(case, by) -> FollowUpPlan:
    case.permanent_flat = factories.make_flat(
        factories.make_stairwell(case.project.estate, "Nyvej")
    )
    case.save()
    for stage in (Stage.NOTIFIED, Stage.PACKING, Stage.MOVED_PERMANENTLY):
        case = case_advance_stage(case=case, to_stage=stage, by=by)
    return FollowUpPlan.objects.get(case=case)


@pytest.fixture
def plan(cast) -> FollowUpPlan:
    """Case A2 (Nordparken, transformation) moved permanently today, with the bridge-builder
    of organisation A assigned before the move."""
    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    return move_permanently(cast.case_a2, cast.caseworker_a2)


def contact_post(**fields) -> dict:
    return {
        "channel": Channel.PHONE,
        "outcome": Outcome.TALKED,
        "occurred_at": "2026-11-10T10:30",
        "note": "Godt på plads, savner naboerne",
        **fields,
    }


# --- the plan starts with the move ----------------------------------------------------------


def test_it_starts_a_plan_when_the_case_moves_permanently(cast, plan):
    assert plan.started_on == TODAY
    assert plan.bridge_builder == cast.bridge_builder_a
    assert plan.closed_on is None
    visits = list(plan.visits.values_list("label", "due_on", "done_on"))
    assert visits == [
        ("Efter 2 uger", date(2026, 11, 24), None),
        ("Efter 3 måneder", date(2027, 2, 9), None),
        ("Efter 6 måneder", date(2027, 5, 11), None),
    ]
    new_area = plan.case.checklist.filter(section=ChecklistList.NEW_AREA)
    assert sorted(new_area.values_list("kind", flat=True)) == sorted(
        ["new_daycare_school", "leisure", "associations", "local_guide", "gp", "home_care"]
    )
    assert set(new_area.values_list("status", flat=True)) == {ChecklistStatus.OPEN}


def test_the_intervals_come_from_the_settings(cast, settings):
    settings.FOLLOW_UP_DAYS = [7, 30]
    plan = move_permanently(cast.case_a2, cast.caseworker_a2)
    assert list(plan.visits.values_list("label", "due_on")) == [
        ("Efter 1 uger", date(2026, 11, 17)),
        ("Efter 1 måneder", date(2026, 12, 10)),
    ]


def test_starting_it_again_changes_nothing(cast, plan):
    again = follow_up_plan_start(case=plan.case, on=TODAY + timedelta(days=3))
    assert again.pk == plan.pk and again.started_on == TODAY
    assert plan.visits.count() == 3
    assert plan.case.checklist.filter(section=ChecklistList.NEW_AREA).count() == 6


def test_a_case_without_a_bridge_builder_gets_a_plan_without_one(cast):
    plan = move_permanently(cast.case_a2, cast.caseworker_a2)
    assert plan.bridge_builder is None


def test_a_bridge_builder_assigned_after_the_move_becomes_the_plans(cast):
    plan = move_permanently(cast.case_a2, cast.caseworker_a2)
    case_assign_staff(case=cast.case_a2, user=cast.caseworker_a1, by=cast.manager_a)
    plan.refresh_from_db()
    assert plan.bridge_builder is None  # a caseworker is not the bridge-builder
    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    plan.refresh_from_db()
    assert plan.bridge_builder == cast.bridge_builder_a


def test_a_temporary_move_starts_no_plan(cast):
    for stage in (Stage.NOTIFIED, Stage.PACKING, Stage.TEMPORARY):
        case_advance_stage(case=cast.case_a1, to_stage=stage, by=None)
    assert not FollowUpPlan.objects.exists()


# --- follow-up contacts ---------------------------------------------------------------------


def test_it_records_a_follow_up_contact_in_the_contact_log_and_marks_it_done(
    client, cast, plan, django_capture_on_commit_callbacks
):
    visit = plan.visits.first()
    client.force_login(cast.bridge_builder_a)
    url = reverse("referrals:follow_up_contact", args=[visit.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Bodil Markørdatter" in page.content.decode()
    assert 'value="phone" selected' in page.content.decode()  # a follow-up is mostly a call

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, contact_post(), follow=True)

    assert response.redirect_chain[-1][0] == reverse("referrals:follow_up", args=[plan.pk])
    assert "Opfølgningskontakten er registreret." in response.content.decode()
    visit.refresh_from_db()
    contact = Contact.objects.get(household=plan.case.household)
    assert (visit.done_on, visit.contact) == (TODAY, contact)
    assert (contact.staff, contact.case, contact.note) == (
        cast.bridge_builder_a,
        plan.case,
        "Godt på plads, savner naboerne",
    )
    plan.case.refresh_from_db()
    assert plan.case.stage == Stage.FOLLOW_UP  # the first follow-up moves the case on
    change = StageChange.objects.filter(case=plan.case).first()
    assert (change.to_stage, change.note) == (
        Stage.FOLLOW_UP,
        "Første opfølgningskontakt efter flytningen",
    )


def test_an_unanswered_call_is_logged_but_leaves_the_contact_due(client, cast, plan):
    visit = plan.visits.first()
    client.force_login(cast.bridge_builder_a)
    response = client.post(
        reverse("referrals:follow_up_contact", args=[visit.pk]),
        contact_post(outcome=Outcome.NO_ANSWER),
        follow=True,
    )
    assert "opfølgningskontakten er stadig forfalden" in response.content.decode()
    visit.refresh_from_db()
    assert visit.done_on is None
    assert Contact.objects.filter(household=plan.case.household).count() == 1
    plan.case.refresh_from_db()
    assert plan.case.stage == Stage.MOVED_PERMANENTLY


def test_a_follow_up_contact_is_recorded_once(cast, plan):
    visit = plan.visits.first()
    follow_up_contact_record(
        visit=visit, by=cast.bridge_builder_a, channel=Channel.PHONE, outcome=Outcome.TALKED
    )
    with pytest.raises(ValidationError, match="allerede registreret"):
        follow_up_contact_record(
            visit=visit, by=cast.bridge_builder_a, channel=Channel.PHONE, outcome=Outcome.TALKED
        )
    assert Contact.objects.count() == 1


def test_the_form_says_what_is_wrong_and_keeps_what_was_typed(client, cast, plan):
    visit = plan.visits.first()
    client.force_login(cast.bridge_builder_a)
    response = client.post(
        reverse("referrals:follow_up_contact", args=[visit.pk]),
        contact_post(occurred_at="2026-11-01T10:00"),  # before the move
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "En opfølgningskontakt kan ikke ligge før flytningen." in body
    assert "Godt på plads, savner naboerne" in body
    assert not Contact.objects.exists()


def test_a_recorded_contact_resolves_the_follow_up_flag_at_once(
    cast, plan, clock, django_capture_on_commit_callbacks
):
    clock.move_to(NOW + timedelta(days=15))
    flags_evaluate()
    assert Flag.objects.get(kind=FlagKind.FOLLOW_UP_DUE).resolved_at is None

    with django_capture_on_commit_callbacks(execute=True):
        follow_up_contact_record(
            visit=plan.visits.first(),
            by=cast.bridge_builder_a,
            channel=Channel.PHONE,
            outcome=Outcome.TALKED,
        )

    flag = Flag.objects.get(kind=FlagKind.FOLLOW_UP_DUE)
    assert flag.resolution == "Løst automatisk: opfølgningskontakten er taget"


# --- closing --------------------------------------------------------------------------------


def test_closing_needs_a_note(client, cast, plan):
    client.force_login(cast.bridge_builder_a)
    response = client.post(
        reverse("referrals:follow_up_close", args=[plan.pk]), {"closing_note": "  "}
    )
    assert response.status_code == 400
    assert "Skriv, hvordan husstanden er faldet til." in response.content.decode()
    plan.refresh_from_db()
    assert plan.closed_on is None


def test_closing_closes_the_case_and_is_done_once(client, cast, plan):
    follow_up_contact_record(
        visit=plan.visits.first(),
        by=cast.bridge_builder_a,
        channel=Channel.PHONE,
        outcome=Outcome.TALKED,
    )
    client.force_login(cast.bridge_builder_a)
    response = client.post(
        reverse("referrals:follow_up_close", args=[plan.pk]),
        {"closing_note": "Går i klubben, har fået ny læge"},
        follow=True,
    )
    assert "Opfølgningen er afsluttet" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.closed_on, plan.closing_note) == (TODAY, "Går i klubben, har fået ny læge")
    plan.case.refresh_from_db()
    assert plan.case.stage == Stage.CLOSED
    assert plan.case.stage_changes.first().note == "Går i klubben, har fået ny læge"

    with pytest.raises(ValidationError, match="allerede afsluttet"):
        follow_up_plan_close(plan=plan, by=cast.bridge_builder_a, note="Igen")
    # The case is closed now: the page no longer offers to close, and a stale form is refused.
    response = client.post(
        reverse("referrals:follow_up_close", args=[plan.pk]), {"closing_note": "Igen"}
    )
    assert response.status_code in (302, 400)
    plan.refresh_from_db()
    assert plan.closing_note == "Går i klubben, har fået ny læge"


def test_closing_a_plan_still_in_moved_permanently_goes_through_follow_up(cast, plan):
    follow_up_plan_close(plan=plan, by=cast.manager_a, note="Klarer sig selv")
    stages = list(plan.case.stage_changes.order_by("changed_at", "pk").values_list("to_stage"))
    assert stages[-2:] == [(Stage.FOLLOW_UP,), (Stage.CLOSED,)]


# --- the plan page and the case page --------------------------------------------------------


def test_the_plan_page_shows_contacts_checklist_and_offers(client, cast, plan):
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("referrals:follow_up", args=[plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Bodil Markørdatter" in body
    for text in ("Efter 2 uger", "24. november 2026", "Praktiserende læge", "Lokale foreninger"):
        assert text in body
    assert reverse("referrals:follow_up_contact", args=[plan.visits.first().pk]) in body
    item = plan.case.checklist.get(kind="gp")
    assert reverse("referrals:checklist_item", args=[item.pk]) in body
    assert reverse("referrals:referral_create", args=[plan.case.household_id]) in body
    assert AccessLog.objects.filter(
        user=cast.bridge_builder_a, household=plan.case.household, what="follow-up plan"
    ).exists()


def test_a_new_area_item_is_set_with_one_tap(client, cast, plan):
    item = plan.case.checklist.get(kind="gp")
    client.force_login(cast.bridge_builder_a)
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "done", "expected_status": "open", "helped_by": "Brobyggeren"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert (item.status, item.helped_by) == ("done", "Brobyggeren")


def test_the_case_page_shows_the_follow_up(client, cast, plan):
    client.force_login(cast.caseworker_a2)
    body = client.get(reverse("cases:detail", args=[plan.case_id])).content.decode()
    assert "Opfølgning efter flytningen" in body
    assert reverse("referrals:follow_up", args=[plan.pk]) in body
    assert "Efter 2 uger" in body


def test_the_case_page_of_a_case_without_a_plan_has_no_section(client, cast):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "Opfølgning efter flytningen" not in body


# --- the bridge-builder of the plan ---------------------------------------------------------


@pytest.fixture
def second_bridge_builder(cast):
    user = factories.make_user("bridge_builder_a2", Role.BRIDGE_BUILDER, first_name="Sofie")
    assign_perm("households.staff_of_organisation", user, cast.case_a2.project.estate.organisation)
    return user


def test_a_manager_changes_the_bridge_builder(client, cast, plan, second_bridge_builder):
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:follow_up_assign", args=[plan.pk]),
        {"bridge_builder": second_bridge_builder.pk, "expected": cast.bridge_builder_a.pk},
        follow=True,
    )
    assert "Sofie er brobygger nu." in response.content.decode()
    plan.refresh_from_db()
    assert plan.bridge_builder == second_bridge_builder
    roles = dict(CaseAssignment.objects.filter(case=plan.case).values_list("user", "role"))
    assert roles == {second_bridge_builder.pk: "bridge_builder"}  # the first one came off


def test_a_change_made_meanwhile_is_not_overwritten(client, cast, plan, second_bridge_builder):
    FollowUpPlan.objects.filter(pk=plan.pk).update(bridge_builder=None)
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:follow_up_assign", args=[plan.pk]),
        {"bridge_builder": second_bridge_builder.pk, "expected": cast.bridge_builder_a.pk},
        follow=True,
    )
    assert "Nogen anden har ændret brobyggeren" in response.content.decode()
    plan.refresh_from_db()
    assert plan.bridge_builder is None


@pytest.mark.parametrize("role", ["bridge_builder_a", "caseworker_a2"])
def test_only_managers_choose_the_bridge_builder(client, cast, plan, second_bridge_builder, role):
    client.force_login(getattr(cast, role))
    page = client.get(reverse("referrals:follow_up", args=[plan.pk])).content.decode()
    assert reverse("referrals:follow_up_assign", args=[plan.pk]) not in page
    response = client.post(
        reverse("referrals:follow_up_assign", args=[plan.pk]),
        {"bridge_builder": second_bridge_builder.pk, "expected": cast.bridge_builder_a.pk},
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.bridge_builder == cast.bridge_builder_a


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["bridge_builder_a", "caseworker_a2", "manager_a"])
def test_those_who_work_with_the_household_see_the_plan(client, cast, plan, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("referrals:follow_up", args=[plan.pk])).status_code == 200


OUTSIDERS = [
    "caseworker_a1",
    "manager_b",
    "caseworker_b1",
    "rehousing_officer_a1",
    "visitator",
    "caretaker_a1",
]


@pytest.mark.parametrize("role", OUTSIDERS)
def test_nobody_else_reaches_the_plan_or_its_contacts(client, cast, plan, role):
    visit = plan.visits.first()
    client.force_login(getattr(cast, role))
    pages = [
        ("get", reverse("referrals:follow_up", args=[plan.pk]), {}),
        ("get", reverse("referrals:follow_up_contact", args=[visit.pk]), {}),
        ("post", reverse("referrals:follow_up_contact", args=[visit.pk]), contact_post()),
        ("post", reverse("referrals:follow_up_close", args=[plan.pk]), {"closing_note": "x"}),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (url, response.status_code)
        assert_no_markers(response.content.decode(), ["case_a2"])
    assert not Contact.objects.exists()
    plan.refresh_from_db()
    assert plan.closed_on is None


def test_anonymous_is_sent_to_log_in(client, plan):
    response = client.get(reverse("referrals:follow_up", args=[plan.pk]))
    assert response.status_code == 302 and "/konto/login/" in response.url


def test_wrong_methods_are_refused(client, cast, plan):
    client.force_login(cast.bridge_builder_a)
    assert client.get(reverse("referrals:follow_up_close", args=[plan.pk])).status_code == 405
    assert client.post(reverse("referrals:follow_up", args=[plan.pk])).status_code == 405


def test_a_visit_of_a_closed_plan_cannot_be_recorded(client, cast, plan):
    follow_up_plan_close(plan=plan, by=cast.manager_a, note="Faldet godt til")
    visit = FollowUpVisit.objects.filter(plan=plan).first()
    client.force_login(cast.bridge_builder_a)
    response = client.post(reverse("referrals:follow_up_contact", args=[visit.pk]), contact_post())
    assert response.status_code == 302
    assert not Contact.objects.exists()
