"""docker compose cannot run on the build machines; these tests keep its files honest."""

import importlib
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else shlex.split(command)


def test_it_has_the_production_services(compose):
    assert set(compose["services"]) == {"db", "redis", "web", "worker", "beat"}
    assert compose["services"]["db"]["image"].startswith("postgres:16")
    assert compose["services"]["redis"]["image"].startswith("redis:7")


def test_every_service_has_a_health_check_and_restarts(compose):
    for name, service in compose["services"].items():
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
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "EMAIL_HOST", "SITE_URL"):
        assert f"\n{name}=" in "\n" + example, name
