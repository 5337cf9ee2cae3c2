"""Every write of the rehousing economy: entering an expense (with its receipt), changing it
before approval, approving it, correcting an approved one, and setting a project's budget."""

from decimal import Decimal
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.economy.models import BudgetCategory, BudgetLine, Expense, ExpenseKind
from cases.models import Case, Project
from core.once import once_bind, once_claim
from core.uploads import upload_validate
from core.versioning import update_versioned

EXPENSE_FIELDS = ("kind", "amount", "spent_on", "supplier", "storage_until", "note")


def _check(data: dict, *, correction: bool = False) -> None:
    """The rules of one expense, in the user's language, by field (the database agrees)."""
    errors: dict[str, str] = {}
    amount = data.get("amount")
    if amount is not None and (amount == 0 or (amount < 0 and not correction)):
        errors["amount"] = (
            _("A correction cannot be 0 kr.")
            if correction
            else _("The amount must be more than 0 kr. A refund is a correction of an expense.")
        )
    until = data.get("storage_until")
    if until is not None:
        if data.get("kind") != ExpenseKind.STORAGE:
            errors["storage_until"] = _("Only storage has an end date.")
        elif data.get("spent_on") and until < data["spent_on"]:
            errors["storage_until"] = _("The storage cannot end before the expense's date.")
    if errors:
        raise ValidationError(errors)


def _store_receipt(expense: Expense, receipt: UploadedFile | None) -> None:
    if receipt is None:
        return
    try:
        upload_validate(receipt)
    except ValidationError as error:
        raise ValidationError({"receipt": error.messages[0]}) from None
    expense.receipt.save(receipt.name or "receipt", receipt, save=False)


@transaction.atomic
def expense_create(
    *,
    case: Case,
    by: User,
    data: dict,
    receipt: UploadedFile | None = None,
    once_key: UUID | None = None,
) -> Expense:
    """Enter an expense of `case`; it awaits a manager's approval."""
    once_claim(key=once_key, model=Expense)  # before the receipt is stored
    if case.is_closed:
        raise ValidationError(_("The case is closed: no new expenses."))
    _check(data)
    expense = Expense(case=case, entered_by=by, updated_by=by, **_fields(data))
    _store_receipt(expense, receipt)
    expense.save()
    once_bind(key=once_key, saved=expense)
    return expense


def _fields(data: dict) -> dict:
    return {name: data[name] for name in EXPENSE_FIELDS if name in data}


@transaction.atomic
def expense_update(
    *,
    expense: Expense,
    by: User,
    expected_version: int,
    data: dict,
    receipt: UploadedFile | None = None,
) -> Expense:
    """Change an expense before its approval (optimistic versioning); an approved one is locked."""
    locked = Expense.objects.select_for_update().get(pk=expense.pk)
    if locked.is_approved:
        raise ValidationError(
            _("The expense is approved and can no longer be changed. Record a correction.")
        )
    data = {**_fields(data), "kind": data.get("kind", locked.kind)}
    if locked.is_correction:
        data["kind"] = locked.corrects.kind  # type: ignore[union-attr]
    _check(data, correction=locked.is_correction)
    values = _fields(data)
    if receipt is not None:
        _store_receipt(locked, receipt)
        values["receipt"] = locked.receipt.name
    update_versioned(expense, expected_version=expected_version, values=values, by=by)
    return expense


@transaction.atomic
def expense_approve(*, expense: Expense, by: User) -> Expense:
    """Approve the expense (once); from then on its amount is locked."""
    locked = Expense.objects.select_for_update().get(pk=expense.pk)
    if locked.is_approved:
        raise ValidationError(_("The expense is already approved."))
    now = timezone.now()
    Expense.objects.filter(pk=locked.pk).update(
        approved_at=now, approved_by=by, updated_by=by, updated_at=now
    )
    expense.approved_at, expense.approved_by = now, by
    return expense


@transaction.atomic
def expense_correct(
    *,
    expense: Expense,
    by: User,
    amount: Decimal,
    spent_on,
    note: str = "",
    receipt: UploadedFile | None = None,
    once_key: UUID | None = None,
) -> Expense:
    """A correction of an approved expense: a new row of the same case and kind, `amount`
    negative (a refund, an overcharge) or positive (an extra invoice); it awaits approval."""
    once_claim(key=once_key, model=Expense)
    if not expense.is_approved:
        raise ValidationError(_("Only an approved expense is corrected; change this one instead."))
    data = {"kind": expense.kind, "amount": amount, "spent_on": spent_on, "note": note}
    _check(data, correction=True)
    correction = Expense(
        case=expense.case,
        corrects=expense,
        supplier=expense.supplier,
        entered_by=by,
        updated_by=by,
        **data,
    )
    _store_receipt(correction, receipt)
    correction.save()
    once_bind(key=once_key, saved=correction)
    return correction


@transaction.atomic
def budget_set(*, project: Project, by: User, amounts: dict[str, Decimal | None]) -> int:
    """The project's budget per category (None or a missing category: no budget line).
    Returns how many lines changed."""
    current = {
        line.category: line
        for line in BudgetLine.objects.select_for_update().filter(project=project)
    }
    changed = 0
    for category in BudgetCategory.values:
        if category not in amounts:
            continue
        amount, line = amounts[category], current.get(category)
        if amount is not None and amount < 0:
            raise ValidationError({category: _("A budget cannot be negative.")})
        if amount is None:
            if line is not None:
                line.delete()
                changed += 1
        elif line is None:
            BudgetLine.objects.create(
                project=project, category=category, amount=amount, updated_by=by
            )
            changed += 1
        elif line.amount != amount:
            update_versioned(line, expected_version=line.version, values={"amount": amount}, by=by)
            changed += 1
    return changed
