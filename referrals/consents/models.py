"""Consent to share, and its withdrawal (imported by referrals/models.py, import them from there).

Consent records are never edited: a change is a new record that replaces the old one, and a
withdrawal is a record of its own. A database trigger refuses UPDATE on consents.
"""

from enum import StrEnum

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Case as CaseWhen
from django.db.models import F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from households.models import Household, Resident
from referrals.models import (
    DataCategory,
    Partner,
    PartnerKind,
    Purpose,
    evidence_path,
    evidence_storage,
)


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written")
    ORAL = "oral", _("Oral, with a member of staff as witness")


class ConsentState(StrEnum):
    VALID = "valid"
    PENDING = "pending"  # given on a later day
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    REPLACED = "replaced"  # by a newer record


class ConsentQuerySet(models.QuerySet["Consent"]):
    def with_state(self, on=None) -> "ConsentQuerySet":
        """The consent rule, the one place it is written: on the day `on` a consent counts
        (`state` valid) unless it is withdrawn, replaced by a newer record, not given yet or
        expired, in that order. The queryset (valid), the status a consent shows and the check
        before sharing data (referrals/consents/selectors.py) all read `state`."""
        on = on or timezone.localdate()
        return self.annotate(
            state=CaseWhen(
                When(withdrawal__isnull=False, then=Value(ConsentState.WITHDRAWN)),
                When(replaced_by__isnull=False, then=Value(ConsentState.REPLACED)),
                When(given_on__gt=on, then=Value(ConsentState.PENDING)),
                When(expires_on__lt=on, then=Value(ConsentState.EXPIRED)),
                default=Value(ConsentState.VALID),
            )
        )

    def valid(self, on=None) -> "ConsentQuerySet":
        return self.with_state(on).filter(state=ConsentState.VALID)  # type: ignore[misc]

    def covering(self, partner: Partner) -> "ConsentQuerySet":
        """Consents whose recipient is `partner`, or every partner of its kind."""
        return self.for_partners([partner.pk], [partner.kind])

    def for_partners(self, partner_ids, kinds) -> "ConsentQuerySet":
        return self.filter(
            Q(partner_id__in=partner_ids) | Q(partner__isnull=True, partner_kind__in=kinds)
        )


class Consent(models.Model):
    """A resident's consent to share categories of data with a recipient for a purpose.

    `resident` empty: given for the whole household by `given_by` where the law allows it.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="consents", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("resident"),
        null=True,
        blank=True,
    )
    given_by = models.CharField(
        _("given by"), max_length=200, help_text=_("The person who gave the consent.")
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("recipient"),
        null=True,
        blank=True,
    )
    partner_kind = models.CharField(
        _("kind of recipient"),
        max_length=20,
        choices=PartnerKind.choices,
        blank=True,
        help_text=_("Instead of one partner: every partner of this kind."),
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    categories = ArrayField(
        models.CharField(max_length=20, choices=DataCategory.choices),
        verbose_name=_("data that may be shared"),
    )
    method = models.CharField(_("given how"), max_length=10, choices=ConsentMethod.choices)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("witness"),
        null=True,
        blank=True,
    )
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    evidence = models.FileField(
        _("evidence"),
        storage=evidence_storage,
        upload_to=evidence_path,
        blank=True,
        help_text=_("A scan of the signed consent: PDF, JPEG or PNG."),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.RESTRICT,
        related_name="replaced_by",
        verbose_name=_("replaces"),
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["household", "-given_on"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(partner__isnull=False) & Q(partner_kind=""))
                | (Q(partner__isnull=True) & ~Q(partner_kind="")),
                name="consent_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=Purpose.values), name="consent_purpose_valid"
            ),
            models.CheckConstraint(
                condition=Q(categories__len__gt=0), name="consent_some_categories"
            ),
            models.CheckConstraint(
                condition=Q(method="written") | Q(witness__isnull=False),
                name="consent_oral_has_witness",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=F("given_on")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return _("Consent #%(id)s") % {"id": self.pk}

    @property
    def recipient(self) -> str:
        if self.partner_id:
            return str(self.partner)
        return str(_("every %(kind)s") % {"kind": self.get_partner_kind_display().lower()})

    def category_labels(self) -> list[str]:
        return [str(DataCategory(category).label) for category in self.categories]


class ConsentWithdrawal(models.Model):
    """The withdrawal of a consent, effective from the moment it is recorded."""

    consent = models.OneToOneField(
        Consent, on_delete=models.CASCADE, related_name="withdrawal", verbose_name=_("consent")
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")

    def __str__(self) -> str:
        return f"{self.consent} – {self.withdrawn_at:%d.%m.%Y}"
