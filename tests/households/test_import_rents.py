"""The tenant import's optional rent columns: net rent and a-conto (issue 17)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from households.imports import build_plan
from households.models import Flat, TenantImport
from households.services import tenant_import_apply, tenant_import_upload
from tests.households.test_imports import _import, csv_bytes, row, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def estate(cast):
    return cast.case_a1.household.flat.stairwell.estate


def _rents():
    return sorted(Flat.objects.values_list("tenancy_number", "net_rent", "aconto", "version"))


@pytest.mark.parametrize(
    ("net_rent", "aconto", "expected"),
    [
        ("5.123,50", "650", (Decimal("5123.50"), Decimal("650.00"))),
        ("5123,5", "650,00 kr.", (Decimal("5123.50"), Decimal("650.00"))),
        ("5123", "0", (Decimal("5123.00"), Decimal("0.00"))),
        ("", "", (None, None)),
    ],
)
def test_it_reads_the_rent_as_danes_write_it(cast, estate, net_rent, aconto, expected):
    content = csv_bytes([row(estate, lejemaalsnr="R-1", husleje=net_rent, aconto=aconto)])
    _import(estate.organisation, cast.manager_a, content)
    flat = Flat.objects.get(tenancy_number="R-1")
    assert (flat.net_rent, flat.aconto) == expected


def test_it_reads_the_rent_that_excel_wrote_as_a_number(cast, estate):
    content = xlsx_bytes([row(estate, lejemaalsnr="R-1", husleje=5123.5, aconto=650)])
    _import(estate.organisation, cast.manager_a, content, kind="xlsx")
    flat = Flat.objects.get(tenancy_number="R-1")
    assert (flat.net_rent, flat.aconto) == (Decimal("5123.50"), Decimal("650.00"))


def test_it_accepts_the_danish_names_of_the_columns(cast, estate):
    content = (
        "Afdeling;Vej;Husnr;Postnr;By;Værelser;Areal;Lejemålsnr;Nettoleje;Aconto varme og vand\n"
        f"{estate.number};Importvej;1;2650;Hvidovre;3;75;R-1;4.800,00;550,25\n"
    ).encode()
    _import(estate.organisation, cast.manager_a, content)
    flat = Flat.objects.get(tenancy_number="R-1")
    assert (flat.net_rent, flat.aconto) == (Decimal("4800.00"), Decimal("550.25"))


@pytest.mark.parametrize("value", ["fem tusind", "5,12,5", "-400", "1234567890", "12,345"])
def test_it_names_a_bad_rent_by_row_and_column_in_danish(client, cast, estate, value):
    content = csv_bytes([row(estate, husnr="2"), row(estate, husleje=value)])
    client.force_login(cast.manager_a)
    response = upload(client, content)
    body = client.get(response.url).content.decode()
    assert "Række 3" in body and "Nettoleje (kr. om måneden)" in body
    assert "er ikke et beløb i kroner: skriv det som 5123,50." in body
    tenant_import = TenantImport.objects.get()
    client.post(reverse("households:import_apply", args=[tenant_import.pk]))
    assert not Flat.objects.filter(stairwell__street="Importvej").exists()  # nothing saved


def test_a_missing_or_empty_column_keeps_the_rent_saved(cast, estate):
    with_rent = row(estate, lejemaalsnr="R-1", husleje="5000", aconto="600")
    _import(estate.organisation, cast.manager_a, csv_bytes([with_rent]))
    before = _rents()

    empty = row(estate, lejemaalsnr="R-1", husleje="", aconto="")
    plan, _run = _import(estate.organisation, cast.manager_a, csv_bytes([empty]))
    assert plan.counts["unchanged"] == 1
    without_columns = (
        "afdeling;lejemaalsnr;vej;husnr;etage;doer;postnr;by;vaerelser;areal\n"
        f"{estate.number};R-1;Importvej;1;1;tv;2650;Hvidovre;3;75\n"
    ).encode()
    plan, _run = _import(estate.organisation, cast.manager_a, without_columns)
    assert plan.counts["unchanged"] == 1
    assert _rents() == before


def test_a_new_rent_is_an_update_and_the_same_file_twice_changes_nothing(cast, estate):
    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate, lejemaalsnr="R-1")]))
    content = csv_bytes([row(estate, lejemaalsnr="R-1", husleje="5000", aconto="600")])
    plan, _run = _import(estate.organisation, cast.manager_a, content)
    assert plan.counts["update"] == 1
    changes = [(c.label, c.old, c.new) for r in plan.rows for c in r.changes]
    assert changes == [
        ("Nettoleje", None, Decimal("5000.00")),
        ("A conto", None, Decimal("600.00")),
    ]
    after_first = _rents()
    assert Flat.objects.get(tenancy_number="R-1").version == 2

    plan, _run = _import(estate.organisation, cast.manager_a, content)
    assert plan.counts["unchanged"] == 1 and plan.counts["update"] == 0
    assert _rents() == after_first


def test_it_does_not_overwrite_a_rent_recorded_by_hand_after_the_preview(cast, estate):
    from households.services import flat_rent_update

    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate, lejemaalsnr="R-1")]))
    tenant_import = tenant_import_upload(
        organisation=estate.organisation,
        by=cast.manager_a,
        content=csv_bytes([row(estate, lejemaalsnr="R-1", husleje="5000")]),
        file_kind="csv",
    )
    flat = Flat.objects.get(tenancy_number="R-1")
    flat_rent_update(
        flat=flat,
        by=cast.manager_a,
        expected_version=flat.version,
        data={"net_rent": Decimal("5100"), "aconto": None},
    )
    plan = tenant_import_apply(tenant_import=tenant_import, by=cast.manager_a)
    assert plan.counts["conflict"] == 1
    assert Flat.objects.get(tenancy_number="R-1").net_rent == Decimal("5100.00")


def test_the_rent_columns_cost_no_query(cast, estate, django_assert_max_num_queries):
    rows = [
        row(estate, husnr=str(n), lejemaalsnr=f"R-{n}", husleje="5000", aconto="600")
        for n in range(1, 30)
    ]
    content = csv_bytes(rows)
    with django_assert_max_num_queries(6):
        build_plan(organisation=estate.organisation, content=content, file_kind="csv")
