"""A manager sets up a project from the app: new project, edit, the reply time for offers."""

from datetime import date

import pytest
from django.urls import reverse

from cases.logistics.services import offer_make
from cases.models import Project, ProjectKind
from tests import factories
from tests.cases.test_logistics_offers import _renovation


def _form(estate, stairwells, **overrides) -> dict:
    data = {
        "estate": estate.pk,
        "kind": ProjectKind.MIXED,
        "name": "Helhedsplan Kløvermarken",
        "number": "P-2026-04",
        "lbf_number": "LBF-12345",
        "starts_on": "2026-03-01",
        "ends_on": "2028-06-30",
        "required_offers": "2",
        "reply_days": "14",
        "description": "",
        "stairwells": [stairwell.pk for stairwell in stairwells],
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_it_creates_a_project_with_its_stairwells(client, cast):
    estate = cast.case_a1.project.estate
    three_a = factories.make_stairwell(estate, street="Kløvermarken", number=3)
    three_b = factories.make_stairwell(estate, street="Kløvermarken", number=5)
    client.force_login(cast.manager_a)

    response = client.post(reverse("cases:project_new"), _form(estate, [three_a, three_b]))

    project = Project.objects.get(number="P-2026-04")
    assert response.status_code == 302
    assert (project.estate, project.kind, project.lbf_number) == (estate, "mixed", "LBF-12345")
    assert set(project.stairwells.all()) == {three_a, three_b}
    assert project.reply_days == 14 and project.expects_return
    assert response.url == reverse("cases:schedule", args=[project.pk])
    page = client.get(reverse("cases:project", args=[project.pk])).content.decode()
    assert "P-2026-04" in page and "LBF-12345" in page


@pytest.mark.django_db
def test_it_can_take_every_stairwell_of_the_estate(client, cast):
    estate = cast.case_a1.project.estate
    factories.make_stairwell(estate, street="Kløvermarken", number=7)
    client.force_login(cast.manager_a)

    client.post(reverse("cases:project_new"), _form(estate, [], all_stairwells="on"))

    project = Project.objects.get(number="P-2026-04")
    assert set(project.stairwells.all()) == set(estate.stairwells.all())


@pytest.mark.django_db
def test_it_refuses_a_stairwell_of_another_estate_and_saves_nothing(client, cast):
    estate = cast.case_a1.project.estate
    other = factories.make_stairwell(cast.case_a2.project.estate, street="Andenvej", number=1)
    client.force_login(cast.manager_a)

    response = client.post(reverse("cases:project_new"), _form(estate, [other]))

    assert response.status_code == 400
    assert "Nordparken" in response.content.decode() or "Andenvej" in response.content.decode()
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_it_refuses_an_estate_of_another_organisation(client, cast):
    foreign = cast.case_b1.project.estate
    client.force_login(cast.manager_a)

    response = client.post(
        reverse("cases:project_new"), _form(foreign, list(foreign.stairwells.all()))
    )

    assert response.status_code == 400
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_a_caseworker_cannot_create_a_project(client, cast):
    estate = cast.case_a1.project.estate
    client.force_login(cast.caseworker_a1)

    response = client.post(reverse("cases:project_new"), _form(estate, []))

    assert response.status_code == 403
    assert not Project.objects.filter(number="P-2026-04").exists()


@pytest.mark.django_db
def test_a_manager_of_another_organisation_gets_404(client, cast):
    project = cast.case_a1.project
    client.force_login(cast.manager_b)

    assert client.get(reverse("cases:project_edit", args=[project.pk])).status_code == 404
    assert client.get(reverse("cases:project", args=[project.pk])).status_code == 404


@pytest.mark.django_db
def test_it_edits_the_project_with_optimistic_locking(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    client.force_login(cast.manager_a)
    url = reverse("cases:project_edit", args=[project.pk])
    data = _form(project.estate, [stairwell], reply_days="21", version=str(project.version))
    del data["estate"]

    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.reply_days, project.number, project.version) == (21, "P-2026-04", 2)

    stale = client.post(url, {**data, "reply_days": "30"})  # the same version again
    assert stale.status_code == 409
    project.refresh_from_db()
    assert project.reply_days == 21


@pytest.mark.django_db
def test_a_stairwell_with_cases_stays_affected(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    project.stairwells.set([stairwell])
    other = factories.make_stairwell(project.estate, street="Kløvermarken", number=9)
    client.force_login(cast.manager_a)
    data = _form(project.estate, [other], version=str(project.version))
    del data["estate"]

    response = client.post(reverse("cases:project_edit", args=[project.pk]), data)

    assert response.status_code == 400
    assert list(project.stairwells.all()) == [stairwell]


@pytest.mark.django_db
def test_an_offer_is_due_after_the_projects_reply_time(cast):
    _organisation, (case,), pool_flat = _renovation()
    Project.objects.filter(pk=case.project_id).update(reply_days=10)
    case.refresh_from_db()

    offer = offer_make(case=case, pool_flat=pool_flat, by=None, sent_on=date(2026, 2, 2))

    assert offer.reply_due_on == date(2026, 2, 12)


@pytest.mark.django_db
def test_the_form_posted_twice_makes_one_project(client, cast):
    estate = cast.case_a1.project.estate
    client.force_login(cast.manager_a)
    data = _form(estate, [], all_stairwells="on", once_key="8a1f9f0e-3c4b-4d8e-9a55-6f0b1c2d3e4f")

    first = client.post(reverse("cases:project_new"), data)
    second = client.post(reverse("cases:project_new"), data)

    project = Project.objects.get(number="P-2026-04")
    assert first.status_code == second.status_code == 302
    assert second.url == reverse("cases:project", args=[project.pk])
