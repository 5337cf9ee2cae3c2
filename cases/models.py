"""Renovation projects, their stairwell schedules, and the case of each household in a project."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.stages import OPEN_STAGES, EndReason, Stage
from households.models import Estate, Flat, Household, Stairwell, VulnerabilityAssessment


class ProjectKind(models.TextChoices):
    RENOVATION_WITH_RETURN = "renovation", _("Renovation with return")
    TRANSFORMATION = "transformation", _("Transformation with permanent moves")
    DEMOLITION = "demolition", _("Demolition")
    MIXED = "mixed", _("Mixed (return and permanent moves)")


class ProjectQuerySet(models.QuerySet["Project"]):
    def for_user(self, user) -> "ProjectQuerySet":
        from cases.permissions import project_access_q

        return self.filter(project_access_q(user))


class Project(models.Model):
    """A renovation project (byggesag) on an estate."""

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="projects", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProjectKind.choices)
    starts_on = models.DateField(_("starts"), null=True, blank=True)
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    required_offers = models.PositiveSmallIntegerField(
        _("suitable offers to make"),
        default=2,
        help_text=_("How many suitable flats the organisation must offer each household."),
    )
    number = models.CharField(
        _("project number"),
        max_length=30,
        blank=True,
        help_text=_("The organisation's own number for the project."),
    )
    lbf_number = models.CharField(_("Landsbyggefonden case number"), max_length=30, blank=True)
    reply_days = models.PositiveSmallIntegerField(
        _("reply time for offers (days)"),
        default=14,
        help_text=_("How many days a household has to answer an offer."),
    )
    stairwells = models.ManyToManyField(
        Stairwell, blank=True, related_name="projects", verbose_name=_("affected stairwells")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    closed_at = models.DateTimeField(
        _("closed"),
        null=True,
        blank=True,
        help_text=_("A closed project is read-only; the retention period counts from here."),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        permissions = [("work_in_project", "Work with the cases of the project")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProjectKind.values), name="project_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(reply_days__gte=1), name="project_reply_days_positive"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="project_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def expects_return(self) -> bool:
        """Whether households come home again (a mixed project has returns and permanent moves)."""
        return self.kind in (ProjectKind.RENOVATION_WITH_RETURN, ProjectKind.MIXED)


def _dates_in_order(earlier: str, later: str) -> Q:
    return (
        Q(**{f"{earlier}__isnull": True})
        | Q(**{f"{later}__isnull": True})
        | Q(**{f"{later}__gte": F(earlier)})
    )


class StairwellSchedule(models.Model):
    """The building schedule's dates for one stairwell in a project."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("project")
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="schedules", verbose_name=_("stairwell")
    )
    notice_on = models.DateField(_("notice"), null=True, blank=True)
    packing_on = models.DateField(_("packing"), null=True, blank=True)
    move_out_on = models.DateField(_("move-out"), null=True, blank=True)
    return_on = models.DateField(_("return"), null=True, blank=True)

    class Meta:
        ordering = ["project", "move_out_on", "stairwell"]
        verbose_name = _("stairwell schedule")
        verbose_name_plural = _("stairwell schedules")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "stairwell"], name="schedule_unique_per_stairwell"
            ),
            models.CheckConstraint(
                condition=_dates_in_order("notice_on", "packing_on"),
                name="schedule_packing_after_notice",
            ),
            models.CheckConstraint(
                condition=_dates_in_order("packing_on", "move_out_on"),
                name="schedule_move_out_after_packing",
            ),
            models.CheckConstraint(
                condition=_dates_in_order("move_out_on", "return_on"),
                name="schedule_return_after_move_out",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} – {self.stairwell}"


SCHEDULE_DATE_FIELDS = ("notice_on", "packing_on", "move_out_on", "return_on")


def schedule_date_label(name: str) -> str:
    """The name of one of a stairwell's dates ("move-out"), in the active language."""
    field = StairwellSchedule._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


class ScheduleChange(models.Model):
    """One date of a stairwell's schedule changed: who, when, old and new date, and why."""

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="schedule_changes",
        verbose_name=_("project"),
    )
    stairwell = models.ForeignKey(
        Stairwell, on_delete=models.PROTECT, related_name="+", verbose_name=_("stairwell")
    )
    field = models.CharField(_("date"), max_length=20)
    old_date = models.DateField(_("old date"), null=True, blank=True)
    new_date = models.DateField(_("new date"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("schedule change")
        verbose_name_plural = _("schedule changes")
        constraints = [
            models.CheckConstraint(
                condition=Q(field__in=SCHEDULE_DATE_FIELDS), name="schedule_change_field_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stairwell} {self.field}: {self.old_date} → {self.new_date}"

    def get_field_label(self) -> str:
        return schedule_date_label(self.field).capitalize()


class DistributionNotice(models.Model):
    """One person's share of a distribution of a project's cases (planning: distribute): which
    stairwells, how many cases of each, and the outbox of her one mail about it (a stairwell is
    dozens of cases: one mail per person per distribution, not one per case)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="+", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    # [[stairwell id, its address, cases given], ...] in address order: the stairwell's address
    # only, nothing about a resident (the mail leaves the system).
    stairwells = models.JSONField(_("stairwells"), default=list)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("distribution notice")
        verbose_name_plural = _("distribution notices")
        indexes = [models.Index(fields=["notified_at", "at"])]

    def __str__(self) -> str:
        return f"{self.project} → {self.user}"

    @property
    def total(self) -> int:
        return sum(count for _stairwell, _label, count in self.stairwells)


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> "CaseQuerySet":
        return self.filter(stage__in=OPEN_STAGES)

    def for_user(self, user) -> "CaseQuerySet":
        from cases.permissions import case_access_q

        return self.filter(case_access_q(user))

    def with_vulnerability(self) -> "CaseQuerySet":
        latest = VulnerabilityAssessment.objects.filter(household=OuterRef("household")).order_by(
            "-assessed_at", "-pk"
        )
        return self.annotate(vulnerability=Subquery(latest.values("level")[:1]))

    def with_schedule(self) -> "CaseQuerySet":
        """Annotate the stairwell schedule's dates, overridden by the case's own where set."""
        on_stairwell = Q(project__schedules__stairwell=F("home_stairwell"))
        return self.annotate(home_stairwell=F("household__flat__stairwell")).annotate(
            schedule=FilteredRelation("project__schedules", condition=on_stairwell),
            schedule_notice_on=F("schedule__notice_on"),
            schedule_packing_on=F("schedule__packing_on"),
            effective_move_out_on=Coalesce("move_out_on", "schedule__move_out_on"),
            effective_return_on=Coalesce("return_on", "schedule__return_on"),
        )


class Case(models.Model):
    """One household in one project, followed through the stages of the rehousing."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="cases", verbose_name=_("household")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="cases", verbose_name=_("project")
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED
    )
    end_reason = models.CharField(
        _("reason for ending"), max_length=20, choices=EndReason.choices, blank=True
    )
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    move_out_on = models.DateField(
        _("move-out date"),
        null=True,
        blank=True,
        help_text=_("Only if it differs from the stairwell schedule."),
    )
    return_on = models.DateField(
        _("return date"),
        null=True,
        blank=True,
        help_text=_("Only if it differs from the stairwell schedule."),
    )
    temporary_flat = models.ForeignKey(
        Flat,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("temporary flat"),
    )
    permanent_flat = models.ForeignKey(
        Flat,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("permanent destination"),
    )
    staff: "models.ManyToManyField[User, CaseAssignment]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="CaseAssignment",
        through_fields=("case", "user"),
        related_name="cases",
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = [F("next_step_on").asc(nulls_last=True), "pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "project"], name="one_case_per_household_and_project"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="case_stage_valid"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.ENDED) | ~Q(end_reason=""), name="ended_case_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(end_reason="") | Q(stage__in=[Stage.ENDED, Stage.CLOSED]),
                name="end_reason_only_when_ended",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(stage=Stage.CLOSED),
                name="closed_at_only_when_closed",
            ),
        ]
        indexes = [models.Index(fields=["project", "stage"])]

    def __str__(self) -> str:
        return _("Case #%(id)s") % {"id": self.pk}

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED


class StageChange(models.Model):
    """One move of a case from one stage to another: who, when, from, to, and why."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("case")
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [models.Index(fields=["case", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.from_stage or '–'} → {self.to_stage}"


class AssignmentRole(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    BRIDGE_BUILDER = "bridge_builder", _("Bridge-builder")


class CaseAssignment(models.Model):
    """A member of staff responsible for a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="case_assignments"
    )
    role = models.CharField(_("role"), max_length=20, choices=AssignmentRole.choices)
    assigned_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["role", "assigned_at"]
        verbose_name = _("case assignment")
        verbose_name_plural = _("case assignments")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="assignment_unique_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=AssignmentRole.values), name="assignment_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.case}"


class ProjectUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class ProjectGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Project, on_delete=models.CASCADE)


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class DeadlineSettings(models.Model):
    """An organisation's own legal periods (cases/deadlines.py). Empty: the law's period.

    The law gives minimums; an organisation may give its tenants more time, never less (the
    database agrees).
    """

    organisation = models.OneToOneField(
        "households.Organisation",
        on_delete=models.CASCADE,
        related_name="deadline_settings",
        verbose_name=_("organisation"),
    )
    renovation_notice_months = models.PositiveSmallIntegerField(
        _("notice of works with temporary rehousing (months)"), null=True, blank=True
    )
    termination_notice_months = models.PositiveSmallIntegerField(
        _("notice of termination (months)"), null=True, blank=True
    )
    objection_weeks = models.PositiveSmallIntegerField(
        _("objection period after a termination (weeks)"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("deadline settings")
        verbose_name_plural = _("deadline settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(renovation_notice_months__isnull=True)
                | Q(renovation_notice_months__gte=3, renovation_notice_months__lte=24),
                name="deadline_renovation_notice_at_least_the_law",
            ),
            models.CheckConstraint(
                condition=Q(termination_notice_months__isnull=True)
                | Q(termination_notice_months__gte=3, termination_notice_months__lte=24),
                name="deadline_termination_notice_at_least_the_law",
            ),
            models.CheckConstraint(
                condition=Q(objection_weeks__isnull=True)
                | Q(objection_weeks__gte=6, objection_weeks__lte=26),
                name="deadline_objection_at_least_the_law",
            ),
        ]

    def __str__(self) -> str:
        return _("Deadlines of %(organisation)s") % {"organisation": self.organisation}


# The rehousing logistics (pool, needs, offers, moves) have their own module; importing it here
# registers its models with the app.
from cases.economy import models as _economy_models  # noqa: E402, F401
from cases.logistics import models as _logistics_models  # noqa: E402, F401
from cases.reports import models as _reports_models  # noqa: E402, F401
