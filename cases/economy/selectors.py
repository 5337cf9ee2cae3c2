"""Reads of the rehousing economy: a case's expenses, the approval queue, and a project's budget
against its approved, awaiting, committed and forecast spend.

The budget is a handful of aggregate queries whatever the number of cases and expenses:

- approved spend: the approved expenses (corrections included) per category;
- committed spend: planned moves paid by the project whose movers are not paid yet, at the
  average approved price of that move in the project so far; and storage until its end date:
  the latest storage expense of each case commits its monthly amount for every month after its
  own up to the month of its end date;
- forecast: the approved spend of the households that are done (finished or ended early), plus
  the remaining households times the average approved spend per finished household so far. With no
  finished household yet there is no average, and no forecast.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from cases.economy.models import (
    RENT_CATEGORIES,
    BudgetCategory,
    BudgetLine,
    Expense,
    ExpenseKind,
)
from cases.economy.rents import amount_for, project_empty_days, project_stays
from cases.logistics.models import Move, MoveKind, MoveStatus
from cases.models import Case, Project
from cases.stages import Stage

ZERO = Decimal("0")

# A household is finished when its moves are behind it, and ended early when it left, was
# evicted or died; every other case still has its rehousing ahead (or under way).
FINISHED_STAGES = (Stage.RETURNED, Stage.REESTABLISHED, Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)


def finished_q(prefix: str = "") -> Q:
    """Cases (through `prefix`, "case__" from an expense) whose moves are behind them."""
    return Q(**{f"{prefix}stage__in": FINISHED_STAGES}) | Q(
        **{f"{prefix}stage": Stage.CLOSED, f"{prefix}end_reason": ""}
    )


def ended_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}stage": Stage.ENDED}) | (
        Q(**{f"{prefix}stage": Stage.CLOSED}) & ~Q(**{f"{prefix}end_reason": ""})
    )


def remaining_q(prefix: str = "") -> Q:
    return ~finished_q(prefix) & ~ended_q(prefix)


# The movers a planned move will need paying.
MOVERS_FOR = {
    ExpenseKind.MOVERS_OUT: (MoveKind.TO_TEMPORARY, MoveKind.TO_PERMANENT),
    ExpenseKind.MOVERS_HOME: (MoveKind.RETURN,),
}


def case_expenses(*, case: Case) -> list[Expense]:
    return list(
        case.expenses.select_related("entered_by", "approved_by", "corrects").order_by(  # type: ignore[attr-defined]
            "-spent_on", "-pk"
        )
    )


def case_expense_totals(*, expenses: list[Expense]) -> dict[str, Decimal]:
    approved = sum((e.amount for e in expenses if e.is_approved), ZERO)
    awaiting = sum((e.amount for e in expenses if not e.is_approved), ZERO)
    return {"approved": approved, "awaiting": awaiting}


def approval_queue(*, user) -> QuerySet[Expense]:
    """The expenses awaiting approval in the organisations `user` leads, oldest first."""
    from cases.economy.permissions import expenses_for_user
    from households.permissions import user_grants

    queryset = expenses_for_user(user).awaiting_approval()
    if not user.is_superuser:
        queryset = queryset.filter(
            case__project__estate__organisation_id__in=user_grants(user).managed_organisations
        )
    return queryset.select_related(
        "case__project", "case__household__flat__stairwell", "entered_by", "corrects"
    ).order_by("entered_at", "pk")


def months_after(start: date, until: date) -> int:
    """Whole months after the month of `start`, up to and including the month of `until`."""
    return max(0, (until.year * 12 + until.month) - (start.year * 12 + start.month))


@dataclass
class RentLine:
    """What the rents give a line of the budget (cases/economy/rents.py)."""

    spent: Decimal = ZERO
    committed: Decimal = ZERO
    forecast: Decimal | None = None


def rent_lines(project: Project, *, today: date | None = None) -> dict[str, RentLine]:
    """The rent difference of temporary stays and the empty days of the project's pool flats
    (cases/economy/rents.py), as budget lines: what has run up to today is spent; what the
    stays with a known end will still run is committed. Two queries."""
    today = today or timezone.localdate()
    spent = committed = ZERO
    for stay in project_stays(project=project):
        own_rent = stay.household_rent or ZERO

        def carried(starts_on: date, ends_on: date, stay=stay, own_rent=own_rent) -> Decimal:
            return amount_for(stay.flat_cost, starts_on, ends_on) - amount_for(
                own_rent, starts_on, ends_on
            )

        end = stay.end(today)
        if min(end, today) > stay.starts_on:
            spent += carried(stay.starts_on, min(end, today))
        if end > today:
            committed += carried(max(today, stay.starts_on), end)
    empty = project_empty_days(project)
    return {
        BudgetCategory.RENT_DIFFERENCE.value: RentLine(spent=spent, committed=committed),
        BudgetCategory.EMPTY_DAYS.value: RentLine(spent=sum((f.cost for f in empty), ZERO)),
    }


@dataclass
class BudgetRow:
    category: str
    label: str
    budget: Decimal | None = None
    approved: Decimal = ZERO
    awaiting: Decimal = ZERO
    committed: Decimal = ZERO
    forecast: Decimal | None = None
    from_rents: bool = False

    @property
    def left(self) -> Decimal | None:
        """What is left of the budget after the approved and the committed spend."""
        if self.budget is None:
            return None
        return self.budget - self.approved - self.committed

    @property
    def over(self) -> bool:
        """The forecast (or, without one, the spend and commitments) exceeds the budget."""
        if self.budget is None:
            return False
        expected = self.forecast if self.forecast is not None else self.approved + self.committed
        return expected > self.budget


@dataclass
class Budget:
    project: Project
    rows: list[BudgetRow] = field(default_factory=list)
    households: int = 0
    finished: int = 0
    ended: int = 0
    remaining: int = 0
    planned_moves: dict[str, int] = field(default_factory=dict)
    move_average: dict[str, Decimal | None] = field(default_factory=dict)
    total: BudgetRow = field(default_factory=lambda: BudgetRow("total", ""))

    per_household: Decimal | None = None  # average approved spend per finished household


def _storage_committed(project: Project) -> Decimal:
    latest = (
        Expense.objects.filter(
            case__project=project,
            kind=ExpenseKind.STORAGE,
            corrects__isnull=True,
            storage_until__isnull=False,
        )
        .order_by("case_id", "-spent_on", "-pk")
        .distinct("case_id")
        .values_list("amount", "spent_on", "storage_until")
    )
    return sum(
        (amount * months_after(start, until) for amount, start, until in latest if until), ZERO
    )


def project_budget(*, project: Project) -> Budget:
    """The budget page's numbers (see the module's docstring): six queries, however large."""
    counts = Case.objects.filter(project=project).aggregate(
        households=Count("pk"),
        finished=Count("pk", filter=finished_q()),
        ended=Count("pk", filter=ended_q()),
        remaining=Count("pk", filter=remaining_q()),
    )
    approved = Q(approved_at__isnull=False)
    finished_case, remaining_case = finished_q("case__"), remaining_q("case__")
    spend = {
        row["kind"]: row
        for row in Expense.objects.filter(case__project=project)
        .order_by()
        .values("kind")
        .annotate(
            approved=Sum("amount", filter=approved),
            awaiting=Sum("amount", filter=~approved),
            finished=Sum("amount", filter=approved & finished_case),
            settled=Sum("amount", filter=approved & ~remaining_case),
            paid_cases=Count("case", distinct=True, filter=approved & Q(corrects__isnull=True)),
        )
    }
    paid = {
        kind: Expense.objects.filter(case=OuterRef("case"), kind=kind, approved_at__isnull=False)
        for kind in MOVERS_FOR
    }
    planned = Move.objects.filter(
        case__project=project, status=MoveStatus.PLANNED, paid_by_project=True
    ).aggregate(
        **{
            kind.value: Count("pk", filter=Q(kind__in=move_kinds) & ~Exists(paid[kind]))
            for kind, move_kinds in MOVERS_FOR.items()
        }
    )
    lines = dict(BudgetLine.objects.filter(project=project).values_list("category", "amount"))
    storage = _storage_committed(project)
    rents = rent_lines(project)

    budget = Budget(project=project, **counts)
    finished = counts["finished"]
    for category in BudgetCategory:
        row = BudgetRow(category.value, str(category.label), budget=lines.get(category.value))
        if category in RENT_CATEGORIES:
            row.from_rents = True
            rent = rents[category.value]
            row.approved, row.committed, row.forecast = rent.spent, rent.committed, rent.forecast
            budget.rows.append(row)
            continue
        found = spend.get(category.value, {})
        row.approved = found.get("approved") or ZERO
        row.awaiting = found.get("awaiting") or ZERO
        if category in MOVERS_FOR:
            paid_cases = found.get("paid_cases") or 0
            average = row.approved / paid_cases if paid_cases else None
            budget.planned_moves[category.value] = planned[category.value]
            budget.move_average[category.value] = average
            if average is not None:
                row.committed = (average * planned[category.value]).quantize(Decimal("0.01"))
        elif category == BudgetCategory.STORAGE:
            row.committed = storage
        if finished:
            per_household = (found.get("finished") or ZERO) / finished
            settled = found.get("settled") or ZERO
            row.forecast = (settled + per_household * counts["remaining"]).quantize(Decimal("0.01"))
        budget.rows.append(row)
    if finished:
        spent = sum((row.get("finished") or ZERO for row in spend.values()), ZERO)
        budget.per_household = (spent / finished).quantize(Decimal("0.01"))
    budget.total = _total(budget.rows, forecast_known=bool(finished))
    return budget


def chart_rows(budget: Budget) -> list[tuple[str, float, float, float]]:
    """(category, budget, approved, committed) for cases.charts.budget_chart."""
    return [
        (row.label, float(row.budget or 0), float(row.approved), float(row.committed))
        for row in budget.rows
    ]


def _total(rows: list[BudgetRow], *, forecast_known: bool) -> BudgetRow:
    total = BudgetRow("total", "")
    budgets = [row.budget for row in rows if row.budget is not None]
    total.budget = sum(budgets, ZERO) if budgets else None
    total.approved = sum((row.approved for row in rows), ZERO)
    total.awaiting = sum((row.awaiting for row in rows), ZERO)
    total.committed = sum((row.committed for row in rows), ZERO)
    if forecast_known:
        total.forecast = sum(
            (row.forecast if row.forecast is not None else row.approved for row in rows), ZERO
        )
    return total


def approved_expenses(*, project: Project) -> QuerySet[Expense]:
    """Every approved expense of the project, for the export (one query, streamed)."""
    return (
        Expense.objects.approved()
        .filter(case__project=project)
        .select_related("case__household__flat__stairwell", "approved_by", "entered_by")
        .order_by("spent_on", "pk")
    )
