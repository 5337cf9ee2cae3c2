import pytest
from django.urls import reverse

from cases.models import CaseAssignment
from cases.stages import Stage
from households.models import Stairwell, VulnerabilityLevel
from tests import factories


def add_cases(cast, count: int) -> None:
    """`count` more cases on estate A1, each with two residents, an assessment and staff."""
    project = cast.case_a1.project
    for index in range(count):
        if index % 24 == 0:  # a stairwell has eight floors of three flats
            stairwell = factories.make_stairwell(project.estate, street="Lærkevej")
        flat = factories.make_flat(
            stairwell, floor=index % 24 // 3, door=("tv", "mf", "th")[index % 3]
        )
        household = factories.make_household(flat, f"Ib Hansen{index}", f"Grethe Hansen{index}")
        factories.assess(household, VulnerabilityLevel.LESS, ["elderly"])
        case = factories.make_case(project, household, next_step="Ring", stage=Stage.NOTIFIED)
        CaseAssignment.objects.create(case=case, user=cast.caseworker_a1, role="caseworker")


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_query_count_flat_as_the_caseload_grows(
    client, cast, django_assert_max_num_queries, count
):
    add_cases(cast, count)
    client.force_login(cast.caseworker_a1)
    # 11, and one for the open flags of the page's households (outreach.selectors.open_flags).
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:caseload"), {"scope": "all", "q": "Hansen"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == count


@pytest.mark.parametrize("count", [10, 200])
def test_it_keeps_the_query_count_flat_on_the_project_page(
    client, cast, django_assert_max_num_queries, count
):
    add_cases(cast, count)
    client.force_login(cast.manager_a)
    # 8, one for the project's information meetings, and for the manager the schedule's
    # history and how many households still lack a case, and the project's letter batches
    with django_assert_max_num_queries(12):
        response = client.get(reverse("cases:project", args=[cast.case_a1.project_id]))
    assert response.status_code == 200
    assert response.context["case_total"] == count + 1


def test_it_shows_my_cases_first_when_i_have_some(client, cast):
    add_cases(cast, 3)
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("cases:caseload")).context["page"]
    assert page.paginator.count == 3  # the three assigned to her, not the unassigned case_a1
    page = client.get(reverse("cases:caseload"), {"scope": "all"}).context["page"]
    assert page.paginator.count == 4


def test_it_sorts_by_next_step_date_with_undated_last(client, cast):
    from datetime import date

    add_cases(cast, 3)
    cases = list(cast.case_a1.project.cases.order_by("pk"))
    for case, day in zip(
        cases, [None, date(2026, 12, 5), date(2026, 12, 1), date(2026, 12, 3)], strict=True
    ):
        case.next_step_on = day
        case.save(update_fields=["next_step_on"])
    client.force_login(cast.caseworker_a1)
    listed = list(
        client.get(reverse("cases:caseload"), {"scope": "all"}).context["page"].object_list
    )
    assert [c.next_step_on for c in listed] == [
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 5),
        None,
    ]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "Markørsen"}, 1),
        ({"q": "markørvej 3"}, 1),
        ({"q": "Markørvej 4"}, 0),
        ({"q": "Lærkevej tv"}, 2),
        ({"stage": "notified"}, 5),
        ({"stage": "identified"}, 1),
        ({"stage": "closed"}, 0),
        ({"vulnerability": "particularly"}, 1),
        ({"vulnerability": "less"}, 5),
        ({"project": "999999"}, 6),  # an unknown project is ignored, not an error
    ],
)
def test_it_filters_and_searches(client, cast, params, expected):
    add_cases(cast, 5)
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("cases:caseload"), {"scope": "all", **params}).context["page"]
    assert page.paginator.count == expected


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Egevej 12, 2. tv", {"Egevej 12, 2. tv", "Egevej 12B, 2. tv"}),
        ("egevej 12 2. TV", {"Egevej 12, 2. tv", "Egevej 12B, 2. tv"}),
        ("Egevej 12, st. tv", {"Egevej 12, st. tv"}),
        ("Egevej 12B, 2. tv", {"Egevej 12B, 2. tv"}),
        ("Egevej 12, 2.", {"Egevej 12, 2. tv", "Egevej 12, 2. th", "Egevej 12B, 2. tv"}),
        ("Egesen Egevej 14", {"Egevej 14, 2. tv"}),
    ],
)
def test_it_finds_a_case_by_its_address_as_danes_write_it(client, cast, q, expected):
    project = cast.case_a1.project
    for number, letter, floor, door in (
        (12, "", 2, "tv"),
        (12, "", 2, "th"),
        (12, "", 0, "tv"),
        (12, "B", 2, "tv"),
        (14, "", 2, "tv"),
    ):
        stairwell = Stairwell.objects.get_or_create(
            estate=project.estate,
            street="Egevej",
            number=number,
            letter=letter,
            defaults={"postcode": "2650", "city": "Hvidovre"},
        )[0]
        flat = factories.make_flat(stairwell, floor=floor, door=door)
        factories.make_case(project, factories.make_household(flat, "Ib Egesen"))
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("cases:caseload"), {"scope": "all", "q": q}).context["page"]
    assert {case.household.flat.address for case in page.object_list} == expected


def test_it_pages_through_long_lists(client, cast):
    add_cases(cast, 60)
    client.force_login(cast.caseworker_a1)
    first = client.get(reverse("cases:caseload"), {"scope": "all"})
    second = client.get(reverse("cases:caseload"), {"scope": "all", "page": 2})
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 11
    assert "page=2" in first.content.decode()


def test_it_answers_htmx_with_the_results_only(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.get(
        reverse("cases:caseload"), {"scope": "all"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert '<section id="results"' in body
    assert "<html" not in body
    assert "Agnete Markørsen" in body


def test_the_staff_filter_offers_the_caseworkers_of_her_organisation_only(client, cast):
    """The choices come from the grants, not from every visible case's staff: her
    organisation's caseworkers and bridge-builders (as `assignable_staff`), nobody from
    another organisation, no manager or rehousing officer."""
    client.force_login(cast.caseworker_a1)
    form = client.get(reverse("cases:caseload"), {"scope": "all"}).context["form"]
    offered = {value for value, _label in form.fields["staff"].choices if value}
    assert offered == {cast.caseworker_a1.pk, cast.caseworker_a2.pk, cast.bridge_builder_a.pk}
    projects = {value for value, _label in form.fields["project"].choices if value}
    assert projects == {cast.case_a1.project_id}
