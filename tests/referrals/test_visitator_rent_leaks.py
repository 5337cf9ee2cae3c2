"""Rent is economy, not a fact of the flat for the municipal visitator (issue 17).

The flats of her municipality get distinctive rents, a temporary stay and empty days; even with a
consent to every category for her partner, no page, fragment or export she can reach shows a
rent, and the rent pages answer her 404.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cases.logistics.models import Offer, OfferStatus
from households.models import Flat
from referrals.models import DataCategory, Partner
from tests import factories
from tests.referrals.test_visitator_leaks import give_consent, her_pages, leaks  # noqa: F401
from tests.urlwalk import found

pytestmark = pytest.mark.django_db

# 8.642,17 kr. net rent, 439,57 kr. a-conto; the project pays 9.317,45 kr. for the temporary
# flat; a second household pays 8.653 kr.: as pages, CSV, XLSX and PDF would write them.
RENT_MARKERS = {
    "8.642,17",
    "8642,17",
    "8642.17",
    "439,57",
    "439.57",
    "9.317,45",
    "9317,45",
    "9317.45",
    "8.653,00",
    "8653,00",
    "8653.0",
}


@pytest.fixture
def rents(cast, leaks):  # noqa: F811
    case = cast.case_a1
    Flat.objects.filter(pk=case.household.flat_id).update(
        net_rent=Decimal("8642.17"), aconto=Decimal("439.57")
    )
    estate = case.project.estate
    pool_flat = factories.make_pool_flat(
        estate.organisation,
        factories.make_flat(factories.make_stairwell(estate, street="Lejevej", number=2)),
        kind="temporary",
        project_rent=Decimal("9317.45"),
    )
    second = factories.make_case(case.project)
    Flat.objects.filter(pk=second.household.flat_id).update(net_rent=Decimal("8653"))
    for stay_case, starts_on, ends_on in (
        (case, date(2026, 3, 15), date(2026, 5, 10)),
        (second, date(2026, 6, 5), date(2026, 8, 1)),
    ):
        Offer.objects.create(
            case=stay_case,
            pool_flat=pool_flat,
            kind="temporary",
            holds_from=starts_on,
            holds_until=ends_on,
            sent_via="letter",
            sent_on=date(2026, 1, 5),
            reply_due_on=date(2026, 1, 19),
            status=OfferStatus.ACCEPTED,
        )
    return leaks


def _rent_urls(cast) -> list[str]:
    project = cast.case_a1.project_id
    return [
        reverse("rents:flat_rent", args=[cast.case_a1.household.flat_id]),
        reverse("rents:project", args=[project]),
        reverse("rents:statement_xlsx", args=[project]) + "?aar=2026&kvartal=2",
    ]


def test_the_visitator_sees_no_rent_even_with_every_consent(client, cast, rents):
    give_consent(
        cast.case_a1.household,
        cast.caseworker_a1,
        list(DataCategory.values),
        partner=Partner.objects.get(name="Hvidovre Kommune, visitationen"),
    )
    client.force_login(cast.visitator)

    texts = her_pages(client, cast, rents)

    # she does see the household's housing data she was given consent to
    assert "Markørvej 3, 1. tv" in texts[f"{reverse('referrals:visitator_flats')} {{}}"]
    assert found(texts, RENT_MARKERS) == set()
    for url in _rent_urls(cast):
        assert client.get(url).status_code == 404


def test_the_rent_markers_are_there_to_be_found(client, cast, rents):
    """The same strings do show where rents belong, so the test above can fail."""
    client.force_login(cast.manager_a)
    body = client.get(reverse("logistics:case", args=[cast.case_a1.pk])).content.decode()
    assert "8.642,17" in body and "439,57" in body and "9.317,45" in body
    body = client.get(reverse("rents:project", args=[cast.case_a1.project_id])).content.decode()
    assert "9.317,45" in body
