"""Who may see and edit which letter templates: the managers of the template's organisation.

Who may see and send which letters (the gates of sending.py's views).

A letter is about a household: visible exactly where the household is (households/
permissions.py), to a role with `outreach.view_letter` (not the visitator, not the caretaker).
A batch is about a project: visible where the project is, to a role with
`outreach.view_letterbatch`. Missing and out of reach give the same 404.
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from cases.models import Project
from core.permissions import require_perm
from households.models import Household, Organisation
from households.permissions import user_grants, visible_households_q
from outreach.letters.models import Letter, LetterBatch, LetterTemplate


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


# --- letters going out and their batches ---


def letters_for_user(user) -> QuerySet[Letter]:
    if not (user.is_active and user.has_perm("outreach.view_letter")):
        return Letter.objects.none()
    return Letter.objects.filter(visible_households_q(user))


def get_letter_for_user(user, pk: int, *, for_change: bool = False) -> Letter:
    letter = (
        letters_for_user(user)
        .select_related(
            "household__flat__stairwell__estate__organisation",
            "template_version__template",
            "case__project",
            "offer",
        )
        .filter(pk=pk)
        .first()
    )
    if letter is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_letter")
    return letter


def batches_for_user(user) -> QuerySet[LetterBatch]:
    if not (user.is_active and user.has_perm("outreach.view_letterbatch")):
        return LetterBatch.objects.none()
    return LetterBatch.objects.filter(project__in=Project.objects.for_user(user))


def get_batch_for_user(user, pk: int, *, for_change: bool = False) -> LetterBatch:
    batch = (
        batches_for_user(user)
        .select_related("project__estate", "stairwell", "template")
        .filter(pk=pk)
        .first()
    )
    if batch is None:
        raise Http404
    if for_change:
        require_perm(user, "outreach.change_letterbatch")
    return batch


def usable_templates(organisation_id: int) -> QuerySet[LetterTemplate]:
    """The templates a letter of this organisation may be made from."""
    return LetterTemplate.objects.filter(organisation_id=organisation_id, active=True).order_by(
        "kind", "name"
    )
