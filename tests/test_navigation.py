"""The top bar (home/navigation.py): each role's main entries on the bar, a few more on a
wide screen, the rest under "Mere"; the current page marked wherever its entry is shown."""

import re
from dataclasses import dataclass

import pytest
from django.test import RequestFactory
from django.urls import reverse
from guardian.shortcuts import assign_perm

from cases.permissions import can_see_any_project
from home.navigation import navigation_for
from households.permissions import user_grants
from households.services import estate_assign_staff
from referrals.models import PartnerKind
from tests import factories

ENTRY = re.compile(
    r'<li(?: class="(nav-wide|nav-narrow)")?><a href="[^"]*"( aria-current="page")?>([^<]+)'
)


@dataclass
class TopBar:
    bar: list[str]  # always on the bar
    wide: list[str]  # on the bar where the screen is wide, under "Mere" where it is not
    more: list[str]  # under "Mere" only
    current: list[str]  # every copy marked aria-current="page", the user's menu too
    more_classes: str | None  # the class of "Mere"'s <details>, None without one
    account_classes: str


def top_bar(response) -> TopBar:
    assert response.status_code == 200
    header = response.content.decode().split('<header class="topbar">')[1].split("</header>")[0]
    entries, _, account = header.partition('<ul class="nav-user">')
    on_bar, _, more = entries.partition('<details class="dropdown nav-more')
    bar = [(kind, label) for kind, _current, label in ENTRY.findall(on_bar)]
    menu = [(kind, label) for kind, _current, label in ENTRY.findall(more)]
    wide = [label for kind, label in bar if kind == "nav-wide"]
    assert [label for kind, label in menu if kind == "nav-narrow"] == wide  # both copies
    found = re.search(r'<details class="dropdown nav-more([^"]*)"', header)
    return TopBar(
        bar=[label for kind, label in bar if not kind],
        wide=wide,
        more=[label for kind, label in menu if not kind],
        current=[label for _kind, current, label in ENTRY.findall(header) if current],
        more_classes=found.group(1).strip() if found else None,
        account_classes=re.search(r'nav-account([^"]*)"', account).group(1).strip(),
    )


@pytest.mark.parametrize(
    ("user_key", "path", "bar", "wide", "more"),
    [
        (
            "caseworker_a1", "/sager/",
            ["Sager", "Runder", "Flag"],
            ["Opfølgning", "Møder", "Tips", "Breve"],
            ["Projekter", "Fællesskaber", "Café", "Samarbejdspartnere"],
        ),
        (
            "bridge_builder_a", "/opfoelgning/",
            ["Opfølgning", "Sager"],
            ["Fællesskaber", "Samarbejdspartnere", "Møder", "Café"],
            ["Runder", "Flag", "Tips", "Breve"],
        ),
        (
            "rehousing_officer_a1", "/sager/",
            ["Sager", "Projekter", "Boliger"],
            ["Runder", "Flag", "Møder", "Breve"],
            [],
        ),
        (
            "manager_a", "/sager/",
            ["Sager", "Projekter", "Rapporter"],
            ["Flag", "Opfølgning", "Møder", "Samarbejdspartnere"],
            ["Fællesskaber", "Boliger", "Runder", "Café", "Tips", "Breve", "Godkendelser"],
        ),
        (
            "visitator", "/visitation/boliger/",
            ["Berørte boliger", "Husstande", "Henvisninger"], [], [],
        ),
        ("caretaker_a1", "/tips/ny/", ["Giv et tip"], [], []),
    ],
)  # fmt: skip
def test_it_shows_each_role_its_entries_on_the_bar_and_under_mere(
    client, cast, user_key, path, bar, wide, more
):
    estate = cast.case_a1.project.estate
    visitation = factories.make_partner(
        estate.organisation,
        "Hvidovre Kommune, visitationen",
        kind=PartnerKind.MUNICIPAL_VISITATOR,
        municipality=estate.municipality,
    )
    assign_perm("referrals.act_for_partner", cast.visitator, visitation)
    assign_perm("households.submit_tip", cast.caretaker_a1, estate)
    client.force_login(getattr(cast, user_key))
    found = top_bar(client.get(path))
    assert (found.bar, found.wide, found.more) == (bar, wide, more)
    assert found.current == [bar[0]]  # each role's first entry is her start page
    assert found.more_classes == (None if not (wide or more) else "")


def test_it_shows_mere_only_where_the_screen_is_narrow_when_all_its_entries_fit_on_a_wide_one(
    client, cast
):
    client.force_login(cast.rehousing_officer_a1)
    body = client.get("/sager/").content.decode()
    assert re.search(r'<li class="nav-narrow">\s*<details class="dropdown nav-more', body)


def test_it_shows_the_bridge_builder_no_projects_link(client, cast):
    """She may view projects, but works in no estate: the list would be empty."""
    client.force_login(cast.bridge_builder_a)
    response = client.get(reverse("cases:projects"))
    found = top_bar(response)
    assert "Projekter" not in [*found.bar, *found.wide, *found.more]
    assert reverse("cases:projects") not in response.content.decode().split("</header>")[0]


def test_it_shows_a_bridge_builder_who_works_in_an_estate_its_projects(client, cast):
    estate_assign_staff(estate=cast.case_a1.project.estate, user=cast.bridge_builder_a)
    client.force_login(cast.bridge_builder_a)
    found = top_bar(client.get("/sager/"))
    assert "Projekter" in found.more


def test_it_marks_the_current_page_under_mere_and_mere_itself(client, cast):
    client.force_login(cast.manager_a)
    found = top_bar(client.get(reverse("referrals:communities")))
    assert found.current == ["Fællesskaber"]
    assert found.more_classes == "current"


def test_it_marks_an_entry_on_the_bar_when_wide_in_both_places(client, cast):
    client.force_login(cast.manager_a)
    found = top_bar(client.get(reverse("outreach:flags")))
    assert found.current == ["Flag", "Flag"]
    assert found.more_classes == "current-narrow"  # "Mere" is marked where Flag is under it


def test_it_marks_a_page_of_the_user_menu_and_the_name(client, cast):
    client.force_login(cast.manager_a)
    found = top_bar(client.get(reverse("privacy:access_log")))
    assert found.current == ["Adgangslog"]
    assert found.account_classes == "current"
    assert found.more_classes == ""


def test_it_marks_the_section_on_its_inner_pages(client, cast):
    client.force_login(cast.caseworker_a1)
    stairwell = cast.case_a1.household.flat.stairwell_id
    found = top_bar(client.get(reverse("outreach:round_stairwell", args=[stairwell])))
    assert found.current == ["Runder"]


def test_it_loads_the_flag_count_once_wherever_the_entry_shows(client, cast):
    """Both copies of a wide entry ask for the count when they come into view, not on load."""
    client.force_login(cast.manager_a)
    header = client.get("/sager/").content.decode().split("</header>")[0]
    count = reverse("outreach:flag_count")
    assert header.count(f'hx-get="{count}" hx-trigger="intersect once"') == 2
    assert 'hx-trigger="load"' not in header


def test_it_shows_no_entries_before_the_second_factor(client, cast):
    client.force_login(cast.manager_a, otp_verified=False)
    response = client.get(reverse("accounts:otp_verify"))
    assert 'class="nav-entries"' not in response.content.decode()


def test_it_speaks_english_too(client, cast):
    client.force_login(cast.manager_a)
    client.cookies["django_language"] = "en"
    found = top_bar(client.get("/sager/"))
    assert found.bar == ["Cases", "Projects", "Reports"]
    assert "More" in client.get("/sager/").content.decode()


def test_it_costs_no_query_once_the_page_has_read_the_permissions_and_grants(
    cast, django_assert_max_num_queries
):
    user = cast.caseworker_a1
    request = RequestFactory().get(reverse("cases:caseload"))
    request.resolver_match = None
    user.is_verified = lambda: True
    user.has_perm("cases.view_case")  # the permissions, loaded once per request
    user_grants(user)  # kept on the user (cases.permissions.case_access_q reads it for the list)
    with django_assert_max_num_queries(0):
        navigation = navigation_for(user, request)
    assert [entry.key for entry in navigation.primary] == ["cases", "rounds", "flags"]
    assert can_see_any_project(user)
