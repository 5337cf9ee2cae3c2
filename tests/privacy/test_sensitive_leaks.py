"""The rehousing officer and the visitator never see a sensitive field's value.

A marker is planted in every sensitive free-text field of every row of household A, found
through the classification (so a new sensitive field is planted too), on top of the visitator
leak test's data; then every URL pattern of the project is walked as each of the two roles.
"""

import pytest
from django.db import models

from households.models import VulnerabilityAssessment
from outreach.models import Contact
from privacy.classification import is_free_text, sensitive_fields
from privacy.selectors import household_paths
from tests.referrals.test_visitator_leaks import (
    DENIED,
    HER_PAGES,
    OPEN_PAGES,
    text_of,
    url_patterns,
    urls_with_ids,
)


def plant_sensitive(household_id: int) -> set[str]:
    markers = set()
    for model, path in household_paths().items():
        for field in sensitive_fields(model):
            if not is_free_text(field):
                continue
            rows = model._default_manager.filter(**{path: household_id})
            for pk in rows.values_list("pk", flat=True):
                marker = f"SENS{model.__name__}{field.name}{pk}".replace("_", "")
                model._default_manager.filter(pk=pk).update(**{field.attname: marker})
                markers.add(marker)
    return markers


@pytest.mark.parametrize("role", ["rehousing_officer_a1", "visitator"])
def test_no_sensitive_value_reaches_the_rehousing_officer_or_the_visitator(
    client, cast, subject, role
):
    markers = plant_sensitive(subject.household_id)
    labels = {"Demens", "Kanyler"}  # the factor and the observation planted only in household A
    models_planted = {marker[4:].rstrip("0123456789") for marker in markers}
    assert {"Householdsocialnote", "Contactobservationnote", "Tiptext", "Referralreason"} <= (
        models_planted
    )
    assert VulnerabilityAssessment.objects.filter(factors__contains=["dementia"]).exists()
    assert Contact.objects.filter(observations__contains=["needles"]).exists()
    client.force_login(getattr(cast, role))
    walked = 0
    for name, pattern in url_patterns():
        if name in OPEN_PAGES or name == "admin:index":
            continue
        pk_model = HER_PAGES.get(name) if name in HER_PAGES else DENIED[name]
        for url in urls_with_ids(name, pattern, subject.planted, pk_model):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=headers)
                assert response.status_code < 500, url
                text = text_of(response)
                leaked = {marker for marker in markers | labels if marker in text}
                assert not leaked, (url, leaked)
                walked += 1
    assert walked > 100
    assert models.Model  # the walk covers pages, fragments, exports and PDFs
