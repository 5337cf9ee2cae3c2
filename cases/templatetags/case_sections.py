"""The cases of a household and of a flat, as sections of the households app's pages (households
is below cases and imports nothing of it; its templates load these)."""

from datetime import date

from django import template

from cases.models import Case, StairwellSchedule
from cases.selectors import case_list_related, household_cases_for_user
from households.models import Flat, Household

register = template.Library()


@register.simple_tag(takes_context=True)
def household_case_list(context, household: Household) -> list[Case]:
    """The household's cases the user may see, read once for the household page's sections
    that show them (`{% household_case_list household as cases %}`, then pass `cases` on)."""
    return household_cases_for_user(user=context["request"].user, household=household)


@register.inclusion_tag("cases/includes/household_cases.html", takes_context=True)
def household_cases(context, household: Household, cases: list[Case] | None = None) -> dict:
    if cases is None:
        cases = household_case_list(context, household)
    # The case list's order: the next step first, then the oldest case.
    ordered = sorted(
        cases, key=lambda case: (case.next_step_on is None, case.next_step_on or date.min, case.pk)
    )
    return {"cases": ordered}


@register.inclusion_tag("cases/includes/flat_cases.html", takes_context=True)
def flat_cases(context, flat: Flat) -> dict:
    """The flat's cases, and its stairwell's schedule in each project."""
    user = context["request"].user
    cases = case_list_related(Case.objects.for_user(user).filter(household__flat=flat))
    schedules = StairwellSchedule.objects.filter(stairwell=flat.stairwell_id).select_related(
        "project"
    )
    return {"cases": cases, "schedules": schedules}
