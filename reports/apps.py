from django.apps import AppConfig
from django.utils.translation import gettext as _


class ReportsConfig(AppConfig):
    """Status reports and their PDFs. They read every app (cases, outreach, referrals), so they
    sit above them; the ReportJob model stays in cases (cases/reports/models.py), where its
    migration names it."""

    name = "reports"

    def ready(self) -> None:
        from cases.reports.models import ReportJob, ReportStatus
        from core.jobs import JobType, job_type_register

        job_type_register(
            JobType(
                model=ReportJob,
                task_name="cases.reports.tasks.render_report",
                queued=ReportStatus.QUEUED,
                running=ReportStatus.RUNNING,
                failed=ReportStatus.FAILED,
                created_field="ordered_at",
                finished_field="finished_at",
                failure_message=lambda: _(
                    "The report could not be made: the job was tried several times without "
                    "success. Try again, or ask the administrator if it keeps failing."
                ),
            )
        )
