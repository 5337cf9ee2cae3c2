"""Who may see and send which letters (the gates of sending.py's views).

A letter is about a household: visible exactly where the household is (households/
permissions.py), to a role with `outreach.view_letter` (not the visitator, not the caretaker).
A batch is about a project: visible where the project is, to a role with
`outreach.view_letterbatch`. Missing and out of reach give the same 404.
"""

from django.db.models import QuerySet
from django.http import Http404

from cases.models import Project
from core.permissions import require_perm
from households.models import Household
from outreach.letters.models import Letter, LetterBatch, LetterTemplate


def letters_for_user(user) -> QuerySet[Letter]:
    if not (user.is_active and user.has_perm("outreach.view_letter")):
        return Letter.objects.none()
    return Letter.objects.filter(household__in=Household.objects.for_user(user))


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
