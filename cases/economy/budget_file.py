"""A project's budget from a CSV or XLSX file, read and checked as the schedule's file is
(cases/planning/schedule_file.py: the tenant import's readers, errors by row and column), then
shown in the budget's form for a look before it is saved.

Columns: kategori (the category's name as on the page, or its key) and beloeb (or budget), an
amount in kroner: 125000, 125.000, 125.000,50 or an Excel number. An empty amount: no budget.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.economy.models import BudgetCategory
from cases.planning.schedule_file import _cell_text
from households.imports import FileError, RowError, _read_csv, _read_xlsx, header_key, parse_kroner

MAX_ROWS = 100
ALIASES = {
    "beloeb_kr": "beloeb",
    "budget": "beloeb",
    "budget_kr": "beloeb",
    "kategorien": "kategori",
}
FIELD_LABELS = {"kategori": gettext_lazy("Category"), "beloeb": gettext_lazy("Amount")}


@dataclass
class BudgetFile:
    amounts: dict[str, Decimal | None]
    errors: list[RowError]


def _key(text: object) -> str:
    key = header_key(text)
    return ALIASES.get(key, key)


def _categories() -> dict[str, str]:
    """Every way a category may be written (key, Danish and English name) -> its value."""
    found = {}
    for category in BudgetCategory:
        found[header_key(category.value)] = category.value
        for language in ("da", "en"):
            with translation.override(language):
                found[header_key(str(category.label))] = category.value
    return found


# What a budget line may hold (BudgetLine.amount: 14 digits, 2 after the comma).
MAX_BUDGET = Decimal("999999999999.99")


def parse_amount(value: object) -> Decimal | str | None:
    """The amount (households.imports.parse_kroner, Danish or Excel's number; negative ones too,
    for the row's own message), None for an empty cell, or the text that is not an amount."""
    try:
        return parse_kroner(value, maximum=MAX_BUDGET, signed=True)
    except ValueError:
        return _cell_text(value)


def read_budget_file(*, content: bytes, file_kind: str) -> BudgetFile:
    rows = _read_xlsx(content) if file_kind == "xlsx" else _read_csv(content)
    raw = [row for row in rows if any(_cell_text(cell) for cell in row)]
    if not raw:
        raise FileError(_("The file is empty."))
    header = [_key(cell) for cell in raw[0]]
    if not {"kategori", "beloeb"} <= set(header):
        raise FileError(_("The file needs the columns “kategori” and “beloeb”."))
    if len(raw) - 1 > MAX_ROWS:
        raise FileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    categories = _categories()
    amounts: dict[str, Decimal | None] = {}
    first_row: dict[str, int] = {}
    errors: list[RowError] = []
    for number, cells in enumerate(raw[1:], start=2):  # row 1 is the header, as Excel counts
        row = dict(zip(header, cells, strict=False))

        def error(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, str(FIELD_LABELS[column]), message))

        name = _cell_text(row.get("kategori"))
        category = categories.get(header_key(name))
        if category is None:
            error(
                "kategori", _("'%(value)s' is not a category of the budget.") % {"value": name[:60]}
            )
            continue
        if category in first_row:
            error("kategori", _("The same category as row %(row)s.") % {"row": first_row[category]})
            continue
        first_row[category] = number
        amount = parse_amount(row.get("beloeb"))
        if isinstance(amount, str):
            error("beloeb", _("'%(value)s' is not an amount in kroner.") % {"value": amount[:20]})
        elif amount is not None and amount < 0:
            error("beloeb", _("A budget cannot be negative."))
        else:
            amounts[category] = amount
    return BudgetFile(amounts=amounts, errors=errors)
