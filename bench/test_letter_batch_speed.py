"""The whole letters batch job for 300 households, as the worker runs it (issue 15: under 10 s):
the households read, each letter's text made from the organisation's standard notice and stored,
one merged PDF and each letter's own file. `bench/letters.py` times the PDF step alone.
Run: make bench (or by name: .venv/bin/python -m pytest bench/test_letter_batch_speed.py -s)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.test_caseload_speed import bulk_cases
from outreach.letters.models import Letter, LetterBatch
from outreach.letters.sending import batch_create, batch_run
from outreach.letters.services import standard_templates_add
from tests import factories

HOUSEHOLDS = 300


@pytest.mark.django_db
def test_a_batch_of_300_letters_in_the_worker(cast, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    estate = factories.make_estate(factories.make_organisation("Benchselskabet"), "Benchparken")
    project = factories.make_project(estate)
    bulk_cases(project, HOUSEHOLDS, cast.caseworker_a1)
    [notice] = [
        template
        for template in standard_templates_add(organisation=estate.organisation)
        if template.kind == "notice"
    ]
    batch = batch_create(project=project, template=notice, by=cast.manager_a)

    started, cpu = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        batch_run(batch_id=batch.pk)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu

    batch = LetterBatch.objects.get(pk=batch.pk)
    print(
        f"\n{HOUSEHOLDS} letters, the whole job: {seconds:.2f} s ({cpu_seconds:.2f} s of CPU in "
        f"this process), {len(queries)} queries, merged PDF {batch.pdf.size // 1024} KiB"
    )
    assert batch.letter_count == HOUSEHOLDS == Letter.objects.filter(batch=batch).count()
    assert seconds < 10
