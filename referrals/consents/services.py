"""Every write of consent: recording (and replacing) a consent with its evidence, and withdrawing
it. Consent records are never edited; the rule for when one counts is in selectors.py.
"""

import datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.once import once_bind, once_claim
from households.models import Household, Resident
from referrals.models import Consent, ConsentMethod, ConsentWithdrawal, DataCategory, Partner

# The file types a scan of a signed consent may have, by their first bytes.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def evidence_validate(upload: UploadedFile) -> None:
    """PDF, JPEG or PNG (by name and content), no larger than EVIDENCE_MAX_BYTES."""
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in EVIDENCE_SIGNATURES:
        raise ValidationError(
            _("The evidence must be a PDF, JPEG or PNG file."), code="evidence_type"
        )
    if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            code="evidence_size",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise ValidationError(
            _("The file is not a real %(type)s file.") % {"type": suffix[1:].upper()},
            code="evidence_content",
        )


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
