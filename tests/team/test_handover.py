"""A colleague leaves: her open work moves to another in one step, nothing is lost, her
sessions end, the new colleague is told, and the access log says who did it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.models import Case, CaseAssignment, CaseUserObjectPermission
from cases.services import case_assign_staff
from cases.stages import Stage
from core.roles import Role
from households.models import AccessAction, AccessLog
from outreach.models import AwaitedReply, Flag, FlagKind, Meeting
from referrals.bridge.services import follow_up_plan_start
from referrals.models import FollowUpPlan
from team.models import Handover, HandoverItem, HandoverKind
from team.selectors import handover_counts
from team.services import handover_send_notification, staff_deactivate, work_hand_over
from team.tasks import handover_notifications_sweep, notify_handover
from tests import factories
from tests.conftest import MARKERS


@pytest.fixture
def org_a(cast):
    return cast.case_a1.project.estate.organisation


def colleague(org, username: str, role: str) -> User:
    user = factories.make_user(username, role, first_name="Ny", last_name="Kollega")
    user.email = f"{username}@example.dk"
    user.save()
    assign_perm("households.staff_of_organisation", user, org)
    return user


def letter(case, by, **fields):
    fields.setdefault("due_on", timezone.localdate() + timedelta(days=7))
    return AwaitedReply.objects.create(
        household=case.household, case=case, subject="Varsel", sent_via="letter",
        created_by=by, **fields,
    )  # fmt: skip


def meeting(project, by, held_at):
    return Meeting.objects.create(
        project=project, held_at=held_at, place="Fælleshuset", topic="Genhusning", created_by=by
    )


def flag(case, kind=FlagKind.NO_CONTACT, **fields) -> Flag:
    return Flag.objects.create(
        household=case.household, case=case, kind=kind, reason="Ikke truffet", **fields
    )


def owned(user) -> dict[str, int]:
    """What `user` holds, by kind, open or not."""
    return {
        "open_cases": CaseAssignment.objects.filter(user=user, case__stage__in=Stage.values)
        .exclude(case__stage__in=[Stage.CLOSED, Stage.ENDED])
        .count(),
        "closed_cases": CaseAssignment.objects.filter(user=user, case__stage=Stage.CLOSED).count(),
        "open_plans": FollowUpPlan.objects.filter(
            bridge_builder=user, closed_on__isnull=True
        ).count(),
        "closed_plans": FollowUpPlan.objects.filter(
            bridge_builder=user, closed_on__isnull=False
        ).count(),
        "open_letters": AwaitedReply.objects.filter(
            created_by=user, replied_on__isnull=True
        ).count(),
        "answered_letters": AwaitedReply.objects.filter(
            created_by=user, replied_on__isnull=False
        ).count(),
        "coming_meetings": Meeting.objects.filter(
            created_by=user, held_at__gte=timezone.now()
        ).count(),
        "past_meetings": Meeting.objects.filter(
            created_by=user, held_at__lt=timezone.now()
        ).count(),
    }


@pytest.fixture
def departing(cast, org_a):
    """The bridge-builder of organisation A with open work of every kind, and some closed."""
    leaving = cast.bridge_builder_a
    leaving.first_name, leaving.last_name = "Birte", "Bro"
    leaving.save()
    project = cast.case_a1.project
    open_cases = [cast.case_a1, *(factories.make_case(project) for _ in range(2))]
    for case in open_cases:
        case_assign_staff(case=case, user=leaving, by=cast.manager_a)
    closed = factories.make_case(project)
    case_assign_staff(case=closed, user=leaving, by=cast.manager_a)
    Case.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED, closed_at=timezone.now())
    for case in open_cases[1:]:
        follow_up_plan_start(case=case)
    done = follow_up_plan_start(case=closed)
    FollowUpPlan.objects.filter(pk=done.pk).update(closed_on=timezone.localdate())
    FollowUpPlan.objects.update(bridge_builder=leaving)
    letter(open_cases[0], leaving)
    letter(open_cases[1], leaving)
    letter(open_cases[1], leaving, replied_on=timezone.localdate())
    letter(open_cases[2], cast.caseworker_a1)
    meeting(project, leaving, timezone.now() + timedelta(days=10))
    meeting(project, leaving, timezone.now() - timedelta(days=10))
    # Open flags on two of her open cases; a resolved one, one on her closed case's household
    # and one on a colleague's case stay out of the count.
    flag(open_cases[0])
    flag(open_cases[2], kind=FlagKind.SAFETY_CONCERN)
    flag(open_cases[1], kind=FlagKind.NO_REPLY, resolved_at=timezone.now(), resolution="Svarede")
    flag(closed)
    flag(cast.case_a2)
    mail.outbox.clear()
    return leaving


def deactivate_url(org, user) -> str:
    return reverse("team:deactivate", args=[org.pk, user.pk])


def test_a_handover_moves_every_open_item_ends_her_sessions_and_is_in_the_access_log(
    client, cast, org_a, departing, django_capture_on_commit_callbacks
):
    taker = colleague(org_a, "bro2", Role.BRIDGE_BUILDER)
    assert owned(departing) == {
        "open_cases": 3, "closed_cases": 1, "open_plans": 2, "closed_plans": 1,
        "open_letters": 2, "answered_letters": 1, "coming_meetings": 1, "past_meetings": 1,
    }  # fmt: skip
    assert set(owned(taker).values()) == {0}
    her_phone = Client()
    her_phone.force_login(departing)
    assert her_phone.get(reverse("referrals:follow_up_list")).status_code == 200

    client.force_login(cast.manager_a)
    page = client.get(deactivate_url(org_a, departing))
    assert page.status_code == 200
    assert dict(page.context["lines"]) == {
        "Åbne sager": 3,
        "Opfølgningsplaner": 2,
        "Breve der venter på svar": 2,
        "Kommende informationsmøder": 1,
        "Åbne flag på hendes sager": 2,
    }
    assert "følger sagerne" in page.content.decode()
    assert list(page.context["form"].fields["to_user"].queryset) == [taker]  # bridge-builders

    preview = client.post(deactivate_url(org_a, departing), {"to_user": taker.pk})
    assert preview.status_code == 200 and preview.context["step"] == "confirm"
    assert "Ny Kollega" in preview.content.decode()
    assert owned(departing)["open_cases"] == 3 and User.objects.get(pk=departing.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            deactivate_url(org_a, departing), {"to_user": taker.pk, "confirmed": "yes"}
        )
    assert done.status_code == 302
    assert owned(departing) == {
        "open_cases": 0, "closed_cases": 1, "open_plans": 0, "closed_plans": 1,
        "open_letters": 0, "answered_letters": 1, "coming_meetings": 0, "past_meetings": 1,
    }  # fmt: skip
    assert owned(taker) == {
        "open_cases": 3, "closed_cases": 0, "open_plans": 2, "closed_plans": 0,
        "open_letters": 2, "answered_letters": 0, "coming_meetings": 1, "past_meetings": 0,
    }  # fmt: skip
    handover = Handover.objects.get()
    assert (handover.from_user, handover.to_user, handover.by) == (
        departing,
        taker,
        cast.manager_a,
    )
    assert handover.deactivated and handover.counts == {
        "case": 3, "follow_up_plan": 2, "letter": 2, "meeting": 1, "flag": 2,
    }  # fmt: skip
    items = HandoverItem.objects.filter(handover=handover)
    for kind, count in handover.counts.items():
        assert items.filter(kind=kind).count() == count
    # The flags that moved are the open ones of her cases' households, still open, now on
    # cases the taker holds.
    moved_flags = Flag.objects.filter(
        pk__in=items.filter(kind=HandoverKind.FLAG).values("object_id")
    )
    assert [(f.kind, f.is_open) for f in moved_flags.order_by("kind")] == [
        (FlagKind.NO_CONTACT, True),
        (FlagKind.SAFETY_CONCERN, True),
    ]
    assert set(
        CaseAssignment.objects.filter(case__flags__in=moved_flags).values_list("user", flat=True)
    ) == {taker.pk}

    # Her access to the cases went with them; the taker's came.
    moved_cases = list(items.filter(kind=HandoverKind.CASE).values_list("object_id", flat=True))
    perms = CaseUserObjectPermission.objects.filter(content_object_id__in=moved_cases)
    assert not perms.filter(user=departing).exists()
    assert perms.filter(user=taker).count() == 6  # view and change, three cases
    assert set(
        Case.objects.for_user(User.objects.get(pk=taker.pk)).values_list("pk", flat=True)
    ) == set(moved_cases)

    # Out at once, everywhere.
    departing.refresh_from_db()
    assert not departing.is_active
    response = her_phone.get(reverse("referrals:follow_up_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    entries = AccessLog.objects.filter(action=AccessAction.STAFF)
    assert {entry.user_id for entry in entries} == {cast.manager_a.pk}
    households = {case.household_id for case in Case.objects.filter(pk__in=moved_cases)}
    assert {entry.household_id for entry in entries} == households
    assert entries.first().path == deactivate_url(org_a, departing)

    [message] = mail.outbox
    assert message.to == ["bro2@example.dk"]
    assert message.subject == "Du har overtaget en kollegas arbejde i genhusning"
    assert "Birte Bro" in message.body and "Åbne sager: 3" in message.body
    assert "Åbne flag på hendes sager: 2" in message.body
    assert "/sager/?scope=mine" in message.body
    for marker in (marker for markers in MARKERS.values() for marker in markers):
        assert marker not in message.body
    assert handover_send_notification(handover_id=handover.pk) is False  # once only

    team = client.get(done["Location"]).content.decode()
    assert "10 opgaver er flyttet til Ny Kollega" in team


def test_only_a_colleague_who_can_take_all_of_it_may_be_chosen(client, cast, org_a, departing):
    client.force_login(cast.manager_a)
    before = owned(departing)
    response = client.post(
        deactivate_url(org_a, departing), {"to_user": cast.caseworker_a1.pk, "confirmed": "yes"}
    )
    assert response.status_code == 400  # the follow-up plans need a bridge-builder
    assert owned(departing) == before and User.objects.get(pk=departing.pk).is_active
    assert not Handover.objects.exists()
    other_org = colleague(cast.case_b1.project.estate.organisation, "bro_b", Role.BRIDGE_BUILDER)
    response = client.post(
        deactivate_url(org_a, departing), {"to_user": other_org.pk, "confirmed": "yes"}
    )
    assert response.status_code == 400
    assert owned(departing) == before
    without_choice = client.post(deactivate_url(org_a, departing), {"confirmed": "yes"})
    assert without_choice.status_code == 400
    assert owned(departing) == before and not Handover.objects.exists()


def test_a_caseworkers_cases_move_to_a_caseworker_of_another_estate_who_then_sees_them(
    client, cast, org_a
):
    extra = factories.make_case(cast.case_a1.project)
    for case in (cast.case_a1, extra):
        case_assign_staff(case=case, user=cast.caseworker_a1, by=cast.manager_a)
    case_assign_staff(case=extra, user=cast.caseworker_a2, by=cast.manager_a)  # on it already
    assert not Case.objects.for_user(cast.caseworker_a2).filter(pk=cast.case_a1.pk).exists()
    client.force_login(cast.manager_a)
    client.post(
        deactivate_url(org_a, cast.caseworker_a1),
        {"to_user": cast.caseworker_a2.pk, "confirmed": "yes"},
    )
    taker = User.objects.get(pk=cast.caseworker_a2.pk)
    assert set(Case.objects.for_user(taker)) == {cast.case_a1, cast.case_a2, extra}
    assert CaseAssignment.objects.filter(user=taker).count() == 2
    assert not CaseAssignment.objects.filter(user=cast.caseworker_a1).exists()
    assert Handover.objects.get().counts["case"] == 2


def test_nobody_deactivates_herself_and_a_deactivated_colleagues_work_can_still_move(
    client, cast, org_a, departing
):
    client.force_login(cast.manager_a)
    page = client.get(deactivate_url(org_a, cast.manager_a))
    assert "Du kan ikke deaktivere dig selv" in page.content.decode()
    response = client.post(deactivate_url(org_a, cast.manager_a), {"confirmed": "yes"})
    assert response.status_code == 400
    assert User.objects.get(pk=cast.manager_a.pk).is_active

    departing.is_active = False  # closed in the admin, her work left behind
    departing.save()
    taker = colleague(org_a, "bro2", Role.BRIDGE_BUILDER)
    assert handover_counts(organisation=org_a, user=departing)[HandoverKind.CASE] == 3
    response = client.post(
        deactivate_url(org_a, departing), {"to_user": taker.pk, "confirmed": "yes"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "10 opgaver fra Birte Bro er flyttet til Ny Kollega" in page  # 2 are flags
    assert set(handover_counts(organisation=org_a, user=departing).values()) == {0}
    assert not Handover.objects.get().deactivated


def test_a_colleague_without_open_work_is_just_deactivated(client, cast, org_a):
    client.force_login(cast.manager_a)
    page = client.get(deactivate_url(org_a, cast.rehousing_officer_a1))
    assert "Hun har intet åbent arbejde" in page.content.decode()
    response = client.post(deactivate_url(org_a, cast.rehousing_officer_a1), {"confirmed": "yes"})
    assert response.status_code == 302
    assert not User.objects.get(pk=cast.rehousing_officer_a1.pk).is_active
    handover = Handover.objects.get()
    assert (handover.to_user, handover.total, handover.deactivated) == (None, 0, True)
    assert mail.outbox == []


def test_the_handover_service_takes_nothing_from_another_organisation(cast, org_a):
    leaving = cast.caseworker_b1
    case_assign_staff(case=cast.case_b1, user=leaving, by=cast.manager_b)
    letter(cast.case_b1, leaving)
    taker = colleague(org_a, "bro2", Role.CASEWORKER)
    with pytest.raises(ValidationError, match="anden boligorganisation"):
        staff_deactivate(organisation=org_a, user=leaving, to_user=taker, by=cast.manager_a)
    handover = work_hand_over(
        organisation=org_a, from_user=leaving, to_user=taker, by=cast.manager_a
    )
    assert handover.total == 0
    assert CaseAssignment.objects.filter(user=leaving, case=cast.case_b1).exists()
    assert AwaitedReply.objects.filter(created_by=leaving).count() == 1
    assert User.objects.get(pk=leaving.pk).is_active


def test_a_handover_mail_the_queue_never_sent_goes_with_the_sweep(cast, org_a, departing):
    taker = colleague(org_a, "bro2", Role.BRIDGE_BUILDER)
    # Without the commit's callbacks the task is never queued: as if Redis had been down.
    handover = staff_deactivate(
        organisation=org_a, user=departing, to_user=taker, by=cast.manager_a
    )
    assert (Handover.objects.get().notified_at, mail.outbox) == (None, [])
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert handover_notifications_sweep.delay().get() == 0  # the task may still come
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert handover_notifications_sweep.delay().get() == 1
        assert handover_notifications_sweep.delay().get() == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["bro2@example.dk"]
    assert notify_handover.delay(handover.pk).get() is False  # a late task sends nothing


def test_a_handover_of_forty_cases_costs_the_queries_of_four(
    cast, org_a, django_assert_max_num_queries
):
    def handover_of(cases: int) -> int:
        leaving = colleague(org_a, f"leaving{cases}", Role.CASEWORKER)
        taker = colleague(org_a, f"taker{cases}", Role.CASEWORKER)
        for _ in range(cases):
            case = factories.make_case(cast.case_a1.project)
            case_assign_staff(case=case, user=leaving, by=None)
            letter(case, leaving)
        with django_assert_max_num_queries(60) as counted:
            staff_deactivate(organisation=org_a, user=leaving, to_user=taker, by=cast.manager_a)
        assert CaseAssignment.objects.filter(user=taker).count() == cases
        return len(counted.captured_queries)

    assert handover_of(40) == handover_of(4)
