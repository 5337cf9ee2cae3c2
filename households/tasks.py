"""Households' Celery tasks: thin, idempotent. The beat schedule is in settings."""

from celery import shared_task

from households.audit import access_log_verify_and_report


@shared_task(ignore_result=True, soft_time_limit=20 * 60, time_limit=25 * 60)
def access_log_verify() -> bool:
    """The nightly check of the access log's hash chain; mails the managers when broken."""
    return access_log_verify_and_report().intact
