"""Dates in long tables."""

from datetime import date

from django import template

register = template.Library()


@register.filter
def numeric_date(value: date | None) -> str:
    """A date as the date filter writes "j.n.Y" (5.3.2027; "" for none), without its cost per
    call (~15 µs: a project's table of 340 stairwells has 1,360 dates). Numbers only, the same
    in every language."""
    return f"{value.day}.{value.month}.{value.year}" if value else ""
