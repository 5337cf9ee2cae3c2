"""Reads of a project's life: who still lacks a case, the caseload per person, the timeline."""

from django.db.models import QuerySet

from cases.models import Project
from households.models import Household


def households_without_case(*, project: Project) -> QuerySet[Household]:
    """The households living in the project's affected stairwells now, without a case in it
    (a household added by a later import is one of them until the next opening)."""
    return (
        Household.objects.current()
        .filter(flat__stairwell__in=project.stairwells.all())
        .exclude(cases__project=project)
    )
