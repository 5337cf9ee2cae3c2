"""How long each PDF the web process still renders takes at its threshold: the largest size that
is not yet sent to the worker (docs/jobs.md, "PDFs off the web process"). The goal is about 2 s
for the whole request. Run: make bench, or only this file:

    .venv/bin/python -m pytest bench/test_web_render_limits.py -q -s -p no:randomly -n 0

Prints the median of a few requests per kind; asserts only that each was rendered in the
request (a PDF, not a redirect to a job page), not the times (machines differ). The numbers
measured go in docs/jobs.md.
"""

import statistics
import time
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from bench.test_caseload_speed import bulk_cases
from outreach.models import Channel, Contact, Outcome
from privacy.selectors import resident_data
from referrals.visitator.selectors import visitator_flats
from reports.permissions import get_report_scope_for_user, scope_cases
from reports.selectors import report_household_count
from tests import factories

REPEAT = 3


def _timed(request) -> tuple[tuple[float, float], bytes]:
    """The median wall time and CPU time (of this process: the web process's own work, which a
    busy machine does not stretch as much) of REPEAT requests after a warm-up."""
    request()  # warm: templates, fonts
    walls, cpus, response = [], [], None
    for _ in range(REPEAT):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = request()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return (statistics.median(walls), statistics.median(cpus)), content


def _contacts(household, staff, count: int) -> None:
    Contact.objects.bulk_create(
        Contact(
            household=household,
            staff=staff,
            channel=Channel.PHONE,
            outcome=Outcome.TALKED,
            note=f"Talte med beboeren om genhusningen, opkald nummer {n}. " * 3,
        )
        for n in range(count)
    )


def _print(capsys, name: str, size: str, seconds: tuple[float, float], content: bytes) -> None:
    wall, cpu = seconds
    with capsys.disabled():
        print(
            f"\n{name:34s} {size:16s} wall {wall * 1000:6.0f} ms  cpu {cpu * 1000:6.0f} ms"
            f"  {len(content) // 1024:4d} KiB"
        )


def test_status_report_at_its_threshold(client, cast, capsys):
    project = cast.case_a1.project
    scope = get_report_scope_for_user(cast.manager_a, "project", project.pk, named=True)
    have = report_household_count(scope_cases(cast.manager_a, scope))
    bulk_cases(project, settings.REPORT_ASYNC_HOUSEHOLDS - have, cast.caseworker_a1)
    assert report_household_count(scope_cases(cast.manager_a, scope)) == (
        settings.REPORT_ASYNC_HOUSEHOLDS
    )
    client.force_login(cast.manager_a)
    form = {"kind": "project", "target": project.pk, "named": "on"}
    seconds, pdf = _timed(lambda: client.post(reverse("reports:print"), form))
    assert pdf.startswith(b"%PDF")
    size = f"{settings.REPORT_ASYNC_HOUSEHOLDS} households"
    _print(capsys, "status report (named, project)", size, seconds, pdf)


def test_case_summary_at_its_threshold(client, cast, capsys):
    case = cast.case_a1
    entries = case.stage_changes.count() + Contact.objects.filter(household=case.household).count()
    _contacts(case.household, cast.caseworker_a1, settings.CASE_SUMMARY_ASYNC_ENTRIES - entries)
    client.force_login(cast.caseworker_a1)
    url = reverse("reports:case_summary", args=[case.pk])
    seconds, pdf = _timed(lambda: client.post(url))
    assert pdf.startswith(b"%PDF")
    size = f"{settings.CASE_SUMMARY_ASYNC_ENTRIES} entries"
    _print(capsys, "case summary", size, seconds, pdf)


def test_art_15_export_at_its_threshold(client, cast, capsys):
    resident = cast.case_a1.household.residents.order_by("pk").first()

    def rows() -> int:
        return sum(len(section.rows) for section in resident_data(resident=resident))

    # Each download adds its access-log row to her data: the last request is at the threshold.
    limit = settings.RESIDENT_ACCESS_ASYNC_ROWS
    _contacts(resident.household, cast.caseworker_a1, limit - REPEAT - rows())
    assert rows() == limit - REPEAT
    client.force_login(cast.caseworker_a1)
    url = reverse("privacy:resident_access", args=[resident.household_id, resident.pk])
    seconds, archive = _timed(lambda: client.get(url))
    assert archive.startswith(b"PK")  # the zip, not a redirect to a job
    size = f"{settings.RESIDENT_ACCESS_ASYNC_ROWS} rows"
    _print(capsys, "art. 15 export (PDF + JSON, zip)", size, seconds, archive)


def test_visitator_flat_list_at_its_threshold(client, cast, visitator_partner, capsys):
    from referrals.visitator.permissions import require_visitator

    project = cast.case_a1.project
    partners = require_visitator(cast.visitator)
    have = len(list(visitator_flats(partners=partners)))
    before = set(project.estate.stairwells.values_list("pk", flat=True))
    bulk_cases(project, settings.VISITATOR_FLATS_ASYNC_ROWS - have, cast.caseworker_a1)
    for stairwell in project.estate.stairwells.exclude(pk__in=before):
        factories.make_schedule(
            project,
            stairwell,
            notice_on=date(2026, 2, 1),
            packing_on=date(2026, 4, 1),
            move_out_on=date(2026, 5, 1),
            return_on=date(2027, 3, 1),
        )
    flats = len(list(visitator_flats(partners=partners)))
    assert flats == settings.VISITATOR_FLATS_ASYNC_ROWS
    client.force_login(cast.visitator)
    url = reverse("referrals:visitator_flats_pdf")
    seconds, pdf = _timed(lambda: client.get(url))
    assert pdf.startswith(b"%PDF")
    _print(capsys, "visitator's flat list", f"{flats} flats", seconds, pdf)


@pytest.fixture(autouse=True)
def _no_jobs(db):
    """At the threshold the request renders; a job would mean the bench measured nothing."""
    yield
    from cases.reports.models import ReportJob

    assert not ReportJob.objects.exists()
