"""An organisation's team: invitations of new colleagues, and the handovers of a departing
colleague's work (one row per handover, one per item that moved)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Organisation


class Invitation(models.Model):
    """A person invited by e-mail to an organisation's team. Her account has no password until
    she sets one through the link of the mail (team/tokens.py), which works once."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="team_invitation",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    sent_at = models.DateTimeField(_("mail sent"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("password set"), null=True, blank=True)

    class Meta:
        ordering = ["-invited_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        permissions = [
            (
                "manage_team",
                "Invite, change and deactivate the staff of the organisations she leads",
            )
        ]

    def __str__(self) -> str:
        return _("Invitation #%(id)s") % {"id": self.pk}


class HandoverKind(models.TextChoices):
    CASE = "case", _("Open cases")
    FOLLOW_UP_PLAN = "follow_up_plan", _("Follow-up plans")
    LETTER = "letter", _("Letters awaiting reply")
    MEETING = "meeting", _("Upcoming information meetings")
    # A flag has no owner (it is the household's): it follows her case to the new colleague,
    # and the handover notes it so the count and the history show it moved too.
    FLAG = "flag", _("Open flags on her cases")


class Handover(models.Model):
    """A departing colleague's open work moved to another, by a manager; or her deactivation
    alone, when she had none (then `to_user` is empty)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("to"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    deactivated = models.BooleanField(_("deactivated"), default=False)
    counts = models.JSONField(_("counts"), default=dict)  # kind -> how many moved
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return _("Handover #%(id)s") % {"id": self.pk}

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class HandoverItem(models.Model):
    """One item that moved in a handover: its history row (the object by id, as the access log
    names households: the row outlives the object)."""

    handover = models.ForeignKey(
        Handover, on_delete=models.CASCADE, related_name="items", verbose_name=_("handover")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=HandoverKind.choices)
    object_id = models.PositiveIntegerField(_("id"))

    class Meta:
        ordering = ["handover", "kind", "object_id"]
        verbose_name = _("handed-over item")
        verbose_name_plural = _("handed-over items")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=HandoverKind.values), name="handover_item_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["handover", "kind", "object_id"], name="handover_item_once"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id}"
