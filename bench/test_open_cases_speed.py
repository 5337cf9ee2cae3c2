"""How fast a project's cases open in one action (issue 14: 5,000 cases in under 10 s with a
fixed number of queries). Run: make bench."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case
from cases.planning.services import project_open_cases
from households.models import Flat, Household, Stairwell
from tests import factories

SIZES = [500, 5000]


@pytest.mark.django_db
@pytest.mark.parametrize("count", SIZES)
def test_opening_the_cases_of_a_project(cast, count):
    estate = factories.make_estate(factories.make_organisation("Benchselskabet"), "Benchparken")
    project = factories.make_project(estate)
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street="Benchvej", number=n + 1, postcode="2650", city="Hvidovre")
        for n in range(count // 24 + 1)
    )
    flats = Flat.objects.bulk_create(
        Flat(stairwell=stairwells[i // 24], floor=i % 24 // 3, door=("tv", "mf", "th")[i % 3],
             rooms=3, area_m2=70)
        for i in range(count)
    )  # fmt: skip
    Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    project.stairwells.set(stairwells)

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        opened = project_open_cases(project=project, by=cast.manager_a)
    seconds = time.perf_counter() - started

    print(f"\nopen {count} cases: {seconds:.2f} s, {len(queries)} queries")
    assert opened == count == Case.objects.filter(project=project).count()
    assert len(queries) <= 9
    assert seconds < 10
