"""Reports ordered for a worker to render (large ones), and the PDF each left behind."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import JobFields, job_is_given_up, job_is_restarting


class ReportKind(models.TextChoices):
    PROJECT = "project", _("Project status report")
    ESTATE = "estate", _("Estate report")
    ORGANISATION = "organisation", _("Organisation report")
    CASELOAD = "caseload", _("Caseload report")
    # One case's summary (target_id: the case), made by the worker when it is long.
    CASE_SUMMARY = "case_summary", _("Case summary")
    # A resident's art. 15 export (target_id: the resident), made by privacy's maker.
    RESIDENT_ACCESS = "resident_access", _("Right of access")
    # The visitator's flat list (target_id: her partner; options: her filters).
    VISITATOR_FLATS = "visitator_flats", _("Affected flats")


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def report_storage():
    return storages["reports"]


def report_path(instance: "ReportJob", filename: str) -> str:
    """A random name: nothing about the report or its households becomes part of a path."""
    return f"{uuid.uuid4().hex}.pdf"


class ReportJob(JobFields):
    """A report a worker renders: who ordered it, of what, how far it is, and the file."""

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    target_id = models.PositiveBigIntegerField()
    named = models.BooleanField(_("with names"), default=False)
    # A case summary: the household's own copy (without the internal notes), not the internal one.
    own_copy = models.BooleanField(default=False)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_jobs"
    )
    ordered_at = models.DateTimeField(_("ordered"), default=timezone.now)
    language = models.CharField(max_length=10, default="da")
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=report_storage, upload_to=report_path, blank=True)
    # The households the named report shows: its download writes one access-log row for each.
    household_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    title = models.CharField(max_length=300, blank=True)
    # What else the order chose (the visitator's flat list: its filters), as sent.
    options = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-ordered_at", "-pk"]
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ReportKind.values), name="report_job_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReportStatus.values), name="report_job_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="report_job_progress_percent"
            ),
        ]
        indexes = [models.Index(fields=["ordered_by", "-ordered_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_stuck(self) -> bool:
        """Waiting or running, but given up on (core/jobs.py): the dispatcher fails it within a
        minute; the page says so at once. A job whose worker died with attempts left is not
        stuck: it is being started again (`is_restarting`)."""
        return job_is_given_up(self)

    @property
    def is_restarting(self) -> bool:
        return job_is_restarting(self)

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED) or self.is_stuck
