"""The rehousing economy with hand-made numbers: storage committed until its end date, planned
moves committed at the average price so far, the forecast, the totals per category, approval
locking the amount (service and database), and a correction as a new row."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.economy.models import BudgetLine, Expense, ExpenseKind
from cases.economy.selectors import months_after, project_budget
from cases.economy.services import (
    budget_set,
    expense_approve,
    expense_correct,
    expense_create,
    expense_update,
)
from cases.logistics.models import Move, MoveKind
from cases.models import Case
from cases.stages import EndReason, Stage
from tests import factories

D = Decimal


def spend(case, by, kind, amount, on=date(2026, 3, 15), *, approved_by=None, **data):
    expense = expense_create(
        case=case, by=by, data={"kind": kind, "amount": D(amount), "spent_on": on, **data}
    )
    if approved_by is not None:
        expense_approve(expense=expense, by=approved_by)
    return expense


def row(budget, category):
    return next(r for r in budget.rows if r.category == category)


@pytest.fixture
def project(cast):
    return cast.case_a1.project


def test_months_after_counts_whole_months_after_the_first():
    assert months_after(date(2026, 3, 15), date(2026, 6, 30)) == 3
    assert months_after(date(2026, 3, 31), date(2026, 4, 1)) == 1
    assert months_after(date(2026, 3, 1), date(2026, 3, 31)) == 0
    assert months_after(date(2026, 11, 10), date(2027, 2, 1)) == 3


def test_storage_is_committed_until_its_end_date(cast, project):
    officer, manager = cast.rehousing_officer_a1, cast.manager_a
    case = cast.case_a1
    # March's 1,500 kr. is paid; April, May and June are committed.
    spend(
        case, officer, ExpenseKind.STORAGE, 1500, date(2026, 3, 15),
        storage_until=date(2026, 6, 30), approved_by=manager,
    )  # fmt: skip
    budget = project_budget(project=project)
    assert row(budget, "storage").approved == D("1500")
    assert row(budget, "storage").committed == D("4500")
    # April's invoice (not approved yet) extends the storage to August: May to August, 4 months.
    spend(
        case, officer, ExpenseKind.STORAGE, 1500, date(2026, 4, 15), storage_until=date(2026, 8, 31)
    )
    # Another household's storage: 2,000 kr. a month, one more month.
    other = factories.make_case(project)
    spend(
        other, officer, ExpenseKind.STORAGE, 2000, date(2026, 1, 31),
        storage_until=date(2026, 2, 1), approved_by=manager,
    )  # fmt: skip
    budget = project_budget(project=project)
    storage = row(budget, "storage")
    assert storage.committed == D("6000") + D("2000")
    assert storage.approved == D("3500")
    assert storage.awaiting == D("1500")


def test_storage_ending_within_its_own_month_commits_nothing(cast, project):
    spend(
        cast.case_a1, cast.rehousing_officer_a1, ExpenseKind.STORAGE, 900, date(2026, 5, 2),
        storage_until=date(2026, 5, 28),
    )  # fmt: skip
    assert row(project_budget(project=project), "storage").committed == 0


@pytest.fixture
def households(cast, project):
    """Two finished households (A, B), one that ended early (C), two still under way (D, E)."""
    officer, manager = cast.rehousing_officer_a1, cast.manager_a
    a, b, c = cast.case_a1, factories.make_case(project), factories.make_case(project)
    d = factories.make_case(project, stage=Stage.TEMPORARY)
    e = factories.make_case(project, stage=Stage.NOTIFIED)
    for case, kind, amount in (
        (a, ExpenseKind.MOVERS_OUT, 10000),
        (a, ExpenseKind.MOVERS_HOME, 8000),
        (b, ExpenseKind.MOVERS_OUT, 12000),
        (b, ExpenseKind.CLEANING, 2000),
        (c, ExpenseKind.MOVERS_OUT, 5000),
        (d, ExpenseKind.MOVERS_OUT, 11000),
    ):
        spend(case, officer, kind, amount, approved_by=manager)
    spend(e, officer, ExpenseKind.BOXES, 3000)  # awaits approval: neither spend nor forecast
    # The invoices came in while the cases were open; then A came home, B closed, C left.
    Case.objects.filter(pk=a.pk).update(stage=Stage.RETURNED)
    Case.objects.filter(pk=b.pk).update(stage=Stage.CLOSED)
    Case.objects.filter(pk=c.pk).update(stage=Stage.CLOSED, end_reason=EndReason.LEFT_ON_OWN)
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def test_the_forecast(project, households):
    budget = project_budget(project=project)
    assert (budget.households, budget.finished, budget.ended, budget.remaining) == (5, 2, 1, 2)
    # A and B cost 18,000 and 14,000: 16,000 kr. per finished household.
    assert budget.per_household == D("16000")
    # Movers out: 22,000 for the two finished (11,000 each); the done households have cost
    # 27,000 (C's 5,000 too); D and E are expected to cost the average: 27,000 + 2 x 11,000.
    assert row(budget, "movers_out").forecast == D("49000")
    assert row(budget, "movers_out").approved == D("38000")
    assert row(budget, "movers_home").forecast == D("8000") + 2 * D("4000")
    assert row(budget, "cleaning").forecast == D("2000") + 2 * D("1000")
    assert row(budget, "boxes").forecast == 0
    assert row(budget, "boxes").awaiting == D("3000")
    assert budget.total.forecast == D("49000") + D("16000") + D("4000")


def test_no_forecast_before_a_household_has_finished(cast, project):
    spend(
        cast.case_a1,
        cast.rehousing_officer_a1,
        ExpenseKind.MOVERS_OUT,
        9000,
        approved_by=cast.manager_a,
    )
    budget = project_budget(project=project)
    assert budget.per_household is None
    assert row(budget, "movers_out").forecast is None
    assert budget.total.forecast is None


def test_planned_moves_are_committed_at_the_average_price_so_far(project, households):
    d, e = households["d"], households["e"]
    flat = factories.make_flat(factories.make_stairwell(project.estate, "Midlertidigvej"))
    Move.objects.create(case=e, kind=MoveKind.TO_TEMPORARY, from_flat=e.household.flat,
                        to_flat=flat, moves_on=date(2026, 9, 1))  # fmt: skip
    Move.objects.create(case=d, kind=MoveKind.RETURN, from_flat=flat,
                        to_flat=d.household.flat, moves_on=date(2026, 10, 1))  # fmt: skip
    # D's move out is paid already; a move the household pays herself is not the project's.
    Move.objects.create(case=d, kind=MoveKind.TO_TEMPORARY, from_flat=d.household.flat,
                        to_flat=flat, moves_on=date(2026, 3, 1))  # fmt: skip
    other = factories.make_case(project, stage=Stage.NOTIFIED)
    Move.objects.create(case=other, kind=MoveKind.TO_PERMANENT, from_flat=other.household.flat,
                        to_flat=flat, moves_on=date(2026, 9, 2), paid_by_project=False)  # fmt: skip
    budget = project_budget(project=project)
    # Movers out: 38,000 over 4 households = 9,500 each; one planned move. Movers home: 8,000.
    assert budget.planned_moves == {"movers_out": 1, "movers_home": 1}
    assert row(budget, "movers_out").committed == D("9500")
    assert row(budget, "movers_home").committed == D("8000")


def test_the_totals_per_category_against_the_budget(cast, project, households):
    budget_set(
        project=project,
        by=cast.manager_a,
        amounts={"movers_out": D("50000"), "cleaning": D("1000"), "boxes": None},
    )
    budget = project_budget(project=project)
    movers = row(budget, "movers_out")
    assert (movers.budget, movers.left, movers.over) == (D("50000"), D("12000"), False)
    cleaning = row(budget, "cleaning")
    assert (cleaning.budget, cleaning.left, cleaning.over) == (D("1000"), D("-1000"), True)
    assert row(budget, "boxes").budget is None
    assert budget.total.budget == D("51000")
    assert budget.total.approved == D("48000")
    # The two rent lines are there, counted from the rents (no temporary stays here: nothing).
    rents = [r for r in budget.rows if r.from_rents]
    assert [r.category for r in rents] == ["rent_difference", "empty_days"]
    assert all(r.approved == 0 and r.committed == 0 for r in rents)
    # Setting it again changes only what differs; an empty amount removes the line.
    changed = budget_set(
        project=project, by=cast.manager_a, amounts={"movers_out": D("50000"), "cleaning": None}
    )
    assert changed == 1
    assert set(BudgetLine.objects.filter(project=project).values_list("category", flat=True)) == {
        "movers_out"
    }


def test_approval_locks_the_amount(cast):
    expense = spend(cast.case_a1, cast.rehousing_officer_a1, ExpenseKind.MOVERS_OUT, 7000)
    # Before the approval it may change (versioned).
    expense_update(
        expense=expense, by=cast.rehousing_officer_a1, expected_version=1,
        data={"kind": "movers_out", "amount": D("7500"), "spent_on": date(2026, 3, 15)},
    )  # fmt: skip
    expense_approve(expense=expense, by=cast.manager_a)
    expense.refresh_from_db()
    assert (expense.amount, expense.approved_by) == (D("7500"), cast.manager_a)
    assert expense.approved_at is not None
    with pytest.raises(ValidationError, match="godkendt"):
        expense_update(
            expense=expense, by=cast.manager_a, expected_version=expense.version,
            data={"kind": "movers_out", "amount": D("1"), "spent_on": date(2026, 3, 15)},
        )  # fmt: skip
    with pytest.raises(ValidationError, match="allerede godkendt"):
        expense_approve(expense=expense, by=cast.manager_a)
    # The database refuses too, whoever writes.
    for change in ({"amount": D("1")}, {"kind": "other"}, {"approved_at": None}):
        with pytest.raises(IntegrityError, match="approved and locked"), transaction.atomic():
            Expense.objects.filter(pk=expense.pk).update(**change)
    # The note is not what was approved.
    Expense.objects.filter(pk=expense.pk).update(note="Faktura 4411")
    expense.refresh_from_db()
    assert expense.amount == D("7500")


def test_a_correction_is_a_new_row(cast, project):
    officer, manager = cast.rehousing_officer_a1, cast.manager_a
    original = spend(cast.case_a1, officer, ExpenseKind.MOVERS_OUT, 7000, approved_by=manager)
    with pytest.raises(ValidationError):
        expense_correct(expense=original, by=officer, amount=D("0"), spent_on=date(2026, 4, 1))
    correction = expense_correct(
        expense=original, by=officer, amount=D("-1250.50"), spent_on=date(2026, 4, 1),
        note="Kreditnota",
    )  # fmt: skip
    assert correction.pk != original.pk
    assert (correction.corrects, correction.kind, correction.case) == (
        original, original.kind, original.case
    )  # fmt: skip
    assert correction.approved_at is None
    original.refresh_from_db()
    assert original.amount == D("7000")
    assert row(project_budget(project=project), "movers_out").approved == D("7000")
    expense_approve(expense=correction, by=manager)
    assert row(project_budget(project=project), "movers_out").approved == D("5749.50")


def test_only_an_approved_expense_is_corrected_and_only_a_correction_is_negative(cast):
    officer = cast.rehousing_officer_a1
    pending = spend(cast.case_a1, officer, ExpenseKind.CLEANING, 900)
    with pytest.raises(ValidationError, match="godkendt"):
        expense_correct(expense=pending, by=officer, amount=D("-100"), spent_on=date(2026, 4, 1))
    with pytest.raises(ValidationError) as refused:
        spend(cast.case_a1, officer, ExpenseKind.CLEANING, -100)
    assert "amount" in refused.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.create(case=cast.case_a1, kind="cleaning", amount=D("-1"),
                               spent_on=date(2026, 4, 1))  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        spend(cast.case_a1, officer, ExpenseKind.CLEANING, 100, storage_until=date(2026, 6, 1))
    assert "storage_until" in refused.value.message_dict


def test_the_budget_takes_a_fixed_number_of_queries(cast, project, django_assert_max_num_queries):
    officer = cast.rehousing_officer_a1
    rows = []
    for _index in range(30):
        case = factories.make_case(project, stage=Stage.RETURNED)
        for kind in ExpenseKind.values:
            rows.append(Expense(case=case, kind=kind, amount=D("100"), spent_on=date(2026, 3, 1),
                                entered_by=officer))  # fmt: skip
    Expense.objects.bulk_create(rows)
    with django_assert_max_num_queries(7):  # 5, and 2 for the rents' lines
        budget = project_budget(project=project)
    assert budget.total.awaiting == D("100") * len(rows)
