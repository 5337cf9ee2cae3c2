"""Who may see which estates, flats and households. The one place for these rules."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from households.models import (
    EstateGroupObjectPermission,
    EstateUserObjectPermission,
    Flat,
    Household,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
)


def granted_object_ids(user_model, group_model, user, codename: str) -> tuple[QuerySet, QuerySet]:
    """Ids of the objects `user` holds `codename` on, directly or through a group (subqueries)."""
    direct = user_model.objects.filter(user=user, permission__codename=codename)
    via_group = group_model.objects.filter(group__user=user, permission__codename=codename)
    return direct.values("content_object_id"), via_group.values("content_object_id")


def managed_organisation_ids(user) -> tuple[QuerySet, QuerySet]:
    return granted_object_ids(
        OrganisationUserObjectPermission,
        OrganisationGroupObjectPermission,
        user,
        "manage_organisation",
    )


def staffed_organisation_ids(user) -> tuple[QuerySet, QuerySet]:
    return granted_object_ids(
        OrganisationUserObjectPermission,
        OrganisationGroupObjectPermission,
        user,
        "staff_of_organisation",
    )


def assigned_estate_ids(user) -> tuple[QuerySet, QuerySet]:
    return granted_object_ids(
        EstateUserObjectPermission, EstateGroupObjectPermission, user, "work_in_estate"
    )


def estate_access_q(user, estate_path: str) -> Q:
    """Q over `estate_path` (an estate lookup) matching the estates `user` works in or leads."""
    if user.is_superuser:
        return Q()
    org_direct, org_group = managed_organisation_ids(user)
    estate_direct, estate_group = assigned_estate_ids(user)
    return (
        Q(**{f"{estate_path}__organisation__in": org_direct})
        | Q(**{f"{estate_path}__organisation__in": org_group})
        | Q(**{f"{estate_path}__in": estate_direct})
        | Q(**{f"{estate_path}__in": estate_group})
    )


def household_access_q(user) -> Q:
    """A household is visible through its estate, or through a visible case of it."""
    if not (user.is_active and user.has_perm("households.view_household")):
        return Q(pk__in=[])
    from cases.models import Case

    return estate_access_q(user, "flat__stairwell__estate") | Q(
        pk__in=Case.objects.for_user(user).values("household_id")
    )


def can_view_social_data(user) -> bool:
    return user.has_perm("households.view_social_data")


def get_household_for_user(user, pk: int, *, for_change: bool = False) -> Household:
    """The household, if `user` may see it (404 otherwise); 403 if she may see but not change it."""
    household = (
        Household.objects.for_user(user)
        .select_related("flat__stairwell__estate__organisation")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    if for_change and not user.has_perm("households.change_household"):
        raise PermissionDenied
    return household


def flats_for_user(user) -> QuerySet[Flat]:
    if not (user.is_active and user.has_perm("households.view_flat")):
        return Flat.objects.none()
    return Flat.objects.filter(
        estate_access_q(user, "stairwell__estate")
        | Q(households__in=Household.objects.for_user(user))
    ).distinct()


def get_flat_for_user(user, pk: int) -> Flat:
    flat = flats_for_user(user).select_related("stairwell__estate").filter(pk=pk).first()
    if flat is None:
        raise Http404
    return flat
