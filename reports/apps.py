from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Status reports and their PDFs. They read every app (cases, outreach, referrals), so they
    sit above them; the ReportJob model stays in cases (cases/reports/models.py), where its
    migration names it."""

    name = "reports"
