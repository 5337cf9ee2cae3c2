"""The letters section of the household page: letters awaiting a reply, and those answered."""

from django import template
from django.utils import timezone

from outreach.selectors import household_letters

register = template.Library()


@register.inclusion_tag("outreach/letters/household_section.html", takes_context=True)
def household_letters_section(context, household) -> dict:
    user = context["request"].user
    if not user.has_perm("outreach.view_awaitedreply"):
        return {"visible": False}
    letters = list(household_letters(user=user, household=household))
    return {
        "visible": True,
        "household": household,
        "open": [letter for letter in letters if not letter.replied_on],
        "answered": [letter for letter in letters if letter.replied_on],
        "today": timezone.localdate(),
        "can_add": user.has_perm("outreach.add_awaitedreply"),
        "can_change": user.has_perm("outreach.change_awaitedreply"),
    }
