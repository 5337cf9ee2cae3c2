"""The budget page of a project of 1,000 cases and 10,000 expenses (issue 17). Not part of
`make test` nor `make bench`; run it by name:

    .venv/bin/python -m pytest bench/economy.py -q -s -p no:randomly

Prints the page's median time and query count, the budget's numbers alone, and the two exports;
asserts only that the query count does not grow with the rows.
"""

import random
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from bench.test_caseload_speed import bulk_cases, timed
from cases.economy.models import BudgetLine, Expense, ExpenseKind
from cases.economy.selectors import project_budget
from cases.logistics.models import Move, MoveKind
from cases.models import Case
from cases.stages import Stage

CASES = 1000
EXPENSES = 10000


def fill(project, officer, manager) -> None:
    """1,000 cases in every stage, 10,000 expenses (four in five approved, storage with end
    dates, corrections), a planned move for every fourth case, and a budget per category."""
    bulk_cases(project, CASES - 1, officer)
    cases = list(Case.objects.filter(project=project).values_list("pk", "household__flat_id"))
    stages = [Stage.NOTIFIED, Stage.PACKING, Stage.TEMPORARY, Stage.RETURNED, Stage.CLOSED]
    for index, stage in enumerate(stages):
        ids = [pk for n, (pk, _flat) in enumerate(cases) if n % len(stages) == index]
        Case.objects.filter(pk__in=ids).update(stage=stage)
    rng = random.Random(17)
    now = timezone.now()
    kinds = ExpenseKind.values
    rows = []
    for n in range(EXPENSES):
        case_id = cases[n % len(cases)][0]
        kind = kinds[rng.randrange(len(kinds))]
        spent_on = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
        approved = n % 5 != 0
        rows.append(
            Expense(
                case_id=case_id,
                kind=kind,
                amount=Decimal(rng.randrange(200, 20000)),
                spent_on=spent_on,
                supplier=f"Leverandør {n % 40}",
                storage_until=spent_on + timedelta(days=rng.randrange(30, 400))
                if kind == ExpenseKind.STORAGE
                else None,
                entered_by=officer,
                approved_by=manager if approved else None,
                approved_at=now if approved else None,
            )
        )
    Expense.objects.bulk_create(rows, batch_size=2000)
    temporary = Case.objects.get(pk=cases[0][0]).household.flat
    Move.objects.bulk_create(
        Move(
            case_id=pk,
            kind=MoveKind.TO_TEMPORARY,
            from_flat_id=flat_id,
            to_flat=temporary,
            moves_on=date(2026, 11, 1),
        )
        for n, (pk, flat_id) in enumerate(cases[1:])
        if n % 4 == 0
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(project=project, category=kind, amount=Decimal(1_000_000)) for kind in kinds
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_expense; ANALYZE cases_case; ANALYZE cases_move")


@pytest.mark.django_db
def test_budget_speed(client, cast, capsys):
    project = cast.case_a1.project
    fill(project, cast.rehousing_officer_a1, cast.manager_a)
    client.force_login(cast.manager_a)
    connection.queries_log.clear()
    page_ms, page_queries = timed(client, reverse("economy:budget", args=[project.pk]))
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(count):
        budget = project_budget(project=project)
    numbers_ms = (time.perf_counter() - start) * 1000
    exports = []
    for name in ("economy:budget_xlsx", "economy:expenses_xlsx"):
        start = time.perf_counter()
        response = client.get(reverse(name, args=[project.pk]))
        size = len(b"".join(response.streaming_content))
        exports.append((name, (time.perf_counter() - start) * 1000, size))
    with capsys.disabled():
        print(f"\n{CASES} cases, {EXPENSES} expenses in one project:")
        print(f"  budget page          {page_ms:7.1f} ms  {page_queries:3d} queries (median)")
        print(f"  budget numbers       {numbers_ms:7.1f} ms  {len(queries):3d} queries")
        for name, ms, size in exports:
            print(f"  {name:20s} {ms:7.1f} ms  {size // 1024} KiB")
        print(f"  approved {budget.total.approved} kr., forecast {budget.total.forecast} kr.")
    assert len(queries) <= 6
