"""Core's one Celery task. The beat schedule is in settings."""

from celery import shared_task

from core import once


@shared_task(ignore_result=True)
def once_keys_prune() -> int:
    return once.once_keys_prune()
