"""When Redis is down: pages that enqueue answer at once, and nothing is lost.

The broker is pointed at a closed port (nothing listens on 127.0.0.1:1), as a Redis that is
down or restarting looks to the web process; at the end, a real redis-server of the test's own
is stopped and started again.
"""

import logging
import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseAssignment
from cases.tasks import assignment_notifications_sweep, notify_case_assigned
from core.queue import enqueue_now
from core.tasks import once_keys_prune
from genhusning.celery import app
from households.tasks import access_log_verify
from outreach.models import ScanRun, ScanStatus
from outreach.tasks import flag_digest, flag_scan
from privacy.tasks import purge_expired, retention_run
from team.tasks import handover_notifications_sweep
from tests.conftest import skip_unless

DOWN = "redis://127.0.0.1:1/0"
FAST = 3  # seconds: "answers within a couple of seconds"


def _reset_broker_connections() -> None:
    # Celery keeps its broker pools once made (kombu keeps one per URL); a new URL needs new ones.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down():
    """Tasks go to a broker that does not answer (not run inline, as in other tests)."""
    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = DOWN, False
    _reset_broker_connections()
    yield
    app.conf.broker_url, app.conf.task_always_eager = before
    _reset_broker_connections()


def test_enqueueing_gives_up_in_seconds_and_says_so(redis_down, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="core.queue"):
        assert enqueue_now(flag_scan, 1) is False
    assert time.monotonic() - started < FAST
    assert "the broker is down" in caplog.text


def test_run_now_answers_at_once_with_a_danish_message_and_records_the_failure(
    redis_down, client, cast
):
    client.force_login(cast.manager_a)

    started = time.monotonic()
    response = client.post(reverse("outreach:scan_run"), follow=True)
    elapsed = time.monotonic() - started

    assert elapsed < FAST
    assert response.status_code == 200
    assert "Scanningen kunne ikke startes: jobkøen svarer ikke." in response.content.decode()
    run = ScanRun.objects.get()
    assert run.status == ScanStatus.FAILED
    assert run.error == "Jobkøen svarede ikke, så scanningen blev ikke startet."
    assert run.finished_at is not None
    assert "Jobkøen svarede ikke" in client.get(reverse("outreach:scans")).content.decode()


def test_an_assignment_made_while_redis_is_down_is_mailed_by_the_sweep(
    redis_down, client, cast, django_capture_on_commit_callbacks
):
    cast.caseworker_a1.email = "maja@example.dk"
    cast.caseworker_a1.save()
    client.force_login(cast.manager_a)

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cases:assign", args=[cast.case_a1.pk]), {"user": cast.caseworker_a1.pk}
        )
    assert time.monotonic() - started < FAST
    assert response.status_code == 302
    assignment = CaseAssignment.objects.get(case=cast.case_a1, user=cast.caseworker_a1)
    assert (assignment.notified_at, mail.outbox) == (None, [])

    app.conf.task_always_eager = True  # Redis is back; the beat's sweep runs (here inline)
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert assignment_notifications_sweep.delay().get() == 0  # too early: the task may come
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert assignment_notifications_sweep.delay().get() == 1
        assert assignment_notifications_sweep.delay().get() == 0

    assignment.refresh_from_db()
    assert assignment.notified_at is not None
    assert len(mail.outbox) == 1
    assert f"/sager/{cast.case_a1.pk}/" in mail.outbox[0].body
    assert notify_case_assigned.delay(assignment.pk).get() is False  # a late task sends nothing


def test_every_task_ends_well_within_the_visibility_timeout():
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = [
        task
        for name, task in app.tasks.items()
        if name.split(".")[0] in ("cases", "outreach", "team")
    ]
    assert {task.name for task in ours} >= {
        "outreach.tasks.flag_scan",
        "outreach.tasks.flag_digest",
        "cases.tasks.notify_case_assigned",
        "cases.tasks.assignment_notifications_sweep",
        "team.tasks.notify_handover",
        "team.tasks.handover_notifications_sweep",
    }
    for task in ours:
        limit = task.time_limit or app.conf.task_time_limit
        assert task.soft_time_limit or app.conf.task_soft_time_limit
        assert limit < visibility / 2, task.name
    assert app.conf.task_publish_retry_policy["max_retries"] <= 2
    assert app.conf.broker_connection_timeout <= 5
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 5


def test_the_beat_schedule_is_in_one_place_and_names_real_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    for entry in schedule.values():
        assert entry["task"] in app.tasks
        assert entry["options"]["expires"] <= 6 * 60 * 60
    nightly = schedule["nightly-flag-scan"]["schedule"]
    assert (nightly.hour, nightly.minute) == (set(range(2, 9)), {30})  # made up hourly
    digest = schedule["morning-flag-digest"]["schedule"]
    assert (digest.hour, digest.minute) == ({6}, {45})
    assert schedule["assignment-mail-sweep"]["schedule"].minute == set(range(0, 60, 10))
    assert app.conf.timezone == "Europe/Copenhagen"
    assert flag_digest.name == schedule["morning-flag-digest"]["task"]
    retention = schedule["nightly-retention"]["schedule"]
    assert (retention.hour, retention.minute) == ({3}, {15})
    assert retention_run.name == schedule["nightly-retention"]["task"]
    assert purge_expired.name == schedule["nightly-purge"]["task"]
    assert handover_notifications_sweep.name == schedule["handover-mail-sweep"]["task"]
    assert access_log_verify.name == schedule["nightly-access-log-check"]["task"]
    assert once_keys_prune.name == schedule["nightly-once-key-prune"]["task"]


def test_the_cache_gives_up_in_seconds_when_redis_hangs(settings):
    """A Redis that takes the connection and never answers (overloaded, or half gone)."""
    from django.core.cache.backends.redis import RedisCache
    from redis.exceptions import RedisError

    skip_unless(bool(settings.REDIS_URL), "The Redis cache is configured with REDIS_URL only")
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        cache = RedisCache(f"redis://127.0.0.1:{port}/0", settings.CACHES["default"])
        started = time.monotonic()
        with pytest.raises(RedisError):
            cache.get("anything")
        assert time.monotonic() - started < FAST


# --- a real Redis server of the test's own, stopped and started again ---


class OwnRedis:
    """A redis-server on a free port, without persistence; never the shared one on 6379."""

    def __init__(self, directory) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.directory = directory
        self.process: subprocess.Popen | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return
            except redis.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    def queued(self, queue: str) -> int:
        return redis.Redis.from_url(self.url, socket_timeout=1).llen(queue)


@pytest.fixture
def own_redis(tmp_path, settings):
    skip_unless(bool(shutil.which("redis-server")), "needs redis-server (apt install redis)")
    server = OwnRedis(tmp_path)
    server.start()
    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url, app.conf.task_always_eager = server.url, False
    _reset_broker_connections()
    # the cache on the same Redis, as in production (genhusning/settings.py)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    yield server
    app.conf.broker_url, app.conf.task_always_eager = before
    _reset_broker_connections()
    if server.process and server.process.poll() is None:
        server.stop()


def test_redis_stopped_and_started_again_pages_work_and_the_queue_comes_back(
    own_redis, client, cast
):
    queue = app.conf.task_default_queue
    client.force_login(cast.manager_a)
    assert enqueue_now(flag_scan, None) is True
    assert own_redis.queued(queue) == 1

    own_redis.stop()
    started = time.monotonic()
    assert enqueue_now(flag_scan, None) is False
    assert time.monotonic() - started < FAST
    for url in (
        reverse("cases:caseload"),
        reverse("cases:detail", args=[cast.case_a1.pk]),
        reverse("outreach:flags"),
        reverse("outreach:scans"),
    ):
        started = time.monotonic()
        assert client.get(url).status_code == 200, url
        assert time.monotonic() - started < FAST, url
    response = client.post(reverse("outreach:scan_run"), follow=True)
    assert "Scanningen kunne ikke startes: jobkøen svarer ikke." in response.content.decode()

    own_redis.start()  # an empty Redis (no persistence): what was queued before is gone
    assert enqueue_now(flag_scan, None) is True
    assert own_redis.queued(queue) == 1


def test_each_beat_entry_expires_before_its_next_run():
    """settings.beat writes the expiry of every entry; a nightly job expires by morning, a
    sweep every ten minutes before the next sweep."""
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert all(set(entry["options"]) == {"expires"} for entry in schedule.values())
    nightly = [name for name in schedule if name.startswith(("nightly-", "morning-"))]
    assert len(nightly) == 6
    assert {schedule[name]["options"]["expires"] for name in nightly} == {6 * 60 * 60}
    sweeps = [name for name in schedule if name.endswith("-sweep")]
    assert {schedule[name]["options"]["expires"] for name in sweeps} == {9 * 60}
