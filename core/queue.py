"""Putting tasks on the Celery queue without letting a down Redis break a web request.

A task whose broker cannot be reached is logged and dropped here: every task enqueued through
this module has a way back (the assignment mail has the outbox sweep, the flag scan the next
beat and the "run now" page), so the request that enqueued it answers at once instead.
"""

import logging
from functools import partial

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
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
