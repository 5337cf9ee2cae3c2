"""Bridge-building after a permanent move, and the communities for the rehoused (imported by
referrals/models.py, import them from there).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Case
from households.models import Household, Organisation


class FollowUpPlan(models.Model):
    """Bridge-building after a permanent move: started when the case reaches 'moved
    permanently', closed when the household is settled."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="follow_up_plan", verbose_name=_("case")
    )
    bridge_builder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_plans",
        verbose_name=_("bridge-builder"),
    )
    started_on = models.DateField(_("started"))
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["-started_on", "pk"]
        verbose_name = _("follow-up plan")
        verbose_name_plural = _("follow-up plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("started_on")),
                name="follow_up_plan_closed_after_start",
            )
        ]

    def __str__(self) -> str:
        return _("Follow-up of %(case)s") % {"case": self.case}


class FollowUpVisit(models.Model):
    """A follow-up contact due on a date (after 2 weeks, 3 months, 6 months by default)."""

    plan = models.ForeignKey(
        FollowUpPlan, on_delete=models.CASCADE, related_name="visits", verbose_name=_("plan")
    )
    label = models.CharField(_("what"), max_length=100)
    due_on = models.DateField(_("due"))
    done_on = models.DateField(_("done"), null=True, blank=True)
    contact = models.ForeignKey(
        "outreach.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("contact log entry", "contact"),
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")
        indexes = [
            models.Index(
                fields=["due_on"], condition=Q(done_on__isnull=True), name="follow_up_visit_due"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.due_on:%d.%m.%Y})"


class Community(models.Model):
    """A community for the rehoused (fællesskab for genhusede): households in the same
    situation who meet."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="communities",
        verbose_name=_("housing organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    area = models.CharField(_("area"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    members: "models.ManyToManyField[Household, CommunityMembership]" = models.ManyToManyField(
        Household,
        through="CommunityMembership",
        related_name="communities",
        verbose_name=_("members"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("community for the rehoused")
        verbose_name_plural = _("communities for the rehoused")

    def __str__(self) -> str:
        return self.name


class CommunityMembership(models.Model):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="community_memberships"
    )
    joined_on = models.DateField(_("joined"), default=timezone.localdate)
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "household"], name="community_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} – {self.community}"


class CommunityMeeting(models.Model):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("community")
    )
    starts_at = models.DateTimeField(_("starts"))
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    attendees = models.ManyToManyField(
        Household, blank=True, related_name="+", verbose_name=_("came")
    )

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("community meeting")
        verbose_name_plural = _("community meetings")

    def __str__(self) -> str:
        return f"{self.community} {self.starts_at:%d.%m.%Y}"
