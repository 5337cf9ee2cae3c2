"""Writing a table as CSV or XLSX: the one place every list export goes through.

CSV is written the way Danish Excel opens it without asking: UTF-8 with a byte order mark, `;`
between fields, dates as dd-mm-yyyy. XLSX is written by openpyxl in write-only mode to a temporary
file (constant memory however long the list) with real dates shown as dd-mm-yyyy. Both read the
rows as they write them: a view may pass a generator over `queryset.iterator()`.

A cell that starts with = + - @ (or a tab or carriage return) would be run as a formula by a
spreadsheet (`=HYPERLINK(...)` in a resident's name); such text gets a leading apostrophe in both
formats, so it is shown, never run.
"""

import csv
import functools
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from itertools import chain, islice

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd-mm-yyyy"
DATETIME_FORMAT = "dd-mm-yyyy hh:mm"
WIDTH_SAMPLE = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | Promise | int | float | Decimal | bool | date | datetime | None


def export_urls(route: str, view: Callable, name: str) -> list[URLPattern]:
    """`route`.csv and `route`.xlsx, named `name`_csv and `name`_xlsx; the view gets `fmt`."""
    return [path(f"{route}.{fmt}", view, {"fmt": fmt}, name=f"{name}_{fmt}") for fmt in FORMATS]


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def csv_text(value: Cell) -> str:
    if type(value) is str:  # most cells: the fast path first
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return f"{_local(value):%d-%m-%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d-%m-%Y}"
    if isinstance(value, int | float | Decimal):
        return str(value)
    return neutralise(str(value))


def _xlsx_cell(new_cell: Callable, value: Cell):
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        cell = new_cell(value=_local(value).replace(tzinfo=None))
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = new_cell(value=datetime.combine(value, time()))
        cell.number_format = DATE_FORMAT
        return cell
    if value is None or isinstance(value, int | float | Decimal):
        return value
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_LINES_A_CHUNK = 500  # sent together: one write to the client, not one a row


def _csv_lines(headers: Sequence[Cell], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")  # ; is what Excel expects in Denmark
    yield "\ufeff" + writer.writerow([csv_text(header) for header in headers])
    rows = iter(rows)
    while lines := [
        writer.writerow([csv_text(value) for value in row])
        for row in islice(rows, CSV_LINES_A_CHUNK)
    ]:
        yield "".join(lines)


def _xlsx_file(title: str, headers: Sequence[Cell], rows: Iterable[Sequence[Cell]]):
    """The workbook in a temporary file: write-only mode keeps one row in memory at a time."""
    # openpyxl is imported here, when a workbook is written: this module is loaded at every
    # start-up (households/audit.py logs each export), openpyxl takes a seventh of a second.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit for a sheet name
    sheet.freeze_panes = "A2"
    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE))
    # Write-only mode takes widths before the rows: sized to the header and the first rows.
    for index, header in enumerate(headers):
        longest = max([len(str(header)), *(len(csv_text(row[index])) for row in first)])
        sheet.column_dimensions[get_column_letter(index + 1)].width = max(10, min(50, longest + 2))
    bold = Font(bold=True)
    heading = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=neutralise(str(header)))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    new_cell = functools.partial(WriteOnlyCell, sheet)
    for row in chain(first, rows):
        sheet.append([_xlsx_cell(new_cell, value) for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response that sends it
    workbook.save(file)
    file.seek(0)
    return file


def table_response(
    *, fmt: str, filename: str, headers: Sequence[Cell], rows: Iterable[Sequence[Cell]]
) -> HttpResponse | StreamingHttpResponse:
    """The table as a download: `filename` (without extension) gets today's date and `fmt`."""
    name = f"{filename}-{timezone.localdate():%Y-%m-%d}.{fmt}"
    response: StreamingHttpResponse
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        response = FileResponse(_xlsx_file(filename, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
