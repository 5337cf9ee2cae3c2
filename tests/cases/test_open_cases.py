"""Opening a project's cases in one action: one per household of the affected stairwells,
through cases_open (first stage, history, checklist), idempotent, in a fixed number of queries."""

import pytest
from django.urls import reverse

from cases.models import Case, StageChange
from cases.planning.selectors import households_without_case
from cases.planning.services import project_open_cases
from cases.stages import Stage
from referrals.models import ChecklistItem
from referrals.services import PRACTICAL_DEFAULTS
from tests import factories


def _project(cast, households: int):
    estate = cast.case_a1.project.estate
    project = factories.make_project(estate)
    stairwell = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    elsewhere = factories.make_stairwell(estate, street="Udenforvej", number=1)
    project.stairwells.set([stairwell])
    for n in range(households):
        factories.make_household(factories.make_flat(stairwell, floor=n), f"Beboer{n} Hansen")
    factories.make_household(factories.make_flat(elsewhere), "Ikke Berørt")
    return project, stairwell


@pytest.mark.django_db
def test_it_opens_one_case_per_household_of_the_affected_stairwells(cast):
    project, _stairwell = _project(cast, 3)

    assert project_open_cases(project=project, by=cast.manager_a) == 3

    cases = Case.objects.filter(project=project)
    assert cases.count() == 3
    assert set(cases.values_list("stage", flat=True)) == {Stage.IDENTIFIED}
    assert StageChange.objects.filter(case__project=project, to_stage=Stage.IDENTIFIED).count() == 3
    assert ChecklistItem.objects.filter(case__project=project).count() == 3 * len(
        PRACTICAL_DEFAULTS[project.kind]
    )
    assert not households_without_case(project=project).exists()


@pytest.mark.django_db
def test_running_again_opens_only_what_is_missing(cast):
    project, stairwell = _project(cast, 2)
    project_open_cases(project=project, by=None)
    factories.make_household(factories.make_flat(stairwell, floor=9), "Ny Indflytter")

    assert households_without_case(project=project).count() == 1
    assert project_open_cases(project=project, by=None) == 1
    assert project_open_cases(project=project, by=None) == 0
    assert Case.objects.filter(project=project).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 40])
def test_the_queries_do_not_grow_with_the_households(cast, count, django_assert_max_num_queries):
    project, _stairwell = _project(cast, count)
    with django_assert_max_num_queries(9):
        assert project_open_cases(project=project, by=None) == count


@pytest.mark.django_db
def test_the_page_says_how_many_are_missing_and_opens_them(client, cast):
    project, _stairwell = _project(cast, 3)
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "en"
    url = reverse("cases:project", args=[project.pk])

    assert "3 households of the affected stairwells have no case yet" in (
        client.get(url).content.decode()
    )
    response = client.post(reverse("cases:open_cases", args=[project.pk]))
    assert response.status_code == 302
    assert Case.objects.filter(project=project).count() == 3
    assert "have no case yet" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_caseworker_cannot_open_cases_and_another_organisation_gets_404(client, cast):
    project, _stairwell = _project(cast, 1)
    url = reverse("cases:open_cases", args=[project.pk])
    client.force_login(cast.caseworker_a1)
    assert client.post(url).status_code == 403
    client.force_login(cast.manager_b)
    assert client.post(url).status_code == 404
    assert not Case.objects.filter(project=project).exists()
