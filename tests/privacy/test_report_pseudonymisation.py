"""The classification decides what a report may print: a marker is planted in every personal
free-text field (`fields_to_pseudonymise`) of every row of household A, found through the
classification, so a new field is planted too; then the reports are printed.

The pseudonymised reports show none of them; the named report shows the residents' names and
nothing sensitive.
"""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from households.models import AccessLog, Resident
from privacy.classification import fields_to_pseudonymise, is_free_text, sensitive_fields
from privacy.selectors import household_paths
from referrals.models import Consent

# The database refuses to change these (triggers); no report prints them.
IMMUTABLE = (Consent, AccessLog)


def plant_personal(household_id: int) -> dict[str, set[str]]:
    """Markers in every personal free-text field, split into sensitive and the rest."""
    planted: dict[str, set[str]] = {"sensitive": set(), "personal": set()}
    for model, path in household_paths().items():
        if model in IMMUTABLE:
            continue
        sensitive = {field.name for field in sensitive_fields(model)}
        for name in fields_to_pseudonymise(model):
            field = model._meta.get_field(name)
            if not is_free_text(field):
                continue
            rows = model._default_manager.filter(**{path: household_id})
            for pk in rows.values_list("pk", flat=True):
                marker = f"PSEU{model.__name__}{name}{pk}".replace("_", "")[: field.max_length]
                model._default_manager.filter(pk=pk).update(**{field.attname: marker})
                planted["sensitive" if name in sensitive else "personal"].add(marker)
    return planted


def printed(client, kind: str, target: int, *, named: bool) -> str:
    data = {"kind": kind, "target": target, **({"named": "on"} if named else {})}
    response = client.post(reverse("reports:print"), data)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


@pytest.fixture
def planted(subject):
    markers = plant_personal(subject.household_id)
    names = {f"PSEUResidentfirstname{pk}" for pk in Resident.objects.values_list("pk", flat=True)}
    assert names & markers["personal"], "the residents' names are planted"
    assert {"PSEUHouseholdsocialnote", "PSEUContactnote"} <= {
        marker.rstrip("0123456789") for marker in markers["sensitive"] | markers["personal"]
    }
    return markers


def test_the_pseudonymised_reports_print_no_personal_field(client, cast, planted):
    client.force_login(cast.manager_a)
    case = cast.case_a1
    everything = planted["sensitive"] | planted["personal"]
    texts = {
        "project": printed(client, "project", case.project_id, named=False),
        "estate": printed(client, "estate", case.project.estate_id, named=False),
        "caseload": printed(client, "caseload", cast.caseworker_a1.pk, named=False),
    }
    for kind, text in texts.items():
        assert "Markørvej 3" in text or kind == "caseload", kind  # the flat address is shown
        assert {marker for marker in everything if marker in text} == set(), kind


def test_the_named_report_prints_names_but_nothing_sensitive(client, cast, planted):
    client.force_login(cast.manager_a)
    text = printed(client, "project", cast.case_a1.project_id, named=True)
    assert {marker for marker in planted["sensitive"] if marker in text} == set()
    # the planted names reach the page: the pseudonymised reports could have shown them
    assert {marker for marker in planted["personal"] if marker in text} & {
        marker for marker in planted["personal"] if marker.startswith("PSEUResidentfirstname")
    }
