"""Who may see and do what with partners, consents, referrals, checklists and follow-up plans.

Staff reach these through the household or case (households/permissions.py, cases/permissions.py).
The municipal visitator reaches nothing through households: she acts for a partner (guardian
`act_for_partner`), sees the affected flats of her municipality, and person-level data only
where a valid consent covers her partner.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from cases.models import Case
from households.models import Household, Municipality, Organisation
from households.permissions import user_grants
from referrals.models import (
    ChecklistItem,
    Community,
    CommunityMeeting,
    CommunityMembership,
    Consent,
    FollowUpPlan,
    FollowUpVisit,
    Partner,
    PartnerKind,
    Referral,
    ReferralStatus,
)


def staff_organisations_q(user: User, path: str = "organisation") -> Q:
    """Q over an organisation lookup: the organisations she leads, works in an estate of, or is
    staff of (a bridge-builder works in no estate; she is staff of the organisation)."""
    if user.is_superuser:
        return Q()
    from households.models import (
        OrganisationGroupObjectPermission,
        OrganisationUserObjectPermission,
    )

    grants = user_grants(user)
    staff_of = Q(
        pk__in=OrganisationUserObjectPermission.objects.filter(
            user=user, permission__codename="staff_of_organisation"
        ).values("content_object_id")
    ) | Q(
        pk__in=OrganisationGroupObjectPermission.objects.filter(
            group__user=user, permission__codename="staff_of_organisation"
        ).values("content_object_id")
    )
    organisations = Organisation.objects.filter(
        Q(pk__in=grants.managed_organisations) | Q(estates__in=grants.estates) | staff_of
    )
    return Q(**{f"{path}_id__in": organisations.values("pk")})


def partners_for_user(user: User) -> QuerySet[Partner]:
    """The partners in the registers of the organisations she works for."""
    if not (user.is_active and user.has_perm("referrals.view_partner")):
        return Partner.objects.none()
    return Partner.objects.filter(staff_organisations_q(user))


def get_partner_for_user(user: User, pk: int, *, for_change: bool = False) -> Partner:
    partner = partners_for_user(user).filter(pk=pk).first()
    if partner is None:
        raise Http404
    if for_change and not user.has_perm("referrals.change_partner"):
        raise PermissionDenied
    return partner


def _household_gate(user: User, household_id: int, perm: str) -> Household:
    if not user.has_perm(perm):
        raise Http404
    household = Household.objects.for_user(user).filter(pk=household_id).first()
    if household is None:
        raise Http404
    return household


def consents_for_user(user: User) -> QuerySet[Consent]:
    if not (user.is_active and user.has_perm("referrals.view_consent")):
        return Consent.objects.none()
    return Consent.objects.filter(household__in=Household.objects.for_user(user))


def get_consent_for_user(user: User, pk: int) -> Consent:
    consent = (
        consents_for_user(user)
        .select_related("household", "resident", "partner", "witness", "withdrawal")
        .filter(pk=pk)
        .first()
    )
    if consent is None:
        raise Http404
    return consent


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """Staff: the referrals of the households she may see. The visitator: the referrals sent
    to the partners she acts for (never drafts)."""
    if not (user.is_active and user.has_perm("referrals.view_referral")):
        return Referral.objects.none()
    staff = Q(household__in=Household.objects.for_user(user))
    partner_ids = user_grants(user).partners
    if partner_ids:
        staff |= Q(partner_id__in=partner_ids) & ~Q(status="draft")
    return Referral.objects.filter(staff)


def get_referral_for_user(user: User, pk: int, *, for_change: bool = False) -> Referral:
    referral = (
        referrals_for_user(user)
        .select_related("household__flat__stairwell", "resident", "partner", "consent", "case")
        .filter(pk=pk)
        .first()
    )
    if referral is None:
        raise Http404
    if for_change and not user.has_perm("referrals.change_referral"):
        raise PermissionDenied
    return referral


def get_household_with_perm(user: User, household_id: int, perm: str) -> Household:
    """The household (with its address and residents), if `user` may see it and has `perm`;
    404 otherwise."""
    from households.permissions import get_household_for_user

    if not user.has_perm(perm):
        raise Http404
    return get_household_for_user(user, household_id)


def get_staff_referral_for_user(user: User, pk: int, *, for_change: bool = False) -> Referral:
    """A referral through its household, for staff pages (the visitator reaches referrals only
    through her own pages, with what consents let her see)."""
    referral = get_referral_for_user(user, pk, for_change=for_change)
    if not Household.objects.for_user(user).filter(pk=referral.household_id).exists():
        raise Http404
    return referral


def partner_organisations_for_user(user: User):
    """The organisations whose register of partners `user` keeps (a manager of them)."""
    from households.models import Organisation

    if not (user.is_active and user.has_perm("referrals.add_partner")):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations).order_by(
        "name"
    )


def get_partner_for_change(user: User, pk: int) -> Partner:
    """404 if she cannot see it; 403 if she does not keep its organisation's register."""
    partner = get_partner_for_user(user, pk)
    if not (
        user.has_perm("referrals.change_partner")
        and partner_organisations_for_user(user).filter(pk=partner.organisation_id).exists()
    ):
        raise PermissionDenied
    return partner


def get_checklist_item_for_user(user: User, pk: int) -> ChecklistItem:
    if not user.has_perm("referrals.change_checklistitem"):
        raise Http404
    item = (
        ChecklistItem.objects.filter(case__in=Case.objects.for_user(user), pk=pk)
        .select_related("case")
        .first()
    )
    if item is None:
        raise Http404
    return item


def follow_up_plans_for_user(user: User) -> QuerySet[FollowUpPlan]:
    if not (user.is_active and user.has_perm("referrals.view_followupplan")):
        return FollowUpPlan.objects.none()
    return FollowUpPlan.objects.filter(case__in=Case.objects.for_user(user))


def get_follow_up_plan_for_user(user: User, pk: int, *, for_change: bool = False) -> FollowUpPlan:
    plan = (
        follow_up_plans_for_user(user)
        .select_related(
            "case__household__flat__stairwell__estate",
            "case__permanent_flat__stairwell__estate",
            "case__project__estate",
            "bridge_builder",
        )
        .prefetch_related("case__household__residents")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    if for_change and not user.has_perm("referrals.change_followupplan"):
        raise PermissionDenied
    return plan


def get_follow_up_visit_for_user(user: User, pk: int) -> FollowUpVisit:
    """A follow-up contact to record: she must see the plan and may change it."""
    visit = (
        FollowUpVisit.objects.filter(plan__in=follow_up_plans_for_user(user), pk=pk)
        .select_related("plan__case__household__flat__stairwell")
        .prefetch_related("plan__case__household__residents")
        .first()
    )
    if visit is None:
        raise Http404
    if not (
        user.has_perm("referrals.change_followupplan") and user.has_perm("outreach.add_contact")
    ):
        raise PermissionDenied
    return visit


def communities_for_user(user: User) -> QuerySet[Community]:
    if not (user.is_active and user.has_perm("referrals.view_community")):
        return Community.objects.none()
    return Community.objects.filter(staff_organisations_q(user))


def get_community_for_user(user: User, pk: int, *, for_change: bool = False) -> Community:
    community = communities_for_user(user).filter(pk=pk).first()
    if community is None:
        raise Http404
    if for_change and not user.has_perm("referrals.change_community"):
        raise PermissionDenied
    return community


def community_organisations_for_user(user: User) -> QuerySet[Organisation]:
    """The organisations she may start a community in: those she leads."""
    if not (user.is_active and user.has_perm("referrals.add_community")):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations).order_by(
        "name"
    )


def get_community_meeting_for_user(
    user: User, pk: int, *, for_change: bool = False
) -> CommunityMeeting:
    meeting = (
        CommunityMeeting.objects.filter(community__in=communities_for_user(user), pk=pk)
        .select_related("community")
        .first()
    )
    if meeting is None:
        raise Http404
    if for_change and not user.has_perm("referrals.change_community"):
        raise PermissionDenied
    return meeting


def get_community_membership_for_user(user: User, pk: int) -> CommunityMembership:
    """A membership to change: she sees the community, may change it, and sees the household."""
    membership = (
        CommunityMembership.objects.filter(
            community__in=communities_for_user(user),
            household__in=Household.objects.for_user(user),
            pk=pk,
        )
        .select_related("community", "household")
        .first()
    )
    if membership is None:
        raise Http404
    if not user.has_perm("referrals.change_community"):
        raise PermissionDenied
    return membership


# --- The municipal visitator -----------------------------------------------------------------


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
