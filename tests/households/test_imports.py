"""The tenant list import: files in, preview, apply, re-import, conflicts, speed in queries."""

import io
import time
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from households.imports import COLUMN_KEYS, FileError, build_plan, read_table
from households.models import AccessLog, Flat, Household, Resident, Stairwell, TenantImport
from households.services import (
    IMPORT_ANALYZE_FROM_ROWS,
    ImportRefused,
    resident_update,
    tenant_import_apply,
    tenant_import_upload,
)
from tests import factories

HEADER = list(COLUMN_KEYS)


def row(estate, **fields) -> dict:
    values = {
        "afdeling": estate.number,
        "lejemaalsnr": "",
        "vej": "Importvej",
        "husnr": "1",
        "etage": "1",
        "doer": "tv",
        "postnr": "2650",
        "by": "Hvidovre",
        "vaerelser": "3",
        "areal": "75",
        "indflytning": "01-08-2015",
        "lejer1_fornavn": "Jørgen",
        "lejer1_efternavn": "Aagaard",
        "lejer1_foedselsaar": "1951",
        "lejer1_telefon": "20 12 34 56",
        "lejer1_email": "jorgen@example.dk",
    }
    values.update(fields)
    return values


def csv_bytes(rows: list[dict], delimiter: str = ";", bom: bool = True) -> bytes:
    lines = [delimiter.join(HEADER)]
    lines += [delimiter.join(str(r.get(key, "")) for key in HEADER) for r in rows]
    text = "\r\n".join(lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def xlsx_bytes(rows: list[dict]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for r in rows:
        sheet.append([r.get(key, "") for key in HEADER])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "lejere.csv"):
    return client.post(reverse("households:import"), {"file": _file(content, name)})


def _file(content: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


@pytest.fixture
def estate(cast):
    return cast.case_a1.household.flat.stairwell.estate


def existing_row(cast, **fields) -> dict:
    """The cast's flat of estate A1 exactly as saved (Markørvej 3, 1. tv, Agnete Markørsen)."""
    household = cast.case_a1.household
    flat = household.flat
    resident = household.residents.get()
    saved = {
        "vej": flat.stairwell.street,
        "husnr": str(flat.stairwell.number),
        "etage": str(flat.floor),
        "doer": flat.door,
        "vaerelser": str(flat.rooms),
        "areal": str(flat.area_m2),
        "indflytning": "",
        "lejer1_fornavn": resident.first_name,
        "lejer1_efternavn": resident.last_name,
        "lejer1_foedselsaar": str(resident.birth_year),
        "lejer1_telefon": "",
        "lejer1_email": "",
    }
    return row(flat.stairwell.estate, **{**saved, **fields})


def test_it_previews_then_imports_a_semicolon_csv_with_bom(client, cast, estate):
    content = csv_bytes(
        [
            existing_row(cast),
            row(
                estate,
                husnr="12B",
                etage="st",
                doer="th",
                lejer2_fornavn="Else",
                lejer2_efternavn="Aagaard",
            ),
        ]
    )
    client.force_login(cast.manager_a)
    response = upload(client, content)
    assert response.status_code == 302
    tenant_import = TenantImport.objects.get()
    preview = client.get(response.url)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Importvej 12B, st. th" in body
    assert not Stairwell.objects.filter(street="Importvej").exists()  # a preview saves nothing
    assert "lejere" not in response.url and "Aagaard" not in response.url

    response = client.post(reverse("households:import_apply", args=[tenant_import.pk]))
    assert response.status_code == 200
    flat = Flat.objects.get(stairwell__street="Importvej")
    assert (flat.floor, flat.door, flat.stairwell.letter) == (0, "th", "B")
    household = flat.households.get()
    assert str(household.moved_in_on) == "2015-08-01"
    assert [(r.first_name, r.is_contact_person) for r in household.residents.order_by("pk")] == [
        ("Jørgen", True),
        ("Else", False),
    ]
    tenant_import.refresh_from_db()
    assert tenant_import.status == "applied" and tenant_import.applied_by == cast.manager_a
    assert tenant_import.counts["create"] == 1 and tenant_import.counts["unchanged"] == 1
    assert bytes(tenant_import.content) == b""  # the file's personal data is not kept
    assert AccessLog.objects.filter(what="tenant list import", household=household).exists()


def test_it_reads_a_comma_csv_without_bom_and_an_xlsx(cast, estate):
    organisation = estate.organisation
    for content, kind in (
        (csv_bytes([row(estate)], delimiter=",", bom=False), "csv"),
        (xlsx_bytes([row(estate, husnr=7, vaerelser=4, areal=80.0)]), "xlsx"),
    ):
        plan = build_plan(organisation=organisation, content=content, file_kind=kind)
        assert plan.errors == [] and plan.counts["create"] == 1, kind


def test_it_reads_dates_and_numbers_that_excel_wrote_as_such(cast, estate):
    from datetime import datetime

    content = xlsx_bytes([row(estate, indflytning=datetime(2019, 3, 1), etage=2, vaerelser=3)])
    plan = build_plan(organisation=estate.organisation, content=content, file_kind="xlsx")
    assert plan.errors == []
    assert str(plan.rows[0].source.moved_in_on) == "2019-03-01"
    assert plan.rows[0].source.floor == 2


def test_it_accepts_danish_column_names_as_excel_users_write_them(cast, estate):
    text = (
        "Afdeling;Lejemålsnr.;Vejnavn;Husnummer;Etage;Dør;Postnummer;By;Værelser;Areal m2\n"
        f"{estate.number};101-7;Egevej;4;2.;tv.;2650;Hvidovre;2;55\n"
    )
    plan = build_plan(organisation=estate.organisation, content=text.encode(), file_kind="csv")
    assert plan.errors == []
    source = plan.rows[0].source
    assert (source.tenancy_number, source.floor, source.door) == ("101-7", 2, "tv")


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"postnr": "265"}, "Postnummer", "ikke et dansk postnummer"),
        ({"postnr": "0650"}, "Postnummer", "ikke et dansk postnummer"),
        ({"husnr": ""}, "Husnummer", "Husnummeret mangler"),
        ({"husnr": "12-14"}, "Husnummer", "ikke et husnummer"),
        ({"etage": "tredje"}, "Etage", "ikke en etage"),
        ({"etage": "41"}, "Etage", "ikke en etage"),
        ({"doer": "til venstre"}, "Dør", "ikke en dør"),
        ({"vej": "V" * 101}, "Vej", "Højst 100 tegn"),
        ({"vej": ""}, "Vej", "Vej mangler"),
        ({"by": ""}, "By", "By mangler"),
        ({"afdeling": ""}, "Afdelingsnummer", "Afdelingsnummer mangler"),
        ({"afdeling": "999"}, "Afdelingsnummer", "Ukendt afdeling"),
        ({"vaerelser": "0"}, "Værelser", "ikke et helt tal fra 1 til 12"),
        ({"vaerelser": "tre"}, "Værelser", "ikke et helt tal"),
        ({"areal": ""}, "Areal (m²)", "Areal (m²) mangler"),
        ({"indflytning": "31-02-2015"}, "Indflytning", "ikke en dato"),
        ({"indflytning": "01-01-2999"}, "Indflytning", "ikke en dato"),
        ({"lejer1_email": "jorgen@"}, "Lejer 1 e-mail", "ikke en e-mailadresse"),
        ({"lejer1_telefon": "ring til datteren"}, "Lejer 1 telefon", "ikke et telefonnummer"),
        ({"lejer1_foedselsaar": "51"}, "Lejer 1 fødselsår", "ikke et helt tal fra 1900"),
        ({"lejer1_efternavn": ""}, "Lejer 1 efternavn", "Efternavnet mangler"),
        ({"lejer1_fornavn": "", "lejer1_efternavn": ""}, "Lejer 1 fornavn", "skal have et navn"),
        ({"lejemaalsnr": "x" * 31}, "Lejemålsnummer", "Højst 30 tegn"),
    ],
)
def test_it_names_the_row_and_column_of_every_error_in_danish(
    client, cast, estate, fields, column, message
):
    content = csv_bytes([row(estate, husnr="2"), row(estate, **fields)])
    client.force_login(cast.manager_a)
    response = upload(client, content)
    assert response.status_code == 302
    body = client.get(response.url).content.decode()
    assert "Række 3" in body and column in body and message in body, body[:0]
    tenant_import = TenantImport.objects.get()
    response = client.post(reverse("households:import_apply", args=[tenant_import.pk]))
    assert response.status_code == 302
    assert not Stairwell.objects.filter(street="Importvej").exists()  # the good row waits too


def test_it_reports_the_same_flat_twice_in_the_file(cast, estate):
    content = csv_bytes([row(estate), row(estate, lejer1_fornavn="Anden")])
    plan = build_plan(organisation=estate.organisation, content=content, file_kind="csv")
    assert [(e.row, e.message) for e in plan.errors] == [(3, "Samme bolig som række 2.")]


def test_it_reports_an_address_of_another_estate(cast, estate):
    other = cast.case_a2.household.flat.stairwell
    content = csv_bytes([row(estate, vej=other.street, husnr=str(other.number))])
    plan = build_plan(organisation=estate.organisation, content=content, file_kind="csv")
    assert plan.errors[0].message.startswith("Adressen hører til en anden afdeling")


def test_it_does_not_know_another_organisations_estates(cast):
    estate_b1 = cast.case_b1.household.flat.stairwell.estate
    estate_a1 = cast.case_a1.household.flat.stairwell.estate
    content = csv_bytes([row(estate_b1)])
    plan = build_plan(organisation=estate_a1.organisation, content=content, file_kind="csv")
    assert "Ukendt afdeling" in plan.errors[0].message


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "tom.csv", "Den indsendte fil er tom"),
        (b"\n;;\n", "tom.csv", "Filen er tom"),
        (b"afdeling;vej\n1;Egevej\n", "lejere.csv", "Filen mangler disse kolonner: Husnummer"),
        ("afdeling;vej\n1;Ærtevej\n".encode("cp1252"), "lejere.csv", "ikke UTF-8"),
        (b"not a workbook", "lejere.xlsx", "kan ikke læses som en Excel-projektmappe"),
        (b"a;b", "lejere.txt", "Upload en CSV- eller XLSX-fil"),
    ],
)
def test_it_refuses_a_file_it_cannot_read_and_saves_nothing(client, cast, content, name, message):
    client.force_login(cast.manager_a)
    response = upload(client, content, name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TenantImport.objects.exists()


def _broken_workbook(estate, change) -> bytes:
    """A workbook of 40 good rows whose parts `change(name, data)` alters (None drops one)."""
    good = xlsx_bytes([row(estate, husnr=str(n)) for n in range(1, 41)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda name, data: None if name == SHEET else data, id="no sheet"),
        pytest.param(
            lambda name, data: data[: len(data) * 2 // 3] if name == SHEET else data,
            id="sheet cut short",
        ),
        pytest.param(
            lambda name, data: (
                data.replace(b'<row r="30"', b'<row r="30"<', 1) if name == SHEET else data
            ),
            id="broken XML after the first rows",
        ),
        pytest.param(
            lambda name, data: data.replace(b'r="A30"', b'r="!!"', 1) if name == SHEET else data,
            id="a cell with a bad reference",
        ),
    ],
)
def test_it_refuses_a_damaged_workbook_with_a_message_and_saves_nothing(
    client, cast, estate, change
):
    """A zip that is a workbook on the outside but broken within (its sheet gone, cut short,
    bad XML further down): the same message as for any unreadable file, not an error page."""
    client.force_login(cast.manager_a)
    response = upload(client, _broken_workbook(estate, change), "lejere.xlsx")
    assert response.status_code == 400
    assert "kan ikke læses som en Excel-projektmappe" in response.content.decode()
    assert not TenantImport.objects.exists()


def test_it_imports_the_downloaded_templates_without_errors(client, cast, estate):
    client.force_login(cast.manager_a)
    csv_content = b"".join(client.get(reverse("households:import_template_csv")).streaming_content)
    xlsx_response = client.get(reverse("households:import_template_xlsx"))
    assert csv_content.startswith(b"\xef\xbb\xbf")
    header, rows = read_table(csv_content, "csv")
    assert header == HEADER and len(rows) == 1
    workbook = load_workbook(io.BytesIO(b"".join(xlsx_response.streaming_content)), read_only=True)
    assert [c.value for c in next(workbook.worksheets[0].iter_rows())] == HEADER
    # the example row with this estate's number is a good row
    example = csv_content.decode("utf-8-sig").replace("\n101;", f"\n{estate.number};")
    plan = build_plan(organisation=estate.organisation, content=example.encode(), file_kind="csv")
    assert plan.errors == [] and plan.counts["create"] == 1


def _import(organisation, by, content, kind="csv"):
    tenant_import = tenant_import_upload(
        organisation=organisation, by=by, content=content, file_kind=kind
    )
    return tenant_import_apply(tenant_import=tenant_import, by=by), tenant_import


def _snapshot():
    return (
        sorted(Flat.objects.values_list("pk", "rooms", "area_m2", "tenancy_number")),
        sorted(Household.objects.values_list("pk", "flat_id", "version", "moved_in_on")),
        sorted(Resident.objects.values_list("pk", "household_id", "version", "phone", "email")),
        Stairwell.objects.count(),
    )


def test_it_changes_nothing_when_the_same_file_is_imported_twice(cast, estate):
    rows = [row(estate, husnr=str(n), lejemaalsnr=f"T-{n}") for n in range(1, 6)]
    rows.append(
        row(
            estate,
            husnr="9",
            lejer1_fornavn="",
            lejer1_efternavn="",
            lejer1_telefon="",
            lejer1_email="",
            lejer1_foedselsaar="",
        )
    )
    content = csv_bytes(rows)
    first, _ = _import(estate.organisation, cast.manager_a, content)
    assert first.counts["create"] == 6
    before = _snapshot()
    second, run = _import(estate.organisation, cast.manager_a, content)
    assert second.counts["unchanged"] == 6 and second.counts["update"] == 0
    assert _snapshot() == before
    with pytest.raises(ImportRefused):
        tenant_import_apply(tenant_import=run, by=cast.manager_a)


def test_it_updates_what_changed_and_shows_old_and_new(client, cast, estate):
    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate, lejemaalsnr="T-1")]))
    household = Household.objects.get(flat__tenancy_number="T-1")
    changed = row(
        estate,
        lejemaalsnr="T-1",
        vaerelser="4",
        lejer1_telefon="+45 31 31 31 31",
        lejer1_fornavn="jorgen",
        lejer1_efternavn="Ågård",  # the same person, spelt as another system writes him
        lejer2_fornavn="Else",
        lejer2_efternavn="Aagaard",
    )
    client.force_login(cast.manager_a)
    response = upload(client, csv_bytes([changed]))
    body = client.get(response.url).content.decode()
    assert "<del>3</del>" in body and "<ins>4</ins>" in body
    assert "<del>20 12 34 56</del>" in body and "<ins>+45 31 31 31 31</ins>" in body
    client.post(reverse("households:import_apply", args=[TenantImport.objects.first().pk]))
    flat = Flat.objects.get(tenancy_number="T-1")
    assert flat.rooms == 4
    names = sorted(household.residents.values_list("first_name", "phone"))
    assert names == [("Else", ""), ("Jørgen", "+45 31 31 31 31")]
    household.refresh_from_db()
    assert household.version == 2


def test_it_matches_a_phone_written_otherwise_as_unchanged(cast, estate):
    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate)]))
    plan = build_plan(
        organisation=estate.organisation,
        content=csv_bytes([row(estate, lejer1_telefon="+4520123456")]),
        file_kind="csv",
    )
    assert plan.counts["unchanged"] == 1


def test_it_reports_flats_missing_from_the_file_and_deletes_none(client, cast, estate):
    _import(
        estate.organisation,
        cast.manager_a,
        csv_bytes([row(estate, husnr="1"), row(estate, husnr="2")]),
    )
    client.force_login(cast.manager_a)
    response = upload(client, csv_bytes([row(estate, husnr="1")]))
    body = client.get(response.url).content.decode()
    assert "Importvej 2, 1. tv" in body and "Markørvej 3, 1. tv" in body
    client.post(reverse("households:import_apply", args=[TenantImport.objects.first().pk]))
    assert Flat.objects.filter(stairwell__street="Importvej").count() == 2
    assert TenantImport.objects.first().counts["disappeared"] == 2


def test_it_does_not_overwrite_a_household_changed_after_the_preview(cast, estate):
    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate)]))
    resident = Resident.objects.get(first_name="Jørgen")
    tenant_import = tenant_import_upload(
        organisation=estate.organisation,
        by=cast.manager_a,
        content=csv_bytes([row(estate, lejer1_telefon="40404040", vaerelser="2")]),
        file_kind="csv",
    )
    # a caseworker corrects the phone while the manager reads the preview
    resident_update(resident=resident, expected_version=resident.version, data=_data(resident))
    plan = tenant_import_apply(tenant_import=tenant_import, by=cast.manager_a)
    assert plan.counts["conflict"] == 1
    resident.refresh_from_db()
    assert resident.phone == "22222222"
    assert Flat.objects.get(stairwell__street="Importvej").rooms == 3  # the row waits whole


def _data(resident):
    from households.services import RESIDENT_EDITABLE_FIELDS

    data = {name: getattr(resident, name) for name in RESIDENT_EDITABLE_FIELDS}
    return {**data, "phone": "22222222"}


def test_it_leaves_a_flat_with_other_tenants_to_a_person(cast, estate):
    plan, _ = _import(
        estate.organisation,
        cast.manager_a,
        csv_bytes([existing_row(cast, lejer1_fornavn="Helt", lejer1_efternavn="Andersen")]),
    )
    assert plan.counts["conflict"] == 1
    assert "ny lejer" in plan.of("conflict")[0].conflict
    assert not Resident.objects.filter(first_name="Helt").exists()


def _many_rows(estate, count: int) -> bytes:
    return csv_bytes(
        [
            row(
                estate,
                lejemaalsnr=f"T-{n}",
                husnr=str(n // 24 + 1),
                etage=str(n % 24 // 3),
                doer=("tv", "mf", "th")[n % 3],
                lejer1_fornavn=f"Person{n}",
                lejer1_telefon=f"2{n:07d}",
                lejer1_email=f"p{n}@example.dk",
            )
            for n in range(count)
        ]
    )


def test_it_imports_with_a_number_of_queries_that_does_not_grow_with_rows(
    cast, estate, django_assert_max_num_queries
):
    for count in (20, 400):
        content = _many_rows(estate, count)
        with django_assert_max_num_queries(25):
            _import(estate.organisation, cast.manager_a, content)
        # the second time: everything changes (rooms), still the same number of queries
        content = content.replace(b";3;75;", b";4;75;")
        with django_assert_max_num_queries(25):
            plan, _ = _import(estate.organisation, cast.manager_a, content)
        assert plan.counts["update"] == count
        Flat.objects.filter(tenancy_number__startswith="T-").update(tenancy_number="old")


def test_it_imports_a_file_of_5000_rows(cast, estate, django_assert_max_num_queries):
    content = _many_rows(estate, 5000)
    with django_assert_max_num_queries(25):
        plan, _ = _import(estate.organisation, cast.manager_a, content)
    assert plan.counts["create"] == 5000
    assert Resident.objects.filter(first_name__startswith="Person").count() == 5000
    plan, _ = _import(estate.organisation, cast.manager_a, content)
    assert plan.counts["unchanged"] == 5000


def test_a_large_import_leaves_the_planner_fresh_statistics(cast, estate):
    """The next import's queries are planned for the tables as they are now, not as they were
    (empty): without it one SELECT of a 5,000-row import ran for over ten minutes."""
    from django.db import connection

    def estimated_rows(model) -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table]
            )
            return cursor.fetchone()[0]

    with connection.cursor() as cursor:  # the estimates of tables as small as the cast's
        cursor.execute("ANALYZE households_flat, households_household, households_resident")
    assert all(estimated_rows(model) < 100 for model in (Flat, Household, Resident))

    _import(estate.organisation, cast.manager_a, _many_rows(estate, IMPORT_ANALYZE_FROM_ROWS))

    for model in (Flat, Household, Resident):
        assert estimated_rows(model) >= IMPORT_ANALYZE_FROM_ROWS, model


# --- who may ------------------------------------------------------------------------------------


def test_it_sends_the_anonymous_to_the_login(client, cast):
    for name in ("households:import", "households:import_template_csv", "households:duplicates"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/konto/login/" in response.url


@pytest.mark.parametrize(
    "who",
    ["caseworker_a1", "rehousing_officer_a1", "bridge_builder_a", "visitator", "caretaker_a1"],
)
def test_it_lets_only_managers_import(client, cast, who, estate):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("households:import")).status_code == 403
    assert client.get(reverse("households:import_template_xlsx")).status_code == 403
    response = upload(client, csv_bytes([row(estate)]))
    assert response.status_code == 403
    assert not TenantImport.objects.exists()


def test_it_hides_another_organisations_import(client, cast, estate):
    tenant_import = tenant_import_upload(
        organisation=estate.organisation,
        by=cast.manager_a,
        content=csv_bytes([row(estate)]),
        file_kind="csv",
    )
    client.force_login(cast.manager_b)
    preview = client.get(reverse("households:import_preview", args=[tenant_import.pk]))
    assert preview.status_code == 404 and "Aagaard" not in preview.content.decode()
    apply = client.post(reverse("households:import_apply", args=[tenant_import.pk]))
    assert apply.status_code == 404
    assert not Stairwell.objects.filter(street="Importvej").exists()


def test_it_answers_a_wrong_method(client, cast, estate):
    tenant_import = tenant_import_upload(
        organisation=estate.organisation,
        by=cast.manager_a,
        content=csv_bytes([row(estate)]),
        file_kind="csv",
    )
    client.force_login(cast.manager_a)
    assert (
        client.get(reverse("households:import_apply", args=[tenant_import.pk])).status_code == 405
    )
    assert (
        client.post(reverse("households:import_preview", args=[tenant_import.pk])).status_code
        == 405
    )
    assert client.delete(reverse("households:import")).status_code == 405


def test_it_lets_a_manager_of_two_organisations_choose(client, cast, estate):
    from households.services import organisation_add_manager

    organisation_b = cast.case_b1.household.flat.stairwell.estate.organisation
    organisation_add_manager(organisation=organisation_b, user=cast.manager_a)
    client.force_login(cast.manager_a)
    body = client.get(reverse("households:import")).content.decode()
    assert "Boligselskabet A" in body and "Boligselskabet B" in body
    response = client.post(
        reverse("households:import"),
        {"file": _file(csv_bytes([row(estate)]), "l.csv"), "organisation": organisation_b.pk},
    )
    assert "Ukendt afdeling" in client.get(response.url).content.decode()


def test_the_other_estate_of_a_flat_created_by_a_factory_is_untouched(cast, estate):
    other = factories.make_flat(factories.make_stairwell(estate, street="Urørtvej", number=5))
    _import(estate.organisation, cast.manager_a, csv_bytes([row(estate)]))
    assert Flat.objects.filter(pk=other.pk).exists()


def test_it_tells_a_mother_from_her_baby_of_the_same_name(cast, estate):
    _import(
        estate.organisation,
        cast.manager_a,
        csv_bytes(
            [
                row(
                    estate,
                    lejer1_fornavn="Noor",
                    lejer1_efternavn="Nasser",
                    lejer1_foedselsaar="1995",
                )
            ]
        ),
    )
    household = Household.objects.get(flat__stairwell__street="Importvej")
    Resident.objects.create(
        household=household, first_name="Noor", last_name="Nasser", birth_year=2025
    )
    plan = build_plan(
        organisation=estate.organisation,
        content=csv_bytes(
            [
                row(
                    estate,
                    lejer1_fornavn="Noor",
                    lejer1_efternavn="Nasser",
                    lejer1_foedselsaar="1995",
                )
            ]
        ),
        file_kind="csv",
    )
    assert plan.counts["unchanged"] == 1, plan.rows[0].changes


def bomb_xlsx(rows: int, *, dimension: bool) -> bytes:
    """A workbook of `rows` rows under 100 kB zipped, written part by part (no openpyxl)."""
    header = "".join(
        f'<c r="{get_column_letter(i)}1" t="inlineStr"><is><t>{key}</t></is></c>'
        for i, key in enumerate(HEADER, 1)
    )
    body = '<row><c t="inlineStr"><is><t>x</t></is></c></row>' * rows  # "r" is optional
    declared = f'<dimension ref="A1:{get_column_letter(len(HEADER))}{rows + 1}"/>'
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
            'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            'worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
            '<sheet name="Lejere" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0"?><worksheet xmlns="{ns}">{declared if dimension else ""}'
            f'<sheetData><row r="1">{header}</row>{body}</sheetData></worksheet>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize("dimension", [True, False], ids=["declared", "undeclared"])
def test_it_refuses_an_xlsx_bomb_of_200000_rows_in_under_a_second(client, cast, dimension):
    content = bomb_xlsx(200_000, dimension=dimension)
    assert len(content) < 100_000
    client.force_login(cast.manager_a)
    upload(client, b"afdeling;vej\n1;Egevej\n")  # the page's templates and catalogue loaded
    started = time.perf_counter()
    response = upload(client, content, "lejere.xlsx")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert "Filen har mere end 20000 rækker" in response.content.decode()
    assert elapsed < 1.0, elapsed
    assert not TenantImport.objects.exists()


def test_a_bomb_of_few_rows_and_many_columns_is_refused_at_its_header(cast, estate):
    wide = [*HEADER, *(f"ekstra{i}" for i in range(200))]
    workbook = Workbook()
    workbook.active.append(wide)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(FileError, match="mere end 100 kolonner"):
        read_table(buffer.getvalue(), "xlsx")


def test_the_preview_counts_in_the_singular_and_the_plural(client, cast, estate):
    client.force_login(cast.manager_a)
    one = upload(client, csv_bytes([row(estate, husnr="2"), row(estate, husnr="2")]))
    body = client.get(one.url).content.decode()
    assert "<strong>1</strong> ny bolig" in body
    assert "<strong>1</strong> række med fejl" in body
    TenantImport.objects.all().delete()
    two = upload(client, csv_bytes([row(estate, husnr="2"), row(estate, husnr="3")]))
    body = client.get(two.url).content.decode()
    assert "<strong>2</strong> nye boliger" in body
    assert "<strong>0</strong> rækker med fejl" in body
