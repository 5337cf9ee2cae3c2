"""The retention's Celery task: thin and idempotent. The beat schedule is in settings."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from privacy.services import expired_data_purge, retention_anonymise


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def retention_run() -> int:
    """Anonymise the households whose cases closed longer ago than the retention period."""
    return retention_anonymise()


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def purge_expired() -> dict[str, int]:
    """Delete ended sessions and the files of old worker-made reports."""
    return expired_data_purge()
