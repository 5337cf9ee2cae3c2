"""How fast the caseload exports (CSV, XLSX) answer with many cases. Run: make bench.

Prints timings; asserts nothing about them (machines differ). The numbers go in the notes.
"""

import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.test_caseload_speed import bulk_cases
from tests.exports import content_of


def timed_file(client, url, params, repeat: int = 3) -> tuple[float, int, int]:
    """Median milliseconds until the whole file is read, queries, bytes."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            size = len(content_of(client.get(url, params)))
        durations.append((time.perf_counter() - start) * 1000)
    return statistics.median(durations), len(queries), size


@pytest.mark.parametrize("count", [500, 5000])
def test_caseload_export_speed(client, cast, count, capsys):
    bulk_cases(cast.case_a1.project, count, cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    rows = []
    for fmt in ("csv", "xlsx"):
        url = reverse(f"cases:caseload_{fmt}")
        rows.append((fmt, *timed_file(client, url, {"scope": "all"})))
    with capsys.disabled():
        print(f"\n{count} cases exported (median of 3 requests, the whole file):")
        for fmt, ms, queries, size in rows:
            print(f"  caseload.{fmt:<5} {ms:8.1f} ms  {queries:3d} queries  {size / 1024:7.0f} KiB")
