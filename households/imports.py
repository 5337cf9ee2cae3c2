"""The tenant list from the housing organisation's system: read, check and compare with ours.

Plain functions, no writes: `read_table` turns a CSV or XLSX file into rows, `parse_rows`
checks every row, `build_plan` compares the good rows with what is saved (a fixed number of
queries, whatever the number of rows). `households.services.tenant_import_apply` writes a plan.
"""

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.db import AnyOf
from households.models import Estate, Flat, Household, Organisation, Resident, Stairwell

MAX_ROWS = 20000
MAX_TENANTS = 2


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # a lazy translation
    required: bool
    example: str
    help: object


TENANT_FIELDS = ("first_name", "last_name", "birth_year", "phone", "email")

COLUMNS: tuple[Column, ...] = (
    Column(
        "afdeling", gettext_lazy("Estate number"), True, "101", gettext_lazy("As in our system.")
    ),
    Column(
        "lejemaalsnr",
        gettext_lazy("Tenancy number"),
        False,
        "101-0012",
        gettext_lazy("Recommended: recognises the flat even if the address is written otherwise."),
    ),
    Column("vej", gettext_lazy("Street"), True, "Egevej", ""),
    Column("husnr", gettext_lazy("House number"), True, "12B", gettext_lazy("With its letter.")),
    Column(
        "etage",
        gettext_lazy("Floor"),
        False,
        "2",
        gettext_lazy("st for the ground floor, kl for the basement; empty for a house."),
    ),
    Column("doer", gettext_lazy("Door"), False, "tv", gettext_lazy("tv, th, mf or a number.")),
    Column("postnr", gettext_lazy("Postcode"), True, "2650", gettext_lazy("Four digits.")),
    Column("by", gettext_lazy("City"), True, "Hvidovre", ""),
    Column("vaerelser", gettext_lazy("Rooms"), True, "3", "1–12"),
    Column("areal", gettext_lazy("Area (m²)"), True, "75", "10–400"),
    Column(
        "husleje",
        gettext_lazy("Net rent (kr. a month)"),
        False,
        "5123,50",
        gettext_lazy("Without a-conto. Empty or no column: the rent saved is kept."),
    ),
    Column(
        "aconto",
        gettext_lazy("A-conto heating and water (kr. a month)"),
        False,
        "650,00",
        gettext_lazy("Empty or no column: the amount saved is kept."),
    ),
    Column(
        "indflytning",
        gettext_lazy("Moved in"),
        False,
        "01-08-2015",
        gettext_lazy("The start of the lease: dd-mm-åååå."),
    ),
    *(
        column
        for n in range(1, MAX_TENANTS + 1)
        for column in (
            Column(f"lejer{n}_fornavn", gettext_lazy("Tenant %(n)s first name"), False, "", ""),
            Column(f"lejer{n}_efternavn", gettext_lazy("Tenant %(n)s last name"), False, "", ""),
            Column(f"lejer{n}_foedselsaar", gettext_lazy("Tenant %(n)s birth year"), False, "", ""),
            Column(f"lejer{n}_telefon", gettext_lazy("Tenant %(n)s phone"), False, "", ""),
            Column(f"lejer{n}_email", gettext_lazy("Tenant %(n)s e-mail"), False, "", ""),
        )
    ),
)
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
EXAMPLE_TENANTS = (
    ("Jørgen", "Aagaard", "1951", "20 12 34 56", "jorgen@example.dk"),
    ("Else", "Aagaard", "1953", "", ""),
)


def column_label(key: str) -> str:
    column = next(c for c in COLUMNS if c.key == key)
    n = key[5] if key.startswith("lejer") else ""
    return str(column.label) % {"n": n} if n else str(column.label)


def column_rows() -> list[dict]:
    """The columns for the page that documents them."""
    return [
        {
            "key": c.key,
            "label": column_label(c.key),
            "required": c.required,
            "example": c.example,
            "help": c.help,
        }
        for c in COLUMNS
    ]


def example_row() -> list[str]:
    row = {column.key: column.example for column in COLUMNS}
    for n, tenant in enumerate(EXAMPLE_TENANTS, start=1):
        for name, value in zip(
            ("fornavn", "efternavn", "foedselsaar", "telefon", "email"), tenant, strict=True
        ):
            row[f"lejer{n}_{name}"] = value
    return [row[key] for key in COLUMN_KEYS]


# --- reading the file ---------------------------------------------------------------------------


class FileError(Exception):
    """The file as a whole cannot be read (the message is shown to the user)."""


def header_key(text: object) -> str:
    """'Lejemålsnr.' -> 'lejemaalsnr', 'Dør' -> 'doer', 'Lejer 1 fornavn' -> 'lejer1_fornavn'."""
    value = str(text or "").strip().lower()
    for danish, ascii_ in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        value = value.replace(danish, ascii_)
    value = re.sub(r"[^a-z0-9]+", "_", value).strip("_")
    value = re.sub(r"^lejer_?(\d)_?", r"lejer\1_", value)
    return HEADER_ALIASES.get(value, value)


HEADER_ALIASES = {
    "afdelingsnr": "afdeling",
    "afd": "afdeling",
    "afd_nr": "afdeling",
    "lejemaal": "lejemaalsnr",
    "lejemaalsnummer": "lejemaalsnr",
    "lejemaal_nr": "lejemaalsnr",
    "vejnavn": "vej",
    "gade": "vej",
    "husnummer": "husnr",
    "sal": "etage",
    "dor": "doer",
    "doer_side": "doer",
    "side": "doer",
    "postnummer": "postnr",
    "bynavn": "by",
    "antal_vaerelser": "vaerelser",
    "rum": "vaerelser",
    "m2": "areal",
    "areal_m2": "areal",
    "boligareal": "areal",
    "indflytningsdato": "indflytning",
    "lejestart": "indflytning",
    "nettoleje": "husleje",
    "leje": "husleje",
    "husleje_netto": "husleje",
    "husleje_kr": "husleje",
    "maanedlig_leje": "husleje",
    "a_conto": "aconto",
    "aconto_varme_vand": "aconto",
    "aconto_varme_og_vand": "aconto",
    "acontobidrag": "aconto",
}


MAX_COLUMNS = 100
# An XLSX is a zip: what it may hold unpacked, before a single cell is parsed. A sheet of
# MAX_ROWS full rows is far below; a "bomb" (a small zip of a huge sheet) is not.
MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")


def _too_many_rows() -> FileError:
    return FileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})


def read_table(content: bytes, file_kind: str) -> tuple[list[str], list[list[object]]]:
    """The header keys and the data rows (each as long as the header).

    Streamed: the header's columns are checked before any further row is read, and reading
    stops at the first row past MAX_ROWS. An XLSX's sizes and declared dimension are checked
    before the sheet is opened."""
    raw = _read_xlsx(content) if file_kind == "xlsx" else _read_csv(content)
    filled = (row for row in raw if any(str(cell or "").strip() for cell in row))
    first = next(filled, None)
    if first is None:
        raise FileError(_("The file is empty."))
    header = [header_key(cell) for cell in first]
    while header and not header[-1]:
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise FileError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
    missing = [column_label(c.key) for c in COLUMNS if c.required and c.key not in header]
    if missing:
        raise FileError(
            _("The file lacks these columns: %(columns)s. Use the template.")
            % {"columns": ", ".join(missing)}
        )
    width = len(header)
    rows: list[list[object]] = []
    for row in filled:
        if len(rows) == MAX_ROWS:
            raise _too_many_rows()
        cells = list(row[:width])
        rows.append(cells + [""] * (width - len(cells)))
    return header, rows


def _read_csv(content: bytes) -> Iterator[list[object]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(
            _("The file is not UTF-8. Save it as 'CSV UTF-8' in Excel, or upload the XLSX file.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return (list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _check_xlsx_sizes(content: bytes) -> None:
    """Refuse a workbook whose unpacked parts are too large, or whose first sheet declares more
    rows or columns than allowed, from the zip's directory and the sheet's first bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
                raise _too_many_rows()
            sheets = sorted(
                part.filename
                for part in parts
                if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", part.filename)
            )
            if not sheets:
                return  # openpyxl says what is wrong
            with archive.open(sheets[0]) as sheet:
                head = sheet.read(4096)
                found = _DIMENSION.search(head)
                if found is None:  # openpyxl would parse the whole sheet to learn its size
                    _count_rows(head, sheet)
    except (zipfile.BadZipFile, zlib.error):
        raise FileError(_("The file cannot be read as an Excel workbook (XLSX).")) from None
    if found is None:
        return
    last_column, last_row = found.group(3) or found.group(1), found.group(4) or found.group(2)
    if last_row and int(last_row) > MAX_ROWS + 1:  # the header's row too
        raise _too_many_rows()
    if last_column and column_index_from_letters(last_column.decode()) > MAX_COLUMNS:
        raise FileError(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})


def _count_rows(head: bytes, sheet: IO[bytes]) -> None:
    """Count the sheet's row elements, unpacking it a megabyte at a time, and stop past the
    limit. A tag cut between two pieces is counted once, in the piece where it ends."""
    rows, carry, piece = 0, b"", head
    while piece:
        data = carry + piece
        rows += sum(1 for found in _ROW.finditer(data) if found.end() > len(carry))
        if rows > MAX_ROWS + 1:  # the header's row too
            raise _too_many_rows()
        carry, piece = data[-16:], sheet.read(1 << 20)


def column_index_from_letters(letters: str) -> int:
    """'A' -> 1, 'Z' -> 26, 'AA' -> 27."""
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index


def _read_xlsx(content: bytes) -> Iterator[list[object]]:
    from openpyxl import load_workbook

    _check_xlsx_sizes(content)
    unreadable = FileError(_("The file cannot be read as an Excel workbook (XLSX)."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise unreadable
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        while True:
            # The sheet is parsed as it is read: a broken part further down (a file cut short,
            # a cell with a bad reference) is found only here, after rows were given out.
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:
                raise unreadable from None
            yield list(row)
    finally:
        workbook.close()


# --- checking each row --------------------------------------------------------------------------


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Tenant:
    first_name: str
    last_name: str
    birth_year: int | None
    phone: str
    email: str


@dataclass
class ParsedRow:
    row: int
    estate_number: str
    tenancy_number: str
    street: str
    number: int
    letter: str
    postcode: str
    city: str
    floor: int | None
    door: str
    rooms: int
    area_m2: int
    moved_in_on: date | None
    tenants: list[Tenant]
    net_rent: Decimal | None = None
    aconto: Decimal | None = None

    @property
    def address_key(self) -> tuple:
        return (self.street.lower(), self.number, self.letter, self.postcode)

    @property
    def flat_key(self) -> tuple:
        return (*self.address_key, self.floor, self.door)

    @property
    def address(self) -> str:
        unit = " ".join(p for p in (_floor_text(self.floor), self.door) if p)
        house = f"{self.street} {self.number}{self.letter}"
        return f"{house}, {unit}" if unit else house


def _floor_text(floor: int | None) -> str:
    from households.models import format_floor

    return format_floor(floor)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


FLOOR_WORDS = {"st": 0, "stuen": 0, "kl": -1, "kld": -1, "kaelder": -1, "kælder": -1}
DATE_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d")


class _RowChecker:
    """Collects the errors of one row while reading its cells."""

    def __init__(
        self,
        number: int,
        cells: dict[str, object],
        errors: list[RowError],
        today: date | None = None,
    ):
        self.number, self.cells, self.errors = number, cells, errors
        self.failed = False
        self.today = today or timezone.localdate()

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, column_label(key), message))
        self.failed = True

    def text(self, key: str, max_length: int, *, required: bool = False) -> str:
        value = _text(self.cells.get(key))
        if required and not value:
            self.error(key, _("%(column)s is missing.") % {"column": column_label(key)})
        elif len(value) > max_length:
            self.error(key, _("At most %(max)s characters.") % {"max": max_length})
            return ""
        return value

    def integer(self, key: str, low: int, high: int, *, required: bool) -> int | None:
        value = _text(self.cells.get(key))
        if not value:
            if required:
                self.error(key, _("%(column)s is missing.") % {"column": column_label(key)})
            return None
        if not re.fullmatch(r"\d{1,5}", value) or not low <= int(value) <= high:
            self.error(
                key,
                _("'%(value)s' is not a whole number from %(low)s to %(high)s.")
                % {"value": value[:20], "low": low, "high": high},
            )
            return None
        return int(value)


def parse_row(
    number: int, cells: dict[str, object], errors: list[RowError], today: date | None = None
) -> ParsedRow | None:
    check = _RowChecker(number, cells, errors, today)
    estate_number = check.text("afdeling", 20, required=True)
    tenancy_number = check.text("lejemaalsnr", 30)
    street = check.text("vej", 100, required=True)
    city = check.text("by", 100, required=True)

    house = _text(cells.get("husnr")).replace(" ", "").upper()
    house_match = re.fullmatch(r"(\d{1,4})([A-ZÆØÅ]?)", house)
    if not house:
        check.error("husnr", _("The house number is missing."))
    elif not house_match or not 1 <= int(house_match[1]) <= 9999:
        check.error(
            "husnr",
            _("'%(value)s' is not a house number (a number, maybe with a letter: 12B).")
            % {"value": house[:20]},
        )
    elif house_match[2] in "ÆØÅ" and house_match[2]:
        check.error("husnr", _("The letter of a house number is A to Z."))

    postcode = _text(cells.get("postnr"))
    if not re.fullmatch(r"[0-9]{4}", postcode) or postcode.startswith("0"):
        check.error(
            "postnr",
            _("'%(value)s' is not a Danish postcode (four digits).") % {"value": postcode[:20]},
        )

    floor: int | None = None
    floor_text = _text(cells.get("etage")).lower().rstrip(".")
    if floor_text in FLOOR_WORDS:
        floor = FLOOR_WORDS[floor_text]
    elif floor_text:
        if re.fullmatch(r"-?\d{1,2}", floor_text) and -2 <= int(floor_text) <= 40:
            floor = int(floor_text)
        else:
            check.error(
                "etage",
                _("'%(value)s' is not a floor: write st, kl or a number from -2 to 40.")
                % {"value": floor_text[:20]},
            )

    door = _text(cells.get("doer")).lower().rstrip(".")
    if door and not re.fullmatch(r"[a-z0-9æøå]{1,4}", door):
        check.error(
            "doer",
            _("'%(value)s' is not a door: write tv, th, mf or a number.") % {"value": door[:20]},
        )

    rooms = check.integer("vaerelser", 1, 12, required=True)
    area = check.integer("areal", 10, 400, required=True)
    moved_in_on = _date(check, "indflytning")
    net_rent = _amount(check, "husleje")
    aconto = _amount(check, "aconto")
    tenants = [t for n in range(1, MAX_TENANTS + 1) if (t := _tenant(check, n))]

    if check.failed:
        return None
    assert house_match is not None and rooms is not None and area is not None
    return ParsedRow(
        row=number,
        estate_number=estate_number,
        tenancy_number=tenancy_number,
        street=street,
        number=int(house_match[1]),
        letter=house_match[2],
        postcode=postcode,
        city=city,
        floor=floor,
        door=door,
        rooms=rooms,
        area_m2=area,
        moved_in_on=moved_in_on,
        tenants=tenants,
        net_rent=net_rent,
        aconto=aconto,
    )


MAX_AMOUNT = Decimal("999999.99")


def parse_kroner(
    value: object, *, maximum: Decimal = MAX_AMOUNT, signed: bool = False
) -> Decimal | None:
    """Kroner the Danish way ('5.123,50', '5123,50', '5123 kr.') or as Excel's number, to øre;
    None when empty. ValueError when it is no amount from 0 (from -maximum when `signed`) to
    `maximum`."""
    amount: Decimal | None = None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        try:
            amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        except InvalidOperation:
            amount = None
    else:
        text = _text(value).lower().replace(" ", "").removeprefix("kr.").removesuffix("kr.")
        text = text.removesuffix("kr")
        if not text:
            return None
        sign, text = ("-", text[1:]) if signed and text.startswith("-") else ("", text)
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        if re.fullmatch(r"\d{1,15}(\.\d{1,2})?", text):
            amount = Decimal(sign + text).quantize(Decimal("0.01"))
    if amount is None or abs(amount) > maximum or (amount < 0 and not signed):
        raise ValueError(value)
    return amount


def _amount(check: _RowChecker, key: str) -> Decimal | None:
    value = check.cells.get(key)
    try:
        return parse_kroner(value)
    except ValueError:
        check.error(
            key,
            _("'%(value)s' is not an amount in kroner: write it like 5123,50.")
            % {"value": _text(value)[:20]},
        )
        return None


# The common shapes of DATE_FORMATS without strptime (a third of the time of reading a row).
DAY_FIRST = re.compile(r"(\d{1,2})([-./])(\d{1,2})\2(\d{4})")
YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def _days(text: str) -> Iterator[date]:
    """The day the text reads as, in the order of DATE_FORMATS (nothing when none)."""
    if match := DAY_FIRST.fullmatch(text):
        day, _sep, month, year = match.groups()
    elif match := YEAR_FIRST.fullmatch(text):
        year, month, day = match.groups()
    else:
        for fmt in DATE_FORMATS:
            try:
                yield datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        return
    try:
        yield date(int(year), int(month), int(day))
    except ValueError:
        return


def _date(check: _RowChecker, key: str) -> date | None:
    value = check.cells.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for parsed in _days(text):
        if parsed.year < 1900 or parsed > check.today:
            break
        return parsed
    check.error(
        key, _("'%(value)s' is not a date: write dd-mm-åååå (31-12-2015).") % {"value": text[:20]}
    )
    return None


def _tenant(check: _RowChecker, n: int) -> Tenant | None:
    prefix = f"lejer{n}_"
    first = check.text(prefix + "fornavn", 100)
    last = check.text(prefix + "efternavn", 100)
    phone = check.text(prefix + "telefon", 20)
    email = check.text(prefix + "email", 254).lower()
    birth_year = check.integer(prefix + "foedselsaar", 1900, check.today.year, required=False)
    if not (first or last):
        if phone or email or birth_year:
            check.error(prefix + "fornavn", _("A tenant needs a name."))
        return None
    if not first:
        check.error(prefix + "fornavn", _("The first name is missing."))
    if not last:
        check.error(prefix + "efternavn", _("The last name is missing."))
    if phone and not re.fullmatch(r"\+?[0-9 ]{8,20}", phone):
        check.error(prefix + "telefon", _("'%(value)s' is not a phone number.") % {"value": phone})
    if email:
        try:
            validate_email(email)
        except ValidationError:
            check.error(
                prefix + "email", _("'%(value)s' is not an e-mail address.") % {"value": email[:60]}
            )
    return Tenant(first, last, birth_year, phone, email)


def parse_rows(
    header: list[str], rows: list[list[object]]
) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row checked on its own, then against the others (the same flat twice)."""
    errors: list[RowError] = []
    parsed: list[ParsedRow] = []
    today = timezone.localdate()  # once, not three times a row
    for index, cells in enumerate(rows, start=2):  # row 1 is the header, as Excel counts
        row = parse_row(index, dict(zip(header, cells, strict=True)), errors, today)
        if row is not None:
            parsed.append(row)
    first_by_flat: dict[tuple, int] = {}
    first_by_tenancy: dict[tuple, int] = {}
    unique: list[ParsedRow] = []
    for row in parsed:
        earlier = first_by_flat.get((row.estate_number, *row.flat_key))
        if row.tenancy_number and earlier is None:
            earlier = first_by_tenancy.get((row.estate_number, row.tenancy_number))
        if earlier is not None:
            errors.append(
                RowError(
                    row.row,
                    column_label("husnr"),
                    _("The same flat as row %(row)s.") % {"row": earlier},
                )
            )
            continue
        first_by_flat[(row.estate_number, *row.flat_key)] = row.row
        if row.tenancy_number:
            first_by_tenancy[(row.estate_number, row.tenancy_number)] = row.row
        unique.append(row)
    errors.sort(key=lambda error: error.row)
    return unique, errors


# --- comparing with what is saved ---------------------------------------------------------------


def normalise_name(text: str) -> str:
    """'Jørgen  Aagaard' and 'jorgen ågård' give the same: for matching, never for display."""
    value = " ".join(text.lower().split()).replace("-", " ")
    value = value.replace("aa", "å").replace("oe", "ø")
    value = value.replace("å", "a").replace("ø", "o").replace("æ", "ae")
    if value.isascii():  # most names: nothing left to decompose (the same as below, faster)
        return value
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NOT_DIGITS = re.compile(r"\D")


def normalise_phone(text: str) -> str:
    if not text:
        return ""
    digits = _NOT_DIGITS.sub("", text)
    if len(digits) == 10 and digits.startswith("45"):
        digits = digits[2:]
    return digits


@dataclass
class Change:
    label: str
    old: object
    new: object


@dataclass
class PlannedRow:
    """What one row of the file will do."""

    source: ParsedRow
    action: str  # create, update, unchanged, conflict
    flat: Flat | None = None
    stairwell: Stairwell | None = None
    estate: Estate | None = None
    household: Household | None = None
    changes: list[Change] = field(default_factory=list)
    flat_values: dict = field(default_factory=dict)
    household_values: dict = field(default_factory=dict)
    resident_updates: list[tuple[Resident, dict]] = field(default_factory=list)
    new_tenants: list[Tenant] = field(default_factory=list)
    new_household: bool = False
    conflict: str = ""


@dataclass
class Plan:
    rows: list[PlannedRow]
    errors: list[RowError]
    disappeared: list[Flat]
    total_rows: int

    def of(self, action: str) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("create", "update", "unchanged", "conflict"), 0)
        for row in self.rows:
            counts[row.action] += 1
        counts["errors"] = len({error.row for error in self.errors})
        counts["disappeared"] = len(self.disappeared)
        counts["rows"] = self.total_rows
        return counts

    def versions(self) -> dict[str, int]:
        """The versions this plan was made from, of everything it would change."""
        seen: dict[str, int] = {}
        for row in self.rows:
            if row.flat is not None and row.flat_values and row.action == "update":
                seen[f"flat:{row.flat.pk}"] = row.flat.version
            if row.household is not None and row.action == "update":
                seen[f"household:{row.household.pk}"] = row.household.version
                for resident, _values in row.resident_updates:
                    seen[f"resident:{resident.pk}"] = resident.version
        return seen


def build_plan(*, organisation: Organisation, content: bytes, file_kind: str) -> Plan:
    header, table = read_table(content, file_kind)
    parsed, errors = parse_rows(header, table)
    estates = {e.number: e for e in Estate.objects.filter(organisation=organisation)}
    known: list[ParsedRow] = []
    for row in parsed:
        if row.estate_number in estates:
            known.append(row)
        else:
            errors.append(
                RowError(
                    row.row,
                    column_label("afdeling"),
                    _("Unknown estate '%(number)s' in %(organisation)s.")
                    % {"number": row.estate_number, "organisation": organisation.name},
                )
            )
    used_estates = {estates[row.estate_number].pk for row in known}

    stairwells = list(
        Stairwell.objects.filter(
            Q(estate__in=used_estates)
            | Q(postcode__in={row.postcode for row in known}, number__in={r.number for r in known})
        )
    )
    stairwell_by_address = {
        (s.street.lower(), s.number, s.letter, s.postcode): s for s in stairwells
    }
    flats = list(
        Flat.objects.filter(stairwell__estate__in=used_estates).select_related("stairwell")
    )
    flat_by_key = {
        (
            f.stairwell.street.lower(),
            f.stairwell.number,
            f.stairwell.letter,
            f.stairwell.postcode,
            f.floor,
            f.door,
        ): f
        for f in flats
    }
    flat_by_tenancy = {
        (f.stairwell.estate_id, f.tenancy_number): f for f in flats if f.tenancy_number
    }

    planned: list[PlannedRow | None] = []
    matched_flats: set[int] = set()
    # Rows that match a saved flat are compared once the households of those flats (not of
    # every flat of the estates: ~7,000 with their residents at national scale) are loaded.
    to_compare: list[tuple[int, ParsedRow, Flat]] = []
    for row in known:
        estate = estates[row.estate_number]
        stairwell = stairwell_by_address.get(row.address_key)
        if stairwell is not None and stairwell.estate_id != estate.pk:
            errors.append(
                RowError(
                    row.row,
                    column_label("afdeling"),
                    _("The address belongs to another estate than %(number)s.")
                    % {"number": row.estate_number},
                )
            )
            continue
        flat = flat_by_tenancy.get((estate.pk, row.tenancy_number)) if row.tenancy_number else None
        by_address = flat_by_key.get(row.flat_key)
        if flat is not None and by_address is not None and flat.pk != by_address.pk:
            errors.append(
                RowError(
                    row.row,
                    column_label("lejemaalsnr"),
                    _("The tenancy number belongs to %(address)s, not to this address.")
                    % {"address": flat.address},
                )
            )
            continue
        flat = flat or by_address
        if flat is not None and flat.pk in matched_flats:
            errors.append(
                RowError(row.row, column_label("husnr"), _("The same flat as an earlier row."))
            )
            continue
        if flat is None:
            planned.append(
                PlannedRow(
                    source=row,
                    action="create",
                    estate=estate,
                    stairwell=stairwell,
                    new_tenants=row.tenants,
                    new_household=bool(row.tenants),
                )
            )
            continue
        matched_flats.add(flat.pk)
        to_compare.append((len(planned), row, flat))
        planned.append(None)

    households: dict[int, Household] = {}
    if to_compare:
        matched = [flat.pk for _index, _row, flat in to_compare]
        households = {
            h.flat_id: h
            for h in Household.objects.current()
            .filter(AnyOf(F("flat_id"), Value(matched)))
            .prefetch_related("residents")
        }
    for index, row, flat in to_compare:
        planned[index] = _compare(row, flat, households.get(flat.pk))

    errors.sort(key=lambda error: error.row)
    disappeared = sorted(
        (f for f in flats if f.pk not in matched_flats),
        key=lambda f: (
            f.stairwell.street,
            f.stairwell.number,
            f.stairwell.letter,
            f.floor or 0,
            f.door,
        ),
    )
    return Plan(
        rows=[row for row in planned if row is not None],
        errors=errors,
        disappeared=disappeared,
        total_rows=len(table),
    )


def _compare(row: ParsedRow, flat: Flat, household: Household | None) -> PlannedRow:
    plan = PlannedRow(source=row, action="unchanged", flat=flat, household=household)
    for name, label, new in (
        ("rooms", _("Rooms"), row.rooms),
        ("area_m2", _("Area (m²)"), row.area_m2),
        ("tenancy_number", _("Tenancy number"), row.tenancy_number),
        ("net_rent", _("Net rent"), row.net_rent),
        ("aconto", _("A-conto"), row.aconto),
    ):
        old = getattr(flat, name)
        if new not in ("", None) and old != new:
            plan.flat_values[name] = new
            plan.changes.append(Change(label, old, new))

    if household is None:
        if row.tenants:
            plan.new_household, plan.new_tenants = True, row.tenants
            plan.changes.append(
                Change(
                    _("Tenants"),
                    "",
                    ", ".join(f"{t.first_name} {t.last_name}" for t in row.tenants),
                )
            )
    else:
        residents = list(household.residents.all())
        matches = _match_tenants(row.tenants, residents)
        if row.tenants and residents and not any(resident for _t, resident in matches):
            plan.action = "conflict"
            plan.conflict = _(
                "Other tenants than those registered: a new tenancy? Register the move by hand."
            )
            return plan
        if row.moved_in_on and household.moved_in_on != row.moved_in_on:
            plan.household_values["moved_in_on"] = row.moved_in_on
            plan.changes.append(Change(_("Moved in"), household.moved_in_on, row.moved_in_on))
        for tenant, resident in matches:
            if resident is None:
                plan.new_tenants.append(tenant)
                plan.changes.append(
                    Change(_("New resident"), "", f"{tenant.first_name} {tenant.last_name}")
                )
                continue
            values = {}
            for name, label in (
                ("birth_year", _("Birth year")),
                ("phone", _("Phone")),
                ("email", _("E-mail")),
            ):
                new = getattr(tenant, name)
                old = getattr(resident, name)
                same = (
                    normalise_phone(old) == normalise_phone(new) if name == "phone" else old == new
                )
                if new not in ("", None) and not same:
                    values[name] = new
                    plan.changes.append(Change(f"{resident.full_name}: {label}", old, new))
            if values:
                plan.resident_updates.append((resident, values))
    if plan.changes:
        plan.action = "update"
    return plan


def _match_tenants(
    tenants: list[Tenant], residents: list[Resident]
) -> list[tuple[Tenant, Resident | None]]:
    """Each tenant to a resident of the same normalised name, the same birth year first.

    A mother and her baby may share a name; each resident is matched once at most.
    """
    free = list(residents)
    matches: list[tuple[Tenant, Resident | None]] = []
    for tenant in tenants:
        name = normalise_name(f"{tenant.first_name} {tenant.last_name}")
        same = [r for r in free if normalise_name(r.full_name) == name]
        same.sort(key=lambda r: (r.birth_year != tenant.birth_year, not r.is_contact_person))
        found = same[0] if same else None
        if found is not None:
            free.remove(found)
        matches.append((tenant, found))
    return matches


def households_touched(plan: Plan) -> Iterable[int]:
    return [row.household.pk for row in plan.rows if row.household is not None]
