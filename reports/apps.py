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
                # The reason only: the job page says what could not be made, in its
                # kind's words (reports.services.report_job_words), and offers "Prøv igen".
                failure_message=lambda: _(
                    "The job was tried several times without success, or no worker was free "
                    "to run it."
                ),
            )
        )
