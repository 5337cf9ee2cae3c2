"""The cases of a household and of a flat, as sections of the households app's pages (households
is below cases and imports nothing of it; its templates load these)."""

from django import template

from cases.models import Case, StairwellSchedule
from cases.selectors import case_list_related
from households.models import Flat, Household

register = template.Library()


@register.inclusion_tag("cases/includes/household_cases.html", takes_context=True)
def household_cases(context, household: Household) -> dict:
    user = context["request"].user
    cases = Case.objects.for_user(user).filter(household=household).with_vulnerability()
    return {"cases": case_list_related(cases)}


@register.inclusion_tag("cases/includes/flat_cases.html", takes_context=True)
def flat_cases(context, flat: Flat) -> dict:
    """The flat's cases, and its stairwell's schedule in each project."""
    user = context["request"].user
    cases = case_list_related(Case.objects.for_user(user).filter(household__flat=flat))
    schedules = StairwellSchedule.objects.filter(stairwell=flat.stairwell_id).select_related(
        "project"
    )
    return {"cases": cases, "schedules": schedules}
