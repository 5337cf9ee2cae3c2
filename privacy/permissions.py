"""Who may take out or erase a resident's data. The one place for these rules."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from households.models import Resident
from households.permissions import can_view_social_data, get_household_for_user


def get_resident_for_user(user, household_pk: int, pk: int, *, action: str) -> Resident:
    """The resident, if `user` may see her household (404 otherwise); 403 unless she may
    take out everything about her (`action="access"`: the social data too) or erase her
    (`action="erase"`: the manager)."""
    household = get_household_for_user(user, household_pk)
    resident = next((r for r in household.residents.all() if r.pk == pk), None)
    if resident is None:
        raise Http404
    if action == "access" and not can_view_social_data(user):
        raise PermissionDenied
    if action == "erase" and not user.has_perm("households.delete_resident"):
        raise PermissionDenied
    resident.household = household
    return resident
