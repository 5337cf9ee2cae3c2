"""core.widgets.ListSelect writes the options itself: its HTML is forms.Select's, byte for byte."""

import pytest
from django import forms

from core.widgets import ListSelect

CHOICES = [
    ("", "All"),
    (1, 'Egevej <b>&</b> "1"'),
    ("two", "Two"),
    ("2", "Two again, the same value as text"),
    (None, "None as a value"),
]


@pytest.mark.parametrize("value", [None, "", 1, "1", "two", "2", ["1", "two"], "missing"])
@pytest.mark.parametrize("attrs", [None, {"id": "id_f", "required": True, "data-x": '"<>'}])
def test_it_writes_what_forms_select_writes(value, attrs):
    expected = forms.Select(choices=CHOICES).render("f", value, attrs)
    assert ListSelect(choices=CHOICES).render("f", value, attrs) == expected


@pytest.mark.parametrize("value", [None, ["1", "two"], ["2", "missing"]])
def test_it_writes_what_forms_selectmultiple_writes(value):
    class ListSelectMultiple(ListSelect):
        allow_multiple_selected = True

    expected = forms.SelectMultiple(choices=CHOICES).render("f", value, {"id": "id_f"})
    assert ListSelectMultiple(choices=CHOICES).render("f", value, {"id": "id_f"}) == expected


def test_it_leaves_groups_to_forms_select():
    grouped = [("", "All"), ("Group <1>", [(1, "One"), (2, "Two")])]
    expected = forms.Select(choices=grouped).render("f", 2, None)
    assert ListSelect(choices=grouped).render("f", 2, None) == expected
