"""How fast the caseload and the case page answer with many cases. Run: make bench.

Prints timings; asserts nothing about them (machines differ). The numbers go in the notes.
"""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case, CaseAssignment, StageChange
from cases.stages import OPEN_STAGES
from households.models import Flat, Household, Resident, Stairwell, VulnerabilityAssessment

SIZES = [500, 5000]


def bulk_cases(project, count: int, caseworker) -> None:
    estate = project.estate
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street="Benchvej", number=n + 1, postcode="2650", city="Hvidovre")
        for n in range(count // 24 + 1)
    )
    flats = Flat.objects.bulk_create(
        Flat(
            stairwell=stairwells[i // 24],
            floor=i % 24 // 3,
            door=("tv", "mf", "th")[i % 3],
            rooms=3,
            area_m2=70,
        )
        for i in range(count)
    )
    households = Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    Resident.objects.bulk_create(
        Resident(
            household=h, first_name=first, last_name=f"Hansen{i}", is_contact_person=first == "Ib"
        )
        for i, h in enumerate(households)
        for first in ("Ib", "Grethe")
    )
    VulnerabilityAssessment.objects.bulk_create(
        VulnerabilityAssessment(household=h, level=("none", "less", "particularly")[i % 3])
        for i, h in enumerate(households)
    )
    cases = Case.objects.bulk_create(
        Case(
            household=h, project=project, stage=OPEN_STAGES[i % len(OPEN_STAGES)], next_step="Ring"
        )
        for i, h in enumerate(households)
    )
    StageChange.objects.bulk_create(
        StageChange(case=c, from_stage="", to_stage="identified") for c in cases
    )
    CaseAssignment.objects.bulk_create(
        CaseAssignment(case=c, user=caseworker, role="caseworker") for c in cases[::3]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would have done after a bulk import


def timed(client, url, params=None, repeat: int = 15) -> tuple[float, int]:
    client.get(url, params)  # warm caches
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(durations), len(queries)


@pytest.mark.parametrize("count", SIZES)
def test_caseload_speed(client, cast, count, capsys):
    bulk_cases(cast.case_a1.project, count, cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    rows = []
    for label, params in [
        ("caseload, all", {"scope": "all"}),
        ("caseload, mine", {"scope": "mine"}),
        ("caseload, search", {"scope": "all", "q": "Hansen12"}),
        (
            "caseload, filtered",
            {"scope": "all", "vulnerability": "particularly", "stage": "packing"},
        ),
        ("caseload, last page", {"scope": "all", "page": count // 50}),
    ]:
        rows.append((label, *timed(client, reverse("cases:caseload"), params)))
    case = Case.objects.filter(project=cast.case_a1.project).last()
    rows.append(("case page", *timed(client, reverse("cases:detail", args=[case.pk]))))
    rows.append(("project page", *timed(client, reverse("cases:project", args=[case.project_id]))))
    with capsys.disabled():
        print(f"\n{count} cases on one estate (median of 15 requests):")
        for label, ms, queries in rows:
            print(f"  {label:<22} {ms:7.1f} ms  {queries:3d} queries")
