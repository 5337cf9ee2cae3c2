"""The rent pages (issue 17): a case's rent month by month, a flat's rent by hand, a project's
rents and empty days, the quarterly statement (XLSX). Happy path, anonymous, forbidden, wrong
method, pinned queries."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.logistics.models import Offer, OfferStatus, PoolFlat
from cases.models import Case
from households.models import Flat
from tests import factories

pytestmark = pytest.mark.django_db

D = Decimal


def _set_rent(flat: Flat, net_rent: str, aconto: str) -> None:
    Flat.objects.filter(pk=flat.pk).update(net_rent=D(net_rent), aconto=D(aconto))


def _pool_flat(case: Case, street: str = "Midlertidigvej") -> PoolFlat:
    estate = case.project.estate
    flat = factories.make_flat(factories.make_stairwell(estate, street=street, number=4))
    return factories.make_pool_flat(
        estate.organisation, flat, kind="temporary", project_rent=D("7440.00")
    )


def _stay(case: Case, pool_flat: PoolFlat, starts_on: date, ends_on: date) -> Offer:
    return Offer.objects.create(
        case=case,
        pool_flat=pool_flat,
        kind="temporary",
        holds_from=starts_on,
        holds_until=ends_on,
        sent_via="letter",
        sent_on=date(2026, 1, 5),
        reply_due_on=date(2026, 1, 19),
        status=OfferStatus.ACCEPTED,
    )


@pytest.fixture
def stay(cast) -> Offer:
    case = cast.case_a1
    _set_rent(case.household.flat, "5000.00", "600.00")
    return _stay(case, _pool_flat(case), date(2026, 3, 15), date(2026, 5, 10))


# --- the case's logistics page ----------------------------------------------------------------


def test_the_case_page_shows_the_stay_month_by_month(client, cast, stay):
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(reverse("logistics:case", args=[cast.case_a1.pk])).content.decode()

    assert 'id="rent"' in body
    assert "5.000,00 kr." in body and "600,00 kr." in body
    assert "3.070,97" in body and "4.080,00" in body and "1.009,03" in body  # 15-31 March
    assert "1.625,81" in body and "534,19" in body  # 1-9 May
    assert "3.383,22" in body  # in all


def test_a_caseworker_sees_the_case_page_without_the_rent(client, cast, stay):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("logistics:case", args=[cast.case_a1.pk])).content.decode()

    assert 'id="rent"' not in body and "3.070,97" not in body and "5.000,00" not in body


# --- a flat's rent by hand -----------------------------------------------------------------------


def _flat_url(cast) -> str:
    return reverse("rents:flat_rent", args=[cast.case_a1.household.flat_id])


def test_the_rehousing_officer_records_a_flats_rent(client, cast):
    client.force_login(cast.rehousing_officer_a1)
    url = _flat_url(cast)
    assert client.get(url).status_code == 200

    response = client.post(url, {"net_rent": "5.123,50", "aconto": "650 kr.", "version": "1"})

    assert response.status_code == 302
    flat = Flat.objects.get(pk=cast.case_a1.household.flat_id)
    assert (flat.net_rent, flat.aconto, flat.version) == (D("5123.50"), D("650.00"), 2)
    body = client.get(response.url).content.decode()
    assert "5.123,50 kr." in body


def test_a_bad_rent_is_refused_in_danish_and_nothing_is_saved(client, cast):
    client.force_login(cast.rehousing_officer_a1)

    response = client.post(
        _flat_url(cast), {"net_rent": "fem tusind", "aconto": "-5", "version": "1"}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "&#x27;fem tusind&#x27; er ikke et beløb i kroner" in body
    assert "&#x27;-5&#x27; er ikke et beløb i kroner" in body
    assert "fem tusind" in body  # her input stays in the form
    assert Flat.objects.get(pk=cast.case_a1.household.flat_id).net_rent is None


def test_a_rent_saved_meanwhile_is_not_overwritten(client, cast):
    flat = cast.case_a1.household.flat
    Flat.objects.filter(pk=flat.pk).update(net_rent=D("4000"), version=2)
    client.force_login(cast.manager_a)

    response = client.post(_flat_url(cast), {"net_rent": "5000", "aconto": "", "version": "1"})

    assert response.status_code == 409
    assert Flat.objects.get(pk=flat.pk).net_rent == D("4000.00")
    assert 'name="version" value="2"' in response.content.decode()


def test_the_flat_rent_page_refuses_others(client, cast):
    url = _flat_url(cast)
    assert client.get(url).status_code == 302  # anonymous: the login
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 403
    client.force_login(cast.manager_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.rehousing_officer_a1)
    assert client.put(url).status_code == 405


def test_the_flat_page_shows_the_rent_to_those_who_see_rents(client, cast):
    _set_rent(cast.case_a1.household.flat, "5000.00", "600.00")
    url = reverse("households:flat", args=[cast.case_a1.household.flat_id])
    client.force_login(cast.manager_a)
    assert "5.000,00 kr." in client.get(url).content.decode()
    client.force_login(cast.caseworker_a1)
    assert "5.000,00" not in client.get(url).content.decode()


# --- the project's rents and empty days ----------------------------------------------------------


def _project_url(cast) -> str:
    return reverse("rents:project", args=[cast.case_a1.project_id])


def _more_stays(cast, count: int) -> None:
    project = cast.case_a1.project
    for n in range(count):
        case = factories.make_case(project)
        _set_rent(case.household.flat, "4000.00", "0")
        pool_flat = _pool_flat(case, street=f"Ekstravej{n}")
        _stay(case, pool_flat, date(2026, 2, 1), date(2026, 3, 1))
        second = factories.make_case(project)
        _stay(second, pool_flat, date(2026, 3, 11), date(2026, 4, 1))


def test_the_project_page_shows_the_difference_and_the_empty_days(client, cast, stay):
    _more_stays(cast, 1)
    client.force_login(cast.rehousing_officer_a1)

    body = client.get(_project_url(cast)).content.decode()

    assert "Midlertidigvej 4, 1. tv" in body and "Ekstravej0 4, 1. tv" in body
    # 10 empty days of March in the extra flat: 7440 x 10 / 31
    assert "2.400,00" in body
    assert "Kvartalsopgørelse" not in body  # the statement is the manager's
    client.force_login(cast.manager_a)
    assert "Kvartalsopgørelse" in client.get(_project_url(cast)).content.decode()


@pytest.mark.parametrize("count", [1, 8])
def test_the_project_page_takes_a_fixed_number_of_queries(
    client, cast, stay, count, django_assert_max_num_queries
):
    _more_stays(cast, count)
    client.force_login(cast.manager_a)
    with django_assert_max_num_queries(10):
        assert client.get(_project_url(cast)).status_code == 200


def test_the_project_page_refuses_others(client, cast):
    url = _project_url(cast)
    assert client.get(url).status_code == 302
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 403
    client.force_login(cast.manager_b)
    assert client.get(url).status_code == 404
    client.force_login(cast.manager_a)
    assert client.post(url).status_code == 405


# --- the quarterly statement -------------------------------------------------------------------


def _statement(client, cast, **query):
    url = reverse("rents:statement_xlsx", args=[cast.case_a1.project_id])
    return client.get(url, query)


def test_the_manager_downloads_the_quarterly_statement(client, cast, stay):
    _more_stays(cast, 1)
    client.force_login(cast.manager_a)

    response = _statement(client, cast, aar="2026", kvartal="1")

    assert response.status_code == 200
    assert "kvartalsopgoerelse" in response["Content-Disposition"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Midlertidig bolig"
    by_flat = {row[0]: row[1:] for row in rows[1:]}
    # The extra flat: February (28 days) and 11-31 March (21 days) stayed, 1-10 March empty.
    extra = by_flat["Ekstravej0 4, 1. tv"]
    # The second household's own rent is not recorded: it counts as nothing, and says so.
    assert extra[2:9] == pytest.approx((49, 12480, 4000, 8480, 10, 2400, 10880))
    assert extra[9] == "Ja"
    # The first household's 17 days of March.
    first = by_flat["Midlertidigvej 4, 1. tv"]
    assert first[2:9] == pytest.approx((17, 4080, 3070.97, 1009.03, 0, 0, 1009.03))


def test_the_statement_is_the_managers(client, cast):
    client.force_login(cast.rehousing_officer_a1)
    assert _statement(client, cast, aar="2026", kvartal="1").status_code == 403
    client.force_login(cast.manager_b)
    assert _statement(client, cast, aar="2026", kvartal="1").status_code == 404
    client.force_login(cast.manager_a)
    assert _statement(client, cast, aar="x", kvartal="9").status_code == 200  # this quarter


# --- a pool flat's rent the project pays ---------------------------------------------------------


def test_the_pool_flat_takes_the_rent_the_project_pays_in_danish(client, cast):
    pool_flat = _pool_flat(cast.case_a1)
    client.force_login(cast.rehousing_officer_a1)
    edit = reverse("logistics:pool_edit", args=[pool_flat.pk])
    data = {"kind": "temporary", "rent": 5000, "available_from": "2026-01-01", "is_active": "on"}

    response = client.post(edit, {**data, "project_rent": "7.900,50", "version": 1})
    assert response.status_code == 302
    pool_flat.refresh_from_db()
    assert (pool_flat.project_rent, pool_flat.version) == (D("7900.50"), 2)

    response = client.post(edit, {**data, "project_rent": "syv tusind", "version": 2})
    assert response.status_code == 400
    assert "er ikke et beløb i kroner" in response.content.decode()
    response = client.post(edit, {**data, "project_rent": "", "version": 2})
    pool_flat.refresh_from_db()
    assert pool_flat.project_rent is None  # empty: the flat's own rent counts
