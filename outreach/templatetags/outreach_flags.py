"""Open flags on other parts' pages (household, case, caseload), resolvable where they are."""

from django import template
from django.utils.html import format_html_join

from cases.models import Case
from households.models import Household
from outreach.models import Flag
from outreach.scan import flag_reason_text
from outreach.selectors import household_open_flags, open_flags

register = template.Library()


def _flags_context(
    context, household: Household, next_url: str, flags: list[Flag] | None = None
) -> dict:
    request = context["request"]
    if not request.user.has_perm("outreach.view_flag"):
        return {"flags": []}
    if flags is None:
        flags = list(household_open_flags(user=request.user, household=household))
    return {
        "flags": flags,
        "can_resolve": request.user.has_perm("outreach.change_flag"),
        "next": next_url,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def household_open_flag_list(context, household: Household) -> list[Flag] | None:
    """The household's open flags, read once for the household page's sections that show them
    (`{% household_open_flag_list household as flags %}`); None for a user who may not see
    flags."""
    user = context["request"].user
    if not user.has_perm("outreach.view_flag"):
        return None
    return list(household_open_flags(user=user, household=household))


@register.inclusion_tag("outreach/flags/open_flags.html", takes_context=True)
def household_flags(context, household: Household, flags: list[Flag] | None = None) -> dict:
    return _flags_context(context, household, context["request"].get_full_path(), flags)


@register.inclusion_tag("outreach/flags/open_flags.html", takes_context=True)
def case_flags(context, case: Case) -> dict:
    return _flags_context(context, case.household, context["request"].get_full_path())


@register.simple_tag(takes_context=True)
def open_flags_of(context, cases) -> dict[int, list[Flag]]:
    """The open flags of the households of a list of cases (one query), for flag_badges; none
    for a user who may not see flags."""
    if not context["request"].user.has_perm("outreach.view_flag"):
        return {}
    return open_flags(household_ids=[case.household_id for case in cases])


@register.simple_tag(takes_context=True)
def open_flag_badges_of(context, cases) -> dict[int, str]:
    """open_flags_of as the badges of each household with open flags (flag_badges), for a list
    that writes its rows itself (the caseload's caseload_rows)."""
    flags = open_flags_of(context, cases)
    return {household_id: flag_badges(flags, household_id) for household_id in flags}


@register.simple_tag
def flag_badges(flags_by_household: dict, household_id: int) -> str:
    """Badges with the kinds of a household's open flags (from selectors.open_flags)."""
    flags = (flags_by_household or {}).get(household_id, [])
    return format_html_join(
        " ",
        '<span class="tag tag-flag" title="{}">{}</span>',
        ((flag_reason_text(flag), flag.get_kind_display()) for flag in flags),
    )


@register.filter
def flag_reason(flag: Flag) -> str:
    """The reason of the flag in the reader's language."""
    return flag_reason_text(flag)
