"""The rehousing economy on the case page: the case's expenses and the form for a new one."""

from django import template

from cases.economy.views import expenses_context
from cases.models import Case

register = template.Library()


@register.inclusion_tag("cases/economy/case_expenses.html#section", takes_context=True)
def case_expenses(context, case: Case) -> dict:
    """Nothing for a role that sees no expenses (the bridge-builder, for one)."""
    request = context["request"]
    if not request.user.has_perm("cases.view_expense"):
        return {"hidden": True, "request": request}
    section = expenses_context(request.user, case)
    return {**section, "request": request, "csrf_token": context.get("csrf_token")}
