"""Who may see and edit which letter templates: the managers of the template's organisation."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import require_perm
from households.models import Household, Organisation
from households.permissions import user_grants
from outreach.letters.models import LetterTemplate


def template_organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations whose templates `user` edits: those she leads."""
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(pk__in=user_grants(user).managed_organisations)


def templates_for_user(user) -> QuerySet[LetterTemplate]:
    if user.is_superuser:
        return LetterTemplate.objects.all()
    return LetterTemplate.objects.filter(
        organisation_id__in=user_grants(user).managed_organisations
    )


def get_template_for_user(user, pk: int, *, for_change: bool = False) -> LetterTemplate:
    """403 for a role that may not edit templates, 404 for another organisation's template."""
    require_perm(
        user, "outreach.change_lettertemplate" if for_change else "outreach.view_lettertemplate"
    )
    return get_object_or_404(templates_for_user(user).select_related("organisation"), pk=pk)


def preview_households_for_user(user, template: LetterTemplate) -> QuerySet[Household]:
    """The households a preview may use: of the template's organisation, and seen by `user`."""
    return (
        Household.objects.for_user(user)
        .filter(Q(flat__stairwell__estate__organisation=template.organisation_id))
        .current()
    )
