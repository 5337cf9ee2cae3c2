"""The team page and a person's role and work: only the organisation's managers, one service
that writes the grants and takes away what was unticked, nothing outside the organisation."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import Case
from cases.services import case_assign_staff
from core.roles import Role
from households.models import (
    AccessAction,
    AccessLog,
    EstateUserObjectPermission,
    OrganisationUserObjectPermission,
)
from households.services import estate_assign_staff
from team.services import staff_access_set
from tests import factories


def team_url(organisation) -> str:
    return reverse("team:team", args=[organisation.pk])


def member_url(organisation, user) -> str:
    return reverse("team:member", args=[organisation.pk, user.pk])


def grants(user) -> set[tuple[str, int]]:
    """Her object grants as (codename, object id), every kind."""
    from cases.models import ProjectUserObjectPermission

    found = set()
    for model in (
        OrganisationUserObjectPermission,
        EstateUserObjectPermission,
        ProjectUserObjectPermission,
    ):
        found |= set(
            model.objects.filter(user=user).values_list("permission__codename", "content_object_id")
        )
    return found


@pytest.fixture
def org_a(cast):
    return cast.case_a1.project.estate.organisation


def test_it_lists_the_organisations_people_with_role_work_and_open_caseload(client, cast, org_a):
    case_assign_staff(case=cast.case_a1, user=cast.caseworker_a1, by=cast.manager_a)
    client.force_login(cast.manager_a)
    response = client.get(team_url(org_a))
    assert response.status_code == 200
    rows = {member.user.username: member for member in response.context["active"]}
    assert set(rows) == {
        "caseworker_a1",
        "caseworker_a2",
        "bridge_builder_a",
        "rehousing_officer_a1",
        "manager_a",
    }
    assert rows["caseworker_a1"].role == Role.CASEWORKER
    assert [estate.name for estate in rows["caseworker_a1"].estates] == ["Vestergården"]
    assert rows["caseworker_a1"].open_cases == 1
    assert rows["caseworker_a2"].open_cases == 0
    body = response.content.decode()
    assert "Boligsocial medarbejder" in body and "Vestergården" in body and "Maja Holm" in body
    assert "caseworker_b1" not in body and "manager_b" not in body
    assert "Agnete Markørsen" not in body  # no resident on the team page


def test_the_team_page_costs_the_same_queries_for_5_or_25_people(
    client, cast, org_a, django_assert_max_num_queries
):
    client.force_login(cast.manager_a)
    client.get(team_url(org_a))
    with django_assert_max_num_queries(11) as few:
        assert client.get(team_url(org_a)).status_code == 200
    estate = cast.case_a1.project.estate
    for index in range(20):
        user = factories.make_user(f"extra{index}", Role.CASEWORKER)
        estate_assign_staff(estate=estate, user=user)
        case_assign_staff(case=factories.make_case(cast.case_a1.project), user=user, by=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(team_url(org_a))
    assert len(response.context["active"]) == 25


def test_a_manager_of_another_organisation_gets_404_on_the_team_and_its_people(client, cast, org_a):
    client.force_login(cast.manager_b)
    assert client.get(team_url(org_a)).status_code == 404
    for url in (
        reverse("team:invite", args=[org_a.pk]),
        member_url(org_a, cast.caseworker_a1),
        reverse("team:deactivate", args=[org_a.pk, cast.caseworker_a1.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"role": Role.MANAGER}).status_code == 404, url
    # Her own organisation's pk with a person of the other: no such person there.
    org_b = cast.case_b1.project.estate.organisation
    assert client.get(member_url(org_b, cast.caseworker_a1)).status_code == 404
    assert client.get(member_url(org_b, cast.caseworker_b1)).status_code == 200
    assert cast.caseworker_a1.groups.get().name == Role.CASEWORKER


@pytest.mark.parametrize("who", ["caseworker_a1", "rehousing_officer_a1", "bridge_builder_a"])
def test_a_caseworker_cannot_see_the_team_invite_or_grant(client, cast, org_a, who):
    client.force_login(getattr(cast, who))
    before = grants(cast.caseworker_a2)
    assert client.get(reverse("team:index")).status_code == 403
    assert client.get(team_url(org_a)).status_code == 404
    invite = {"first_name": "Ny", "last_name": "Kollega", "email": "ny@example.dk"}
    invite |= {"role": Role.MANAGER}
    assert client.post(reverse("team:invite", args=[org_a.pk]), invite).status_code == 404
    estate = cast.case_a1.project.estate
    grant = {"role": Role.MANAGER, "estates": [estate.pk]}
    assert client.post(member_url(org_a, cast.caseworker_a2), grant).status_code == 404
    assert not User.objects.filter(email="ny@example.dk").exists()
    assert grants(cast.caseworker_a2) == before
    assert cast.caseworker_a2.groups.get().name == Role.CASEWORKER


def test_the_manager_sets_her_role_and_work_and_what_was_unticked_is_taken_away(
    client, cast, org_a
):
    estate_a1, estate_a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    person = cast.caseworker_a1
    assert Case.objects.for_user(person).get() == cast.case_a1
    client.force_login(cast.manager_a)
    response = client.get(member_url(org_a, person))
    assert response.context["form"].initial["estates"] == [estate_a1.pk]

    response = client.post(
        member_url(org_a, person),
        {"role": Role.CASEWORKER, "estates": [estate_a2.pk], "projects": [cast.case_a1.project_id]},
    )
    assert response.status_code == 302
    person = User.objects.get(pk=person.pk)
    assert grants(person) == {
        ("staff_of_organisation", org_a.pk),
        ("work_in_estate", estate_a2.pk),
        ("work_in_project", cast.case_a1.project_id),
    }
    assert set(Case.objects.for_user(person)) == {cast.case_a1, cast.case_a2}

    client.post(member_url(org_a, person), {"role": Role.REHOUSING_OFFICER})
    person = User.objects.get(pk=person.pk)
    assert grants(person) == {("staff_of_organisation", org_a.pk)}
    assert person.groups.get().name == Role.REHOUSING_OFFICER
    assert not Case.objects.for_user(person).exists()
    entry = AccessLog.objects.filter(action=AccessAction.STAFF).latest("pk")
    assert (entry.user, entry.path) == (cast.manager_a, member_url(org_a, person))


def test_a_manager_and_a_caretaker_get_their_own_kind_of_grant(client, cast, org_a):
    estate = cast.case_a1.project.estate
    client.force_login(cast.manager_a)
    client.post(
        member_url(org_a, cast.caseworker_a2),
        {"role": Role.MANAGER, "estates": [estate.pk], "projects": [cast.case_a1.project_id]},
    )
    assert grants(cast.caseworker_a2) == {
        ("staff_of_organisation", org_a.pk),
        ("manage_organisation", org_a.pk),
    }  # she sees all of the organisation: no estate or project besides
    assert Case.objects.for_user(User.objects.get(pk=cast.caseworker_a2.pk)).count() == 2
    client.post(
        member_url(org_a, cast.caseworker_a2),
        {"role": Role.CARETAKER, "estates": [estate.pk], "projects": [cast.case_a1.project_id]},
    )
    assert grants(cast.caseworker_a2) == {
        ("staff_of_organisation", org_a.pk),
        ("submit_tip", estate.pk),
    }


def test_a_forged_post_with_another_organisations_estate_or_project_is_refused(client, cast, org_a):
    estate_b1 = cast.case_b1.project.estate
    client.force_login(cast.manager_a)
    before = grants(cast.caseworker_a1)
    for forged in (
        {"role": Role.CASEWORKER, "estates": [estate_b1.pk]},
        {"role": Role.CASEWORKER, "projects": [cast.case_b1.project_id]},
    ):
        response = client.post(member_url(org_a, cast.caseworker_a1), forged)
        assert response.status_code == 400
        assert "gyldig valgmulighed" in response.content.decode()
        response = client.post(
            reverse("team:invite", args=[org_a.pk]),
            {"first_name": "Ny", "last_name": "Kollega", "email": "ny@example.dk", **forged},
        )
        assert response.status_code == 400
    assert grants(cast.caseworker_a1) == before
    assert not User.objects.filter(email="ny@example.dk").exists()
    assert not Case.objects.for_user(User.objects.get(pk=cast.caseworker_a1.pk)).filter(
        pk=cast.case_b1.pk
    )


def test_the_service_grants_nothing_outside_the_organisation_and_leaves_other_grants(cast, org_a):
    estate_b1 = cast.case_b1.project.estate
    with pytest.raises(ValidationError):
        staff_access_set(
            organisation=org_a,
            user=cast.caseworker_a1,
            role=Role.CASEWORKER,
            estates=[estate_b1],
            projects=[],
            by=cast.manager_a,
        )
    assert ("work_in_estate", estate_b1.pk) not in grants(cast.caseworker_a1)
    # Work in the other organisation (given there) is not the business of A's manager.
    estate_assign_staff(estate=estate_b1, user=cast.caseworker_a1)
    staff_access_set(
        organisation=org_a,
        user=cast.caseworker_a1,
        role=Role.CASEWORKER,
        estates=[],
        projects=[],
        by=cast.manager_a,
    )
    assert ("work_in_estate", estate_b1.pk) in grants(cast.caseworker_a1)
    assert ("staff_of_organisation", estate_b1.organisation_id) in grants(cast.caseworker_a1)
    with pytest.raises(ValidationError, match="anden boligorganisation"):
        staff_access_set(
            organisation=org_a,
            user=cast.caseworker_a1,
            role=Role.MANAGER,
            estates=[],
            projects=[],
            by=cast.manager_a,
        )
    assert cast.caseworker_a1.groups.get().name == Role.CASEWORKER


def test_a_manager_cannot_take_her_own_manager_role_away(client, cast, org_a):
    client.force_login(cast.manager_a)
    response = client.post(member_url(org_a, cast.manager_a), {"role": Role.CASEWORKER})
    assert response.status_code == 400
    assert cast.manager_a.groups.get().name == Role.MANAGER
    assert ("manage_organisation", org_a.pk) in grants(cast.manager_a)


def test_the_index_leads_a_manager_to_her_team(client, cast, org_a):
    client.force_login(cast.manager_a)
    response = client.get(reverse("team:index"))
    assert response["Location"] == team_url(org_a)
    page = client.get(reverse("cases:caseload")).content.decode()
    assert reverse("team:index") in page  # in the menu under her name
    assign_perm(
        "households.manage_organisation", cast.manager_a, cast.case_b1.project.estate.organisation
    )
    response = client.get(reverse("team:index"))
    assert response.status_code == 200
    assert team_url(org_a) in response.content.decode()
