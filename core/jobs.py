"""Background jobs whose row in the database is the truth, not the message in Redis.

A job (a report, a flag scan run) is a row written in the request's transaction and sent to
the worker once that commits (`core.queue.enqueue_on_commit`). Redis may lose the message (a
restart without persistence, a broker that was down when the request sent it, a worker killed
with the message in hand); the row is still there, so the dispatcher on the beat
(`jobs_dispatch`, every minute) puts things right:

- a job still *queued* a while after it was last sent is sent again (the worker's claim makes
  a second delivery harmless);
- a job *running* whose worker stopped its heartbeat (killed, out of memory, the machine gone)
  is taken back: queued and sent again, up to `JOB_MAX_ATTEMPTS` starts;
- after the last attempt, or queued far too long, the job is *failed* with a Danish message
  for the person who ordered it, whose page offers "Prøv igen".

The worker claims a job with one conditional UPDATE (`job_claim`): only one of two deliveries
of the same job wins and does the work. While it works, a thread touches `heartbeat_at`
(`job_heartbeat`); its writes carry the attempt number, so a worker whose job was taken back
cannot overwrite the newer attempt. The times are settings (`JOB_*` in genhusning/settings.py)
so the tests can make them short; docs/jobs.md says why the Celery settings are what they are.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)


class JobFields(models.Model):
    """The dispatcher's columns, for every job model."""

    attempts = models.PositiveSmallIntegerField(default=0)  # starts by a worker
    sent_at = models.DateTimeField(null=True, blank=True)  # last handed to the broker
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # the running worker's last sign

    objects: ClassVar[models.Manager[Any]]

    class Meta:
        abstract = True


@dataclass(frozen=True)
class JobType:
    """How the dispatcher reads and writes one job model (registered by its app's ready())."""

    model: type[JobFields]
    task_name: str
    queued: str
    running: str
    failed: str
    created_field: str  # when it was ordered
    finished_field: str  # set when it fails
    failure_message: Callable[[], str]  # Danish, shown to the person who ordered it


_TYPES: dict[str, JobType] = {}


def job_type_register(job_type: JobType) -> None:
    _TYPES[job_type.model._meta.label] = job_type


def job_types() -> list[JobType]:
    return list(_TYPES.values())


def _type_of(model: type[models.Model]) -> JobType:
    return _TYPES[model._meta.label]


def _seconds(name: str) -> timedelta:
    return timedelta(seconds=getattr(settings, name))


def _last_sign(job: JobFields, job_type: JobType):
    """When a running job last showed life: its heartbeat, else its start, else its order."""
    return (
        job.heartbeat_at or getattr(job, "started_at", None) or getattr(job, job_type.created_field)
    )


def job_is_alive(job: JobFields, *, now=None) -> bool:
    """Queued and not yet given up on, or running with a recent heartbeat."""
    job_type = _type_of(type(job))
    now = now or timezone.now()
    status = getattr(job, "status")  # noqa: B009 (every job model has one)
    if status == job_type.queued:
        return getattr(job, job_type.created_field) > now - _seconds("JOB_GIVE_UP_QUEUED_AFTER")
    if status == job_type.running:
        return _last_sign(job, job_type) > now - _seconds("JOB_HEARTBEAT_TIMEOUT")
    return False


def job_is_given_up(job: JobFields, *, now=None) -> bool:
    """Waiting or running, but no longer to be made without the user: what the dispatcher
    fails (queued too long; silent after its last attempt), or a silent job it has not taken
    back within JOB_RESEND_AFTER of when it should have (no dispatcher runs). A silent job
    with attempts left is not: the dispatcher takes it back and starts it again
    (`job_is_restarting`)."""
    job_type = _type_of(type(job))
    now = now or timezone.now()
    status = getattr(job, "status")  # noqa: B009
    if status == job_type.queued:
        return not job_is_alive(job, now=now)
    if status != job_type.running or job_is_alive(job, now=now):
        return False
    not_taken_back = _last_sign(job, job_type) < now - _seconds("JOB_HEARTBEAT_TIMEOUT") - _seconds(
        "JOB_RESEND_AFTER"
    )
    return job.attempts >= settings.JOB_MAX_ATTEMPTS or not_taken_back


def job_is_restarting(job: JobFields, *, now=None) -> bool:
    """Its worker stopped and the job is (or is about to be) started again: queued after a
    start, or running with a silent heartbeat and attempts left."""
    job_type = _type_of(type(job))
    status = getattr(job, "status")  # noqa: B009
    if status == job_type.queued:
        return job.attempts > 0 and not job_is_given_up(job, now=now)
    return (
        status == job_type.running
        and not job_is_alive(job, now=now)
        and not job_is_given_up(job, now=now)
    )


def job_is_busy(job: JobFields, *, now=None) -> bool:
    """Taken by a worker now, or about to be: running with a recent heartbeat, or queued and
    sent (or ordered) less than JOB_RESEND_AFTER ago. A job whose message Redis lost is not
    busy, so it never blocks a new one ("Kør nu" for the flag scan)."""
    job_type = _type_of(type(job))
    now = now or timezone.now()
    status = getattr(job, "status")  # noqa: B009
    if status == job_type.queued:
        since = job.sent_at or getattr(job, job_type.created_field)
        return since > now - _seconds("JOB_RESEND_AFTER")
    return status == job_type.running and job_is_alive(job, now=now)


def job_claim(model: type[JobFields], pk: int, *, retry_of: int | None = None) -> int | None:
    """Start the job in this worker: its attempt number, or None if another worker has it,
    it is finished, or it has had all its attempts. One conditional UPDATE: of two deliveries
    of the same job, exactly one wins.

    `retry_of`: the task's own retry of that attempt, which failed when the database went
    away and may not have recorded it (the job looks running, with a recent heartbeat). The
    retry takes the job over from that attempt, running or failed, and from no other: once
    the dispatcher has taken it back it is queued, and once another worker has started it the
    attempt is a higher one. The attempts count on, so JOB_MAX_ATTEMPTS holds for retries too.

    The row lock is waited for, not skipped: a lock on the row is not "another worker has it".
    The sender notes `sent_at` (an UPDATE) just after the message left, and an idle worker
    gets the message within milliseconds; with SKIP LOCKED its claim found the row locked by
    that UPDATE, returned None, and the message was acknowledged with the job still queued,
    to be made only when the dispatcher sent it again (JOB_RESEND_AFTER later; docs/jobs.md).
    Waiting costs nothing: every other lock on a job row is one short UPDATE (the sender's, a
    heartbeat, the dispatcher's, another delivery's claim), and PostgreSQL re-checks the
    condition on the row as it is after the wait, so a second delivery still finds it taken."""
    job_type = _type_of(model)
    now = timezone.now()
    claimable = Q(status=job_type.queued) | Q(
        status=job_type.running, heartbeat_at__lt=now - _seconds("JOB_HEARTBEAT_TIMEOUT")
    )
    if retry_of is not None:
        claimable |= Q(status__in=[job_type.running, job_type.failed], attempts=retry_of)
    with transaction.atomic():
        row = (
            model.objects.select_for_update()
            .filter(claimable, pk=pk, attempts__lt=settings.JOB_MAX_ATTEMPTS)
            .first()
        )
        if row is None:
            return None
        model.objects.filter(pk=pk).update(
            status=job_type.running, attempts=F("attempts") + 1, heartbeat_at=now
        )
    return row.attempts + 1


def job_mine(model: type[JobFields], pk: int, attempt: int) -> models.QuerySet:
    """The job's row, as long as it is still this attempt's to write."""
    job_type = _type_of(model)
    return model.objects.filter(pk=pk, attempts=attempt, status=job_type.running)


@contextmanager
def job_heartbeat(model: type[JobFields], pk: int, attempt: int) -> Iterator[None]:
    """Touch the job's heartbeat every JOB_HEARTBEAT_SECONDS while the block runs (a thread:
    one long step, such as WeasyPrint rendering, does not look like a dead worker)."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    job_mine(model, pk, attempt).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    # Its connection dropped (a terminated backend, a restarted PgBouncer):
                    # the next beat connects anew. One beat lost was the whole heartbeat, and
                    # the dispatcher made a healthy job again from the start. A database gone
                    # for good misses every beat, and the dispatcher takes the job back.
                    logger.warning("Heartbeat of %s %s missed", model._meta.label, pk)
                    with suppress(DatabaseError):
                        connection.close()
        except Exception:
            logger.exception("Heartbeat of %s %s stopped", model._meta.label, pk)
        finally:
            with suppress(DatabaseError):
                connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=settings.JOB_HEARTBEAT_SECONDS + 5)


def _fail(job_type: JobType, rows: models.QuerySet) -> int:
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        message = str(job_type.failure_message())
    return rows.update(
        status=job_type.failed, error=message, **{job_type.finished_field: timezone.now()}
    )


def jobs_dispatch() -> dict[str, int]:
    """The beat's sweep over every job model (see the module's docstring). Returns counts."""
    from core.queue import enqueue_job_now, task_by_name

    now = timezone.now()
    counts = {"resent": 0, "taken_back": 0, "failed": 0}
    for job_type in job_types():
        model = job_type.model
        created = job_type.created_field
        stale_beat = now - _seconds("JOB_HEARTBEAT_TIMEOUT")
        # Running, but the worker stopped beating: the last attempt fails, the others go back.
        dead = model.objects.filter(status=job_type.running).filter(
            Q(heartbeat_at__lt=stale_beat)
            | Q(heartbeat_at__isnull=True, **{f"{created}__lt": stale_beat})
        )
        counts["failed"] += _fail(job_type, dead.filter(attempts__gte=settings.JOB_MAX_ATTEMPTS))
        counts["taken_back"] += dead.update(status=job_type.queued, sent_at=None)
        # Queued far too long (the queue was gone all the while): failed, with a message.
        too_old = now - _seconds("JOB_GIVE_UP_QUEUED_AFTER")
        counts["failed"] += _fail(
            job_type, model.objects.filter(status=job_type.queued, **{f"{created}__lt": too_old})
        )
        # Queued and not picked up within JOB_RESEND_AFTER of being sent: sent again.
        resend_before = now - _seconds("JOB_RESEND_AFTER")
        waiting = model.objects.filter(status=job_type.queued).filter(
            Q(sent_at__lt=resend_before)
            | Q(sent_at__isnull=True, **{f"{created}__lt": resend_before})
            | Q(sent_at__isnull=True, attempts__gt=0)
        )
        task = task_by_name(job_type.task_name)
        for pk in list(waiting.values_list("pk", flat=True)[:500]):
            if enqueue_job_now(task, model, pk):
                counts["resent"] += 1
    if any(counts.values()):
        logger.info("Job dispatcher: %s", counts)
    return counts
