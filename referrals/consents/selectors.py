"""Reads of consent: the status each consent shows, the check before data is shared with a
partner (consent_check), and what the valid consents let partners see. Whether a consent counts
on a day is ConsentQuerySet.with_state (referrals/consents/models.py); these read its `state`.

The rule (issue 4, DOMAIN.md): person-level data goes to a partner only under a consent that is
valid today (given, not expired, not withdrawn, not replaced), names that partner or its kind,
has the referral's purpose, covers every category shared, and was given by the resident the
referral is about or for the whole household.
"""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from households.models import Household, Resident
from referrals.consents.models import ConsentState
from referrals.models import Consent, DataCategory, Partner


@dataclass(frozen=True)
class ConsentStatus:
    code: str  # a ConsentState
    label: str

    @property
    def counts(self) -> bool:
        return self.code == ConsentState.VALID


def consent_status(consent: Consent) -> ConsentStatus:
    """What the consent means, in words, from its `state` (ConsentQuerySet.with_state)."""
    state = consent.state  # type: ignore[attr-defined]
    if state == ConsentState.WITHDRAWN:
        when = timezone.localtime(consent.withdrawal.withdrawn_at)
        label = _("withdrawn on %(date)s") % {"date": date_format(when, "j. F Y")}
    elif state == ConsentState.REPLACED:
        label = _("replaced")
    elif state == ConsentState.PENDING:
        label = _("valid from %(date)s") % {"date": date_format(consent.given_on, "j. F Y")}
    elif state == ConsentState.EXPIRED:
        day = date_format(consent.expires_on, "j. F Y")  # type: ignore[arg-type]
        label = _("expired on %(date)s") % {"date": day}
    else:
        label = _("valid")
    return ConsentStatus(state, label)


def consent_related(consents: QuerySet[Consent]) -> QuerySet[Consent]:
    return consents.select_related(
        "resident",
        "partner",
        "witness",
        "recorded_by",
        "withdrawal__recorded_by",
        "replaced_by",
        "replaces",
    )


def household_consents(*, household: Household) -> list[tuple[Consent, ConsentStatus]]:
    """Every consent of the household, the ones that count first, then the newest (one query)."""
    rows = [
        (consent, consent_status(consent))
        for consent in consent_related(
            Consent.objects.with_state().filter(household=household)
        ).order_by("-given_on", "-pk")
    ]
    rank = {"valid": 0, "pending": 1, "expired": 2, "withdrawn": 3, "replaced": 4}
    rows.sort(key=lambda row: rank[row[1].code])
    return rows


@dataclass(frozen=True)
class ConsentCheck:
    """Whether a consent covers a sharing, and if not, why (in the user's language)."""

    consent: Consent | None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.consent is not None


def consent_check(
    *,
    household: Household,
    partner: Partner,
    purpose: str,
    categories: list[str],
    resident: Resident | None = None,
    on: datetime.date | None = None,
) -> ConsentCheck:
    """The valid consent that covers sharing `categories` with `partner` for `purpose`, or why
    there is none. Looks at every consent of the household to give the precise reason."""
    on = on or timezone.localdate()
    needed = set(categories)
    candidates = list(
        Consent.objects.filter(household=household)
        .covering(partner)
        .with_state(on)
        .select_related("withdrawal", "replaced_by", "partner")
        .order_by("-given_on", "-pk")
    )
    if not candidates:
        return ConsentCheck(
            None, _("There is no consent to share data with %(partner)s.") % {"partner": partner}
        )
    reasons = []
    for consent in candidates:
        reason = _consent_fails(consent, resident=resident, purpose=purpose, needed=needed)
        if not reason:
            return ConsentCheck(consent)
        reasons.append(reason)
    return ConsentCheck(None, reasons[0])


def _consent_fails(
    consent: Consent, *, resident: Resident | None, purpose: str, needed: set[str]
) -> str:
    """Why the consent does not cover the sharing ("" if it does): first its `state`
    (ConsentQuerySet.with_state), then whose, what for and what it covers."""
    state = consent.state  # type: ignore[attr-defined]
    if state == ConsentState.WITHDRAWN:
        return _("The consent was withdrawn on %(date)s.") % {
            "date": date_format(timezone.localtime(consent.withdrawal.withdrawn_at), "j. F Y")
        }
    if state == ConsentState.REPLACED:
        return _("The consent has been replaced by a newer one.")
    if state == ConsentState.PENDING:
        return _("The consent is only valid from %(date)s.") % {
            "date": date_format(consent.given_on, "j. F Y")
        }
    if state == ConsentState.EXPIRED:
        return _("The consent expired on %(date)s.") % {
            "date": date_format(consent.expires_on, "j. F Y")  # type: ignore[arg-type]
        }
    if consent.resident_id is not None and (resident is None or consent.resident_id != resident.pk):
        return _(
            "The consent was given by one resident only; it covers a referral about that "
            "resident, not the whole household."
        )
    if consent.purpose != purpose:
        return _("The consent is for another purpose: %(purpose)s.") % {
            "purpose": consent.get_purpose_display().lower()
        }
    missing = needed - set(consent.categories)
    if missing:
        return _("The consent does not cover: %(categories)s.") % {
            "categories": ", ".join(
                str(DataCategory(category).label).lower()
                for category in DataCategory.values
                if category in missing
            )
        }
    return ""


def consented_categories(
    *, household_ids, partners, on=None
) -> dict[int, dict[int | None, set[str]]]:
    """What the valid consents let `partners` see (one query): per household, per resident
    (None: consent given for the whole household), the data categories."""
    found: dict[int, dict[int | None, set[str]]] = {}
    rows = (
        Consent.objects.valid(on)
        .filter(household_id__in=household_ids)
        .for_partners([partner.pk for partner in partners], {partner.kind for partner in partners})
        .values_list("household_id", "resident_id", "categories")
    )
    for household_id, resident_id, categories in rows:
        found.setdefault(household_id, {}).setdefault(resident_id, set()).update(categories)
    return found
