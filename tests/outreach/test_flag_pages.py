"""The flags page, resolving a flag where it is shown, flags on the caseload, and the navigation."""

import pytest
from django.urls import reverse

from cases.models import CaseAssignment
from outreach.models import Flag, FlagKind
from outreach.services import flag_raise, flag_resolve
from tests import factories
from tests.test_access import assert_no_markers

HX = {"HX-Request": "true"}
OTHERS = ["case_a2", "case_b1"]


def raise_flags(cast, count: int) -> list[Flag]:
    """`count` open flags on new households with cases in A1's project, all assigned to the
    caseworker of A1."""
    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Flagvej")
    flags = []
    kinds = [FlagKind.NO_CONTACT, FlagKind.MISSED_MEETINGS, FlagKind.NO_REPLY]
    for index in range(count):
        household = factories.make_household(
            factories.make_flat(stairwell, floor=index // 10, door=str(index % 10 + 1)),
            f"Flora Flag{index}",
            f"Finn Flag{index}",
        )
        case = factories.make_case(project, household)
        CaseAssignment.objects.create(case=case, user=cast.caseworker_a1, role="caseworker")
        flags.append(
            flag_raise(
                household=household,
                case=case,
                kind=kinds[index % 3],
                reason=f"Grund {index}",
            )
        )
    return flags


@pytest.fixture
def flag_a1(cast) -> Flag:
    return flag_raise(
        household=cast.case_a1.household,
        case=cast.case_a1,
        kind=FlagKind.MISSED_MEETINGS,
        reason="Udeblev fra 2 af 2 møder",
    )


@pytest.fixture
def flag_a2(cast) -> Flag:
    return flag_raise(
        household=cast.case_a2.household, kind=FlagKind.NO_REPLY, reason="Intet svar A2"
    )


# --- the flags page ---------------------------------------------------------------------------


def test_it_lists_the_open_flags_i_may_see(client, cast, flag_a1, flag_a2):
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:flags"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Agnete Markørsen" in body and "Markørvej 3" in body
    assert "Udeblev fra 2 af 2 møder" in body
    assert reverse("cases:detail", args=[cast.case_a1.pk]) in body
    assert "Løs flag" in body
    assert "Intet svar A2" not in body
    assert_no_markers(body, OTHERS)


def test_it_filters_by_mine_my_estates_kind_and_project(client, cast, flag_a1, flag_a2):
    flags = raise_flags(cast, 4)  # assigned to the caseworker of A1
    client.force_login(cast.caseworker_a1)

    def listed(**params) -> set[int]:
        return {f.pk for f in client.get(reverse("outreach:flags"), params).context["page"]}

    assert listed() == {f.pk for f in flags}  # she has cases: "mine" first
    assert listed(scope="mine") == {f.pk for f in flags}
    assert listed(scope="estates") == {f.pk for f in flags} | {flag_a1.pk}
    assert listed(scope="all", kind=FlagKind.MISSED_MEETINGS) == {flags[1].pk, flag_a1.pk}
    assert listed(scope="all", project=cast.case_a1.project_id) == {f.pk for f in flags} | {
        flag_a1.pk
    }
    quiet = factories.make_project(cast.case_a1.project.estate, name="Stille projekt")
    assert listed(scope="all", project=quiet.pk) == set()
    # A project she may not see is ignored, like any invalid filter.
    assert listed(scope="all", project=cast.case_a2.project_id) == {f.pk for f in flags} | {
        flag_a1.pk
    }
    client.force_login(cast.manager_a)
    assert {f.pk for f in client.get(reverse("outreach:flags")).context["page"]} == {
        f.pk for f in flags
    } | {flag_a1.pk, flag_a2.pk}


def test_it_shows_safety_concerns_first(client, cast, flag_a1):
    safety = flag_raise(
        household=cast.case_a1.household, kind=FlagKind.SAFETY_CONCERN, reason="Truende hund"
    )
    Flag.objects.filter(pk=safety.pk).update(raised_at=flag_a1.raised_at.replace(year=2020))
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("outreach:flags"), {"scope": "all"}).context["page"]
    assert [f.pk for f in page] == [safety.pk, flag_a1.pk]


def test_it_lists_resolved_flags_on_their_own_tab(client, cast, flag_a1):
    flag_resolve(flag=flag_a1, by=cast.caseworker_a1, resolution="Kom til næste møde")
    client.force_login(cast.caseworker_a1)
    open_page = client.get(reverse("outreach:flags"), {"scope": "all"})
    assert list(open_page.context["page"]) == []
    resolved = client.get(reverse("outreach:flags"), {"scope": "all", "status": "resolved"})
    body = resolved.content.decode()
    assert [f.pk for f in resolved.context["page"]] == [flag_a1.pk]
    assert "Kom til næste møde" in body and "Maja Holm" in body
    assert "Løst" in body


def test_it_pages_and_answers_htmx_with_the_results_only(client, cast):
    raise_flags(cast, 55)
    client.force_login(cast.caseworker_a1)
    first = client.get(reverse("outreach:flags"))
    assert len(first.context["page"].object_list) == 50
    second = client.get(reverse("outreach:flags"), {"page": 2}, headers=HX)
    body = second.content.decode()
    assert '<section id="results"' in body and "<html" not in body
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_query_count_of_the_flags_page_flat(
    client, cast, django_assert_max_num_queries, count
):
    flags = raise_flags(cast, count)
    for flag in flags[::2]:
        flag_resolve(flag=flag, by=cast.caseworker_a1, resolution="Klaret")
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, "has my cases", projects, count, the page's ids
    # (sorted without the joins), its flags, residents: ten, for 10 or 200 flags (an unchanged
    # session is not written again within a minute).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("outreach:flags"))
    assert response.status_code == 200
    with django_assert_max_num_queries(10):
        response = client.get(reverse("outreach:flags"), {"status": "resolved", "scope": "all"})
    assert response.context["page"].paginator.count == count // 2


def test_it_links_to_the_scans_for_those_who_may_run_them(client, cast):
    client.force_login(cast.manager_a)
    assert reverse("outreach:scans") in client.get(reverse("outreach:flags")).content.decode()
    client.force_login(cast.caseworker_a1)
    assert reverse("outreach:scans") not in client.get(reverse("outreach:flags")).content.decode()


# --- resolving --------------------------------------------------------------------------------


def test_it_resolves_a_flag_inline_with_a_reason(client, cast, flag_a1):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    response = client.post(url, {"resolution": "Talte med hende i døren"}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<li class="flag-item')
    assert "Talte med hende i døren" in body and "Løst" in body
    flag_a1.refresh_from_db()
    assert (flag_a1.resolved_by, flag_a1.resolution) == (
        cast.caseworker_a1,
        "Talte med hende i døren",
    )


def test_it_needs_a_reason_to_resolve_and_says_so_in_danish(client, cast, flag_a1):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    inline = client.post(url, {"resolution": ""}, headers=HX)
    assert inline.status_code == 200
    assert "Skriv med få ord, hvordan flaget blev løst." in inline.content.decode()
    assert 'aria-invalid="true"' in inline.content.decode()
    short = client.post(url, {"resolution": "ok"})
    assert short.status_code == 400
    assert "Skriv med få ord, hvordan flaget blev løst." in short.content.decode()
    flag_a1.refresh_from_db()
    assert flag_a1.is_open


def test_it_resolves_without_javascript_and_goes_back(client, cast, flag_a1):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    assert client.get(url).status_code == 200
    case_url = reverse("cases:detail", args=[cast.case_a1.pk])
    response = client.post(url, {"resolution": "Klaret på mødet", "next": case_url})
    assert response.status_code == 302 and response.url == case_url
    again = client.post(url, {"resolution": "Klaret igen"})
    assert again.status_code == 400
    assert "Flaget var allerede løst." in again.content.decode()


def test_open_flags_are_shown_and_resolvable_on_the_household_and_case_pages(client, cast, flag_a1):
    client.force_login(cast.caseworker_a1)
    for url in (
        reverse("cases:detail", args=[cast.case_a1.pk]),
        reverse("households:detail", args=[cast.case_a1.household_id]),
    ):
        body = client.get(url).content.decode()
        assert "Udeblev fra 2 af 2 møder" in body, url
        assert reverse("outreach:flag_resolve", args=[flag_a1.pk]) in body, url
        assert 'name="compact" value="1"' in body
    flag_resolve(flag=flag_a1, by=cast.caseworker_a1, resolution="Klaret")
    body = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "Udeblev fra 2 af 2 møder" not in body


# --- flags on the caseload --------------------------------------------------------------------


def test_the_caseload_shows_flag_badges_and_filters_by_kind(client, cast, flag_a1):
    flags = raise_flags(cast, 3)
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("cases:caseload"), {"scope": "all"})
    body = response.content.decode()
    assert 'class="tag tag-flag"' in body
    assert "Udeblevet fra informationsmøder" in body or "informationsmøder" in body
    assert response.context["page"].paginator.count == 4

    def count(**params) -> int:
        page = client.get(reverse("cases:caseload"), {"scope": "all", **params}).context["page"]
        return page.paginator.count

    assert count(flag="any") == 4
    assert count(flag=FlagKind.MISSED_MEETINGS) == 2
    assert count(flag=FlagKind.FOLLOW_UP_DUE) == 0
    flag_resolve(flag=flags[0], by=cast.caseworker_a1, resolution="Klaret")
    assert count(flag=FlagKind.NO_CONTACT) == 0  # resolved flags do not count


@pytest.mark.parametrize("count", [10, 200])
def test_the_caseload_query_count_stays_flat_with_flags(
    client, cast, django_assert_max_num_queries, count
):
    raise_flags(cast, count)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:caseload"), {"scope": "all", "flag": "any"})
    assert response.context["page"].paginator.count == count


# --- navigation -------------------------------------------------------------------------------


def test_the_navigation_shows_rounds_and_flags_to_those_who_may_use_them(client, cast):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:caseload")).content.decode()
    assert reverse("outreach:round") in body and reverse("outreach:flags") in body
    assert reverse("outreach:flag_count") in body
    client.force_login(cast.visitator)
    body = client.get(reverse("home")).content.decode()
    assert reverse("outreach:round") not in body and reverse("outreach:flags") not in body


def test_the_navigation_counts_the_open_flags_on_my_cases(client, cast, flag_a1):
    raise_flags(cast, 3)
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:flag_count"), headers=HX)
    assert response.status_code == 200
    assert ">3<" in response.content.decode()  # flag_a1 is on a case not assigned to her
    client.force_login(cast.caseworker_a2)
    assert client.get(reverse("outreach:flag_count")).content.decode().strip() == ""


# --- access -----------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client, cast, flag_a1):
    for url in (
        reverse("outreach:flags"),
        reverse("outreach:flag_count"),
        reverse("outreach:flag_resolve", args=[flag_a1.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_it_forbids_the_flag_pages_to_roles_without_outreach(client, cast, role, flag_a1):
    client.force_login(getattr(cast, role))
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    for response in (
        client.get(reverse("outreach:flags")),
        client.get(reverse("outreach:flag_count")),
        client.get(url),
        client.post(url, {"resolution": "Ikke min sag"}),
    ):
        assert response.status_code == 403
        assert_no_markers(response.content.decode(), ["case_a1", *OTHERS])
    flag_a1.refresh_from_db()
    assert flag_a1.is_open


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "caseworker_b1"])
def test_it_answers_404_for_flags_of_other_estates(client, cast, role, flag_a1):
    client.force_login(getattr(cast, role))
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    for response in (client.get(url), client.post(url, {"resolution": "Ikke min sag"})):
        assert response.status_code == 404
        assert_no_markers(response.content.decode(), ["case_a1"])
    body = client.get(reverse("outreach:flags"), {"scope": "all"}).content.decode()
    assert_no_markers(body, ["case_a1"])
    flag_a1.refresh_from_db()
    assert flag_a1.is_open


def test_it_forbids_resolving_to_those_who_may_only_see_flags(client, cast, flag_a1):
    viewer = factories.make_user_with_perms(
        "flagviewer",
        cast.case_a1.project.estate,
        "outreach.view_flag",
        "households.view_household",
        "cases.view_project",
    )
    client.force_login(viewer)
    body = client.get(reverse("outreach:flags"), {"scope": "all"}).content.decode()
    assert "Agnete Markørsen" in body and "Løs flag" not in body
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    assert client.post(url, {"resolution": "Klaret"}).status_code == 403
    flag_a1.refresh_from_db()
    assert flag_a1.is_open


@pytest.mark.parametrize(
    ("method", "url_name", "with_flag"),
    [
        ("post", "outreach:flags", False),
        ("post", "outreach:flag_count", False),
        ("put", "outreach:flag_resolve", True),
        ("delete", "outreach:flag_resolve", True),
    ],
)
def test_it_refuses_the_wrong_method(client, cast, flag_a1, method, url_name, with_flag):
    client.force_login(cast.caseworker_a1)
    url = reverse(url_name, args=[flag_a1.pk] if with_flag else [])
    assert getattr(client, method)(url).status_code == 405


def test_the_rehousing_officer_sees_and_resolves_flags_of_her_estate(client, cast, flag_a1):
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(reverse("outreach:flags")).content.decode()
    assert "Udeblev fra 2 af 2 møder" in body
    assert_no_markers(body, OTHERS)
    assert "SOCIAL-NOTE-A1-7731" not in body
    url = reverse("outreach:flag_resolve", args=[flag_a1.pk])
    assert client.post(url, {"resolution": "Svarede på brevet"}).status_code == 302
