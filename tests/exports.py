"""Reading an export back in tests: the rows of a CSV or XLSX answer, and its access log."""

import csv
import io

from openpyxl import load_workbook

from core.exports import XLSX_TYPE
from households.models import AccessAction, AccessLog


def content_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = content_of(response).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the byte order mark to read UTF-8"
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def read_xlsx(response) -> list[list]:
    assert response["Content-Type"] == XLSX_TYPE
    workbook = load_workbook(io.BytesIO(content_of(response)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_export(response) -> list[list]:
    """Header first; both formats, cells as text ("" for an empty one) so they compare alike."""
    if response["Content-Type"] == XLSX_TYPE:
        rows = read_xlsx(response)
        width = max((len(row) for row in rows), default=0)  # empty trailing cells are not stored
        return [
            ["" if value is None else _text(value) for value in row] + [""] * (width - len(row))
            for row in rows
        ]
    return read_csv(response)


def _text(value) -> str:
    if hasattr(value, "strftime"):
        return (
            value.strftime("%d-%m-%Y")
            if not value.hour and not value.minute
            else (value.strftime("%d-%m-%Y %H:%M"))
        )
    return str(value)


def export_log(user) -> list[AccessLog]:
    return list(AccessLog.objects.filter(user_id=user.pk, action=AccessAction.EXPORT))
