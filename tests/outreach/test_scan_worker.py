"""The flag scan through the real broker and a real worker process (CI: the machine's Redis)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.stages import Stage
from outreach.models import AwaitedReply, Flag, FlagKind, Invitation, Meeting, ScanRun, ScanStatus
from outreach.tasks import flag_scan
from tests.conftest import wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_the_scan_a_manager_asked_for(celery_worker_process, cast, client):
    case, now = cast.case_a1, timezone.now()
    Case.objects.filter(pk=case.pk).update(stage=Stage.NOTIFIED, opened_at=now - timedelta(days=5))
    for days in (30, 20):
        meeting = Meeting.objects.create(
            project=case.project, held_at=now - timedelta(days=days), place="Salen", topic="Info"
        )
        Invitation.objects.create(meeting=meeting, household=case.household)
    AwaitedReply.objects.create(
        household=case.household,
        subject="Skema om indbo",
        sent_via="letter",
        sent_on=timezone.localdate() - timedelta(days=20),
        due_on=timezone.localdate() - timedelta(days=2),
    )
    client.force_login(cast.manager_a)

    response = client.post(reverse("outreach:scan_run"))

    assert response.status_code == 302
    run = ScanRun.objects.get()
    assert run.triggered_by == cast.manager_a
    wait_for(
        lambda: ScanRun.objects.get(pk=run.pk).status == ScanStatus.SUCCEEDED,
        what="the worker to run the scan",
    )
    run.refresh_from_db()
    assert run.raised == {FlagKind.MISSED_MEETINGS: 1, FlagKind.NO_REPLY: 1}
    assert run.households_scanned == 3
    assert set(Flag.objects.values_list("household_id", "kind")) == {
        (case.household_id, FlagKind.MISSED_MEETINGS),
        (case.household_id, FlagKind.NO_REPLY),
    }

    # The nightly beat sends the task without a run: the worker records a new one, and the
    # scan, run a second time, changes nothing.
    flag_scan.delay()
    nightly = wait_for(
        lambda: ScanRun.objects.filter(triggered_by=None, status=ScanStatus.SUCCEEDED).first(),
        what="the nightly scan",
    )
    assert (nightly.raised, nightly.resolved) == ({}, {})
    assert Flag.objects.count() == 2
