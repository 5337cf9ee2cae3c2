"""How fast the tenant list imports: 5,000 rows new, then the same file again. Run: make bench.

Prints timings and query counts; asserts nothing about the time (machines differ).
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.imports import build_plan
from households.services import tenant_import_apply, tenant_import_upload
from tests.households.test_imports import _many_rows


def test_import_speed(cast, capsys):
    estate = cast.case_a1.household.flat.stairwell.estate
    content = _many_rows(estate, 5000)
    lines = []
    for label in ("5,000 new rows", "the same file again", "5,000 changed rows"):
        if label == "5,000 changed rows":
            content = content.replace(b";3;75;", b";4;75;")
        start = time.perf_counter()
        build_plan(organisation=estate.organisation, content=content, file_kind="csv")
        preview = time.perf_counter() - start
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            tenant_import = tenant_import_upload(
                organisation=estate.organisation,
                by=cast.manager_a,
                content=content,
                file_kind="csv",
            )
            plan = tenant_import_apply(tenant_import=tenant_import, by=cast.manager_a)
        total = time.perf_counter() - start
        lines.append(
            f"{label}: preview {preview:.2f} s, upload + apply {total:.2f} s, "
            f"{len(queries)} queries, {plan.counts}"
        )
    with capsys.disabled():
        print("\ntenant list import, 5,000 rows")
        for line in lines:
            print("  " + line)
