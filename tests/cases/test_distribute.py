"""Distributing a project's cases by stairwell: counts per person first, then apply; one
notice per person per distribution (a mail listing her stairwells and case counts)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.models import Case, CaseAssignment, DistributionNotice
from cases.planning.services import (
    distribution_counts,
    distribution_send_notification,
    project_distribute,
    project_open_cases,
)
from cases.tasks import distribution_notifications_sweep
from core.roles import Role
from tests import factories
from tests.conftest import MARKERS


def _project(cast):
    estate = cast.case_a1.project.estate
    project = factories.make_project(estate)
    stairwells = [
        factories.make_stairwell(estate, street="Kløvermarken", number=n) for n in (3, 4, 5)
    ]
    project.stairwells.set(stairwells)
    for index, stairwell in enumerate(stairwells):
        for floor in range(index + 2):  # 2, 3 and 4 households
            factories.make_household(
                factories.make_flat(stairwell, floor=floor), f"Beboer B{index}{floor}"
            )
    project_open_cases(project=project, by=None)
    mette = factories.make_user("mette", Role.CASEWORKER, first_name="Mette", last_name="Mo")
    assign_perm("households.staff_of_organisation", mette, estate.organisation)
    return project, stairwells, mette


@pytest.mark.django_db
def test_counts_per_person_then_apply_and_she_sees_exactly_those_cases(client, cast):
    project, (three, four, five), mette = _project(cast)
    plan = {three.pk: mette, four.pk: mette}

    assert distribution_counts(project=project, plan=plan) == {mette: 5}
    assert project_distribute(project=project, plan=plan, by=cast.manager_a) == 5
    # Again: every case of those stairwells has its caseworker, nothing more is assigned.
    assert project_distribute(project=project, plan=plan, by=cast.manager_a) == 0

    client.force_login(mette)
    response = client.get(reverse("cases:caseload"), {"scope": "all"})
    shown = {case.pk for case in response.context["page"].object_list}
    expected = set(
        Case.objects.filter(
            project=project, household__flat__stairwell__in=[three, four]
        ).values_list("pk", flat=True)
    )
    assert shown == expected
    assert client.get(reverse("cases:detail", args=[expected.pop()])).status_code == 200
    other = Case.objects.get(
        project=project, household__flat__stairwell=five, household__flat__floor=0
    )
    assert client.get(reverse("cases:detail", args=[other.pk])).status_code == 404


@pytest.mark.django_db
def test_the_page_shows_the_counts_before_applying(client, cast):
    project, (three, _four, _five), mette = _project(cast)
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "en"
    url = reverse("cases:distribute", args=[project.pk])

    preview = client.post(url, {f"s-{three.pk}": mette.pk, "action": "preview"})
    assert preview.status_code == 200
    assert preview.context["preview"] == [{"user": mette, "new": 2, "now": 0}]
    assert "Each person gets one e-mail" in preview.content.decode()
    assert not CaseAssignment.objects.filter(user=mette).exists()

    applied = client.post(url, {f"s-{three.pk}": mette.pk, "action": "apply"})
    assert applied.status_code == 302
    assert CaseAssignment.objects.filter(user=mette).count() == 2


@pytest.mark.django_db
def test_a_caseworker_of_another_organisation_cannot_be_given_cases(client, cast):
    project, (three, _four, _five), _mette = _project(cast)
    client.force_login(cast.manager_a)
    url = reverse("cases:distribute", args=[project.pk])

    response = client.post(url, {f"s-{three.pk}": cast.caseworker_b1.pk, "action": "apply"})

    assert response.status_code == 400
    assert not CaseAssignment.objects.filter(
        user=cast.caseworker_b1, case__project=project
    ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
def test_the_queries_do_not_grow(cast, count, django_assert_max_num_queries):
    project, stairwells, mette = _project(cast)
    plan = {stairwell.pk: mette for stairwell in stairwells[:count]}
    with django_assert_max_num_queries(12):
        project_distribute(project=project, plan=plan, by=None)


@pytest.mark.django_db
def test_each_person_gets_one_mail_per_distribution_with_her_stairwells_and_counts(
    cast, django_capture_on_commit_callbacks
):
    project, (three, four, five), mette = _project(cast)
    mette.email = "mette@example.dk"
    mette.save()
    lone = factories.make_user("lone", Role.CASEWORKER, first_name="Lone", last_name="Lund")
    lone.email = "lone@example.dk"
    lone.save()
    assign_perm("households.staff_of_organisation", lone, project.estate.organisation)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        project_distribute(
            project=project,
            plan={three.pk: mette, four.pk: mette, five.pk: lone},
            by=cast.manager_a,
        )

    assert sorted(message.to[0] for message in mail.outbox) == [
        "lone@example.dk",
        "mette@example.dk",
    ]
    to_mette = next(message for message in mail.outbox if message.to == ["mette@example.dk"])
    assert to_mette.subject == "Du har fået sager i genhusning"
    assert f"{three}: 2 sager" in to_mette.body and f"{four}: 3 sager" in to_mette.body
    assert str(five) not in to_mette.body
    assert "5 sager i alt." in to_mette.body and project.name in to_mette.body
    assert "/sager/?scope=mine" in to_mette.body
    # Nothing about a resident leaves the system.
    for message in mail.outbox:
        assert "Beboer" not in message.body
        for marker in (marker for markers in MARKERS.values() for marker in markers):
            assert marker not in message.body
    notice = DistributionNotice.objects.get(user=mette)
    assert notice.stairwells == [[three.pk, str(three), 2], [four.pk, str(four), 3]]
    assert notice.notified_at is not None and notice.by == cast.manager_a
    assert distribution_send_notification(notice_id=notice.pk) is False  # once only

    # Nothing new to give: no notice, no mail.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        project_distribute(project=project, plan={three.pk: mette}, by=cast.manager_a)
    assert mail.outbox == [] and DistributionNotice.objects.count() == 2


@pytest.mark.django_db
def test_a_distribution_mail_the_queue_never_sent_goes_with_the_sweep(cast, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    project, (three, _four, _five), mette = _project(cast)
    mette.email = "mette@example.dk"
    mette.save()
    mail.outbox.clear()
    project_distribute(project=project, plan={three.pk: mette}, by=cast.manager_a)  # no commit
    assert mail.outbox == []

    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert distribution_notifications_sweep() == 1
        assert distribution_notifications_sweep() == 0
    assert [message.to for message in mail.outbox] == [["mette@example.dk"]]
