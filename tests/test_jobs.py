"""The job machinery without a worker process (core/jobs.py): the claim, the dispatcher, the
"run now" of the flag scan. Through a real worker: tests/test_jobs_worker.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.reports.models import ReportJob, ReportStatus
from core.jobs import job_claim, jobs_dispatch
from outreach.models import ScanRun, ScanStatus
from reports.permissions import get_report_scope_for_user

pytestmark = pytest.mark.django_db


def _queued_report(cast, **values) -> ReportJob:
    organisation = cast.case_a1.project.estate.organisation
    get_report_scope_for_user(cast.manager_a, "organisation", organisation.pk)
    return ReportJob.objects.create(
        kind="organisation", target_id=organisation.pk, ordered_by=cast.manager_a, **values
    )


def test_a_job_delivered_twice_is_done_once(cast):
    job = _queued_report(cast)
    assert job_claim(ReportJob, job.pk) == 1
    assert job_claim(ReportJob, job.pk) is None  # the second delivery: another worker has it
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.RUNNING, 1)


def test_a_queued_job_whose_message_was_lost_is_sent_again_and_made(cast, settings):
    long_ago = timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER + 5)
    job = _queued_report(cast, ordered_at=long_ago)  # Redis lost it: never sent

    counts = jobs_dispatch()  # tasks run inline here: the resend makes the report

    job.refresh_from_db()
    assert counts["resent"] == 1
    assert (job.status, job.attempts, job.progress) == (ReportStatus.DONE, 1, 100)
    assert job.sent_at is not None
    assert jobs_dispatch()["resent"] == 0
    job.file.delete(save=False)


def test_a_fresh_queued_job_is_left_to_its_message(cast):
    job = _queued_report(cast, sent_at=timezone.now())
    assert jobs_dispatch() == {"resent": 0, "taken_back": 0, "failed": 0}
    job.refresh_from_db()
    assert job.status == ReportStatus.QUEUED


def test_a_silent_running_job_is_taken_back_and_after_the_last_attempt_failed(
    cast, settings, client, django_capture_on_commit_callbacks
):
    silent = timezone.now() - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 5)
    settings.JOB_MAX_ATTEMPTS = 2
    again = _queued_report(cast, status=ReportStatus.RUNNING, attempts=1, heartbeat_at=silent)
    last = _queued_report(cast, status=ReportStatus.RUNNING, attempts=2, heartbeat_at=silent)

    counts = jobs_dispatch()

    again.refresh_from_db()
    last.refresh_from_db()
    assert counts == {"resent": 1, "taken_back": 1, "failed": 1}
    assert (again.status, again.attempts) == (ReportStatus.DONE, 2)
    assert last.status == ReportStatus.FAILED and last.finished_at is not None
    client.force_login(cast.manager_a)
    page = client.get(reverse("reports:job", args=[last.pk])).content.decode()
    assert "Rapporten kunne ikke laves." in page
    assert "Jobbet blev forsøgt flere gange uden held" in page
    assert "Prøv igen" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:job_retry", args=[last.pk]))
    new = ReportJob.objects.order_by("-pk").first()
    assert new.pk not in (again.pk, last.pk) and new.status == ReportStatus.DONE
    assert response.url == reverse("reports:job", args=[new.pk])
    for job in (again, new):
        job.file.delete(save=False)


def test_a_job_whose_worker_died_with_attempts_left_is_shown_as_started_again(
    cast, settings, client
):
    """Between the worker's death and the dispatcher taking the job back, the page says it is
    being started again and keeps polling; "failed" with "Prøv igen" only after the last
    attempt. It said "Rapporten kunne ikke laves." and stopped polling, though the report was
    made a minute later (kill -9 of a live worker)."""
    settings.JOB_MAX_ATTEMPTS = 3
    silent = timezone.now() - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 5)
    job = _queued_report(
        cast, status=ReportStatus.RUNNING, attempts=1, heartbeat_at=silent, progress=50
    )
    client.force_login(cast.manager_a)
    url = reverse("reports:job", args=[job.pk])

    page = client.get(url).content.decode()
    assert "Baggrundsprocessen stoppede; rapporten startes igen" in page
    assert 'hx-trigger="every 2s"' in page
    assert "kunne ikke laves" not in page and "Prøv igen" not in page
    client.post(reverse("reports:job_retry", args=[job.pk]))
    assert ReportJob.objects.count() == 1  # nothing to try again: it is being made

    ReportJob.objects.filter(pk=job.pk).update(attempts=3)
    page = client.get(url).content.decode()
    assert "Rapporten kunne ikke laves." in page and "Prøv igen" in page
    assert 'hx-trigger="every 2s"' not in page


def test_try_again_on_a_job_that_has_not_failed_makes_nothing(cast, client):
    job = _queued_report(cast, sent_at=timezone.now())
    client.force_login(cast.manager_a)
    response = client.post(reverse("reports:job_retry", args=[job.pk]))
    assert response.url == reverse("reports:job", args=[job.pk])
    assert ReportJob.objects.count() == 1


def test_a_job_queued_far_too_long_fails_with_a_message(cast, settings):
    too_old = timezone.now() - timedelta(seconds=settings.JOB_GIVE_UP_QUEUED_AFTER + 5)
    job = _queued_report(cast, ordered_at=too_old)
    assert jobs_dispatch()["failed"] == 1
    job.refresh_from_db()
    assert job.status == ReportStatus.FAILED and "ingen baggrundsproces var ledig" in job.error


def test_run_now_is_not_blocked_by_a_dead_run(cast, client, settings):
    silent = timezone.now() - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT + 5)
    dead = ScanRun.objects.create(
        status=ScanStatus.RUNNING, started_at=silent, heartbeat_at=silent, attempts=1
    )
    lost = ScanRun.objects.create(  # queued, but Redis lost its message long ago
        status=ScanStatus.QUEUED,
        queued_at=timezone.now() - timedelta(seconds=settings.JOB_RESEND_AFTER + 5),
    )
    client.force_login(cast.manager_a)
    response = client.post(reverse("outreach:scan_run"), follow=True)
    assert "already queued or running" not in response.content.decode()
    assert "allerede" not in response.content.decode()
    newest = ScanRun.objects.order_by("-pk").first()
    assert newest.pk not in (dead.pk, lost.pk) and newest.status == ScanStatus.SUCCEEDED


def test_run_now_is_refused_while_a_scan_is_alive(cast, client):
    ScanRun.objects.create(
        status=ScanStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    client.force_login(cast.manager_a)
    response = client.post(reverse("outreach:scan_run"), follow=True)
    assert ScanRun.objects.count() == 1
    assert response.status_code == 200


def test_the_job_page_calls_each_kind_by_its_own_name(cast, client):
    """ "Din indsigtskopi (zip) er klar", not "Rapporten er klar", for every kind: the words of
    reports' own kinds and of each registered maker (cases/reports/makers.py)."""
    from django.utils import translation

    from cases.reports.models import ReportKind
    from reports.services import report_job_words

    expected = {
        ReportKind.PROJECT: "Rapporten er klar.",
        ReportKind.ORGANISATION: "Rapporten er klar.",
        ReportKind.CASE_SUMMARY: "Sagsresuméet er klar.",
        ReportKind.RESIDENT_ACCESS: "Din indsigtskopi (zip) er klar.",
        ReportKind.VISITATOR_FLATS: "Din liste over berørte boliger (PDF) er klar.",
    }
    with translation.override("da"):
        for kind, ready in expected.items():
            words = report_job_words(ReportJob(kind=kind))
            assert str(words.ready) == ready
            if kind not in (ReportKind.PROJECT, ReportKind.ORGANISATION):
                # (`kept` may name the Reports menu, "under Rapporter")
                fields = [f for f in words.__dataclass_fields__ if f != "kept"]
                said = " ".join(str(getattr(words, f)) for f in fields)
                assert "apport" not in said, (kind, said)
    # a case summary's page, made and failed, in its own words
    job = ReportJob.objects.create(
        kind=ReportKind.CASE_SUMMARY, target_id=cast.case_a1.pk, ordered_by=cast.caseworker_a1
    )
    client.force_login(cast.caseworker_a1)
    url = reverse("reports:job", args=[job.pk])
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.RUNNING, progress=40)
    assert "Laver sagsresuméet" in client.get(url).content.decode()
    ReportJob.objects.filter(pk=job.pk).update(status=ReportStatus.FAILED)
    page = client.get(url).content.decode()
    assert "Sagsresuméet kunne ikke laves." in page and "Rapporten" not in page
    assert "Prøv igen" in page


@pytest.mark.django_db(transaction=True)
def test_a_claim_waits_for_a_row_lock_instead_of_dropping_the_message(django_user_model):
    """The sender's `sent_at` UPDATE (core.queue.enqueue_job_now) holds the row's lock just as
    an idle worker receives the message. The claim waits for it and starts the job; with SKIP
    LOCKED it returned None, the message was acknowledged and the job sat queued until the
    dispatcher sent it again (the flaky 'Prøv igen' test of tests/test_jobs_worker.py)."""
    import threading

    from django.db import connection, transaction

    user = django_user_model.objects.create(username="orderer")
    job = ReportJob.objects.create(kind="project", target_id=1, ordered_by=user)
    claimed: list[int | None] = []

    def worker() -> None:
        try:
            claimed.append(job_claim(ReportJob, job.pk))
        finally:
            connection.close()

    with transaction.atomic():  # the sender, noting sent_at
        ReportJob.objects.filter(pk=job.pk).update(sent_at=timezone.now())
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=0.5)
        assert thread.is_alive() and claimed == []  # waiting for the lock, not given up
    thread.join(timeout=10)
    assert claimed == [1]
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ReportStatus.RUNNING, 1)
    assert job_claim(ReportJob, job.pk) is None  # a second delivery still finds it taken
