"""Concurrent requests (issue 7): stage changes and flag scans under real row and advisory locks.

Each thread has its own database connection. To make the race certain rather than likely, a
third connection first holds the lock the writers need; the test waits until PostgreSQL shows
both writers waiting for it, then lets go, so both really are inside the service at once.
(The second full scan giving up at once is tests/outreach/test_scan.py; offers of one flat at
once are tests/cases/test_logistics_offers.py.)
"""

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, StageChange
from cases.stages import Stage
from outreach import scan
from outreach.models import AwaitedReply, Flag, FlagKind, ScanStatus

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def held(sql: str, params: list):
    """Run `sql` in a transaction of a connection of its own, and hold its locks until exit."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(sql, params)
            yield
            cursor.execute("ROLLBACK")
    finally:
        other.close()


def waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def race(*targets: Callable[[], object], blocker: tuple[str, list]) -> list:
    """Start every target while `blocker` holds its lock; release it once all of them wait."""
    results: list = [None] * len(targets)

    def run(index: int, target) -> None:
        try:
            results[index] = target()
        except Exception as error:  # what each one got is what the test looks at
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, target)) for i, target in enumerate(targets)]
    with held(*blocker):
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 15
        while waiting_for_locks() < len(targets):
            assert time.monotonic() < deadline, "the writers never waited for the lock"
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive()
    return results


MOVED = "Sagen er nu i “Varslet”."
TOLD = "Nogen anden har flyttet sagen til “Varslet” i mellemtiden. Intet blev ændret."


def test_the_same_stage_change_twice_at_once_happens_once(cast):
    case = cast.case_a1
    url = reverse("cases:stage", args=[case.pk])
    before = StageChange.objects.filter(case=case).count()

    def press_the_button():
        client = Client()
        client.force_login(cast.caseworker_a1)
        response = client.post(
            url,
            {"to_stage": Stage.NOTIFIED, "expected_stage": Stage.IDENTIFIED, "note": "Varslet"},
            follow=True,
        )
        # (not response.context: the test client gathers it from a signal both threads send)
        body = response.content.decode()
        return response.status_code, [text for text in (MOVED, TOLD) if text in body]

    outcomes = race(
        press_the_button,
        press_the_button,
        blocker=("SELECT 1 FROM cases_case WHERE id = %s FOR UPDATE", [case.pk]),
    )

    assert sorted(outcomes) == sorted([(200, [MOVED]), (200, [TOLD])]), outcomes
    case.refresh_from_db()
    assert case.stage == Stage.NOTIFIED
    changes = StageChange.objects.filter(case=case)
    assert changes.count() == before + 1
    assert changes.filter(to_stage=Stage.NOTIFIED).count() == 1


def test_two_different_stage_changes_at_once_leave_one_consistent_history(cast):
    """One ends the case while the other moves it on: the second is told, nothing is mixed."""
    case = cast.case_a1
    from cases.services import case_advance_stage
    from core.versioning import ConflictError

    def advance(to_stage, **fields):
        return lambda: case_advance_stage(
            case=case, to_stage=to_stage, by=None, expected_stage=Stage.IDENTIFIED, **fields
        )

    outcomes = race(
        advance(Stage.NOTIFIED),
        advance(Stage.ENDED, end_reason="left_on_own"),
        blocker=("SELECT 1 FROM cases_case WHERE id = %s FOR UPDATE", [case.pk]),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Case", "ConflictError"]
    winner = next(outcome for outcome in outcomes if isinstance(outcome, Case))
    assert all(isinstance(o, Case | ConflictError) for o in outcomes)
    case.refresh_from_db()
    assert case.stage == winner.stage
    history = list(StageChange.objects.filter(case=case).order_by("changed_at", "pk"))
    assert [(c.from_stage, c.to_stage) for c in history] == [
        ("", Stage.IDENTIFIED),
        (Stage.IDENTIFIED, winner.stage),
    ]


@pytest.fixture
def overdue_letters(cast):
    """Every case's household waits for a reply that is two weeks late: one NO_REPLY flag each."""
    for case in (cast.case_a1, cast.case_a2, cast.case_b1):
        AwaitedReply.objects.create(
            household=case.household,
            case=case,
            subject="Tilbud om midlertidig bolig",
            sent_via="letter",
            sent_on=timezone.localdate() - timedelta(days=30),
            due_on=timezone.localdate() - timedelta(days=14),
        )
    return cast


WRITE_LOCK = ("SELECT pg_advisory_xact_lock(%s, %s)", [scan.LOCK_NAMESPACE, scan.WRITE_LOCK])


def test_a_full_scan_and_a_household_scan_at_once_raise_each_flag_once(overdue_letters):
    cases = (overdue_letters.case_a1, overdue_letters.case_a2, overdue_letters.case_b1)

    outcomes = race(
        scan.flag_scan_run,
        lambda: scan.flags_evaluate(household_ids=[cases[0].household_id]),
        blocker=WRITE_LOCK,
    )
    again = scan.flag_scan_run()  # a full scan after both changes nothing

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    assert (outcomes[0].status, again.status) == (ScanStatus.SUCCEEDED, ScanStatus.SUCCEEDED)
    assert sum(again.raised.values()) == 0
    open_flags = Flag.objects.filter(kind=FlagKind.NO_REPLY, resolved_at__isnull=True)
    assert sorted(open_flags.values_list("household_id", flat=True)) == sorted(
        case.household_id for case in cases
    )


def test_a_second_full_scan_while_one_waits_is_skipped_and_duplicates_nothing(overdue_letters):
    first_started = threading.Event()

    def first():
        first_started.set()
        return scan.flag_scan_run()

    with held(*WRITE_LOCK):
        thread_result: list = []
        thread = threading.Thread(
            target=lambda: (thread_result.append(first()), connection.close())
        )
        thread.start()
        first_started.wait(5)
        deadline = time.monotonic() + 15
        while waiting_for_locks() < 1:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = scan.flag_scan_run()  # the first holds the scan lock and waits to write
        assert second.status == ScanStatus.SKIPPED
    thread.join(timeout=30)

    assert thread_result[0].status == ScanStatus.SUCCEEDED
    assert Flag.objects.filter(kind=FlagKind.NO_REPLY, resolved_at__isnull=True).count() == 3
