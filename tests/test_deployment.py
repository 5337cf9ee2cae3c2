"""docker compose cannot run on the build machines; these tests keep its files honest."""

import http.client
import importlib
import itertools
import json
import os
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.db import connection
from django.urls import reverse

from tests.conftest import database_url_of_the_tests

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_it_has_the_production_services(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat", "migrate", "backup"}
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_every_service_has_a_health_check_and_restarts(compose):
    for name, service in compose["services"].items():
        if name == "migrate":  # runs once per `up`, to the end
            assert service["restart"] == "no"
            continue
        assert service.get("healthcheck", {}).get("test"), name
        assert service.get("restart") == "unless-stopped", name


def test_the_data_lives_in_named_volumes(compose):
    assert {"postgres-data", "redis-data", "media"} <= set(compose["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["db"]["volumes"]


def test_redis_never_evicts_queued_tasks(compose):
    command = command_of(compose["services"]["redis"])
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_the_app_commands_point_at_real_modules(compose):
    web = command_of(compose["services"]["web"])
    assert web[0] == "gunicorn"
    module, attribute = web[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))

    for name, subcommand in (("worker", "worker"), ("beat", "beat")):
        command = command_of(compose["services"][name])
        assert command[:2] == ["celery", "--app"] and subcommand in command
        app_module = importlib.import_module(command[2])
        assert app_module.celery_app.main == "genhusning"


def test_there_is_exactly_one_beat(compose):
    beats = [s for s in compose["services"].values() if "command" in s and "beat" in command_of(s)]
    assert len(beats) == 1
    assert beats[0].get("deploy", {}).get("replicas", 1) == 1


def test_the_app_services_get_database_and_redis_and_wait_for_them(compose):
    for name in ("web", "worker", "beat"):
        service = compose["services"][name]
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:6379")
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_app_connects_as_its_own_role_and_only_migrate_and_backup_as_the_owner(compose):
    """The owner's password reaches only the services that migrate, back up and restore."""
    services = compose["services"]
    owner = f"postgres://{services['db']['environment']['POSTGRES_USER']}:"
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://genhusning_app:"), name
        assert "MIGRATION_DATABASE_URL" not in environment, name
    for name in ("migrate", "backup"):
        assert services[name]["environment"]["MIGRATION_DATABASE_URL"].startswith(owner), name
    assert command_of(services["migrate"]) == ["python", "manage.py", "migrate", "--noinput"]
    # The role is made when the database is created, by the script the db service mounts.
    assert "./deploy/postgres-init:/docker-entrypoint-initdb.d:ro" in services["db"]["volumes"]
    script = (ROOT / "deploy" / "postgres-init" / "10-app-role.sh").read_text()
    assert "CREATE ROLE genhusning_app LOGIN NOSUPERUSER" in script
    assert "APP_DB_PASSWORD" in services["db"]["environment"]


def test_the_nightly_backup_runs_the_readme_command_with_a_retention(compose):
    backup = compose["services"]["backup"]
    assert command_of(backup) == ["sh", "deploy/backup-nightly.sh"]
    script = (ROOT / "deploy" / "backup-nightly.sh").read_text()
    assert 'python manage.py backup /backups --keep "$keep"' in script
    assert "backups:/backups" in backup["volumes"] and "media:/app/media" in backup["volumes"]
    assert "backups" in compose["volumes"]
    readme = (ROOT / "README.md").read_text()
    assert "docker compose run --rm backup python manage.py backup /backups" in readme
    assert "docker compose run --rm backup python manage.py restore /backups/" in readme
    result = subprocess.run(["sh", "-n", str(ROOT / "deploy" / "backup-nightly.sh")], check=False)
    assert result.returncode == 0


def test_the_dockerfile_installs_the_lock_and_collects_static():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile
    assert "collectstatic" in dockerfile
    assert "libpango" in dockerfile  # WeasyPrint needs Pango
    assert "\nUSER " in dockerfile  # not root


def test_the_web_health_check_answers_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_example_environment_lists_every_setting_the_compose_file_needs():
    example = (ROOT / ".env.example").read_text()
    for name in (
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "POSTGRES_PASSWORD",
        "APP_DB_PASSWORD",
        "EMAIL_HOST",
        "SITE_URL",
    ):
        assert f"\n{name}=" in "\n" + example, name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_command_serves_the_app_with_production_settings(compose, db):
    """The compose file's own gunicorn command, on a free local port, behind a "TLS proxy"."""
    command = list(command_of(compose["services"]["web"]))
    port = free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "1"
    command[0] = str(Path(sys.executable).parent / "gunicorn")
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "DEBUG": "",
        "SECRET_KEY": "test-only-" + "x" * 50,
        "BEHIND_TLS_PROXY": "1",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }

    def get(path: str, **headers: str) -> http.client.HTTPResponse:
        # A generous read timeout: the worker loads the app on its first request, which takes
        # seconds on a busy 2-core machine.
        request = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        request.request("GET", path, headers=headers)
        return request.getresponse()

    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = get("/healthz")
                break
            except ConnectionRefusedError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        assert health.status == 200
        assert json.load(health) == {"status": "ok"}

        login_path = reverse("login")
        redirect = get(login_path)
        assert redirect.status == 301
        assert redirect.getheader("Location") == f"https://127.0.0.1:{port}{login_path}"

        login = get(login_path, **{"X-Forwarded-Proto": "https"})
        assert login.status == 200
        assert login.getheader("Strict-Transport-Security")
        assert "script-src 'self'" in login.getheader("Content-Security-Policy", "")
        assert "no-store" in login.getheader("Cache-Control", "")
        assert "Log ind" in login.read().decode()
    finally:
        server.terminate()
        print(server.communicate(timeout=10)[0].decode())  # shown when the test fails


def test_the_demo_server_closes_its_connections_after_each_request(db):
    """`make demo` serves with Django's runserver: each request in a thread of its own, whose
    connection Django never closes. Kept connections (CONN_MAX_AGE) piled up to PostgreSQL's
    limit, and after ~100 requests every page answered "too many clients"."""
    port = free_port()
    url = database_url_of_the_tests()
    name = f"demo-server-{port}"
    environment = {
        **os.environ,
        "DATABASE_URL": f"{url}{'&' if '?' in url else '?'}application_name={name}",
        "SECRET_KEY": "test-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        answered = 0
        while answered < 30:
            try:
                request = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                request.request("GET", "/healthz" if answered % 2 else reverse("login"))
                assert request.getresponse().status == 200
                request.close()
                answered += 1
            except ConnectionRefusedError:
                assert server.poll() is None, server.communicate()[0].decode()
                assert time.monotonic() < deadline, "runserver did not answer in 30 s"
                time.sleep(0.2)
        time.sleep(0.3)  # the last request's thread has closed its connection
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [name]
            )
            assert cursor.fetchone()[0] <= 1
    finally:
        server.terminate()
        server.wait(timeout=30)


def setting_in(environment: dict[str, str], expression: str) -> str:
    """What `expression` (of `s`, the settings) prints in a fresh process with `environment`."""
    show = (
        f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    )
    result = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "genhusning.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_without_redis_the_in_process_broker_names_its_host():
    """Else kombu warns "No hostname was supplied" in the terminal of make demo."""
    from kombu import Connection

    environment = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    url = setting_in(environment, "s.CELERY_BROKER_URL")
    assert url.startswith("memory://")
    assert Connection(url).hostname


def test_the_app_plans_its_queries_as_the_compose_database_does(compose, db):
    """The planner settings the compose file gives its server (no JIT, random_page_cost for
    memory or SSD), the application asks for on each of its own connections: a database server
    of its own, the embedded one or a distribution's defaults (this one: JIT on, 4) plans the
    pages' queries as they were measured."""
    command = command_of(compose["services"]["db"])
    server = dict(
        value.split("=", 1) for flag, value in itertools.pairwise(command) if flag == "-c"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('jit'), current_setting('random_page_cost')")
        jit, random_page_cost = cursor.fetchone()
    assert (jit, float(random_page_cost)) == ("off", 1.1)
    assert (server["jit"], float(server["random_page_cost"])) == (jit, float(random_page_cost))


def test_a_query_run_again_on_a_connection_is_not_planned_again(db):
    """Prepared statements (genhusning/settings.py): the second time a connection runs a query,
    psycopg prepares it and PostgreSQL keeps its plan, whatever the parameters; planning was
    most of the database's time on a page. A literal in the SQL would make each one new."""
    query = "SELECT count(*) FROM households_household WHERE id > %s AND flat_id IS NOT NULL"
    with connection.cursor() as cursor:
        for smallest in (0, 1, 2):
            cursor.execute(query, [smallest])
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%households_household WHERE id > $1 AND flat_id IS NOT NULL%"],
        )
        assert cursor.fetchone()[0] == 1


def test_prepared_statements_can_be_turned_off_for_a_connection_pooler():
    """PgBouncer in transaction mode cannot keep a connection's prepared statements."""
    options = "s.DATABASES['default']['OPTIONS']"
    found = setting_in(
        {**os.environ, "DATABASE_PREPARED_STATEMENTS": "0"},
        f"[{options}.get('server_side_binding'), {options}.get('prepare_threshold')]",
    )
    assert found == "[None, None]"


# A process that keeps the embedded server up, as `make demo`'s runserver does: it starts
# PostgreSQL on the data folder, prints the postmaster's pid, and waits for its stdin to close.
HOLD_EMBEDDED_SERVER = (
    "import sys, warnings; warnings.simplefilter('ignore'); import pgserver; "
    "server = pgserver.get_server(sys.argv[1]); print(server.get_pid(), flush=True); "
    "sys.stdin.read()"
)


def process_exists(pid: int, *, within: float = 0) -> bool:
    """Whether the process runs (still, after waiting up to `within` seconds for it to end:
    pg_ctl's wait ends when the postmaster has removed its pid file, just before it exits)."""
    import psutil

    deadline = time.monotonic() + within
    while True:
        try:
            running = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            running = False
        if not running or time.monotonic() >= deadline:
            return running
        time.sleep(0.05)


def test_clean_db_stops_the_embedded_server_before_it_deletes_the_data_folder(tmp_path):
    """`make clean-db` deleted .pgdata under a server that ran on it (`make demo` in another
    terminal): the postmaster went on with its files gone, and the next `make demo` found it
    in the way. It stops the server first (pg_ctl from the pgserver package)."""
    data_dir = tmp_path / "pgdata"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_EMBEDDED_SERVER, str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    postmaster = None
    try:
        postmaster = int(holder.stdout.readline())  # type: ignore[union-attr]
        assert process_exists(postmaster)

        cleaned = subprocess.run(
            ["make", "--no-print-directory", "clean-db", f"EMBEDDED_DATABASE_DIR={data_dir}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

        assert cleaned.returncode == 0, cleaned.stderr
        assert not data_dir.exists()
        assert not process_exists(postmaster, within=5)
    finally:
        if postmaster is not None and process_exists(postmaster):
            os.kill(postmaster, 9)
        holder.communicate(timeout=30)
