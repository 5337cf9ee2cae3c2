"""Putting tasks on the Celery queue without letting a down Redis break a web request.

A task whose broker cannot be reached is logged and dropped here: every task enqueued through
this module has a way back (the assignment mail has the outbox sweep, the flag scan the next
beat and the "run now" page), so the request that enqueued it answers at once instead.
"""

import logging
from functools import partial

from celery import Task
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_DOWN = (BrokerError, RedisError, OSError)


def enqueue_now(task: Task, *args) -> bool:
    """Send `task(*args)` to the broker now; False (and a warning) if the broker is unreachable.

    Nobody waits for these results, so the result backend (the same Redis) is not touched
    either. The broker settings make a down Redis fail in seconds (genhusning/settings.py).
    """
    if task.app.conf.task_always_eager:  # no broker (development, tests): the task runs here
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(args=args, ignore_result=True)
    except BROKER_DOWN as exc:
        logger.warning("Could not enqueue %s%r, the broker is down: %s", task.name, args, exc)
        return False
    return True


def enqueue_on_commit(task: Task, *args) -> None:
    """Enqueue `task(*args)` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(partial(enqueue_now, task, *args))


def enqueue_job_now(task: Task, model, pk: int) -> bool:
    """Send the job `pk` (a row of a `core.jobs.JobFields` model) to its task and note when.

    If the broker is down it stays queued with no `sent_at`: the dispatcher sends it again."""
    sent = enqueue_now(task, pk)
    if sent:
        model.objects.filter(pk=pk).update(sent_at=timezone.now())
    return sent


def enqueue_job_on_commit(task: Task, model, pk: int) -> None:
    """`enqueue_job_now` once the current transaction (which wrote the job's row) commits."""
    transaction.on_commit(partial(enqueue_job_now, task, model, pk))


def task_by_name(name: str) -> Task:
    """A registered task by its name (the tasks' modules are imported first if needed: the
    web process imports them only when it enqueues one)."""
    from celery import current_app

    if name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[name]


# --- The Redis transport, surviving a Redis that goes away while the worker runs a task -------


class _RedisChannel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection.client is None:
            raise RedisConnectionError("The broker connection was closed after a connection loss")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]


class RedisTransport(kombu_redis.Transport):
    """kombu's Redis transport, whose channels say "connection lost" once their connection is
    gone, instead of raising AttributeError (settings: `CELERY_BROKER_TRANSPORT`).

    With celery 5.7.0, kombu 5.7.0 and redis-py 8.1.0 a worker exits with "Unrecoverable
    error: AttributeError('NoneType' object has no attribute 'hostname')" when Redis stops
    while it runs a task. The consumer's `on_connection_error_after_connected` first
    `collect()`s the broken connection, which detaches the transport (`Transport.client =
    None`) but keeps the default channel when closing it failed on the dead socket; then it
    `close()`s the connection again, and the channel's close puts the unacknowledged messages
    back, for which it builds a new Redis pool from `self.connection.client.hostname`. The
    same happens when the task finishes and its late ack reaches the old channel. Celery and
    kombu swallow connection errors there (`ignore_errors`, `ack_log_error`) but not an
    AttributeError, so the worker stops and does not reconnect.

    A connection error here is the truth (the connection is gone) and what both places
    handle: the worker reconnects and consumes again. Nothing is lost by it: Redis cannot be
    reached at that moment, the message stays in Redis's unacked set (put back after the
    visibility timeout), and every job's database row is re-sent by the dispatcher
    (core/jobs.py, docs/jobs.md). tests/test_jobs_worker.py stops Redis under a worker.
    Remove this class once kombu/celery no longer close a collected connection.
    """

    Channel = _RedisChannel
