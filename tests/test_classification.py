"""The field classification (privacy/classification.py) covers every field of every model of
ours, names no field that is gone, and the records of processing name every model with
personal data."""

import re
from pathlib import Path

from households.models import Household, Resident
from outreach.models import Contact
from privacy.classification import (
    CLASSIFICATION,
    Level,
    anonymised_values,
    classified_models,
    fields_to_pseudonymise,
    holds_personal_data,
    model_fields,
)

RECORDS = Path(__file__).resolve().parent.parent / "docs" / "records-of-processing.md"


def test_it_classifies_every_field_of_every_model():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in classified_models()
        for field in model_fields(model)
        if field.name not in CLASSIFICATION.get(model._meta.label, {})
    ]
    assert not missing, f"classify these fields in privacy/classification.py: {missing}"


def test_it_names_no_model_or_field_that_is_gone():
    models = {model._meta.label: model for model in classified_models()}
    gone = [label for label in CLASSIFICATION if label not in models]
    gone += [
        f"{label}.{name}"
        for label, table in CLASSIFICATION.items()
        if label in models
        for name in table
        if name not in {field.name for field in model_fields(models[label])}
    ]
    assert not gone, f"remove these from privacy/classification.py: {gone}"
    assert all(level in Level for table in CLASSIFICATION.values() for level in table.values())


def test_the_anonymisation_removes_names_notes_and_sensitive_data_and_keeps_statistics():
    resident = anonymised_values(Resident)
    assert resident == {"first_name": "", "last_name": "", "phone": "", "email": "", "language": ""}
    # How to reach them: the go-between's name and phone, the times and the language go too.
    assert anonymised_values(Household) == {
        "social_note": "",
        "reach_time": "",
        "go_between_name": "",
        "go_between_phone": "",
        "reach_language": "",
    }
    contact = anonymised_values(Contact)
    assert contact["observations"] == [] and contact["observation_note"] == ""
    assert contact["met"] == "" and contact["note"] == ""
    assert "outcome" not in contact and "occurred_at" not in contact  # statistics stay


def test_reports_pseudonymise_names_and_sensitive_fields():
    assert set(fields_to_pseudonymise(Resident)) == {
        "first_name",
        "last_name",
        "phone",
        "email",
        "language",
    }
    assert "social_note" in fields_to_pseudonymise(Household)
    assert "observations" in fields_to_pseudonymise(Contact)


def test_the_records_of_processing_name_every_model_with_personal_data():
    text = RECORDS.read_text()
    named = set(re.findall(r"`([a-z_]+\.[A-Za-z]+)`", text))
    missing = [
        model._meta.label
        for model in classified_models()
        if holds_personal_data(model) and model._meta.label not in named
    ]
    assert not missing, f"add these models to {RECORDS.name}: {missing}"
