"""Every write of consent: recording (and replacing) a consent with its evidence, and withdrawing
it. Consent records are never edited; the rule for when one counts is in selectors.py.
"""

import datetime
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.once import once_bind, once_claim
from core.uploads import upload_validate
from households.models import Household, Resident
from referrals.models import Consent, ConsentMethod, ConsentWithdrawal, DataCategory, Partner

# One check for every private upload (core/uploads.py): the receipts of expenses use it too.
evidence_validate = upload_validate


@transaction.atomic
def consent_record(
    *,
    household: Household,
    by: User,
    given_by: str,
    purpose: str,
    categories: list[str],
    method: str,
    given_on: datetime.date,
    resident: Resident | None = None,
    partner: Partner | None = None,
    partner_kind: str = "",
    witness: User | None = None,
    expires_on: datetime.date | None = None,
    evidence: UploadedFile | None = None,
    replaces: Consent | None = None,
    once_key: UUID | None = None,
) -> Consent:
    """A new consent. With `replaces`, the old one stops counting (its history stays)."""
    once_claim(key=once_key, model=Consent)  # before the evidence file is stored
    errors: dict[str, str] = {}
    if resident is not None and resident.household_id != household.pk:
        errors["resident"] = _("The resident does not live in this household.")
    if (partner is None) == (not partner_kind):
        errors["partner"] = _("Choose either one partner or a kind of partner.")
    if not categories:
        errors["categories"] = _("Choose what may be shared.")
    elif set(categories) - set(DataCategory.values):
        errors["categories"] = _("Unknown kind of data.")
    if method == ConsentMethod.ORAL and witness is None:
        errors["witness"] = _("An oral consent needs a member of staff as witness.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("The date cannot be in the future.")
    if expires_on is not None and expires_on <= given_on:
        errors["expires_on"] = _("The consent must expire after the day it was given.")
    if replaces is not None:
        # The lock makes a second, simultaneous replacement wait and then see the first one.
        Consent.objects.select_for_update().filter(pk=replaces.pk).first()
        if replaces.household_id != household.pk:
            errors["replaces"] = _("Only a consent of the same household can be replaced.")
        elif Consent.objects.filter(replaces=replaces).exists():
            errors["replaces"] = _("This consent has already been replaced.")
    if evidence is not None:
        try:
            evidence_validate(evidence)
        except ValidationError as error:
            errors["evidence"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        household=household,
        resident=resident,
        given_by=given_by.strip(),
        partner=partner,
        partner_kind=partner_kind,
        purpose=purpose,
        categories=sorted(set(categories), key=DataCategory.values.index),
        method=method,
        witness=witness,
        given_on=given_on,
        expires_on=expires_on,
        replaces=replaces,
        recorded_by=by,
    )
    if evidence is not None:
        consent.evidence.save(evidence.name or "evidence", evidence, save=False)
    consent.save()
    once_bind(key=once_key, saved=consent)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, note: str = "") -> ConsentWithdrawal:
    """Effective at once: the next request no longer finds the consent valid."""
    if Consent.objects.filter(replaces=consent).exists():
        raise ValidationError(
            _("This consent has been replaced by a newer one; withdraw that one instead.")
        )
    withdrawal, created = ConsentWithdrawal.objects.get_or_create(
        consent=consent, defaults={"recorded_by": by, "note": note.strip()}
    )
    if not created:
        raise ValidationError(_("The consent has already been withdrawn."))
    return withdrawal
