from smtplib import SMTPException

from celery import shared_task

from team import services


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def notify_handover(handover_id: int) -> bool:
    return services.handover_send_notification(handover_id=handover_id)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def handover_notifications_sweep() -> int:
    return services.handover_notifications_sweep()
