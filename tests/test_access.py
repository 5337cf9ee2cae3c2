"""Every page of the foundation, for every role: who gets 200, who gets 403/404, and no leaks.

Visibility comes from the cast (conftest.py): a caseworker sees her estate's case, a manager her
organisation's, the rehousing officer her estate's logistics, the visitator and caretaker nothing.
"""

import pytest
from django.urls import reverse

from tests.conftest import MARKERS

ROLES = [
    "caseworker_a1",
    "caseworker_a2",
    "bridge_builder_a",
    "rehousing_officer_a1",
    "manager_a",
    "manager_b",
    "caseworker_b1",
    "visitator",
    "caretaker_a1",
]
VISIBLE = {
    "caseworker_a1": {"case_a1"},
    "caseworker_a2": {"case_a2"},
    "rehousing_officer_a1": {"case_a1"},
    "manager_a": {"case_a1", "case_a2"},
    "manager_b": {"case_b1"},
    "caseworker_b1": {"case_b1"},
}
SOCIAL_ROLES = {
    "caseworker_a1",
    "caseworker_a2",
    "bridge_builder_a",
    "manager_a",
    "manager_b",
    "caseworker_b1",
}
CASE_KEYS = ["case_a1", "case_a2", "case_b1"]


def object_pages(case):
    household = case.household
    resident = household.residents.first()
    return {
        "case": reverse("cases:detail", args=[case.pk]),
        "case_edit": reverse("cases:edit", args=[case.pk]),
        "project": reverse("cases:project", args=[case.project_id]),
        "household": reverse("households:detail", args=[household.pk]),
        "household_edit": reverse("households:edit", args=[household.pk]),
        "assess": reverse("households:assess", args=[household.pk]),
        "resident_add": reverse("households:resident_add", args=[household.pk]),
        "resident_edit": reverse("households:resident_edit", args=[household.pk, resident.pk]),
        "flat": reverse("households:flat", args=[household.flat_id]),
    }


# Pages a role may not use even on a case she sees.
FORBIDDEN_FOR_ROLE = {
    "rehousing_officer_a1": {"household_edit", "assess"},
}


def expected_status(role: str, case_key: str, page: str) -> int:
    if case_key not in VISIBLE.get(role, set()):
        return 404
    if page in FORBIDDEN_FOR_ROLE.get(role, set()):
        return 403
    return 200


def assert_no_markers(body: str, case_keys) -> None:
    for key in case_keys:
        for marker in MARKERS[key]:
            assert marker not in body, f"{marker!r} of {key} leaked"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case_key", CASE_KEYS)
def test_it_gives_each_role_exactly_its_objects(client, cast, role, case_key):
    client.force_login(getattr(cast, role))
    case = getattr(cast, case_key)
    for page, url in object_pages(case).items():
        response = client.get(url)
        expected = expected_status(role, case_key, page)
        assert response.status_code == expected, f"{role} {page} {url}"
        body = response.content.decode()
        if expected != 200:
            assert_no_markers(body, [case_key])
        # A page never shows another case the role cannot see.
        assert_no_markers(body, [k for k in CASE_KEYS if k not in VISIBLE.get(role, set())])


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_only_visible_cases_on_the_caseload(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("cases:caseload"), {"scope": "all"})
    if role in ("visitator", "caretaker_a1"):
        assert response.status_code == 403
        assert_no_markers(response.content.decode(), CASE_KEYS)
        return
    assert response.status_code == 200
    body = response.content.decode()
    visible = VISIBLE.get(role, set())
    for key in CASE_KEYS:
        assert (MARKERS[key][0] in body) == (key in visible), f"{role} {key}"


@pytest.mark.parametrize("role", ROLES)
def test_it_lists_only_visible_projects(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("cases:projects"))
    if role in ("visitator", "caretaker_a1"):
        assert response.status_code == 403
        return
    body = response.content.decode()
    for key in CASE_KEYS:
        name = getattr(cast, key).project.estate.name
        assert (name in body) == (key in VISIBLE.get(role, set())), f"{role} {key}"


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_it_hides_social_data_from_roles_without_the_right(client, cast, role):
    client.force_login(getattr(cast, role))
    for key in VISIBLE[role]:
        case = getattr(cast, key)
        _name, social_note, _street = MARKERS[key]
        for url in (
            reverse("cases:detail", args=[case.pk]),
            reverse("households:detail", args=[case.household_id]),
        ):
            body = client.get(url).content.decode()
            shows_social = social_note in body or "Misbrug" in body or "ASSESSMENT-" in body
            assert shows_social == (role in SOCIAL_ROLES and url.startswith("/husstande")) or (
                role in SOCIAL_ROLES and "Misbrug" in body
            ), f"{role} {url}"
            if role not in SOCIAL_ROLES:
                assert (
                    social_note not in body and "Misbrug" not in body and "ASSESSMENT-" not in body
                )


def test_it_sends_anonymous_users_to_the_login_page(client, cast):
    for url in [
        reverse("cases:caseload"),
        reverse("cases:projects"),
        *object_pages(cast.case_a1).values(),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("caseworker_a1", 302),
        ("rehousing_officer_a1", 302),
        ("manager_a", 302),
        ("caseworker_a2", 404),
        ("manager_b", 404),
        ("visitator", 404),
        ("caretaker_a1", 404),
        ("bridge_builder_a", 404),
    ],
)
def test_it_lets_only_those_who_may_change_a_case_move_its_stage(client, cast, role, expected):
    client.force_login(getattr(cast, role))
    url = reverse("cases:stage", args=[cast.case_a1.pk])
    response = client.post(url, {"to_stage": "notified", "expected_stage": "identified"})
    assert response.status_code == expected
    cast.case_a1.refresh_from_db()
    assert (cast.case_a1.stage == "notified") == (expected == 302)
    if expected != 302:
        assert_no_markers(response.content.decode(), ["case_a1"])


@pytest.mark.parametrize(
    ("role", "expected"),
    [("manager_a", 302), ("caseworker_a1", 403), ("rehousing_officer_a1", 403), ("manager_b", 404)],
)
def test_it_lets_only_the_manager_assign_staff(client, cast, role, expected):
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("cases:assign", args=[cast.case_a1.pk]), {"user": cast.caseworker_a1.pk}
    )
    assert response.status_code == expected
    assert cast.case_a1.assignments.filter(user=cast.caseworker_a1).exists() == (expected == 302)


@pytest.mark.parametrize(
    ("url_name", "method"),
    [
        ("cases:caseload", "post"),
        ("cases:detail", "post"),
        ("cases:stage", "get"),
        ("cases:assign", "get"),
        ("households:detail", "post"),
        ("households:flat", "post"),
    ],
)
def test_it_refuses_the_wrong_method(client, cast, url_name, method):
    client.force_login(cast.manager_a)
    targets = {
        "cases:detail": cast.case_a1.pk,
        "cases:stage": cast.case_a1.pk,
        "cases:assign": cast.case_a1.pk,
        "households:detail": cast.case_a1.household_id,
        "households:flat": cast.case_a1.household.flat_id,
    }
    url = reverse(url_name, args=[targets[url_name]] if url_name in targets else [])
    assert getattr(client, method)(url).status_code == 405


def test_a_revoked_estate_takes_effect_on_the_next_request(client, cast):
    from households.services import estate_unassign_staff

    client.force_login(cast.caseworker_a1)
    url = reverse("cases:detail", args=[cast.case_a1.pk])
    assert client.get(url).status_code == 200
    estate_unassign_staff(estate=cast.case_a1.project.estate, user=cast.caseworker_a1)
    assert client.get(url).status_code == 404


def test_a_direct_assignment_shows_the_case_to_a_bridge_builder(client, cast):
    from cases.services import case_assign_staff, case_unassign_staff

    client.force_login(cast.bridge_builder_a)
    url = reverse("cases:detail", args=[cast.case_a2.pk])
    assert client.get(url).status_code == 404
    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    assert client.get(url).status_code == 200
    assert (
        client.get(reverse("households:detail", args=[cast.case_a2.household_id])).status_code
        == 200
    )
    case_unassign_staff(case=cast.case_a2, user=cast.bridge_builder_a)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_can_view_project_agrees_with_the_projects_she_may_open(cast, role):
    from cases.models import Project
    from cases.permissions import can_view_project

    user = getattr(cast, role)
    for key in CASE_KEYS:
        project = getattr(cast, key).project
        may_open = Project.objects.for_user(user).filter(pk=project.pk).exists()
        assert can_view_project(user, project) == may_open, f"{role} {key}"


def test_a_case_page_links_its_project_only_for_who_may_open_it(client, cast):
    from cases.services import case_assign_staff

    case = cast.case_a2
    case_assign_staff(case=case, user=cast.bridge_builder_a, by=cast.manager_a)
    project_url = reverse("cases:project", args=[case.project_id])
    pages = [reverse("cases:detail", args=[case.pk]), reverse("logistics:case", args=[case.pk])]

    client.force_login(cast.bridge_builder_a)
    assert client.get(project_url).status_code == 404
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert case.project.name in body and f'href="{project_url}"' not in body, url

    client.force_login(cast.manager_a)
    assert client.get(project_url).status_code == 200
    for url in pages:
        assert f'href="{project_url}"' in client.get(url).content.decode(), url
