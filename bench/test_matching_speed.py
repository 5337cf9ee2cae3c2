"""How fast the matching board, a case's ranked list and the pool answer with thousands of pool
flats and households. Run: make bench.

Prints timings and query counts; asserts nothing about the timings (machines differ).
"""

import random
import statistics
import time
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bench.test_caseload_speed import bulk_cases
from cases.logistics.models import HousingNeed, PoolFlat, PoolKind
from cases.models import Case
from cases.stages import Stage
from households.models import Estate, Flat, Stairwell

SIZES = [(1000, 1000), (3000, 5000)]  # (pool flats, households)
AREAS = ("Avedøre", "Friheden", "Hvidovre Strand", "Risbjerg", "Holmegård")


def bulk_pool(organisation, count: int) -> None:
    rng = random.Random(count)
    estates = [
        Estate.objects.create(
            organisation=organisation,
            municipality=Estate.objects.first().municipality,
            number=f"B{n}",
            name=f"Puljeafdeling {n}",
            area=area,
        )
        for n, area in enumerate(AREAS)
    ]
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(
            estate=estates[n % len(estates)],
            street="Puljevej",
            number=n + 1,
            postcode="2650",
            city="Hvidovre",
        )
        for n in range(count // 8 + 1)
    )
    flats = Flat.objects.bulk_create(
        Flat(
            stairwell=stairwells[i // 8],
            floor=i % 8 // 2,
            door=("tv", "th")[i % 2],
            rooms=rng.choice((1, 2, 3, 3, 4, 4, 5)),
            area_m2=70,
        )
        for i in range(count)
    )
    PoolFlat.objects.bulk_create(
        PoolFlat(
            organisation=organisation,
            flat=flat,
            kind=rng.choice((PoolKind.TEMPORARY, PoolKind.BOTH, PoolKind.PERMANENT)),
            rent=rng.randrange(4000, 11000, 100),
            has_lift=rng.random() < 0.3,
            step_free=rng.random() < 0.2,
            pets_allowed=rng.random() < 0.5,
            available_from=date(2024, 1, 1),
        )
        for flat in flats
    )


def timed(client, url, params=None, repeat: int = 9) -> tuple[float, int]:
    client.get(url, params)  # warm caches
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(durations), len(queries)


@pytest.mark.parametrize(("pool_size", "households"), SIZES)
def test_matching_speed(client, cast, pool_size, households, capsys):
    project = cast.case_a1.project
    bulk_cases(project, households, cast.caseworker_a1)
    Case.objects.filter(project=project).update(stage=Stage.NOTIFIED)
    bulk_pool(project.estate.organisation, pool_size)
    rng = random.Random(7)
    HousingNeed.objects.bulk_create(
        HousingNeed(
            case=case,
            kind="temporary",
            rooms=rng.choice((None, 2, 3)),
            pets=rng.random() < 0.1,
            ground_floor_or_lift=rng.random() < 0.2,
            wished_areas=[rng.choice(AREAS)],
        )
        for case in Case.objects.filter(project=project)[: households // 2]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(cast.rehousing_officer_a1)
    case = Case.objects.filter(project=project).order_by("pk").last()
    rows = [
        ("board, page 1", *timed(client, reverse("logistics:board", args=[project.pk]))),
        (
            "board, page 40",
            *timed(client, reverse("logistics:board", args=[project.pk]), {"page": 40}),
        ),
        ("ranked list (50)", *timed(client, reverse("logistics:case_flats", args=[case.pk]))),
        ("pool list", *timed(client, reverse("logistics:pool"))),
        (
            "week of moves",
            *timed(
                client,
                reverse("logistics:week", args=[project.pk]),
                {"uge": timezone.localdate().isoformat()},
            ),
        ),
    ]
    with capsys.disabled():
        print(f"\n{pool_size} pool flats, {households} households (median of 9 requests):")
        for label, ms, queries in rows:
            print(f"  {label:<18} {ms:7.1f} ms  {queries:3d} queries")
