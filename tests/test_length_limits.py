"""Every typed text has a length limit: 100,000 characters get a clear Danish error, and what
was saved before stays as it was."""

import importlib
import inspect
from pathlib import Path

from django import forms
from django.urls import reverse

from households.models import Household
from referrals.models import ChecklistKind

ROOT = Path(__file__).resolve().parent.parent
APPS = ("accounts", "cases", "households", "outreach", "privacy", "referrals", "reports", "team")
HUGE = "x" * 100_000


def project_forms():
    paths = [p for app in APPS for p in (ROOT / app).rglob("*.py") if "forms" in p.parts[-1]]
    paths += [p for app in APPS for p in (ROOT / app).rglob("forms/*.py")]
    for path in paths:
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name:
                yield cls


def test_every_typed_text_of_every_form_has_a_length_limit():
    found = list(project_forms())
    assert len(found) > 30
    unlimited = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in found
        for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput)
        and field.max_length is None
    ]
    assert unlimited == []


def test_100000_characters_in_the_social_note_get_a_length_error_and_nothing_is_lost(client, cast):
    household = cast.case_a1.household
    before = household.social_note
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("households:edit", args=[household.pk]),
        {"moved_in_on": "", "social_note": HUGE, "version": household.version},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "højst have 10000 tegn" in body
    assert HUGE in body  # still in the field, to shorten rather than type again
    assert Household.objects.get(pk=household.pk).social_note == before


def test_100000_characters_of_who_helped_get_a_length_error_not_another_message(client, cast):
    item = cast.case_a1.checklist.get(kind=ChecklistKind.ENERGY)
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:checklist_item", args=[item.pk]),
        {"status": "done", "expected_status": "open", "helped_by": HUGE},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "højst have 200 tegn" in body and "Vælg" not in body
    item.refresh_from_db()
    assert (item.status, item.helped_by) == ("open", "")
