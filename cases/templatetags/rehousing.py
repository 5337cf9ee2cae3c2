"""The rehousing logistics on other pages: the case page's and the household page's sections."""

from django import template
from django.utils import timezone

from cases.logistics.selectors import (
    case_moves,
    case_offers,
    case_whereabouts,
    household_whereabouts,
    offer_count,
)
from cases.models import Case
from households.models import Household

register = template.Library()


@register.inclusion_tag("cases/logistics/case_section.html", takes_context=True)
def case_rehousing(context, case: Case) -> dict:
    """Where the household lives, the offers against the project's rule, and the next move."""
    user = context["request"].user
    today = timezone.localdate()
    moves = case_moves(case=case) if user.has_perm("cases.view_move") else []
    result = {
        "case": case,
        "whereabouts": case_whereabouts(case=case, moves=moves, today=today),
        "show_offers": user.has_perm("cases.view_offer"),
        "can_find": user.has_perm("cases.view_poolflat") and case.is_open,
    }
    if result["show_offers"]:
        offers = case_offers(case=case)
        result["offers"] = offers[:3]
        result["offer_count"] = offer_count(case=case, offers=offers)
        result["today"] = today
    return result


@register.inclusion_tag("cases/logistics/household_section.html", takes_context=True)
def household_rehousing(context, household: Household, cases: list[Case] | None = None) -> dict:
    user = context["request"].user
    found = household_whereabouts(
        household=household, user=user, today=timezone.localdate(), cases=cases
    )
    return {"whereabouts": found}
