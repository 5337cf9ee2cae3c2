"""Who may see and change the pool, needs, offers and moves. The one place for these rules.

Offers, needs and moves follow their case (Case.objects.for_user); the role decides what may be
done with them. The pool belongs to an organisation and is visible to its staff: those who lead
it, and those who work in one of its estates or projects.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cases.logistics.models import Move, Offer, PoolFlat
from cases.models import Case, Project
from cases.permissions import get_case_for_user, get_project_for_user
from core.permissions import require_perm
from households.models import Estate, Organisation
from households.permissions import user_grants

NOTHING = Q(pk__in=[])


def user_organisations(user) -> frozenset[int]:
    """The organisations whose pool `user` works with (one query, kept on the user object)."""
    cached = getattr(user, "_genhusning_pool_organisations", None)
    if cached is not None:
        return cached
    grants = user_grants(user)
    found = set(grants.managed_organisations)
    if grants.estates or grants.projects:
        found |= set(
            Estate.objects.filter(Q(pk__in=grants.estates) | Q(projects__in=grants.projects))
            .values_list("organisation_id", flat=True)
            .distinct()
        )
    organisations = frozenset(found)
    user._genhusning_pool_organisations = organisations
    return organisations


def pool_access_q(user) -> Q:
    if not (user.is_active and user.has_perm("cases.view_poolflat")):
        return NOTHING
    if user.is_superuser:
        return Q()
    return Q(organisation_id__in=user_organisations(user))


def can_use_pool_of(user, organisation_id: int) -> bool:
    return user.has_perm("cases.view_poolflat") and (
        user.is_superuser or organisation_id in user_organisations(user)
    )


def get_pool_flat_for_user(user, pk: int, *, for_change: bool = False) -> PoolFlat:
    pool_flat = (
        PoolFlat.objects.for_user(user)
        .select_related("organisation", "flat__stairwell__estate")
        .filter(pk=pk)
        .first()
    )
    if pool_flat is None:
        raise Http404
    if for_change:
        require_perm(user, "cases.change_poolflat")
    return pool_flat


def get_project_for_logistics(user, pk: int, *, perm: str, pool: bool = True) -> Project:
    """The project's board (`pool`: with the organisation's pool) or its week of moves: 404 if
    the project is invisible, 403 without `perm`."""
    project = get_project_for_user(user, pk)
    require_perm(user, perm)
    if pool and not can_use_pool_of(user, project.estate.organisation_id):
        raise PermissionDenied
    return project


def pool_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose pool `user` may add flats to."""
    if not user.has_perm("cases.add_poolflat"):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=user_organisations(user)).order_by("name")


def get_case_for_logistics(user, pk: int, *, perm: str, for_change: bool = False) -> Case:
    """The case, for its needs, offers and moves: 404 if invisible, 403 without `perm` (or when
    a change is asked of a closed case)."""
    case = get_case_for_user(user, pk)
    if not user.has_perm(perm) or (for_change and case.is_closed):
        raise PermissionDenied
    return case


def get_offer_for_user(user, pk: int, *, for_change: bool = False) -> Offer:
    offer = (
        Offer.objects.filter(case__in=Case.objects.for_user(user))
        .select_related(
            "case__household__flat__stairwell",
            "case__project__estate",
            "pool_flat__flat__stairwell__estate",
        )
        .filter(pk=pk)
        .first()
    )
    if offer is None or not user.has_perm("cases.view_offer"):
        raise Http404
    if for_change:
        require_perm(user, "cases.change_offer")
    return offer


def get_move_for_user(user, pk: int, *, for_change: bool = False) -> Move:
    move = (
        Move.objects.filter(case__in=Case.objects.for_user(user))
        .select_related(
            "case__household__flat__stairwell",
            "case__project__estate",
            "from_flat__stairwell",
            "to_flat__stairwell",
        )
        .filter(pk=pk)
        .first()
    )
    if move is None or not user.has_perm("cases.view_move"):
        raise Http404
    if for_change:
        require_perm(user, "cases.change_move")
    return move


def get_organisation_for_waterbed(user, pk: int) -> Organisation:
    """The organisation's waterbed monitoring: 404 unless `user` leads it or works in one of its
    estates or projects; 403 for a role that sees no vulnerability (the page counts it)."""
    if not user.is_active or not (user.is_superuser or pk in user_organisations(user)):
        raise Http404
    require_perm(user, "households.view_social_data")
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def waterbed_organisations(user) -> QuerySet[Organisation]:
    """The organisations whose waterbed monitoring `user` may open (for links to it)."""
    if not (user.is_active and user.has_perm("households.view_social_data")):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(pk__in=user_organisations(user)).order_by("name")
