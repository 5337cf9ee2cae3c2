"""Distributing a project's cases by stairwell: counts per person first, then apply."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import Case, CaseAssignment
from cases.planning.services import distribution_counts, project_distribute, project_open_cases
from core.roles import Role
from tests import factories


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
