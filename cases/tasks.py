from smtplib import SMTPException

from celery import shared_task

from cases import services
from cases.planning import services as planning


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def notify_case_assigned(assignment_id: int) -> bool:
    return services.assignment_send_notification(assignment_id=assignment_id)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def assignment_notifications_sweep() -> int:
    return services.assignment_notifications_sweep()


@shared_task(
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def notify_distribution(notice_id: int) -> bool:
    return planning.distribution_send_notification(notice_id=notice_id)


@shared_task(ignore_result=True, soft_time_limit=240, time_limit=300)
def distribution_notifications_sweep() -> int:
    return planning.distribution_notifications_sweep()
