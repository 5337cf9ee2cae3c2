"""Who may see and do what with partners, referrals and checklists (consents, follow-up plans,
communities and the visitator's pages: the permissions.py of their sub-packages).

Staff reach these through the household or case (households/permissions.py, cases/permissions.py).
The municipal visitator reaches referrals through the partner she acts for.
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cases.models import Case
from core.permissions import require_perm
from households.models import Household, Organisation
from households.permissions import user_grants, visible_households_q
from referrals.models import ChecklistItem, Partner, Referral


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
    if for_change:
        require_perm(user, "referrals.change_partner")
    return partner


def _household_gate(user: User, household_id: int, perm: str) -> Household:
    if not user.has_perm(perm):
        raise Http404
    household = Household.objects.for_user(user).filter(pk=household_id).first()
    if household is None:
        raise Http404
    return household


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """Staff: the referrals of the households she may see. The visitator: the referrals sent
    to the partners she acts for (never drafts)."""
    if not (user.is_active and user.has_perm("referrals.view_referral")):
        return Referral.objects.none()
    staff = visible_households_q(user)
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
    if for_change:
        require_perm(user, "referrals.change_referral")
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
