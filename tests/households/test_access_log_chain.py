"""The access log's hash chain and the application's database role, on the real PostgreSQL.

Each row carries its number in the chain and a SHA-256 over its content and the previous row's
hash, written by a trigger under an advisory lock (migration 0010). An edit made behind the
application's back (as the owner, triggers disabled) is found by the verification, which names
the row; the application's own role may only read and insert in the log, and is refused
ALTER TABLE, UPDATE, DELETE and TRUNCATE (core/database_roles.py)."""

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import translation

from core.database_roles import app_role_grant
from households.audit import access_log_verify, log_access
from households.models import AccessLog
from tests.conftest import database_url_of_the_tests

ROOT = Path(__file__).resolve().parent.parent.parent


def write_rows(cast, count: int) -> list[int]:
    request = RequestFactory().get("/husstande/1/")
    request.user = cast.caseworker_a1
    for _ in range(count):
        log_access(request, what="household page", households=[cast.case_a1.household_id])
    return list(AccessLog.objects.order_by("seq").values_list("pk", flat=True))


def behind_the_apps_back(sql: str, *params) -> None:
    """What the owner role (a superuser) can do: switch the triggers off, change, switch on."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE households_accesslog DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE households_accesslog ENABLE TRIGGER USER")


def test_every_row_is_numbered_and_chained(cast):
    ids = write_rows(cast, 5)
    numbers = list(AccessLog.objects.order_by("seq").values_list("seq", "hash"))
    assert [number for number, _hash in numbers] == list(range(1, 6))
    assert all(len(digest) == 64 for _number, digest in numbers)
    assert len({digest for _number, digest in numbers}) == 5
    check = access_log_verify()
    assert check.intact and check.rows == 5 and check.head == numbers[-1][1]
    assert ids == sorted(ids)


def test_an_edited_row_is_found_and_named(cast, mailoutbox, settings):
    settings.MANAGERS = [("", "dpo@example.dk")]
    cast.manager_a.email = "leder@example.dk"
    cast.manager_a.save()
    ids = write_rows(cast, 5)
    behind_the_apps_back(
        "UPDATE households_accesslog SET username = 'nobody' WHERE id = %s", ids[2]
    )
    assert access_log_verify().broken.pk == ids[2]

    with translation.override("da"), pytest.raises(CommandError) as refused:
        call_command("verify_access_log")
    assert f"Adgangslogrækken med id {ids[2]} (nummer 3 i kæden" in str(refused.value)
    # The managers are told, by mail, with the row; no personal data in it.
    (mail,) = mailoutbox
    assert set(mail.to) == {"dpo@example.dk", "leder@example.dk"}
    assert f"id {ids[2]}" in mail.body and "nobody" not in mail.body


def test_an_edited_row_whose_hash_is_made_to_fit_breaks_the_next_one(cast):
    ids = write_rows(cast, 4)
    behind_the_apps_back(
        "UPDATE households_accesslog SET what = 'nothing', "
        "hash = households_accesslog_hash("
        "  (SELECT hash FROM households_accesslog WHERE seq = 1), "
        "  (SELECT row(e.*)::households_accesslog FROM households_accesslog e WHERE id = %s)) "
        "WHERE id = %s",
        ids[1],
        ids[1],
    )
    assert access_log_verify().broken.pk in (ids[1], ids[2])


def test_a_removed_row_is_found_at_the_row_after_it(cast):
    ids = write_rows(cast, 4)
    behind_the_apps_back("DELETE FROM households_accesslog WHERE id = %s", ids[1])
    assert access_log_verify().broken.pk == ids[2]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_writers_make_one_unbroken_chain(cast):
    request = RequestFactory().get("/")
    request.user = cast.caseworker_a1
    start, errors = threading.Barrier(8), []

    def write() -> None:
        try:
            start.wait()
            for _ in range(10):
                log_access(request, what="case page", households=[cast.case_a1.household_id])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert list(AccessLog.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 81)
    )
    assert access_log_verify().intact


# --- the application's own role ----------------------------------------------------------------


def connect_as(role: str) -> psycopg.Connection:
    settings_dict = connection.settings_dict
    return psycopg.connect(
        host=settings_dict["HOST"] or settings_dict.get("OPTIONS", {}).get("host"),
        port=settings_dict["PORT"] or 5432,
        dbname=settings_dict["NAME"],
        user=role,
        password="app-role-test",
        autocommit=True,
    )


@pytest.fixture
def app_role(transactional_db):
    role = f"gh_app_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN PASSWORD 'app-role-test'")
    yield role
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {role}")
        cursor.execute(f"DROP ROLE {role}")


def test_migrate_as_the_owner_grants_the_app_role_only_insert_and_read_on_the_log(app_role):
    """The compose set-up: `manage.py migrate` connects by MIGRATION_DATABASE_URL as the owner;
    the application connects by DATABASE_URL as its own role."""
    owner_url = database_url_of_the_tests()
    app_url = owner_url.replace(
        f"{connection.settings_dict['USER']}@", f"{app_role}:app-role-test@", 1
    )
    assert app_url != owner_url
    environment = {
        **os.environ,
        "DATABASE_URL": app_url,
        "MIGRATION_DATABASE_URL": owner_url,
        "SECRET_KEY": "test-only",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr

    with connect_as(app_role) as app, app.cursor() as cursor:
        cursor.execute(
            "INSERT INTO households_accesslog (at, username, action, what, path) "
            "VALUES (now(), 'app', 'view', 'case page', '/') RETURNING seq"
        )
        assert cursor.fetchone()[0] == 1
        cursor.execute("SELECT count(*) FROM households_accesslog")
        assert cursor.fetchone()[0] == 1
        cursor.execute("UPDATE households_household SET social_note = social_note")  # its work
        for refused in (
            "UPDATE households_accesslog SET what = 'edited'",
            "DELETE FROM households_accesslog",
            "TRUNCATE households_accesslog",
            "ALTER TABLE households_accesslog DISABLE TRIGGER households_accesslog_append_only",
            "ALTER TABLE households_accesslog DISABLE TRIGGER USER",
            "ALTER TABLE households_accesslog DROP COLUMN hash",
            "DROP TRIGGER households_accesslog_chain ON households_accesslog",
            "CREATE TABLE households_mine (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                cursor.execute(refused)
    assert access_log_verify().intact


def test_the_grant_is_the_same_when_called_directly(app_role):
    app_role_grant("default", role=app_role)
    with connect_as(app_role) as app, app.cursor() as cursor:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute("UPDATE households_accesslog SET what = 'edited'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            cursor.execute(
                "ALTER TABLE households_accesslog ENABLE ALWAYS TRIGGER households_accesslog_chain"
            )


def test_an_export_of_many_households_is_logged_in_one_statement_and_chained(
    cast, monkeypatch, django_assert_num_queries
):
    """Over MANY_ROWS households (an export of thousands) the rows go in as one INSERT from an
    array of ids: one row each, in order, numbered and hashed by the trigger like the rest."""
    from households import audit

    monkeypatch.setattr(audit, "MANY_ROWS", 2)
    write_rows(cast, 1)
    households = [cast.case_a1.household_id, cast.case_a2.household_id, cast.case_b1.household_id]
    request = RequestFactory().get("/sager/eksport.csv?scope=all")
    request.user = cast.manager_a
    with django_assert_num_queries(1):
        log_access(request, what="caseload (export)", action="export", households=households)
    rows = list(AccessLog.objects.order_by("seq"))
    assert [row.household_id for row in rows[1:]] == households
    assert {(row.user_id, row.username, row.what, row.action, row.path) for row in rows[1:]} == {
        (
            cast.manager_a.pk,
            cast.manager_a.username,
            "caseload (export)",
            "export",
            "/sager/eksport.csv?scope=…",  # a query's words never kept (logged_path)
        )
    }
    assert [row.seq for row in rows] == [1, 2, 3, 4]
    check = access_log_verify()
    assert check.intact and check.rows == 4 and check.head == rows[-1].hash
