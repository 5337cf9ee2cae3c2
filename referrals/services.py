"""Every write to partners, referrals and the practical-help checklist. Sending a referral
with person-level data checks the consent (referrals/consents/selectors.py consent_check)."""

import datetime
import hashlib
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, ProjectKind
from core.once import once_bind, once_claim
from core.versioning import ConflictError
from households.models import Household, Resident
from referrals.consents.selectors import consent_check
from referrals.models import (
    ChecklistItem,
    ChecklistKind,
    ChecklistList,
    ChecklistStatus,
    DataCategory,
    Partner,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

# ---------------------------------------------------------------------------------------------
# The register of partners

PARTNER_EDITABLE_FIELDS = (
    "name",
    "kind",
    "municipality",
    "area",
    "contact_name",
    "phone",
    "email",
    "note",
    "active",
)


def partner_fingerprint(partner: Partner) -> str:
    """A short digest of what the edit form shows: changed by someone else if it differs."""
    values = "\x1f".join(
        str(getattr(partner, "municipality_id" if name == "municipality" else name))
        for name in PARTNER_EDITABLE_FIELDS
    )
    return hashlib.sha256(values.encode()).hexdigest()[:16]


@transaction.atomic
def partner_save(
    *, partner: Partner, data: dict, expected_fingerprint: str | None = None
) -> Partner:
    """Create (no pk) or update a partner. An update whose form was read before someone else
    saved the partner raises ConflictError with the partner as saved now."""
    if partner.pk is not None:
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        if expected_fingerprint not in (None, partner_fingerprint(current)):
            raise ConflictError(current)
        partner = current
    for name, value in data.items():
        setattr(partner, name, value)
    partner.full_clean()
    partner.save()
    return partner


# ---------------------------------------------------------------------------------------------
# Referrals

# Where a referral may go from each status. Withdrawing is possible until it is finished.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.DRAFT: (ReferralStatus.SENT, ReferralStatus.WITHDRAWN),
    ReferralStatus.SENT: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    ),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.DONE,
        ReferralStatus.WITHDRAWN,
    ),
    ReferralStatus.IN_PROGRESS: (ReferralStatus.DONE, ReferralStatus.WITHDRAWN),
    ReferralStatus.DONE: (),
    ReferralStatus.DECLINED: (),
    ReferralStatus.WITHDRAWN: (),
}


@transaction.atomic
def referral_create(
    *,
    household: Household,
    partner: Partner,
    reason: str,
    by: User,
    purpose: str,
    shared: list[str] | None = None,
    resident: Resident | None = None,
    case: Case | None = None,
    follow_up_on: datetime.date | None = None,
    once_key: UUID | None = None,
) -> Referral:
    once_claim(key=once_key, model=Referral)
    errors = {}
    if resident is not None and resident.household_id != household.pk:
        errors["resident"] = _("The resident does not live in this household.")
    if case is not None and case.household_id != household.pk:
        errors["case"] = _("The case belongs to another household.")
    if not reason.strip():
        errors["reason"] = _("Write why the household is referred.")
    if set(shared or []) - set(DataCategory.values):
        errors["shared"] = _("Unknown kind of data.")
    if partner.organisation_id != household.flat.stairwell.estate.organisation_id:
        errors["partner"] = _("The partner is not in the register of the household's organisation.")
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        household=household,
        resident=resident,
        case=case,
        partner=partner,
        purpose=purpose,
        reason=reason.strip(),
        shared=sorted(set(shared or []), key=DataCategory.values.index),
        follow_up_on=follow_up_on,
        created_by=by,
        updated_by=by,
    )
    ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.DRAFT, by=by)
    once_bind(key=once_key, saved=referral)
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to_status: str,
    by: User,
    expected_status: str | None = None,
    note: str = "",
    outcome: str | None = None,
) -> Referral:
    """Move the referral on. Sending with person-level data needs a covering consent, which is
    checked here, under the row lock, at the moment of sending."""
    locked = Referral.objects.select_for_update().select_related("partner").get(pk=referral.pk)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(locked)
    if to_status not in REFERRAL_TRANSITIONS.get(locked.status, ()):
        raise ValidationError(
            _("A referral that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ReferralStatus(locked.status).label,
                "to": ReferralStatus(to_status).label
                if to_status in ReferralStatus.values
                else to_status,
            }
        )
    fields = ["status", "status_changed_at", "version", "updated_by", "updated_at"]
    if to_status == ReferralStatus.SENT and locked.shared:
        check = consent_check(
            household=locked.household,
            partner=locked.partner,
            purpose=locked.purpose,
            categories=locked.shared,
            resident=locked.resident,
        )
        if not check:
            raise ValidationError(check.reason, code="consent_missing")
        locked.consent = check.consent
        fields.append("consent")
    if outcome is not None:
        locked.outcome = outcome.strip()
        fields.append("outcome")
    ReferralEvent.objects.create(
        referral=locked, from_status=locked.status, to_status=to_status, by=by, note=note.strip()
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=fields)
    return locked


# ---------------------------------------------------------------------------------------------
# The practical-help checklist

PRACTICAL_DEFAULTS: dict[str, tuple[str, ...]] = {
    ProjectKind.RENOVATION_WITH_RETURN: (
        ChecklistKind.ADDRESS_CHANGE,
        ChecklistKind.ENERGY,
        ChecklistKind.INTERNET_TV,
        ChecklistKind.CONTAINERS,
        ChecklistKind.SOCIAL_CLEANING,
        ChecklistKind.MOVERS,
        ChecklistKind.KEYS,
    ),
    ProjectKind.TRANSFORMATION: (
        ChecklistKind.ADDRESS_CHANGE,
        ChecklistKind.ENERGY,
        ChecklistKind.BANK,
        ChecklistKind.INTERNET_TV,
        ChecklistKind.CONTAINERS,
        ChecklistKind.SOCIAL_CLEANING,
        ChecklistKind.MOVERS,
        ChecklistKind.KEYS,
        ChecklistKind.DAYCARE_SCHOOL,
    ),
}
PRACTICAL_DEFAULTS[ProjectKind.DEMOLITION] = PRACTICAL_DEFAULTS[ProjectKind.TRANSFORMATION]

NEW_AREA_DEFAULTS: tuple[str, ...] = (
    ChecklistKind.NEW_DAYCARE_SCHOOL,
    ChecklistKind.LEISURE,
    ChecklistKind.ASSOCIATIONS,
    ChecklistKind.LOCAL_GUIDE,
    ChecklistKind.GP,
    ChecklistKind.HOME_CARE,
)


def checklist_ensure(*, case: Case, section: str = ChecklistList.PRACTICAL) -> None:
    """Create the default items of `section` the case does not have yet (idempotent)."""
    kinds = (
        PRACTICAL_DEFAULTS[case.project.kind]
        if section == ChecklistList.PRACTICAL
        else NEW_AREA_DEFAULTS
    )
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(case=case, section=section, kind=kind) for kind in kinds],
        ignore_conflicts=True,
    )


@transaction.atomic
def checklist_set(
    *,
    item: ChecklistItem,
    status: str,
    by: User,
    helped_by: str | None = None,
    note: str | None = None,
    expected_status: str | None = None,
) -> ChecklistItem:
    """Set the status (and who helped, the note, when given). With `expected_status`, a change
    someone else made meanwhile is not overwritten: ConflictError with the item as saved."""
    if status not in ChecklistStatus.values:
        raise ValidationError(_("Unknown status."))
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(locked)
    locked.status = status
    if helped_by is not None:
        locked.helped_by = helped_by.strip()
    if note is not None:
        locked.note = note.strip()
    locked.updated_by = by
    locked.save(update_fields=["status", "helped_by", "note", "updated_by", "updated_at"])
    return locked
