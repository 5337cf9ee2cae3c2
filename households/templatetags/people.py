import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from households.models import VulnerabilityLevel

register = template.Library()


@register.filter
def staff_name(user) -> str:
    """A staff member's full name, her username if she has none, and a word if she is gone."""
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


def staff_name_text(first_name: str, last_name: str, username: str) -> str:
    """staff_name from plain values (a list that reads no user instances)."""
    return f"{first_name} {last_name}".strip() or username


@register.filter
def language_name(name) -> str:
    """A language's name as the page's language writes it: in Danish lower-case ("dansk",
    "tyrkisk") whether it was typed "Tyrkisk" or "tyrkisk" or is the label "Dansk"; a word
    in capitals (an acronym) as it is. Only the display: the stored text stays as typed."""
    name = str(name)
    if not (get_language() or "").startswith("da"):
        return name
    return re.sub(r"\w+", _lower_case_if_capitalised, name)


def _lower_case_if_capitalised(word: re.Match) -> str:
    text = word[0]
    return text.lower() if text[:1].isupper() and text[1:].islower() else text


@register.filter
def household_name(household) -> SafeString | str:
    """display_name with its "(+2)" explained: a tooltip, and the words for a screen reader."""
    return household_name_html(*household.name_and_others())


def household_name_html(name: str, others: int) -> SafeString | str:
    """household_name from the household's name_and_others."""
    if not others:
        return name
    words = ngettext("and %(count)d other resident", "and %(count)d other residents", others) % {
        "count": others
    }
    return format_html(
        '{} <span class="others" title="{}" aria-hidden="true">(+{})</span>'
        '<span class="visually-hidden"> {}</span>',
        name,
        words,
        others,
        words,
    )


@register.simple_tag
def vulnerability_badge(level: str | None) -> str:
    """The badge of a vulnerability level, "Not assessed" without one (a tag, not an include:
    a list shows one a row)."""
    if level in VulnerabilityLevel.values:
        label = VulnerabilityLevel(level).label
        return format_html('<span class="badge vuln vuln-{}">{}</span>', level, label)
    return format_html('<span class="muted">{}</span>', _("Not assessed"))
