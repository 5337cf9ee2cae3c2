"""The tips section of the household page: what caretakers and neighbours said about the flat."""

from django import template

from outreach.selectors import household_tips
from outreach.views.tips import can_read_tips

register = template.Library()


@register.inclusion_tag("outreach/tips/household_section.html", takes_context=True)
def household_tips_section(context, household) -> dict:
    request = context["request"]
    if not can_read_tips(request.user):
        return {"visible": False}
    return {
        "visible": True,
        "household": household,
        "tips": list(household_tips(user=request.user, household=household)),
        "can_change": request.user.has_perm("outreach.change_tip"),
        "can_add": request.user.has_perm("outreach.add_tip"),
        "next": request.get_full_path(),
    }
