"""Closing a project when every case is closed: read-only afterwards, the retention clock
starts again for its households."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Project
from cases.stages import Stage
from privacy.services import households_due_for_anonymisation
from tests import factories


@pytest.mark.django_db
def test_a_project_with_open_cases_is_not_closed(client, cast):
    project = cast.case_a1.project
    client.force_login(cast.manager_a)

    client.post(reverse("cases:project_close", args=[project.pk]))

    project.refresh_from_db()
    assert project.closed_at is None


@pytest.mark.django_db
def test_closing_makes_the_project_read_only_and_restarts_the_retention_clock(client, cast):
    project = cast.case_a1.project
    long_ago = timezone.now() - timedelta(days=4 * 365)
    Case.objects.filter(project=project).update(stage=Stage.CLOSED, closed_at=long_ago)
    assert cast.case_a1.household in households_due_for_anonymisation()
    client.force_login(cast.manager_a)

    response = client.post(reverse("cases:project_close", args=[project.pk]))

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.closed_at is not None and project.closed_by == cast.manager_a
    assert cast.case_a1.household not in households_due_for_anonymisation()
    assert cast.case_a1.household in households_due_for_anonymisation(
        timezone.now() + timedelta(days=3 * 365 + 1)
    )
    for name in ("project_edit", "schedule", "distribute"):
        assert client.get(reverse(f"cases:{name}", args=[project.pk])).status_code == 403
    assert client.post(reverse("cases:open_cases", args=[project.pk])).status_code == 403
    assert client.get(reverse("cases:project", args=[project.pk])).status_code == 200


@pytest.mark.django_db
def test_another_organisation_gets_404(client, cast):
    project = factories.make_project(cast.case_a1.project.estate)
    client.force_login(cast.manager_b)
    assert client.post(reverse("cases:project_close", args=[project.pk])).status_code == 404
    assert Project.objects.get(pk=project.pk).closed_at is None
