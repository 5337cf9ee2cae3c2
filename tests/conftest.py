"""The cast: two organisations, three estates, and a user per role.

Organisation A has estates A1 and A2; organisation B has estate B1.
The caseworker of A1 sees A1's cases only; the manager of A sees A1 and A2; nobody in A sees B1.
"""

import gc
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import message_from_string
from email.message import EmailMessage
from email.policy import default as email_policy
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.db.backends.postgresql.operations import DatabaseOperations
from django.db.backends.signals import connection_created
from django.dispatch import receiver

from cases.models import Case, ProjectKind
from core import collector
from core.roles import Role
from households.models import VulnerabilityFactor, VulnerabilityLevel
from households.services import estate_assign_staff, organisation_add_manager
from tests import factories, parallel
from tests.shared_data import (  # noqa: F401
    SHARED,
    _shared_data_session,
    builds_line,
    order_by_data_wanted,
)

# --- how the suite runs: in parallel (tests/parallel.py), with shared data (tests/shared_data.py)


def pytest_configure(config):
    parallel.prefix_the_cache_keys(config)
    # A test process holds hundreds of thousands of objects to its end (the modules, the app
    # registry, the collected tests, the shared data): core/collector.py, from the start.
    gc.set_threshold(*collector.THRESHOLDS)


def pytest_collection_finish(session):
    # What exists after the collection lives to the end of the run: out of the collector's
    # sight, also of the full collection pytest makes at the end of each process.
    collector.settle()


def pytest_sessionstart(session):
    if parallel.is_controller(session.config):
        parallel.start_the_run(session.config)


def pytest_sessionfinish(session):
    if parallel.is_controller(session.config):
        parallel.end_the_run(session.config)
    elif hasattr(session.config, "workeroutput"):
        session.config.workeroutput["shared_data_builds"] = builds_line()


pytest_itemcollected = parallel.pytest_itemcollected


def pytest_collection_modifyitems(config, items):
    order_by_data_wanted(items)  # after pytest-django's order, which it keeps
    parallel.pytest_collection_modifyitems(config, items)


@pytest.hookimpl(optionalhook=True)  # an xdist hook
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadgroup":
        return parallel.GroupScheduling(config, log)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    parallel.guard_the_group(item)
    SHARED.before_test(item)
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    if fixturedef.argname == "_django_db_helper":
        SHARED.before_test_transaction(request)
    return (yield)


@pytest.hookimpl(optionalhook=True)  # an xdist hook
def pytest_testnodedown(node, error):
    builds = getattr(node, "workeroutput", {}).get("shared_data_builds")
    if builds:
        node.config._genhusning_builds = [  # type: ignore[attr-defined]
            *getattr(node.config, "_genhusning_builds", []),
            f"{node.gateway.id}: {builds}",
        ]


def pytest_terminal_summary(terminalreporter, config):
    lines = getattr(config, "_genhusning_builds", []) or ([builds_line()] if builds_line() else [])
    for line in lines:
        terminalreporter.write_line(f"shared test data built: {line}")


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's, but an xdist worker clones the database the controller made."""
    from django.test.utils import setup_databases, teardown_databases

    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        if parallel.worker_id(request.config):
            old_config, keep = parallel.clone_template_database(request.config), False
        else:
            if not django_db_use_migrations:
                from pytest_django.fixtures import _disable_migrations

                _disable_migrations()
            keep = django_db_keepdb and not django_db_createdb
            old_config = setup_databases(
                verbosity=verbosity, interactive=False, keepdb=keep, aliases={"default"}
            )
    yield
    if not keep:
        with django_db_blocker.unblock():
            _end_other_sessions_of_the_test_database()
            teardown_databases(old_config, verbosity=verbosity)


def _end_other_sessions_of_the_test_database() -> None:
    """A connection a test left open (a thread's, a killed worker's not yet noticed by the
    server) would make DROP DATABASE fail at the very end of a green run."""
    from django.db import connections

    for alias in connections:
        connections[alias].close()
    connection = connections["default"]
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )


_truncate_tables = DatabaseOperations.sql_flush
# The access log refuses a DELETE of its rows (its row trigger) but lets a test database
# TRUNCATE it (households migration 0008).
TRUNCATED_BY_THE_FLUSH = frozenset({"households_accesslog"})
# What the models define, not what a test makes: the post_migrate signal after each flush finds
# them there and only reads them, where it made ~100 content types and ~400 permissions again.
KEPT_BY_THE_FLUSH = frozenset({"django_content_type", "auth_permission"})


def _sql_flush_by_delete(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Between transactional tests (browser, worker, concurrency: ~100 of them) Django empties
    every table with one TRUNCATE of all 90, which makes new files for each table and index:
    1.1-1.8 s on 2 cores, where a DELETE of their few rows takes 10-30 ms. The foreign keys are
    checked at commit (Django makes them DEFERRABLE INITIALLY DEFERRED), so the order does not
    matter. The access log alone is truncated (TRUNCATED_BY_THE_FLUSH); content types and
    permissions stay (KEPT_BY_THE_FLUSH)."""
    if reset_sequences or allow_cascade:
        return _truncate_tables(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    not_deleted = TRUNCATED_BY_THE_FLUSH | KEPT_BY_THE_FLUSH
    deleted = [table for table in tables if table not in not_deleted]
    truncated = [table for table in tables if table in TRUNCATED_BY_THE_FLUSH]
    deletes = [f"DELETE FROM {self.quote_name(table)}" for table in deleted]  # noqa: S608
    return deletes + _truncate_tables(self, style, truncated)


DatabaseOperations.sql_flush = _sql_flush_by_delete


@receiver(connection_created)
def _allow_the_test_flush(sender, connection, **kwargs):
    # Between transactional tests Django empties every table with TRUNCATE, which the access
    # log refuses except in a test database whose session asks (households migration 0004).
    with connection.cursor() as cursor:
        cursor.execute("SET genhusning.flush_test_database = 'on'")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A deliberately slow hash makes every login cost a third of a second; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """LocaleMiddleware leaves a request's language active in the thread: a test whose client
    asked for English (tests/test_navigation.py) made the next test in its process English."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """client.force_login(user) logs in as if the user had also typed her code (every page needs
    the second factor). force_login(user, otp_verified=False) leaves the session waiting for it.
    """
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    force_login = Client.force_login

    def force_login_verified(self, user, backend=None, *, otp_verified=True):
        force_login(self, user, backend)
        if otp_verified:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = factories.make_totp_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


@dataclass
class Cast:
    caseworker_a1: User
    caseworker_a2: User
    bridge_builder_a: User
    rehousing_officer_a1: User
    manager_a: User
    manager_b: User
    caseworker_b1: User
    visitator: User
    caretaker_a1: User
    case_a1: Case
    case_a2: Case
    case_b1: Case


# Strings planted in each case's data; a response that must not show the case must contain none.
MARKERS = {
    "case_a1": ("Agnete Markørsen", "SOCIAL-NOTE-A1-7731", "Markørvej"),
    "case_a2": ("Bodil Markørdatter", "SOCIAL-NOTE-A2-7732", "Skjultvej"),
    "case_b1": ("Carl Markørby", "SOCIAL-NOTE-B1-7733", "Fjernvej"),
}


@pytest.fixture
def cast(request, db) -> Cast:
    """The cast, built once per test process and shared by the tests that ask for it; each test
    runs in its own transaction inside the one that holds it (tests/shared_data.py)."""
    shared = SHARED.get(request, "cast")
    return shared if shared is not None else make_cast()


@SHARED.builder("cast")
def make_cast() -> Cast:
    """The cast itself, for a fixture of a wider scope (tests/test_permission_matrix.py).

    In one transaction: a test that commits (a browser or worker test builds the cast for
    itself) commits once, not after each of its rows: a quarter of the build's time there."""
    with transaction.atomic():
        return _cast_build()


def _cast_build() -> Cast:
    org_a = factories.make_organisation("Boligselskabet A")
    org_b = factories.make_organisation("Boligselskabet B")
    estate_a1 = factories.make_estate(org_a, "Vestergården")
    estate_a2 = factories.make_estate(org_a, "Nordparken")
    estate_b1 = factories.make_estate(
        org_b, "Fjordbo", municipality=factories.make_municipality("Køge", "259")
    )

    cases = {}
    for key, estate, kind in (
        ("case_a1", estate_a1, ProjectKind.RENOVATION_WITH_RETURN),
        ("case_a2", estate_a2, ProjectKind.TRANSFORMATION),
        ("case_b1", estate_b1, ProjectKind.RENOVATION_WITH_RETURN),
    ):
        name, note, street = MARKERS[key]
        project = factories.make_project(estate, kind=kind)
        flat = factories.make_flat(factories.make_stairwell(estate, street=street, number=3))
        household = factories.make_household(flat, name, social_note=note)
        factories.assess(
            household,
            VulnerabilityLevel.PARTICULARLY,
            [VulnerabilityFactor.ADDICTION],
            note=f"ASSESSMENT-{note}",
        )
        cases[key] = factories.make_case(project, household, next_step="Besøg igen")

    users = {
        "caseworker_a1": factories.make_user(
            "caseworker_a1", Role.CASEWORKER, first_name="Maja", last_name="Holm"
        ),
        "caseworker_a2": factories.make_user("caseworker_a2", Role.CASEWORKER),
        "bridge_builder_a": factories.make_user("bridge_builder_a", Role.BRIDGE_BUILDER),
        "rehousing_officer_a1": factories.make_user("rehousing_officer_a1", Role.REHOUSING_OFFICER),
        "manager_a": factories.make_user("manager_a", Role.MANAGER),
        "manager_b": factories.make_user("manager_b", Role.MANAGER),
        "caseworker_b1": factories.make_user("caseworker_b1", Role.CASEWORKER),
        "visitator": factories.make_user("visitator", Role.VISITATOR),
        "caretaker_a1": factories.make_user("caretaker_a1", Role.CARETAKER),
    }
    estate_assign_staff(estate=estate_a1, user=users["caseworker_a1"])
    estate_assign_staff(estate=estate_a2, user=users["caseworker_a2"])
    estate_assign_staff(estate=estate_a1, user=users["rehousing_officer_a1"])
    estate_assign_staff(estate=estate_b1, user=users["caseworker_b1"])
    # The bridge-builder works in no estate: she sees only the cases she is assigned to.
    from guardian.shortcuts import assign_perm

    assign_perm("households.staff_of_organisation", users["bridge_builder_a"], org_a)
    organisation_add_manager(organisation=org_a, user=users["manager_a"])
    organisation_add_manager(organisation=org_b, user=users["manager_b"])
    return Cast(**users, **cases)


@dataclass
class DemoData:
    output: str  # what the first load printed
    loaded_at: datetime  # when it began


@pytest.fixture
def demo_data(request, db, settings) -> DemoData:
    """The demo data (demo/), loaded once per test process for the tests that ask for it and
    shared as the cast is (tests/shared_data.py)."""
    settings.DEBUG = True  # the command refuses a database that does not look like development
    shared = SHARED.get(request, "demo")
    return shared if shared is not None else load_demo_data()


@SHARED.builder("demo")
def load_demo_data() -> DemoData:
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    out, loaded_at = StringIO(), timezone.now()
    with override_settings(DEBUG=True):
        call_command("load_demo_data", stdout=out)
    return DemoData(output=out.getvalue(), loaded_at=loaded_at)


# --- Real services: a Celery worker process on the real Redis, and Debian's Chromium ----------

FULL_SUITE = os.environ.get("GENHUSNING_FULL_SUITE") == "1"
ROOT = Path(__file__).resolve().parent.parent


def skip_unless(condition: bool, reason: str) -> None:
    """Skip with a reason on a bare machine; with GENHUSNING_FULL_SUITE=1 (CI) fail instead."""
    if condition:
        return
    if FULL_SUITE:
        pytest.fail(f"{reason} (GENHUSNING_FULL_SUITE=1 requires it)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _eager_celery_unless_a_worker_is_asked_for(request):
    """Tests run tasks inline, except those marked celery_worker, which go through Redis."""
    from genhusning.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = request.node.get_closest_marker("celery_worker") is None
    yield
    app.conf.task_always_eager = before


def database_url_of_the_tests() -> str:
    """The test database as a URL, for another process (the Celery worker, gunicorn)."""
    from django.db import connections

    db = connections["default"].settings_dict
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    socket_dir = db.get("OPTIONS", {}).get("host")
    if socket_dir:
        return f"postgresql://{auth}@/{db['NAME']}?host={socket_dir}"
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class WorkerProcess:
    mail_dir: Path
    log: Path

    def sent_mails(self) -> list[EmailMessage]:
        """The mails the worker sent (the file backend writes them separated by dashed lines)."""
        texts = [path.read_text() for path in sorted(self.mail_dir.glob("*.log"))]
        separator = "\n" + "-" * 79 + "\n"
        return [
            message_from_string(part, policy=email_policy)
            for text in texts
            for part in text.split(separator)
            if part.strip()
        ]


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    from genhusning.celery import app

    skip_unless(
        bool(settings.REDIS_URL),
        "Celery worker tests need a real Redis: set REDIS_URL (.ci/run does)",
    )
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "test-worker-secret",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    # A queue of this session's own: two test runs on one Redis never take each other's tasks,
    # and nothing left behind by an interrupted run is picked up.
    name, default_queue = f"pytest-{uuid.uuid4().hex[:8]}", app.conf.task_default_queue
    _route_tasks_to(app, name)
    command = [
        sys.executable, "-m", "celery", "--app", "genhusning", "worker", "--pool", "solo",
        "--hostname", f"{name}@%h", "--queues", name, "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with log.open("w") as log_file:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"The Celery worker did not start:\n{log.read_text()}")
        time.sleep(0.2)
    yield WorkerProcess(mail_dir=mail_dir, log=log)
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    with app.connection_for_write() as connection:  # what the worker did not take, and its keys
        channel = connection.default_channel
        channel.queue_delete(name)
        channel.client.delete(f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    _route_tasks_to(app, default_queue)


def _route_tasks_to(app, queue: str) -> None:
    """Send tasks to `queue` from now on (Celery keeps its queues and router once made)."""
    app.conf.task_default_queue = queue
    for cached in ("queues", "default_queue", "router", "send_task_message"):
        app.amqp.__dict__.pop(cached, None)


def wait_for(predicate, *, timeout: float = 30, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}")


# --- referrals: the municipal visitator (helper: visitator) ---------------------------------


@pytest.fixture
def visitator_partner(cast):
    """The visitator acts for the visitation of estate A1's municipality (Hvidovre), in the
    register of organisation A."""
    from guardian.shortcuts import assign_perm

    from referrals.models import Partner, PartnerKind

    estate = cast.case_a1.project.estate
    partner, _created = Partner.objects.get_or_create(
        organisation=estate.organisation,
        name=f"{estate.municipality.name} Kommune, visitationen",
        defaults={"kind": PartnerKind.MUNICIPAL_VISITATOR, "municipality": estate.municipality},
    )
    assign_perm("referrals.act_for_partner", cast.visitator, partner)
    return partner
