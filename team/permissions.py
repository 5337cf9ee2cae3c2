"""Who may manage which organisation's team. The one place for these rules.

A manager manages the team of the organisations she leads (guardian `manage_organisation`) if
her role lets her (`team.manage_team`); a team she does not manage, and its people, are 404.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from households.models import Organisation
from households.permissions import user_grants
from team.selectors import organisation_people


def team_organisations_for_user(user) -> QuerySet[Organisation]:
    if not (user.is_active and user.has_perm("team.manage_team")):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations)


def get_team_for_user(user, pk: int) -> Organisation:
    organisation = team_organisations_for_user(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404
    return organisation


def get_member_for_user(user, organisation: Organisation, pk: int) -> User:
    """A person of `organisation`'s team (the gate of the organisation passed first); 404 for
    anyone else, and for a system administrator, whom only the admin changes."""
    member = organisation_people(organisation=organisation).filter(pk=pk).first()
    if member is None or member.is_superuser:
        raise Http404
    return member
