"""Tasks through the real broker and a real worker process (CI: the machine's Redis)."""

import pytest

from cases.models import CaseAssignment
from cases.services import case_assign_staff
from cases.tasks import notify_case_assigned
from tests.conftest import MARKERS, wait_for

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_mails_the_assignee_once_and_without_personal_data(
    celery_worker_process, cast
):
    cast.caseworker_a1.email = "maja@example.dk"
    cast.caseworker_a1.save()

    assignment = case_assign_staff(case=cast.case_a1, user=cast.caseworker_a1, by=cast.manager_a)

    wait_for(
        lambda: CaseAssignment.objects.get(pk=assignment.pk).notified_at is not None,
        what="the worker to send the assignment mail",
    )
    # Delivered twice (a retry, a worker restart): the second run changes nothing.
    assert notify_case_assigned.delay(assignment.pk).get(timeout=30) is False

    mails = celery_worker_process.sent_mails()
    assert len(mails) == 1
    mail = mails[0]
    assert mail["Subject"] == "Du har fået tildelt en sag i genhusning"
    assert mail["To"] == "maja@example.dk"
    body = mail.get_content()
    assert f"/sager/{cast.case_a1.pk}/" in body
    for marker in MARKERS["case_a1"]:
        assert marker not in body
