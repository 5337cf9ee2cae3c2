"""The flag scan as a whole: idempotent, resolves what went away, keeps people's resolutions,
leaves safety concerns alone, records its runs, and re-evaluates a household at once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connections, transaction
from django.urls import reverse
from django.utils import translation

from cases.models import Case
from cases.services import case_advance_stage, case_update
from cases.signals import household_facts_changed
from cases.stages import Stage
from households.models import Household
from outreach import scan
from outreach.models import (
    Channel,
    Flag,
    FlagDigest,
    FlagKind,
    Outcome,
    ScanRun,
    ScanStatus,
)
from outreach.scan import flag_digests_send, flag_reason_text, flag_scan_run, flags_evaluate
from outreach.services import (
    attendance_mark,
    awaited_reply_mark_replied,
    contact_record,
    flag_raise,
    flag_resolve,
)
from tests import factories
from tests.conftest import MARKERS
from tests.outreach.test_scan_rules import (
    NOW,
    days_ago,
    flagged,
    in_days,
    letter,
    meeting,
    moved_permanently,
    open_case,
    reached,
    schedule,
)

SCAN_QUERIES = 12  # savepoint, locks, households, and per kind one statement


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def project(db, clock):
    estate = factories.make_estate(factories.make_organisation())
    return factories.make_project(estate)


@pytest.fixture
def quiet(project) -> dict[str, Case]:
    """One household per scanned kind that the scan flags, and nothing else."""
    missed = open_case(project, stage=Stage.TEMPORARY)
    meeting(project, days_ago(30), missed.household)
    meeting(project, days_ago(20), missed.household)
    reached(missed.household, days_ago(40))
    silent = open_case(project, stage=Stage.PACKING)
    schedule(silent, move_out_on=in_days(20))
    unanswered = open_case(project, stage=Stage.TEMPORARY)
    letter(unanswered.household, in_days(-2))
    not_packing = open_case(project, stage=Stage.IDENTIFIED, move_out_on=in_days(10))
    reached(not_packing.household, days_ago(2))
    moved = moved_permanently(project, 20)
    return {
        FlagKind.MISSED_MEETINGS: missed,
        FlagKind.NO_CONTACT: silent,
        FlagKind.NO_REPLY: unanswered,
        FlagKind.PACKING_NOT_STARTED: not_packing,
        FlagKind.FOLLOW_UP_DUE: moved,
    }


def open_flag(case: Case, kind: str) -> Flag:
    return Flag.objects.get(household=case.household, kind=kind, resolved_at__isnull=True)


def test_it_raises_each_kind_once_and_changes_nothing_on_a_second_run(
    quiet, django_assert_max_num_queries
):
    with django_assert_max_num_queries(SCAN_QUERIES):
        first = flags_evaluate()
    with django_assert_max_num_queries(SCAN_QUERIES):
        second = flags_evaluate()

    assert first.raised == dict.fromkeys(quiet, 1)
    assert {kind: set(flagged(kind)) for kind in quiet} == {
        kind: {case.household_id} for kind, case in quiet.items()
    }
    assert Flag.objects.get(kind=FlagKind.NO_CONTACT).case == quiet[FlagKind.NO_CONTACT]
    assert (second.raised, second.resolved) == ({}, {})
    assert Flag.objects.count() == len(quiet)


def test_it_resolves_the_flags_whose_cause_went_away(quiet, project):
    flags_evaluate()
    missed = quiet[FlagKind.MISSED_MEETINGS].household
    meeting(project, days_ago(1), missed, attended=[missed])
    reached(quiet[FlagKind.NO_CONTACT].household, days_ago(0))
    quiet[FlagKind.NO_REPLY].household.awaited_replies.update(replied_on=in_days(0))
    case_advance_stage(case=quiet[FlagKind.PACKING_NOT_STARTED], to_stage=Stage.NOTIFIED, by=None)
    case_advance_stage(case=quiet[FlagKind.PACKING_NOT_STARTED], to_stage=Stage.PACKING, by=None)
    case_advance_stage(case=quiet[FlagKind.FOLLOW_UP_DUE], to_stage=Stage.ENDED, by=None,
                       end_reason="deceased")  # fmt: skip

    result = flags_evaluate()

    assert result.resolved == dict.fromkeys(quiet, 1)
    resolutions = dict(Flag.objects.values_list("kind", "resolution"))
    assert resolutions == {
        FlagKind.MISSED_MEETINGS: "Løst automatisk: husstanden er kommet til et møde",
        FlagKind.NO_CONTACT: "Løst automatisk: husstanden er nået",
        FlagKind.NO_REPLY: "Løst automatisk: brevene er besvaret",
        FlagKind.PACKING_NOT_STARTED: "Løst automatisk: sagen er gået videre til nedpakning",
        FlagKind.FOLLOW_UP_DUE: "Løst automatisk: husstanden har ikke længere en åben sag",
    }
    assert set(Flag.objects.values_list("resolved_by", flat=True)) == {None}
    assert set(Flag.objects.values_list("resolved_at", flat=True)) == {NOW}


def test_it_resolves_when_a_threshold_is_raised(quiet, project):
    flags_evaluate()
    from outreach.services import thresholds_update

    thresholds_update(project=project, values={"missed_meetings": 3, "no_contact_days": 200})
    result = flags_evaluate()

    assert result.resolved == {FlagKind.MISSED_MEETINGS: 1, FlagKind.NO_CONTACT: 1}
    assert set(Flag.objects.exclude(resolved_at=None).values_list("resolution", flat=True)) == {
        "Løst automatisk: nu under projektets tærskel",
        "Løst automatisk: ingen frist er nær længere",
    }


def resolve_by_hand(case: Case, kind: str, user) -> None:
    flag_resolve(flag=open_flag(case, kind), by=user, resolution="Talt med hende i døren")


@pytest.fixture
def worker(db):
    return factories.make_user("worker", "caseworker")


def test_a_resolution_by_a_person_holds_until_a_meeting_is_missed_after_it(
    quiet, project, worker, clock
):
    case = quiet[FlagKind.MISSED_MEETINGS]
    flags_evaluate()
    resolve_by_hand(case, FlagKind.MISSED_MEETINGS, worker)

    assert flags_evaluate().raised == {}

    clock.shift(timedelta(days=7))
    meeting(project, NOW + timedelta(days=6), case.household)
    assert flags_evaluate().raised == {FlagKind.MISSED_MEETINGS: 1}
    assert flagged(FlagKind.MISSED_MEETINGS)[case.household_id].startswith("Udeblev fra 3 af 3")


def test_a_resolution_by_a_person_holds_until_a_letter_falls_due_after_it(quiet, worker, clock):
    case = quiet[FlagKind.NO_REPLY]
    flags_evaluate()
    resolve_by_hand(case, FlagKind.NO_REPLY, worker)
    letter(case.household, in_days(3), subject="Nøgleaftale")

    assert flags_evaluate().raised == {}
    clock.shift(timedelta(days=3))
    assert flags_evaluate().raised == {}  # due today, not yet overdue
    clock.shift(timedelta(days=1))
    assert flags_evaluate().raised == {FlagKind.NO_REPLY: 1}


def test_a_resolution_by_a_person_restarts_the_silence(quiet, worker, clock):
    silent, moved = quiet[FlagKind.NO_CONTACT], quiet[FlagKind.FOLLOW_UP_DUE]
    flags_evaluate()
    resolve_by_hand(silent, FlagKind.NO_CONTACT, worker)
    resolve_by_hand(moved, FlagKind.FOLLOW_UP_DUE, worker)
    Case.objects.filter(pk=silent.pk).update(move_out_on=in_days(60))  # near in 15 days

    # The next follow-up contact falls due 91 days after the move, 71 days from now.
    for days, follow_up_due, no_contact in (
        (13, False, False),
        (29, False, False),
        (30, False, True),
        (70, False, True),
        (71, True, True),
    ):
        clock.move_to(NOW + timedelta(days=days))
        flags_evaluate()
        assert (moved.household_id in flagged(FlagKind.FOLLOW_UP_DUE)) == follow_up_due, days
        assert (silent.household_id in flagged(FlagKind.NO_CONTACT)) == no_contact, days


def test_a_resolution_by_a_person_holds_until_the_case_changes_stage(quiet, worker, clock):
    case = quiet[FlagKind.PACKING_NOT_STARTED]
    flags_evaluate()
    resolve_by_hand(case, FlagKind.PACKING_NOT_STARTED, worker)
    assert flags_evaluate().raised == {}

    clock.shift(timedelta(hours=1))
    case_advance_stage(case=case, to_stage=Stage.NOTIFIED, by=worker)
    assert flags_evaluate().raised == {FlagKind.PACKING_NOT_STARTED: 1}


def test_it_never_touches_a_safety_concern(quiet, project):
    case = quiet[FlagKind.NO_REPLY]
    concern = flag_raise(
        household=case.household, case=case, kind=FlagKind.SAFETY_CONCERN, reason="Ved døren"
    )
    closed = open_case(project, stage=Stage.CLOSED, closed_at=NOW)
    closed_concern = flag_raise(
        household=closed.household, kind=FlagKind.SAFETY_CONCERN, reason="Ved døren"
    )

    flags_evaluate()
    flags_evaluate()

    for flag in (concern, closed_concern):
        flag.refresh_from_db()
        assert (flag.resolved_at, flag.resolution) == (None, "")


def test_the_reasons_and_resolutions_name_no_one(cast, clock):
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.NOTIFIED, opened_at=days_ago(60), move_out_on=in_days(7)
    )
    meeting(case.project, days_ago(30), case.household)
    meeting(case.project, days_ago(20), case.household)
    letter(case.household, in_days(-1))

    flags_evaluate()
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=NOW)
    flags_evaluate()

    texts = list(Flag.objects.values_list("reason", "resolution"))
    assert len(texts) == 4
    for reason, resolution in texts:
        for marker in (*MARKERS["case_a1"], "Agnete", "Markørsen"):
            assert marker not in reason and marker not in resolution


# --- the immediate re-evaluation ---


def test_a_reached_household_loses_its_no_contact_flag_at_once(
    quiet, worker, django_capture_on_commit_callbacks
):
    case = quiet[FlagKind.NO_CONTACT]
    flags_evaluate()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        contact_record(
            household=case.household, by=worker, channel=Channel.DOOR_KNOCK, outcome="no_answer"
        )
    assert callbacks == []  # an unanswered knock changes nothing
    assert case.household_id in flagged(FlagKind.NO_CONTACT)

    with django_capture_on_commit_callbacks(execute=True):
        contact_record(
            household=case.household,
            by=worker,
            channel=Channel.DOOR_KNOCK,
            outcome=Outcome.TALKED_AT_DOOR,
        )

    flag = Flag.objects.get(kind=FlagKind.NO_CONTACT)
    assert (flag.resolution, flag.resolved_by) == ("Løst automatisk: husstanden er nået", None)
    assert not ScanRun.objects.exists()  # not a recorded run


def test_a_reply_or_an_attendance_resolves_the_flag_at_once(
    quiet, project, worker, django_capture_on_commit_callbacks
):
    flags_evaluate()
    unanswered, missed = quiet[FlagKind.NO_REPLY], quiet[FlagKind.MISSED_MEETINGS]
    later = meeting(project, days_ago(1), missed.household)

    with django_capture_on_commit_callbacks(execute=True):
        awaited_reply_mark_replied(reply=unanswered.household.awaited_replies.get(), by=worker)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_mark(meeting=later, household=missed.household, by=worker)

    assert flagged(FlagKind.NO_REPLY) == flagged(FlagKind.MISSED_MEETINGS) == {}
    with django_capture_on_commit_callbacks(execute=True):  # taken back: missed again
        attendance_mark(meeting=later, household=missed.household, by=worker, attended=False)
    assert set(flagged(FlagKind.MISSED_MEETINGS)) == {missed.household_id}


def test_the_reevaluation_of_one_household_touches_only_that_household(
    quiet, django_assert_max_num_queries
):
    flags_evaluate()
    reached(quiet[FlagKind.NO_CONTACT].household, NOW)
    reached(quiet[FlagKind.FOLLOW_UP_DUE].household, NOW)

    with django_assert_max_num_queries(SCAN_QUERIES):
        result = flags_evaluate(household_ids=[quiet[FlagKind.NO_CONTACT].household_id])

    assert result.resolved == {FlagKind.NO_CONTACT: 1}
    assert quiet[FlagKind.FOLLOW_UP_DUE].household_id in flagged(FlagKind.FOLLOW_UP_DUE)


def test_flags_follow_a_stage_change_at_once_without_a_scan_run(
    cast, clock, client, django_capture_on_commit_callbacks
):
    """Moved to packing: "packing not started" goes and the silence before the move-out shows,
    in the same request, with no scan run."""
    case = cast.case_a1
    Case.objects.filter(pk=case.pk).update(
        stage=Stage.NOTIFIED, opened_at=days_ago(100), stage_changed_at=days_ago(100)
    )
    schedule(case, packing_on=in_days(-40), move_out_on=in_days(10))
    flags_evaluate()
    assert set(flagged(FlagKind.PACKING_NOT_STARTED)) == {case.household_id}
    assert flagged(FlagKind.NO_CONTACT) == {}
    client.force_login(cast.caseworker_a1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            reverse("cases:stage", args=[case.pk]),
            {"to_stage": Stage.PACKING, "expected_stage": Stage.NOTIFIED, "note": ""},
        )

    assert response.status_code == 302 and len(callbacks) == 1
    assert flagged(FlagKind.PACKING_NOT_STARTED) == {}
    assert flagged(FlagKind.NO_CONTACT) == {
        case.household_id: "Ikke nået i 100 dage; fraflytning 20.11.2026"
    }
    assert not ScanRun.objects.exists()
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Ikke nået i 100 dage" in body and "nedpakning er ikke begyndt" not in body


def test_a_change_to_many_households_is_evaluated_once_when_it_commits(
    project, worker, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    """A schedule change sends the households it touches, as a queryset; the rules run once
    for all of them after the commit, whatever the number of writes in the transaction."""
    cases = [open_case(project, stage=Stage.NOTIFIED) for _ in range(3)]
    stairwell = factories.make_stairwell(project.estate, street="Flyttevej")
    for case in cases:
        Household.objects.filter(pk=case.household_id).update(
            flat=factories.make_flat(stairwell, door=str(case.pk))
        )
    quiet_one = open_case(project, stage=Stage.NOTIFIED)  # another stairwell: not touched
    factories.make_schedule(project, stairwell, move_out_on=in_days(10))
    schedule(quiet_one, move_out_on=in_days(10))

    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        household_facts_changed.send(
            sender=Case, household_ids=Household.objects.filter(flat__stairwell=stairwell)
        )
        case_update(case=cases[0], by=worker, expected_version=1, data={"return_on": in_days(90)})
    assert len(callbacks) == 1
    with django_assert_max_num_queries(SCAN_QUERIES):
        callbacks[0]()

    assert set(flagged(FlagKind.PACKING_NOT_STARTED)) == {case.household_id for case in cases}


# --- recorded runs ---


def test_it_records_a_run_with_the_counts_per_kind(quiet, worker):
    run = flag_scan_run(triggered_by=worker)

    run.refresh_from_db()
    assert run.status == ScanStatus.SUCCEEDED
    assert (run.triggered_by, run.started_at, run.finished_at) == (worker, NOW, NOW)
    assert run.households_scanned == len(quiet)
    assert run.raised == dict.fromkeys(quiet, 1)
    assert (run.resolved, run.error) == ({}, "")


def test_it_records_a_failed_run_and_raises_the_error(quiet, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(scan, "flags_evaluate", broken)

    with pytest.raises(RuntimeError):
        flag_scan_run()

    run = ScanRun.objects.get()
    assert (run.status, run.error) == (ScanStatus.FAILED, "RuntimeError: the disk is full")
    assert run.finished_at == NOW


def test_a_run_records_its_numbers_per_organisation(quiet, cast):
    for case in (cast.case_a1, cast.case_b1):
        letter(case.household, in_days(-3))

    run = flag_scan_run()

    org_a = cast.case_a1.project.estate.organisation_id
    org_b = cast.case_b1.project.estate.organisation_id
    org_quiet = quiet[FlagKind.NO_REPLY].project.estate.organisation_id
    assert run.by_organisation[org_a] == {
        "households": 2,  # the open cases of A1 and A2
        "raised": {FlagKind.NO_REPLY: 1},
        "resolved": {},
    }
    assert run.by_organisation[org_b]["raised"] == {FlagKind.NO_REPLY: 1}
    assert run.by_organisation[org_quiet]["raised"] == dict.fromkeys(quiet, 1)
    assert run.raised[FlagKind.NO_REPLY] == 3
    assert run.households_scanned == sum(
        part["households"] for part in run.by_organisation.values()
    )


def test_a_run_delivered_twice_runs_once(quiet):
    run = scan.scan_run_queue()
    flag_scan_run(run=run)
    finished = ScanRun.objects.get().finished_at

    again = flag_scan_run(run=run)

    assert (again.status, again.finished_at) == (ScanStatus.SUCCEEDED, finished)
    assert Flag.objects.count() == len(quiet)


def test_a_second_scan_at_the_same_time_is_recorded_as_skipped(quiet):
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [scan.LOCK_NAMESPACE, scan.SCAN_LOCK]
            )
            run = flag_scan_run()
            cursor.execute("ROLLBACK")
    finally:
        other.close()

    assert run.status == ScanStatus.SKIPPED
    assert run.error == "En anden scanning kørte samtidig."
    assert not Flag.objects.exists()


def test_the_command_runs_the_scan_and_prints_the_counts(quiet, capsys):
    call_command("scan_flags")

    out = capsys.readouterr().out
    assert "5 households" in out
    assert "raised: missed_meetings 1, no_reply 1" in out
    assert ScanRun.objects.get().status == ScanStatus.SUCCEEDED


def test_a_scan_outside_a_request_stores_danish_and_shows_each_reader_her_language(quiet, client):
    with translation.override(None):  # no language, as in a command or a Celery worker
        call_command("scan_flags")

    flag = open_flag(quiet[FlagKind.MISSED_MEETINGS], FlagKind.MISSED_MEETINGS)
    assert flag.reason == f"Udeblev fra 2 af 2 møder (senest {days_ago(20):%-d.%-m.%Y})"
    assert flag.reason_data == {"missed": 2, "invited": 2, "day": f"{days_ago(20):%Y-%m-%d}"}
    with translation.override("en"):
        assert flag_reason_text(flag).startswith("Missed 2 of 2 meetings (latest ")
    with translation.override("da"):
        assert flag_reason_text(flag) == flag.reason

    client.force_login(factories.make_user("root", is_superuser=True))
    body = client.get(reverse("outreach:flags"), {"scope": "all"}).content.decode()
    assert "Udeblev fra 2 af 2 møder" in body
    client.cookies["django_language"] = "en"
    body = client.get(reverse("outreach:flags"), {"scope": "all"}).content.decode()
    assert "Missed 2 of 2 meetings" in body and "Udeblev" not in body


def test_a_flag_without_facts_shows_the_words_it_was_raised_with(cast):
    flag = flag_raise(household=cast.case_a1.household, kind=FlagKind.NO_REPLY, reason="Gammel")
    with translation.override("en"):
        assert flag_reason_text(flag) == "Gammel"


def test_the_command_fails_loudly(quiet, monkeypatch):
    monkeypatch.setattr(scan, "flags_evaluate", lambda **kwargs: 1 / 0)

    with pytest.raises(CommandError, match="ZeroDivisionError"):
        call_command("scan_flags")
    assert ScanRun.objects.get().status == ScanStatus.FAILED


# --- the morning digest ---


def test_the_digest_counts_each_persons_new_flags_without_names(cast, clock):
    for user in (cast.caseworker_a1, cast.caseworker_a2, cast.manager_a, cast.caseworker_b1):
        user.email = f"{user.username}@example.dk"
        user.save()
    night = NOW.replace(hour=2, minute=30) - timedelta(days=1)
    clock.move_to(night)
    for case in (cast.case_a1, cast.case_b1):
        Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED, move_out_on=in_days(3))
        letter(case.household, in_days(-5))
    flags_evaluate()
    Flag.objects.filter(household=cast.case_b1.household).update(
        raised_at=night - timedelta(days=2)
    )

    clock.move_to(night.replace(hour=6, minute=45))
    assert flag_digests_send() == 2
    assert flag_digests_send() == 0  # once a day

    mails = {message.to[0]: message for message in mail.outbox}
    assert set(mails) == {"caseworker_a1@example.dk", "manager_a@example.dk"}
    body = mails["caseworker_a1@example.dk"].body
    assert mails["caseworker_a1@example.dk"].subject == "Nye flag i genhusning"
    assert "rejst 2 nye flag" in body
    assert "- Intet svar inden fristen: 1" in body
    assert "- Fraflytning snart, nedpakning ikke begyndt: 1" in body
    assert "/flag/" in body
    for marker in (*MARKERS["case_a1"], *MARKERS["case_b1"]):
        assert marker not in body
    assert FlagDigest.objects.filter(user=cast.caseworker_a1).get().flag_count == 2


def test_the_next_digest_starts_where_the_last_one_ended(cast, clock):
    cast.caseworker_a1.email = "maja@example.dk"
    cast.caseworker_a1.save()
    letter(cast.case_a1.household, in_days(-5))
    clock.move_to(NOW.replace(hour=2, minute=30) - timedelta(days=1))
    flags_evaluate()
    clock.move_to(NOW.replace(hour=6, minute=45) - timedelta(days=1))
    assert flag_digests_send() == 1

    clock.move_to(NOW.replace(hour=6, minute=45))
    assert flag_digests_send() == 0  # nothing new since yesterday's


# --- the Celery task ---


def test_the_task_retries_the_same_run_when_the_database_went_away(quiet, monkeypatch):
    from celery.exceptions import Retry
    from django.db import OperationalError

    from outreach.tasks import flag_scan

    real, calls = scan.flags_evaluate, []

    def flaky(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kwargs)

    monkeypatch.setattr(scan, "flags_evaluate", flaky)

    with pytest.raises(Retry) as retry:
        flag_scan.delay()  # the nightly beat: no run yet
    run = ScanRun.objects.get()
    assert (run.status, run.error) == (
        ScanStatus.FAILED,
        "OperationalError: server closed the connection unexpectedly",
    )
    assert (retry.value.sig.args, retry.value.when) == ((run.pk,), 30)  # the same run, soon

    flag_scan.apply(args=retry.value.sig.args, kwargs=retry.value.sig.kwargs, retries=1)

    run.refresh_from_db()
    assert (run.status, run.error, len(calls)) == (ScanStatus.SUCCEEDED, "", 2)
    assert run.raised == dict.fromkeys(quiet, 1)
    assert run.attempts == 2  # the retry counts on: it used to start again from attempt 1


def test_the_nightly_scan_runs_once_a_night_whichever_hourly_send_comes_first(quiet, clock):
    """The beat sends it every hour from 02:30 to 08:30 and advances its schedule even when
    the send failed (Redis down): the first send of the night that arrives queues and runs
    the night's scan, the later ones (and a send repeated by a restarted beat, a message
    redelivered) do nothing; a night whose run failed is tried again the next hour. The send
    at 02:30 was the only one, so a night whose send was lost had no scan."""
    from django.utils import timezone

    from outreach.tasks import flag_scan

    def at(hour: int, minute: int = 30, days: int = 0):
        local = timezone.localtime(NOW).replace(hour=hour, minute=minute) + timedelta(days=days)
        clock.move_to(local)

    at(3)  # 02:30's send never reached Redis: 03:30's is the first
    manager = factories.make_user("leader", "manager")
    ScanRun.objects.create(status=ScanStatus.SUCCEEDED, triggered_by=manager)  # "Kør nu"
    first = flag_scan.delay().get()
    assert ScanRun.objects.get(pk=first).status == ScanStatus.SUCCEEDED
    flag_scan.delay()  # the beat restarted before it saved its schedule: the same send again
    at(4)
    assert flag_scan.delay().get() is None
    assert ScanRun.objects.filter(triggered_by=None).count() == 1

    at(2, days=1)  # the next night: its own run, which fails (after its last attempt)
    ScanRun.objects.filter(pk=flag_scan.delay().get()).update(status=ScanStatus.FAILED)
    at(3, days=1)
    assert ScanRun.objects.get(pk=flag_scan.delay().get()).status == ScanStatus.SUCCEEDED
    assert ScanRun.objects.filter(triggered_by=None).count() == 3


def scan_task_retry(run: ScanRun, *, of_attempt: int) -> ScanRun:
    """The task's retry after its attempt `of_attempt` lost the database."""
    from outreach.tasks import flag_scan

    flag_scan.apply(args=(run.pk,), kwargs={"retry_of": of_attempt}, retries=1)
    run.refresh_from_db()
    return run


def test_a_retry_takes_over_the_run_its_failure_left_running(quiet):
    """The database went away mid-scan, so attempt 1 could not record its failure: the run is
    still "running" with the heartbeat of a moment ago."""
    from outreach.tasks import flag_scan

    run = ScanRun.objects.create(
        status=ScanStatus.RUNNING, started_at=NOW, attempts=1, heartbeat_at=NOW
    )

    flag_scan.apply(args=(run.pk,))  # a second delivery: it looks like another worker's
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ScanStatus.RUNNING, 1)
    assert not Flag.objects.exists()

    run = scan_task_retry(run, of_attempt=1)
    assert (run.status, run.attempts) == (ScanStatus.SUCCEEDED, 2)


def test_a_retry_leaves_alone_the_run_another_worker_has_started_since(quiet):
    """Attempt 1 lost the database; its heartbeat went silent, the dispatcher took the run back
    and another worker runs attempt 2 when the retry of attempt 1 arrives (a retry waits up to
    five minutes). The retry used to set the attempts back to 0 and run it a second time."""
    run = ScanRun.objects.create(
        status=ScanStatus.RUNNING, started_at=NOW, attempts=2, heartbeat_at=NOW
    )

    run = scan_task_retry(run, of_attempt=1)

    assert (run.status, run.attempts, run.heartbeat_at) == (ScanStatus.RUNNING, 2, NOW)
    assert not Flag.objects.exists()


def test_a_retry_of_the_last_attempt_does_not_start_the_run_again(quiet, settings):
    run = ScanRun.objects.create(
        status=ScanStatus.FAILED, started_at=NOW, attempts=settings.JOB_MAX_ATTEMPTS
    )

    run = scan_task_retry(run, of_attempt=settings.JOB_MAX_ATTEMPTS)

    assert (run.status, run.attempts) == (ScanStatus.FAILED, settings.JOB_MAX_ATTEMPTS)
    assert not Flag.objects.exists()


def test_a_retry_of_a_run_the_dispatcher_took_back_claims_it_as_the_next_attempt(quiet):
    run = ScanRun.objects.create(status=ScanStatus.QUEUED, started_at=NOW, attempts=1)

    run = scan_task_retry(run, of_attempt=1)

    assert (run.status, run.attempts) == (ScanStatus.SUCCEEDED, 2)


def test_an_attempt_taken_back_meanwhile_does_not_record_the_newer_attempts_end(quiet):
    """Attempt 1's heartbeat went silent (a long pause), the dispatcher took the run back and
    another worker runs attempt 2 when attempt 1 finishes after all: the run is attempt 2's,
    running, until attempt 2 records its own end."""
    run = ScanRun.objects.create(
        status=ScanStatus.RUNNING, started_at=NOW, attempts=2, heartbeat_at=NOW
    )

    scan.flag_scan_run(run=run, attempt=1)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.finished_at) == (ScanStatus.RUNNING, 2, None)

    scan.flag_scan_run(run=run, attempt=2)

    run.refresh_from_db()
    assert (run.status, run.attempts) == (ScanStatus.SUCCEEDED, 2)
    assert run.finished_at is not None


def test_a_full_scan_commits_without_waiting_for_the_disk_and_a_household_waits(quiet, monkeypatch):
    """The full scan's flags are derived data recorded as succeeded by a later synchronous
    commit; the re-evaluation of a household (a user's change) keeps the server's setting."""
    seen = []
    kind_write = scan._kind_write

    def spy(*args):
        with connections["default"].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('synchronous_commit'), current_setting('jit'),"
                " current_setting('work_mem')"
            )
            seen.append(cursor.fetchone())
        return kind_write(*args)

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem')")
        (server_work_mem,) = cursor.fetchone()
    monkeypatch.setattr(scan, "_kind_write", spy)
    flags_evaluate(household_ids=[quiet[FlagKind.NO_CONTACT].household_id])
    household = set(seen)
    seen.clear()
    flags_evaluate()
    full = set(seen)
    assert server_work_mem != "64MB"
    assert household == {("on", "off", server_work_mem)}
    assert full == {("off", "off", "64MB")}
