"""The models of referrals: partners, referrals and the practical-help checklist here; consent
(referrals/consents/models.py) and bridge-building with the communities for the rehoused
(referrals/bridge/models.py) imported below, so that every model of the app is imported from
this module and registered in the order its migrations were made.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from cases.models import Case
from households.models import Household, Municipality, Organisation, Resident


class PartnerKind(models.TextChoices):
    MUNICIPAL_VISITATOR = "visitator", _("Municipal visitator")
    HOME_CARE = "home_care", _("Home care")
    HOUSING_SUPPORT = "housing_support", _("Housing support (bostøtte)")
    JOBCENTER = "jobcenter", _("Jobcenter")
    FAMILY_DEPARTMENT = "family", _("Family department")
    ECONOMIC_ADVISOR = "economic_advisor", _("Economic advisor of the housing organisation")
    ASSOCIATION = "association", _("Association")
    SCHOOL_DAYCARE = "school_daycare", _("School or daycare")
    MENTOR = "mentor", _("Mentor or local guide")
    MOVERS = "movers", _("Movers or handyman")
    SOCIAL_CLEANING = "social_cleaning", _("Social cleaning")
    OTHER = "other", _("Other")


class Partner(models.Model):
    """An organisation the team refers households to, and that may receive shared data."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="partners",
        verbose_name=_("municipality"),
        help_text=_("The municipality it serves. Required for the municipal visitator."),
        null=True,
        blank=True,
    )
    area = models.CharField(_("area"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("housing organisation"),
        help_text=_("The housing organisation whose register of partners this belongs to."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        permissions = [
            ("act_for_partner", "Act for the partner: see what is shared with it"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind="visitator") | Q(municipality__isnull=False),
                name="partner_visitator_has_municipality",
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"], name="partner_name_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class DataCategory(models.TextChoices):
    """What a consent lets the team share, and what a referral shares."""

    IDENTITY = "identity", _("Names, birth years and contact details")
    HOUSING = "housing", _("Rehousing situation: stage, dates, temporary and new address")
    SOCIAL = "social", _("Social note")
    VULNERABILITY = "vulnerability", _("Vulnerability assessment")
    CONTACTS = "contacts", _("Contact log (without observations about the home)")
    HOME = "home", _("Observations about the home")


class Purpose(models.TextChoices):
    REFERRAL = "referral", _("Referral to help and support")
    REHOUSING = "rehousing", _("Coordinating the rehousing with the municipality")
    FOLLOW_UP = "follow_up", _("Follow-up after the move")


def evidence_storage():
    return storages["evidence"]


def evidence_path(instance: "Consent", filename: str) -> str:
    """A random name: the resident's name never becomes part of a path on disk."""
    return f"consent/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


# Consent to share lives in referrals/consents/; importing it here registers its models in their
# old order and keeps `from referrals.models import Consent` the one way to import them.
from referrals.consents.models import Consent as Consent  # noqa: E402
from referrals.consents.models import ConsentMethod as ConsentMethod  # noqa: E402
from referrals.consents.models import ConsentQuerySet as ConsentQuerySet  # noqa: E402
from referrals.consents.models import ConsentWithdrawal as ConsentWithdrawal  # noqa: E402


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_REFERRAL_STATUSES = (
    ReferralStatus.DRAFT,
    ReferralStatus.SENT,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
)


class ReferralQuerySet(models.QuerySet["Referral"]):
    def open(self) -> "ReferralQuerySet":
        return self.filter(status__in=OPEN_REFERRAL_STATUSES)


class Referral(models.Model):
    """A household (or one resident) referred to a partner."""

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("household")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="referrals",
        verbose_name=_("resident"),
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        related_name="referrals",
        verbose_name=_("case"),
        null=True,
        blank=True,
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("partner")
    )
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=Purpose.choices, default=Purpose.REFERRAL
    )
    reason = models.TextField(_("reason"))
    shared = ArrayField(
        models.CharField(max_length=20, choices=DataCategory.choices),
        default=list,
        blank=True,
        verbose_name=_("data shared"),
        help_text=_("Leave empty when no person-level data is shared."),
    )
    consent = models.ForeignKey(
        Consent,
        on_delete=models.RESTRICT,
        related_name="referrals",
        verbose_name=_("consent relied on"),
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["household", "-created_at"]),
            models.Index(fields=["partner", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            # Person-level data leaves only under a consent (checked in full by the service).
            # A draft withdrawn before it was sent never shared anything.
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"])
                | Q(shared__len=0)
                | Q(consent__isnull=False),
                name="referral_shared_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return _("Referral to %(partner)s") % {"partner": self.partner}

    @property
    def shares_personal_data(self) -> bool:
        return bool(self.shared)

    def shared_labels(self) -> list[str]:
        return [str(DataCategory(category).label) for category in self.shared]


class ReferralEvent(models.Model):
    """Every status change of a referral: who, when, from, to, note."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=ReferralStatus.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=ReferralStatus.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral status change")
        verbose_name_plural = _("referral status changes")

    def __str__(self) -> str:
        return f"{self.from_status or '–'} → {self.to_status}"


class ChecklistList(models.TextChoices):
    PRACTICAL = "practical", _("Practical help with the move")
    NEW_AREA = "new_area", _("Settling in the new area")


class ChecklistKind(models.TextChoices):
    ADDRESS_CHANGE = "address_change", _("Change of address (PostNord)")
    ENERGY = "energy", _("Energy company")
    BANK = "bank", _("Bank and Betalingsservice")
    INTERNET_TV = "internet_tv", _("Internet and TV")
    CONTAINERS = "containers", _("Containers from the estate office")
    SOCIAL_CLEANING = "social_cleaning", _("Social cleaning")
    MOVERS = "movers", _("Movers or handyman")
    KEYS = "keys", _("Keys")
    DAYCARE_SCHOOL = "daycare_school", _("Change of daycare or school")
    NEW_DAYCARE_SCHOOL = "new_daycare_school", _("Daycare and school in the new area")
    LEISURE = "leisure", _("Leisure activities")
    ASSOCIATIONS = "associations", _("Local associations")
    LOCAL_GUIDE = "local_guide", _("Local guide")
    GP = "gp", _("General practitioner (GP)")
    HOME_CARE = "home_care", _("Home care transferred")


class ChecklistStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    NOT_NEEDED = "not_needed", _("Not needed")


class ChecklistItem(models.Model):
    """One item of practical help (or of settling in) for a case."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("case")
    )
    section = models.CharField(_("list"), max_length=20, choices=ChecklistList.choices)
    kind = models.CharField(_("item"), max_length=30, choices=ChecklistKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ChecklistStatus.choices, default=ChecklistStatus.OPEN
    )
    helped_by = models.CharField(
        _("helped by"),
        max_length=200,
        blank=True,
        help_text=_("Who helped: staff, a partner, a relative."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["section", "pk"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="checklist_item_once_per_case"),
            models.CheckConstraint(
                condition=Q(status__in=ChecklistStatus.values), name="checklist_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(section__in=ChecklistList.values), name="checklist_section_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


# Bridge-building and the communities live in referrals/bridge/ (registered here, as above).
from referrals.bridge.models import Community as Community  # noqa: E402
from referrals.bridge.models import CommunityMeeting as CommunityMeeting  # noqa: E402
from referrals.bridge.models import CommunityMembership as CommunityMembership  # noqa: E402
from referrals.bridge.models import FollowUpPlan as FollowUpPlan  # noqa: E402
from referrals.bridge.models import FollowUpVisit as FollowUpVisit  # noqa: E402


# Guardian object permissions with direct foreign keys: the visitator acts for her partner.
class PartnerUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class PartnerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)
