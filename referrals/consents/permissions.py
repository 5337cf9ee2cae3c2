"""Who may see which consents: those of the households she may see."""

from django.contrib.auth.models import User
from django.http import Http404

from households.permissions import visible_households_q
from referrals.models import Consent, ConsentQuerySet


def consents_for_user(user: User) -> ConsentQuerySet:
    if not (user.is_active and user.has_perm("referrals.view_consent")):
        return Consent.objects.none()
    return Consent.objects.filter(visible_households_q(user))


def get_consent_for_user(user: User, pk: int) -> Consent:
    consent = (
        consents_for_user(user)
        .with_state()
        .select_related("household", "resident", "partner", "witness", "withdrawal")
        .filter(pk=pk)
        .first()
    )
    if consent is None:
        raise Http404
    return consent
