"""The bridge-builder's own list: households in follow-up, the next contact due first (overdue,
then due soon), with the new address, the last contact and the new-area checklist; hers by
default, all that a manager or caseworker may see; flat in queries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.models import Case, CaseAssignment
from cases.stages import Stage
from outreach.models import Channel, Contact, Outcome
from referrals.bridge.services import follow_up_plan_start
from referrals.models import ChecklistStatus, FollowUpPlan
from tests import factories
from tests.test_access import assert_no_markers

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=COPENHAGEN)
TODAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def plan_for(case: Case, *, moved_days_ago: int, bridge_builder=None) -> FollowUpPlan:
    """The case moved permanently `moved_days_ago` days ago; contacts due 14, 91, 182 days on."""
    Case.objects.filter(pk=case.pk).update(stage=Stage.FOLLOW_UP)
    if bridge_builder is not None:
        CaseAssignment.objects.create(case=case, user=bridge_builder, role="bridge_builder")
        assign_perm("cases.view_case", bridge_builder, case)
    return follow_up_plan_start(case=case, on=TODAY - timedelta(days=moved_days_ago))


def new_case(project, name: str, street: str = "Flyttevej") -> Case:
    stairwell = factories.make_stairwell(project.estate, street=street)
    household = factories.make_household(factories.make_flat(stairwell), name)
    new_home = factories.make_flat(factories.make_stairwell(project.estate, street="Nyvej"))
    return factories.make_case(project, household, permanent_flat=new_home)


def names(response) -> list[str]:
    return [row.plan.case.household.display_name() for row in response.context["rows"]]


@pytest.fixture
def plans(cast) -> dict[str, FollowUpPlan]:
    """Five households of Nordparken's transformation, the bridge-builder's, in mixed order."""
    project = cast.case_a2.project
    bb = cast.bridge_builder_a
    return {
        "later": plan_for(new_case(project, "Lene Senere"), moved_days_ago=2, bridge_builder=bb),
        "overdue": plan_for(new_case(project, "Ole Overtid"), moved_days_ago=28, bridge_builder=bb),
        "soon": plan_for(new_case(project, "Susanne Snart"), moved_days_ago=10, bridge_builder=bb),
        "today": plan_for(new_case(project, "Didde Idag"), moved_days_ago=14, bridge_builder=bb),
        "older": plan_for(new_case(project, "Anders Ældre"), moved_days_ago=100, bridge_builder=bb),
    }


def test_due_contacts_come_first_the_overdue_highlighted(client, cast, plans):
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("referrals:follow_up_list"))
    assert response.status_code == 200
    # Due dates: older 16.8 (and 9.11), overdue 27.10, today 10.11, soon 14.11, later 22.11.
    assert names(response) == [
        "Anders Ældre",
        "Ole Overtid",
        "Didde Idag",
        "Susanne Snart",
        "Lene Senere",
    ]
    assert [row.urgency for row in response.context["rows"]] == [
        "overdue",
        "overdue",
        "today",
        "soon",
        "soon",
    ]
    body = response.content.decode()
    assert "86 dage over tid" in body and "14 dage over tid" in body
    assert "forfalder i dag" in body and "om 4 dage" in body
    assert "(2 forfaldne)" in body  # the older one has two contacts due
    assert "Nyvej" in body  # the new address
    assert reverse("referrals:follow_up_contact", args=[plans["overdue"].visits.first().pk]) in body


def test_it_shows_the_last_contact_and_the_checklist(client, cast, plans):
    plan = plans["soon"]
    Contact.objects.create(
        household=plan.case.household,
        channel=Channel.PHONE,
        outcome=Outcome.TALKED,
        occurred_at=NOW - timedelta(days=3),
    )
    plan.case.checklist.filter(kind__in=["gp", "leisure"]).update(status=ChecklistStatus.DONE)
    plan.case.checklist.filter(kind="home_care").update(status=ChecklistStatus.NOT_NEEDED)
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("referrals:follow_up_list"))
    row = next(r for r in response.context["rows"] if r.plan.pk == plan.pk)
    assert row.plan.last_contact_at == NOW - timedelta(days=3)
    assert (row.checklist.settled, row.checklist.total) == (3, 6)
    assert "3 af 6 klaret" in response.content.decode()


def test_a_plan_with_every_contact_done_comes_last(client, cast, plans):
    plans["overdue"].visits.update(done_on=TODAY)
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("referrals:follow_up_list"))
    assert names(response)[-1] == "Ole Overtid"
    assert response.context["rows"][-1].urgency == "none"


def test_closed_plans_have_their_own_tab(client, cast, plans):
    FollowUpPlan.objects.filter(pk=plans["later"].pk).update(closed_on=TODAY, closing_note="Godt")
    client.force_login(cast.bridge_builder_a)
    assert "Lene Senere" not in names(client.get(reverse("referrals:follow_up_list")))
    closed = client.get(reverse("referrals:follow_up_list"), {"status": "closed"})
    assert names(closed) == ["Lene Senere"]


def test_the_bridge_builder_sees_her_own_households(client, cast, plans):
    other = factories.make_user("bridge_builder_other", "bridge_builder")
    theirs = plan_for(
        new_case(cast.case_a2.project, "Tove Andens"), moved_days_ago=40, bridge_builder=other
    )
    client.force_login(cast.bridge_builder_a)
    listed = names(client.get(reverse("referrals:follow_up_list"), {"scope": "all"}))
    assert "Tove Andens" not in listed and len(listed) == 5
    client.force_login(cast.manager_a)
    response = client.get(reverse("referrals:follow_up_list"))
    assert response.context["filters"].scope == "all"  # she has no plans of her own
    assert "Tove Andens" in names(response) and len(names(response)) == 6
    assert theirs.bridge_builder == other


def test_the_start_page_of_a_bridge_builder_is_her_list(client, cast):
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("referrals:follow_up_list")
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("home")).url == reverse("cases:caseload")


def test_caseworkers_see_the_follow_ups_of_their_estates(client, cast, plans):
    a1_plan = plan_for(cast.case_a1, moved_days_ago=20)
    client.force_login(cast.caseworker_a2)
    listed = names(client.get(reverse("referrals:follow_up_list"), {"scope": "all"}))
    assert len(listed) == 5 and "Agnete Markørsen" not in listed
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("referrals:follow_up_list"), {"scope": "all"})
    assert names(response) == ["Agnete Markørsen"]
    assert a1_plan.case_id == cast.case_a1.pk


@pytest.mark.parametrize("role", ["manager_b", "caseworker_b1"])
def test_another_organisation_sees_none_of_them(client, cast, plans, role):
    plan_for(cast.case_a2, moved_days_ago=20)
    client.force_login(getattr(cast, role))
    response = client.get(reverse("referrals:follow_up_list"), {"scope": "all"})
    assert response.status_code == 200 and names(response) == []
    body = response.content.decode()
    assert "Ole Overtid" not in body
    assert_no_markers(body, ["case_a2"])


@pytest.mark.parametrize("role", ["rehousing_officer_a1", "visitator", "caretaker_a1"])
def test_those_without_follow_up_get_no_list(client, cast, plans, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("referrals:follow_up_list"))
    assert response.status_code == 403
    assert "Ole Overtid" not in response.content.decode()


def test_the_navigation_links_to_follow_up_and_communities(client, cast):
    client.force_login(cast.bridge_builder_a)
    body = client.get(reverse("referrals:follow_up_list")).content.decode()
    assert reverse("referrals:communities") in body
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(reverse("cases:caseload")).content.decode()
    assert reverse("referrals:follow_up_list") not in body


@pytest.mark.parametrize("count", [5, 40])
def test_the_query_count_stays_flat(client, cast, django_assert_max_num_queries, count):
    project = cast.case_a2.project
    for index in range(count):
        case = new_case(project, f"Person{index} Flyttet", street=f"Gade{index}")
        plan = plan_for(case, moved_days_ago=index * 3, bridge_builder=cast.bridge_builder_a)
        Contact.objects.create(
            household=plan.case.household,
            channel=Channel.PHONE,
            outcome=Outcome.TALKED,
            occurred_at=NOW - timedelta(days=index),
        )
    client.force_login(cast.bridge_builder_a)
    # Session, user, permissions, grants, "has plans", count, plans, residents, checklist
    # progress, access log.
    with django_assert_max_num_queries(12) as queries:
        response = client.get(reverse("referrals:follow_up_list"))
    assert len(response.context["rows"]) == count
    print(f"\n{count} plans: {len(queries)} queries")
