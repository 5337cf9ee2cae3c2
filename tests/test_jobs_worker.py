"""Jobs through a real worker process on a real redis-server of the test's own (a free port,
so stopping it touches nobody else's Redis): the database row is the truth (core/jobs.py).

- a report ordered while Redis is stopped is made once Redis is back (the dispatcher sends it);
- a worker killed mid-report (the whole process group, or the pool child alone) leads to the
  report being made once by a later attempt, or, after the last attempt, failed with a Danish
  message and a "Prøv igen" button;
- Redis stopped while the worker runs a task and started again leaves a worker that consumes
  the next task without a restart (celery/kombu 5.7.0 exited there: core/queue.py).

The times are short through the JOB_* settings, here and in the worker's environment.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.reports.models import ReportJob, ReportStatus
from core.jobs import jobs_dispatch
from genhusning.celery import app
from tests.conftest import (
    ROOT,
    _route_tasks_to,
    database_url_of_the_tests,
    skip_unless,
    wait_for,
)
from tests.test_queue_faults import OwnRedis, _reset_broker_connections

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

TIMES = {
    "JOB_HEARTBEAT_SECONDS": 1,
    "JOB_HEARTBEAT_TIMEOUT": 4,
    "JOB_RESEND_AFTER": 2,
    "JOB_GIVE_UP_QUEUED_AFTER": 120,
}
RENDER_DELAY = 4  # seconds a test's first report takes longer to render (tests/slow_render.py)


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def pool_children(self) -> list[int]:
        found = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in found.stdout.split()]

    def kill_everything(self) -> None:
        """kill -9 of the worker's whole process group: the main process and its pool."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """At the end of a test: nothing of it is needed any more, so no warm shutdown."""
        if self.process.poll() is None:
            self.kill_everything()


@pytest.fixture
def jobs_env(tmp_path, settings):
    """A private redis-server, the test process's broker pointed at it, and a way to start real
    workers (prefork, one child, as in docker-compose.yml) on it."""
    skip_unless(bool(shutil.which("redis-server")), "needs redis-server (apt install redis)")
    skip_unless(bool(settings.REDIS_URL), "Celery worker tests need REDIS_URL (the transport)")
    redis_server = OwnRedis(tmp_path)
    redis_server.start()
    before = (app.conf.broker_url, app.conf.task_always_eager)
    # A queue of this test's own: the session's worker fixture (celery_worker_process) may have
    # routed this process's tasks to its queue, which these workers do not read.
    queue, default_queue = f"jobs-{uuid.uuid4().hex[:8]}", app.conf.task_default_queue
    _route_tasks_to(app, queue)
    app.conf.broker_url, app.conf.task_always_eager = redis_server.url, False
    _reset_broker_connections()
    for name, value in TIMES.items():
        setattr(settings, name, value)
    workers: list[Worker] = []
    slow_token = tmp_path / "slow-render"  # taken by the test's first render
    slow_token.touch()

    def start_worker(*, max_attempts: int = 3, concurrency: int = 1, slow: bool = True) -> Worker:
        log = tmp_path / f"worker-{len(workers)}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_of_the_tests(),
            "REDIS_URL": redis_server.url,
            "SECRET_KEY": "test-worker-secret",
            "REPORT_TEST_DELAY": str(RENDER_DELAY),
            "REPORT_TEST_DELAY_TOKEN": str(slow_token) if slow else "",
            "JOB_MAX_ATTEMPTS": str(max_attempts),
            **{name: str(value) for name, value in TIMES.items()},
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "--app",
            "genhusning",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--include",
            "tests.slow_render",
            "--hostname",
            f"jobs-{len(workers)}@%h",
            "--queues",
            queue,
            "--loglevel",
            "INFO",
        ]  # fmt: skip  (gossip, mingle and remote control on, as in docker-compose.yml)
        with log.open("w") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        worker = Worker(process=process, log=log)
        workers.append(worker)
        deadline = time.monotonic() + 60
        while "ready." not in worker.output():
            if process.poll() is not None or time.monotonic() > deadline:
                worker.stop()
                pytest.fail(f"The Celery worker did not start:\n{worker.output()}")
            time.sleep(0.2)
        return worker

    yield redis_server, start_worker
    for worker in workers:
        worker.stop()
    app.conf.broker_url, app.conf.task_always_eager = before
    _route_tasks_to(app, default_queue)
    _reset_broker_connections()
    if redis_server.process and redis_server.process.poll() is None:
        redis_server.stop()
    for job in ReportJob.objects.exclude(file=""):
        job.file.delete(save=False)


def _order(client, cast) -> ReportJob:
    organisation = cast.case_a1.project.estate.organisation
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("reports:print"), {"kind": "organisation", "target": organisation.pk}
    )
    assert response.status_code == 302
    return ReportJob.objects.order_by("-pk").first()


def _status(job: ReportJob) -> str:
    job.refresh_from_db()
    return job.status


def _dispatch_until(predicate, *, timeout: float, what: str):
    """Run the beat's dispatcher every second (as the beat does every minute) until done."""

    def step():
        jobs_dispatch()
        return predicate()

    return wait_for(lambda: step() or (time.sleep(0.8) and False), timeout=timeout, what=what)


def test_a_report_ordered_while_redis_is_stopped_is_made_when_it_is_back(jobs_env, client, cast):
    redis_server, start_worker = jobs_env
    worker = start_worker(slow=False)  # nothing happens while it renders
    redis_server.stop()

    started = time.monotonic()
    job = _order(client, cast)
    assert time.monotonic() - started < 10  # the page answers although the queue is gone
    assert (job.status, job.sent_at) == (ReportStatus.QUEUED, None)
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Venter på en ledig" in page

    redis_server.start()  # empty: no persistence, the message was never there anyway
    _dispatch_until(
        lambda: _status(job) == ReportStatus.DONE, timeout=60, what="the report to be made"
    )
    assert job.attempts == 1 and job.file
    assert worker.process.poll() is None


def test_a_worker_killed_whole_mid_report_is_replaced_and_the_report_made_once(
    jobs_env, client, cast, settings
):
    _redis, start_worker = jobs_env
    # The page's patience with a dispatcher that does not come (core/jobs.py job_is_given_up):
    # longer than this test's short times, so the page is read in the window it describes.
    settings.JOB_RESEND_AFTER = 30
    first = start_worker()
    job = _order(client, cast)
    wait_for(lambda: _status(job) == ReportStatus.RUNNING and job.progress >= 50, what="running")
    first.kill_everything()
    # Until the dispatcher takes it back, the page tells the truth: started again, not failed.
    wait_for(
        lambda: _status(job) and job.is_restarting, timeout=10, what="the heartbeat to go silent"
    )
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Baggrundsprocessen stoppede; rapporten startes igen" in page
    assert "kunne ikke laves" not in page

    start_worker()  # as docker-compose's restart: unless-stopped does
    _dispatch_until(
        lambda: _status(job) == ReportStatus.DONE, timeout=60, what="the second attempt"
    )
    assert job.attempts == 2
    assert ReportJob.objects.count() == 1


def test_a_pool_child_killed_mid_report_leads_to_the_report_made_once(jobs_env, client, cast):
    _redis, start_worker = jobs_env
    worker = start_worker()
    job = _order(client, cast)
    wait_for(lambda: _status(job) == ReportStatus.RUNNING and job.progress >= 50, what="running")
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)

    _dispatch_until(
        lambda: _status(job) == ReportStatus.DONE, timeout=60, what="the second attempt"
    )
    assert job.attempts == 2  # the redelivered message found the job taken: one more start
    assert worker.process.poll() is None


def test_after_the_last_attempt_the_report_fails_with_a_message_and_a_try_again_button(
    jobs_env, client, cast, settings
):
    _redis, start_worker = jobs_env
    settings.JOB_MAX_ATTEMPTS = 1
    worker = start_worker(max_attempts=1)
    job = _order(client, cast)
    wait_for(lambda: _status(job) == ReportStatus.RUNNING, what="the report to start")
    worker.kill_everything()

    _dispatch_until(
        lambda: _status(job) == ReportStatus.FAILED, timeout=30, what="the job to be failed"
    )
    page = client.get(reverse("reports:job", args=[job.pk])).content.decode()
    assert "Rapporten kunne ikke laves." in page
    assert "Jobbet blev forsøgt flere gange uden held" in page
    assert reverse("reports:job_retry", args=[job.pk]) in page
    assert "Prøv igen" in page

    start_worker(max_attempts=1)
    response = client.post(reverse("reports:job_retry", args=[job.pk]))
    again = ReportJob.objects.order_by("-pk").first()
    assert again.pk != job.pk and response.url == reverse("reports:job", args=[again.pk])
    # Its first message is made, without the dispatcher's help: the claim waits for the row's
    # lock (the sender's `sent_at` UPDATE) instead of skipping it and dropping the message,
    # which made this test time out once in four full runs (core/jobs.py, job_claim).
    wait_for(lambda: _status(again) == ReportStatus.DONE, timeout=60, what="the new order")
    assert again.attempts == 1


def test_redis_stopped_during_a_task_leaves_a_worker_that_consumes_the_next(jobs_env, client, cast):
    redis_server, start_worker = jobs_env
    # Two processes, as in docker-compose.yml: while one runs the report, the consumer waits on
    # Redis for the next message, and that is when celery/kombu 5.7.0 exited (docs/jobs.md).
    worker = start_worker(concurrency=2)
    job = _order(client, cast)
    wait_for(lambda: _status(job) == ReportStatus.RUNNING, what="the report to start")
    redis_server.stop()
    time.sleep(3)  # the worker notices (celery/kombu 5.7.0 exited here) and tries to reconnect
    redis_server.start()

    wait_for(lambda: _status(job) == ReportStatus.DONE, timeout=60, what="the running report")
    assert worker.process.poll() is None, worker.output()
    next_job = _order(client, cast)
    wait_for(
        lambda: _status(next_job) == ReportStatus.DONE,
        timeout=60,
        what="the same worker to take the next report",
    )
    assert next_job.attempts == 1
    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.output()


def _terminate_backends(query_start: str) -> int:
    """pg_terminate_backend() of the test database's connections whose last statement starts
    with `query_start`: a connection dropped under a worker, the rest of the database up."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query LIKE %s",
            [query_start + "%"],
        )
        return cursor.fetchone()[0]


def test_a_heartbeat_whose_connection_dropped_beats_again_and_the_report_is_made_once(
    jobs_env, client, cast
):
    """The heartbeat thread's database connection killed while the report renders: the next
    beat connects anew. It stopped for good, so the dispatcher took a healthy job back and made
    it again from the start (or failed it, after the last attempt)."""
    _redis, start_worker = jobs_env
    worker = start_worker()
    job = _order(client, cast)
    wait_for(lambda: _status(job) == ReportStatus.RUNNING and job.progress >= 50, what="running")
    beats = 'UPDATE "cases_reportjob" SET "heartbeat_at"'
    wait_for(lambda: _terminate_backends(beats), timeout=3, what="the heartbeat's connection")
    dropped = timezone.now()

    wait_for(
        lambda: _status(job) == ReportStatus.RUNNING and job.heartbeat_at > dropped,
        timeout=3,
        what="the heartbeat to beat again",
    )
    _dispatch_until(lambda: _status(job) == ReportStatus.DONE, timeout=30, what="the report")
    assert job.attempts == 1
    assert f"Heartbeat of cases.ReportJob {job.pk} missed" in worker.output()
