"""A stairwell schedule from a CSV or XLSX file: read with the tenant import's readers
(households.imports), each row checked, errors by row and column in the user's language.

Columns: opgang (or vej and husnr), varsel, nedpakning, udflytning, hjemflytning. A date is
dd-mm-åååå, dd.mm.åååå or åååå-mm-dd (or an Excel date); an empty cell is no date.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Project
from cases.planning.services import check_schedule_row, schedule_fields
from households.imports import (
    DATE_FORMATS,
    FileError,
    RowError,
    _read_csv,
    _read_xlsx,
    header_key,
)
from households.models import Stairwell

MAX_ROWS = 1000

COLUMNS = {  # header key -> schedule field
    "varsel": "notice_on",
    "nedpakning": "packing_on",
    "udflytning": "move_out_on",
    "hjemflytning": "return_on",
}
FIELD_LABELS = {
    "opgang": gettext_lazy("Stairwell"),
    "vej": gettext_lazy("Street"),
    "husnr": gettext_lazy("House number"),
    "notice_on": gettext_lazy("Notice"),
    "packing_on": gettext_lazy("Packing"),
    "move_out_on": gettext_lazy("Move-out"),
    "return_on": gettext_lazy("Return"),
}
ALIASES = {
    "varsling": "varsel",
    "pakning": "nedpakning",
    "fraflytning": "udflytning",
    "genhusning": "udflytning",
    "hjemkomst": "hjemflytning",
    "retur": "hjemflytning",
}


@dataclass
class ScheduleFile:
    """The dates per stairwell id (only the columns of the file), the errors by row and column."""

    dates: dict[int, dict[str, date | None]]
    errors: list[RowError]


def _key(text: object) -> str:
    key = header_key(text)
    return ALIASES.get(key, key)


def _house(text: str) -> tuple[str, int, str] | None:
    match = re.fullmatch(r"\s*(.*?)\s+(\d{1,4})\s*([A-Za-z]?)\s*", text)
    if not match or not match[1]:
        return None
    return match[1].strip().lower(), int(match[2]), match[3].upper()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _date(value: object) -> date | str | None:
    """The date, None for an empty cell, or the text that is not a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell_text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return text


def read_schedule_file(*, project: Project, content: bytes, file_kind: str) -> ScheduleFile:
    """Check every row of the file against the project's stairwells. Raises FileError when the
    file as a whole cannot be read."""
    rows = _read_xlsx(content) if file_kind == "xlsx" else _read_csv(content)
    raw = [row for row in rows if any(_cell_text(cell) for cell in row)]
    if not raw:
        raise FileError(_("The file is empty."))
    header = [_key(cell) for cell in raw[0]]
    if "opgang" not in header and not {"vej", "husnr"} <= set(header):
        raise FileError(_("The file needs a column “opgang” (or “vej” and “husnr”)."))
    if "udflytning" not in header:
        raise FileError(_("The file needs a column “udflytning”."))
    if len(raw) - 1 > MAX_ROWS:
        raise FileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})

    fields = schedule_fields(project)
    affected = {
        (s.street.lower(), s.number, s.letter): s
        for s in project.stairwells.all()  # type: ignore[attr-defined]
    }
    in_estate = {
        (s.street.lower(), s.number, s.letter)
        for s in Stairwell.objects.filter(estate_id=project.estate_id)
    }
    dates: dict[int, dict[str, date | None]] = {}
    first_row: dict[int, int] = {}
    errors: list[RowError] = []
    for number, cells in enumerate(raw[1:], start=2):  # row 1 is the header, as Excel counts
        row = dict(zip(header, cells, strict=False))
        where = "opgang" if "opgang" in header else "husnr"
        address = (
            _cell_text(row.get("opgang"))
            if "opgang" in header
            else f"{_cell_text(row.get('vej'))} {_cell_text(row.get('husnr'))}"
        )
        key = _house(address)

        def error(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, str(FIELD_LABELS[column]), message))

        if key is None:
            message = _(
                "'%(value)s' is not a stairwell: write street and house number (Kløvermarken 3A)."
            )
            error(where, message % {"value": address[:60]})
            continue
        stairwell = affected.get(key)
        if stairwell is None:
            if key in in_estate:
                message = _("%(stairwell)s is not one of the project's stairwells.")
            else:
                message = _("%(stairwell)s is not a stairwell of the estate %(estate)s.")
            error(where, message % {"stairwell": address, "estate": project.estate.name})
            continue
        if stairwell.pk in first_row:
            error(where, _("The same stairwell as row %(row)s.") % {"row": first_row[stairwell.pk]})
            continue
        first_row[stairwell.pk] = number
        values: dict[str, date | None] = {}
        failed = False
        for column, field in COLUMNS.items():
            if field not in fields or column not in header:
                continue  # a column the file leaves out keeps the saved dates
            value = _date(row.get(column))
            if isinstance(value, str):
                message = _("'%(value)s' is not a date: write dd-mm-åååå (31-12-2026).")
                error(field, message % {"value": value[:20]})
                failed = True
            else:
                values[field] = value
        if failed:
            continue
        for field, message in check_schedule_row(values):
            error(field, message)
            failed = True
        if not failed:
            dates[stairwell.pk] = values
    return ScheduleFile(dates=dates, errors=errors)
