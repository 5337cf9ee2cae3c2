"""The nightly purge: ended sessions and the files of old worker-made reports go."""

from datetime import timedelta

import time_machine
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from accounts.models import UserSession
from cases.reports.models import ReportJob, ReportStatus
from privacy.services import expired_data_purge
from privacy.tasks import purge_expired


def test_it_deletes_ended_sessions_with_their_user_record_and_keeps_live_ones(client, cast):
    client.force_login(cast.caseworker_a1)
    live_key = client.session.session_key
    ended = Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(minutes=1)
    )
    UserSession.objects.create(session=ended, user=cast.caseworker_b1)
    counts = expired_data_purge()
    assert counts["sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_key]
    assert not UserSession.objects.filter(user=cast.caseworker_b1).exists()
    assert client.get("/sager/").status_code == 200  # the live one still works


def test_it_deletes_the_files_of_reports_older_than_a_week(
    cast, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    storage = FileSystemStorage(location=str(tmp_path))
    monkeypatch.setattr(ReportJob._meta.get_field("file"), "storage", storage)
    assert settings.REPORT_KEEP_DAYS == 7
    now = timezone.now()

    def job(days_old: int) -> ReportJob:
        made = ReportJob.objects.create(
            kind="project",
            target_id=cast.case_a1.project_id,
            ordered_by=cast.manager_a,
            named=True,
            status=ReportStatus.DONE,
            household_ids=[cast.case_a1.household_id],
            ordered_at=now - timedelta(days=days_old),
        )
        made.file.save("r.pdf", ContentFile(b"%PDF-1.4 names"), save=True)
        return made

    old, recent = job(8), job(6)
    old_name = old.file.name
    with django_capture_on_commit_callbacks(execute=True):
        counts = purge_expired()
    assert counts["report_files"] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.file.name == "" and old.household_ids == []
    assert not storage.exists(old_name)
    assert storage.exists(recent.file.name) and recent.household_ids
    with (
        time_machine.travel(now + timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert expired_data_purge()["report_files"] == 1  # now the second one
    with django_capture_on_commit_callbacks(execute=True):
        assert expired_data_purge() == {"sessions": 0, "report_files": 0}  # idempotent
