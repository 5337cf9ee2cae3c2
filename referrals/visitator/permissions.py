"""The municipal visitator reaches nothing through households: she acts for a partner (guardian
`act_for_partner`), sees the affected flats of her municipality, and person-level data only
where a valid consent covers her partner. Every page of hers is gated by require_visitator.
"""

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from cases.models import Case
from households.models import Household, Municipality
from households.permissions import user_grants
from referrals.models import Consent, Partner, PartnerKind, Referral, ReferralStatus


def visitator_partners(user: User) -> list[Partner]:
    """The municipal-visitator partners she acts for (usually one)."""
    if not user.is_active:
        return []
    return list(
        Partner.objects.filter(
            pk__in=user_grants(user).partners, kind=PartnerKind.MUNICIPAL_VISITATOR, active=True
        ).select_related("municipality")
    )


def visitator_municipalities(user: User) -> list[Municipality]:
    seen: dict[int, Municipality] = {}
    for partner in visitator_partners(user):
        if partner.municipality is not None:
            seen[partner.municipality.pk] = partner.municipality
    return list(seen.values())


def require_visitator(user: User) -> list[Partner]:
    """The gate of every visitator page: 404 for anyone who does not act for a visitator."""
    partners = visitator_partners(user)
    if not partners:
        raise Http404
    return partners


def visitator_scope_q(partners: list[Partner], estate_path: str) -> Q:
    """Q over an estate lookup: the estates of her partners' municipalities, in the register of
    each partner's housing organisation (one organisation's flats are not shown through
    another's)."""
    scope = Q(**{f"{estate_path}__pk__in": []})
    for partner in partners:
        scope |= Q(
            **{
                f"{estate_path}__municipality_id": partner.municipality_id,
                f"{estate_path}__organisation_id": partner.organisation_id,
            }
        )
    return scope


def get_household_for_visitator(user: User, pk: int) -> tuple[Household, list[Partner]]:
    """A household of her municipality's projects with a consent valid today that covers one of
    her partners; 404 otherwise (as for a household that does not exist)."""
    partners = require_visitator(user)
    in_scope = Case.objects.filter(
        visitator_scope_q(partners, "project__estate"), household=OuterRef("pk")
    )
    consenting = (
        Consent.objects.valid()
        .for_partners([partner.pk for partner in partners], {partner.kind for partner in partners})
        .values("household_id")
    )
    household = (
        Household.objects.filter(Exists(in_scope), pk=pk, pk__in=consenting)
        .select_related("flat__stairwell__estate")
        .first()
    )
    if household is None:
        raise Http404
    return household, partners


# The statuses of a referral the partner answers for; the team sends and withdraws.
VISITATOR_REFERRAL_STATUSES = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.DONE,
    ReferralStatus.DECLINED,
)


def get_referral_for_visitator(user: User, pk: int) -> tuple[Referral, list[Partner]]:
    """A referral sent to one of her partners (never a draft); 404 otherwise."""
    partners = require_visitator(user)
    referral = (
        Referral.objects.filter(partner__in=[partner.pk for partner in partners], pk=pk)
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("household__flat__stairwell__estate", "partner", "resident")
        .first()
    )
    if referral is None:
        raise Http404
    return referral, partners
