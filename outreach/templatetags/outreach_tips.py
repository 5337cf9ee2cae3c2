"""The tips section of the household page: what caretakers and neighbours said about the flat."""

from django import template

from outreach.permissions import can_view_tips
from outreach.selectors import household_tips

register = template.Library()
register.filter("can_view_tips", can_view_tips)


@register.inclusion_tag("outreach/tips/household_section.html", takes_context=True)
def household_tips_section(context, household) -> dict:
    request = context["request"]
    if not can_view_tips(request.user):
        return {"visible": False}
    return {
        "visible": True,
        "household": household,
        "tips": list(household_tips(user=request.user, household=household)),
        "can_change": request.user.has_perm("outreach.change_tip"),
        "can_add": request.user.has_perm("outreach.add_tip"),
        "next": request.get_full_path(),
    }
