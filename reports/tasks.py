"""The report worker's task: thin, by id, idempotent, with a time limit."""

from celery import shared_task
from django.conf import settings

from reports import services


@shared_task(
    # The name it had in cases/reports/: a job queued before a deploy still finds its task.
    name="cases.reports.tasks.render_report",
    ignore_result=True,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_SOFT_TIME_LIMIT + 60,
)
def render_report(job_id: int) -> int | None:
    job = services.report_job_run(job_id=job_id)
    return job.pk if job else None
