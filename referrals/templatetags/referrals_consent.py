"""Sections of other parts' pages: the coordination of a household (household page) and the
practical-help checklist (case page)."""

from django import template

from cases.models import Case
from households.models import Household
from outreach.models import Flag
from referrals.selectors import case_checklist, household_coordination, progress_of

register = template.Library()


@register.inclusion_tag("referrals/coordination/household_section.html", takes_context=True)
def household_coordination_section(
    context,
    household: Household,
    cases: list[Case] | None = None,
    flags: list[Flag] | None = None,
) -> dict:
    """`cases` and `flags`: the household's, read once by the page for its sections."""
    request = context["request"]
    coordination = household_coordination(
        user=request.user, household=household, cases=cases, flags=flags
    )
    return {
        "request": request,
        "perms": context.get("perms"),
        "household": household,
        "coordination": coordination,
        "full": False,
    }


@register.inclusion_tag("referrals/checklist/case_checklist.html", takes_context=True)
def case_checklist_section(context, case: Case) -> dict:
    user = context["request"].user
    if not user.has_perm("referrals.view_checklistitem"):
        return {"visible": False}
    items = case_checklist(case=case)
    return {
        "visible": True,
        "request": context["request"],
        "case": case,
        "items": items,
        "progress": progress_of(items),
        "can_change": user.has_perm("referrals.change_checklistitem"),
    }
