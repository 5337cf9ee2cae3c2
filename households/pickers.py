"""The flat pickers of the forms (tips, the pool, a case's destinations): one way for all.

A form's flat field is a `FlatPickField` over the flats the user may choose (a lazy queryset,
never loaded whole): the form checks the one chosen flat with one query. The page shows a
type-ahead (`includes/typeahead_picker.html`, htmx) with the chosen flat; its search view
answers with `flat_picker(...)` too. Without JavaScript the whole list is offered when it is
short (at most LISTED_MAX flats); otherwise the search box works as a plain GET search that
re-renders the form with the matching flats as radio buttons.
"""

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.forms import BoundField
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from households.models import Flat
from households.selectors import flat_search

StrOrPromise = str | Promise
SEARCH_LIMIT = 15  # flats a search shows
LISTED_MAX = 200  # the whole list without JavaScript up to this many flats

NOT_YOURS = _(
    "You cannot choose this flat. Search for the address and choose one of the flats shown."
)


class FlatPickField(forms.ModelChoiceField):
    """A flat among `queryset` (the flats the user may choose today). Validating a choice is one
    query; the field never lists its queryset (render it with the picker template)."""

    default_error_messages = {"invalid_choice": NOT_YOURS}

    def __init__(self, queryset: QuerySet[Flat] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.NumberInput)  # never a <select> of every flat
        super().__init__(queryset if queryset is not None else Flat.objects.none(), **kwargs)

    def label_from_instance(self, obj: Flat) -> str:
        return obj.address


def short_list(flats: QuerySet[Flat]) -> list[Flat]:
    """The flats listed without JavaScript: all of them, or one more than LISTED_MAX (too many)."""
    return list(flats[: LISTED_MAX + 1])


def flat_picker(
    field: BoundField,
    *,
    q: str = "",
    current: str | None = None,
    listed: bool = True,
    none_label: StrOrPromise = "",
    no_match: StrOrPromise = "",
    short: list[Flat] | None = None,
) -> dict[str, Any]:
    """What the picker template (and the choices of its search) show for the flat field.

    `q`: the words searched (up to SEARCH_LIMIT flats matching them); `current`: the chosen
    flat's id (by default the field's value), shown and checked if she may choose it; `listed`:
    also the whole list for the page without JavaScript, when it is short; `short`: that list
    (short_list) when already read for another field over the same flats. Queries: one for the
    short list, one for the search, one for the chosen flat unless the short list is all of them.
    """
    model_field = cast(forms.ModelChoiceField, field.field)
    flats = cast(QuerySet[Flat], model_field.queryset)
    label = model_field.label_from_instance
    raw = field.value() if current is None else current
    value = str((raw.pk if isinstance(raw, Flat) else raw) or "")
    q = q.strip()[:100]
    if short is None:
        short = short_list(flats) if listed else []
    if not value.isdigit():
        chosen = None
    elif listed and len(short) <= LISTED_MAX:  # all she may choose: no query
        chosen = next((flat for flat in short if flat.pk == int(value)), None)
    else:
        chosen = flats.filter(pk=value).first()
    found = list(flat_search(flats, q)[:SEARCH_LIMIT]) if q else []
    return {
        "name": field.name,
        "picked": (str(chosen.pk), label(chosen)) if chosen else ("", ""),
        "results": [(str(flat.pk), label(flat)) for flat in found if flat != chosen],
        "q": q,
        "limit": SEARCH_LIMIT,
        "none_label": none_label,
        "no_match": no_match,
        # None when too long to list: the page then offers the search without JavaScript.
        "listed": [(str(flat.pk), label(flat)) for flat in short]
        if len(short) <= LISTED_MAX
        else None,
        "any": bool(short) or chosen is not None,
    }
