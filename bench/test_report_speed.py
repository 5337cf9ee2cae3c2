"""How long the reports page and a status report PDF take with many cases. Run: make bench.

Prints timings; asserts nothing about them (machines differ). The numbers go in the notes.
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.test_caseload_speed import bulk_cases, timed
from reports.permissions import get_report_scope_for_user, scope_cases
from reports.selectors import report_build
from reports.services import report_render

SIZES = [500, 5000]


@pytest.mark.parametrize("count", SIZES)
def test_report_speed(client, cast, count, capsys):
    project = cast.case_a1.project
    bulk_cases(project, count, cast.caseworker_a1)
    client.force_login(cast.manager_a)
    page_ms, page_queries = timed(client, reverse("reports:project", args=[project.pk]), repeat=5)
    scope = get_report_scope_for_user(cast.manager_a, "project", project.pk, named=True)
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        report = report_build(scope=scope, cases=scope_cases(cast.manager_a, scope), named=True)
    build_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    pdf = report_render(report=report)
    render_ms = (time.perf_counter() - start) * 1000
    with capsys.disabled():
        print(f"\n{count} cases in one project:")
        print(f"  reports page           {page_ms:7.1f} ms  {page_queries:3d} queries")
        print(f"  named report, data     {build_ms:7.1f} ms  {len(queries):3d} queries")
        print(f"  named report, PDF      {render_ms:7.1f} ms  {len(pdf) // 1024} KiB")
