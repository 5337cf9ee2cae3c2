"""When the database goes away (issue 7): requests fail cleanly and nothing half-saved remains.

Two faults, on the real PostgreSQL: the server cannot be reached at all (the connection points
at a closed port), and the connection of a request is killed (pg_terminate_backend) in the
middle of a service that writes several rows.
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from cases.models import Case, StageChange
from cases.stages import Stage
from referrals.models import FollowUpPlan, FollowUpVisit
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

ERROR_PAGE = "Der skete en fejl"


def assert_clean_error_page(response) -> None:
    body = response.content.decode()
    assert response.status_code == 500
    assert ERROR_PAGE in body
    for leak in ("Traceback", "OperationalError", "psycopg", 'File "', "SELECT", "postgres"):
        assert leak not in body, leak


@pytest.fixture
def unreachable_database():
    """The next connection goes to a port where nothing listens, as when the server is down."""
    before = connection.settings_dict["PORT"], connection.settings_dict["HOST"]
    connection.close()
    connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", "1"
    yield
    connection.close()
    connection.settings_dict["PORT"], connection.settings_dict["HOST"] = before


def test_signing_in_while_the_database_is_down_gets_the_error_page_at_once(
    cast, unreachable_database
):
    client = Client(raise_request_exception=False)
    assert client.get(reverse("login")).status_code == 200  # needs no database
    started = time.monotonic()
    response = client.post(
        reverse("login"), {"username": "caseworker_a1", "password": "a-long-test-password-42"}
    )
    assert time.monotonic() - started < 5  # no hanging on a server that is gone
    assert_clean_error_page(response)


def test_a_signed_in_user_gets_the_error_page_and_her_session_survives(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast.caseworker_a1)
    url = reverse("cases:detail", args=[cast.case_a1.pk])
    assert client.get(url).status_code == 200

    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = "1"
    try:
        assert_clean_error_page(client.get(url))
        assert_clean_error_page(
            client.post(reverse("cases:stage", args=[cast.case_a1.pk]), {"to_stage": "notified"})
        )
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    response = client.get(url)  # the database is back: so is she, and nothing was changed
    assert response.status_code == 200
    assert Case.objects.get(pk=cast.case_a1.pk).stage == Stage.IDENTIFIED


def test_a_connection_killed_in_the_middle_of_a_stage_change_leaves_nothing_half_saved(cast):
    """The move to "moved permanently" writes the stage change, the case and a follow-up plan
    with its visits. The plan's table is locked by another connection, so the request stops
    after the first rows; then its connection is killed."""
    case = cast.case_a2
    new_home = factories.make_flat(factories.make_stairwell(case.project.estate, "Nyvej"))
    Case.objects.filter(pk=case.pk).update(stage=Stage.PACKING, permanent_flat=new_home)
    changes_before = StageChange.objects.filter(case=case).count()
    client = Client(raise_request_exception=False)
    client.force_login(cast.caseworker_a2)
    answers: list = []

    def move() -> None:
        try:
            answers.append(
                client.post(
                    reverse("cases:stage", args=[case.pk]),
                    {"to_stage": Stage.MOVED_PERMANENTLY, "expected_stage": Stage.PACKING},
                )
            )
        finally:
            connection.close()

    blocker = connections.create_connection("default")
    try:
        with blocker.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(f"LOCK TABLE {FollowUpPlan._meta.db_table} IN ACCESS EXCLUSIVE MODE")
            thread = threading.Thread(target=move)
            thread.start()
            victim = None
            deadline = time.monotonic() + 15
            while victim is None:
                assert time.monotonic() < deadline, "the request never reached the plan"
                time.sleep(0.05)
                # asked outside the blocker's transaction, which sees one snapshot of the stats
                with connection.cursor() as watcher:
                    watcher.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock' AND query ILIKE %s",
                        [f"%{FollowUpPlan._meta.db_table}%"],
                    )
                    row = watcher.fetchone()
                victim = row[0] if row else None
            with connection.cursor() as watcher:  # it has written the stage change already
                watcher.execute(
                    "SELECT count(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation"
                    " WHERE pid = %s AND relname = %s AND mode = 'RowExclusiveLock'",
                    [victim, StageChange._meta.db_table],
                )
                assert watcher.fetchone()[0] == 1
            cursor.execute("SELECT pg_terminate_backend(%s)", [victim])
            cursor.execute("ROLLBACK")
    finally:
        blocker.close()
    thread.join(timeout=30)
    assert not thread.is_alive()

    assert_clean_error_page(answers[0])
    case.refresh_from_db()
    assert case.stage == Stage.PACKING
    assert StageChange.objects.filter(case=case).count() == changes_before
    assert not FollowUpPlan.objects.filter(case=case).exists()
    assert not FollowUpVisit.objects.filter(plan__case=case).exists()

    # and the same request, now that the database answers, does all of it
    response = client.post(
        reverse("cases:stage", args=[case.pk]),
        {"to_stage": Stage.MOVED_PERMANENTLY, "expected_stage": Stage.PACKING},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.MOVED_PERMANENTLY
    assert FollowUpPlan.objects.filter(case=case).count() == 1
