"""A large report through the real broker and a real worker process, with the progress page."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from cases.reports.models import ReportJob, ReportStatus
from households.models import AccessAction, AccessLog
from tests.conftest import MARKERS, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_renders_the_organisation_report_and_the_page_follows_it(
    celery_worker_process, cast, client
):
    organisation = cast.case_a1.project.estate.organisation
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("reports:print"), {"kind": "organisation", "target": organisation.pk}
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    fragment_url = reverse("reports:job", args=[job.pk])

    def finished():
        fragment = client.get(fragment_url, HTTP_HX_REQUEST="true").content.decode()
        return fragment if "Hent PDF-filen" in fragment else None

    fragment = wait_for(finished, timeout=60, what="the worker to render the report")
    assert "hx-trigger" not in fragment  # done: the page stops polling
    assert "<html" not in fragment  # the fragment alone
    job.refresh_from_db()
    assert job.status == ReportStatus.DONE and job.progress == 100 and job.file
    # Delivered twice: the second run changes nothing.
    from reports.services import report_job_run

    again = report_job_run(job_id=job.pk)
    assert again is not None and again.file.name == job.file.name

    download = client.get(reverse("reports:job_download", args=[job.pk]))
    try:
        content = b"".join(download.streaming_content)
        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert "Organisationsrapport" in text and "Boligselskabet A" in text
        for marker in (*MARKERS["case_a1"][:2], *MARKERS["case_a2"][:2], *MARKERS["case_b1"]):
            assert marker not in text
        assert "Vestergården" in text and "Nordparken" in text  # by estate
        assert AccessLog.objects.filter(
            user=cast.manager_a, action=AccessAction.PRINT, what__startswith="organisation"
        ).exists()
    finally:
        job.file.delete(save=False)
