"""The door-knock round's index when she sees many stairwells: the estate first, her own
stairwells, a page of an estate's stairwells (hers first), a search with htmx results; its
queries and size do not grow with the number of stairwells, and nothing of another
organisation is shown or reachable."""

import dataclasses
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from cases.models import CaseAssignment
from cases.stages import OPEN_STAGES
from core.db import analyze
from households.models import Flat, Household, Stairwell
from outreach.selectors import ROUND_ALL_AT_ONCE, ROUND_PAGE

HX = {"HX-Request": "true"}
LINK = re.compile(r'href="/opsoegning/runde/(\d+)/"')

pytestmark = pytest.mark.django_db


def add_stairwells(estate, count: int, street: str = "Aavej") -> list[Stairwell]:
    """`count` stairwells of `estate`, each with one flat and its current household."""
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street=street, number=number, postcode="2650", city="Hvidovre")
        for number in range(1, count + 1)
    )
    flats = Flat.objects.bulk_create(
        Flat(stairwell=stairwell, floor=1, door="tv", rooms=3, area_m2=75)
        for stairwell in stairwells
    )
    Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    # Fresh planner statistics, as after an import (households/services.py): with those of
    # tables another test analyzed near empty, the planner nested the stairwells' EXISTS in
    # sequential scans of every household, flat and stairwell (300 s for 480 stairwells, in a
    # whole run on PostgreSQL 16).
    analyze(Stairwell, Flat, Household)
    return stairwells


def links(body: str) -> list[int]:
    return [int(pk) for pk in LINK.findall(body)]


def round_get(client, **params):
    return client.get(reverse("outreach:round"), params)


def test_with_many_stairwells_in_one_estate_she_gets_a_page_of_them_hers_first(client, cast):
    estate = cast.case_a1.project.estate
    add_stairwells(estate, ROUND_PAGE + ROUND_ALL_AT_ONCE)  # "Aavej" sorts before Markørvej
    CaseAssignment.objects.create(case=cast.case_a1, user=cast.caseworker_a1, role="caseworker")
    client.force_login(cast.caseworker_a1)

    body = round_get(client).content.decode()

    shown = links(body)
    assert len(shown) == ROUND_PAGE
    assert shown[0] == cast.case_a1.household.flat.stairwell_id  # her own stairwell first
    assert 'name="q"' in body and 'class="pagination"' in body
    second = round_get(client, estate=estate.pk, page=2).content.decode()
    assert not set(links(second)) & set(shown)


def test_with_several_estates_she_chooses_the_estate_first(client, cast):
    a1, a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    add_stairwells(a1, ROUND_ALL_AT_ONCE, street="Aavej")
    add_stairwells(a2, 5, street="Bøgevej")
    CaseAssignment.objects.create(case=cast.case_a1, user=cast.manager_a, role="caseworker")
    client.force_login(cast.manager_a)

    body = round_get(client).content.decode()

    assert "Vestergården" in body and "Nordparken" in body and "Fjordbo" not in body
    assert f"?estate={a1.pk}" in body and f"?estate={a2.pk}" in body
    # Her own stairwell is there; the estates' others are not listed until she chooses.
    assert links(body) == [cast.case_a1.household.flat.stairwell_id]
    assert "Aavej" not in body and "Bøgevej" not in body

    nordparken = round_get(client, estate=a2.pk).content.decode()
    assert "Bøgevej 1" in nordparken and "Skjultvej 3" in nordparken
    assert "Aavej" not in nordparken and "Markørvej" not in nordparken


def test_an_estate_she_does_not_work_in_is_not_found(client, cast):
    add_stairwells(cast.case_a1.project.estate, ROUND_ALL_AT_ONCE + 1)
    client.force_login(cast.caseworker_a1)

    foreign = cast.case_b1.project.estate
    assert round_get(client, estate=foreign.pk).status_code == 404
    assert round_get(client, estate=cast.case_a2.project.estate.pk).status_code == 404
    assert round_get(client, estate="x").status_code == 404


def test_the_search_finds_her_stairwells_by_street_and_number_and_only_hers(client, cast):
    add_stairwells(cast.case_a1.project.estate, ROUND_ALL_AT_ONCE + 1)
    client.force_login(cast.caseworker_a1)

    response = client.get(reverse("outreach:round"), {"q": "markørvej 3"}, headers=HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body  # the results alone
    assert links(body) == [cast.case_a1.household.flat.stairwell_id]

    numbered = round_get(client, q="aavej 7").content.decode()
    assert "Aavej 7<" in numbered and "Aavej 8<" not in numbered

    for other in ("Fjernvej", "Skjultvej"):  # another organisation's, another estate's
        found = client.get(reverse("outreach:round"), {"q": other}, headers=HX).content.decode()
        assert links(found) == [] and other not in found.replace(f"“{other}”", "")


@pytest.mark.parametrize("count", [ROUND_ALL_AT_ONCE + 1, 4 * ROUND_ALL_AT_ONCE])
def test_its_queries_and_size_do_not_grow_with_the_stairwells(
    client, cast, django_assert_max_num_queries, count
):
    a1, a2 = cast.case_a1.project.estate, cast.case_a2.project.estate
    add_stairwells(a1, count)
    add_stairwells(a2, count, street="Bøgevej")
    client.force_login(cast.manager_a)
    round_get(client)  # the session, her grants

    # 8: the flags are counted with the households (two queries more before)
    for params in ({}, {"estate": a1.pk}, {"estate": a1.pk, "page": 2}, {"q": "aavej 1"}):
        with django_assert_max_num_queries(8):
            response = round_get(client, **params)
        assert response.status_code == 200
        assert len(response.content) < 40_000, params
        assert len(links(response.content.decode())) <= ROUND_PAGE


def test_a_few_stairwells_of_several_estates_are_listed_at_once_as_before(client, cast):
    client.force_login(cast.manager_a)

    body = round_get(client).content.decode()

    assert 'name="q"' not in body  # no search for a short list
    assert "Markørvej 3" in body and "Skjultvej 3" in body and "Fjernvej" not in body


def test_the_estates_counts_are_those_of_the_households_she_may_see(cast):
    """The index counts an estate's households through the rule's two ways in apart (through
    the estates she sees whole, and through a case elsewhere): the same counts, hers and the
    open flags, as asking the whole rules (Household.objects.for_user, flags_for_user) of every
    household and flag, for each user of the cast, by estate and by stairwell; also a household
    that a case shows her outside her estates, and not a resolved flag or a moved-out
    household's."""
    from cases.services import case_assign_staff
    from households.services import estate_assign_staff
    from outreach.models import Flag, FlagKind
    from outreach.permissions import flags_for_user
    from outreach.selectors import round_estate_choices, round_stairwell_counts
    from outreach.services import flag_raise
    from tests import factories

    # case_a1's household now lives in a flat of estate A2: caseworker_a1 (A1) sees it through
    # the case alone; the bridge-builder (no estate) sees case_a2's through her assignment.
    elsewhere = factories.make_flat(
        factories.make_stairwell(cast.case_a2.project.estate, street="Udevej", number=9)
    )
    Household.objects.filter(pk=cast.case_a1.household_id).update(flat=elsewhere)
    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    CaseAssignment.objects.get_or_create(
        case=cast.case_a1, user=cast.caseworker_a1, defaults={"role": "caseworker"}
    )

    for case in (cast.case_a1, cast.case_a2, cast.case_b1):
        flag_raise(household=case.household, kind=FlagKind.NO_CONTACT, reason="Ikke nået")
    flag_raise(household=cast.case_a2.household, kind=FlagKind.SAFETY_CONCERN, reason="Hund")
    resolved = flag_raise(household=cast.case_b1.household, kind=FlagKind.SAFETY_CONCERN, reason="")
    Flag.objects.filter(pk=resolved.pk).update(resolved_at=resolved.raised_at, resolution="Væk")
    gone = factories.make_household(
        factories.make_flat(cast.case_a1.household.flat.stairwell, floor=4, door="th")
    )
    flag_raise(household=gone, kind=FlagKind.NO_CONTACT, reason="Flyttet")
    Household.objects.filter(pk=gone.pk).update(moved_out_on="2026-01-01")

    # who sees B1's households but no flags (a permission of her own, no role's group)
    no_flags = User.objects.create(username="no-flags")
    no_flags.user_permissions.add(Permission.objects.get(codename="view_household"))
    estate_assign_staff(estate=cast.case_b1.project.estate, user=no_flags)

    users = [getattr(cast, field.name) for field in dataclasses.fields(cast)] + [no_flags]
    for user in [user for user in users if isinstance(user, User)]:
        visible = list(Household.objects.for_user(user).current().select_related("flat__stairwell"))
        flagged: dict[int, int] = {}
        for household_id in (
            flags_for_user(user)
            .filter(resolved_at__isnull=True)
            .values_list("household_id", flat=True)
        ):
            flagged[household_id] = flagged.get(household_id, 0) + 1
        mine = set(
            CaseAssignment.objects.filter(user=user, case__stage__in=OPEN_STAGES).values_list(
                "case__household_id", flat=True
            )
        )
        expected: dict[int, list] = {}
        by_stairwell: dict[int, list[int]] = {}
        for household in visible:
            estate_id = household.flat.stairwell.estate_id
            counts = expected.setdefault(estate_id, [set(), 0, 0, 0])
            counts[0].add(household.flat.stairwell_id)
            counts[1] += 1
            counts[2] += household.pk in mine
            counts[3] += flagged.get(household.pk, 0)
            in_stairwell = by_stairwell.setdefault(household.flat.stairwell_id, [0, 0, 0])
            in_stairwell[0] += 1
            in_stairwell[1] += household.pk in mine
            in_stairwell[2] += flagged.get(household.pk, 0)
        found = {
            choice.estate.pk: [choice.stairwells, choice.households, choice.mine, choice.open_flags]
            for choice in round_estate_choices(user=user)
        }
        assert found == {
            pk: [len(stairwells), n, hers, flags]
            for pk, (stairwells, n, hers, flags) in expected.items()
        }, user.username
        stairwells = list(Stairwell.objects.filter(pk__in=by_stairwell))
        assert {
            choice.stairwell.pk: [choice.households, choice.mine, choice.open_flags]
            for choice in round_stairwell_counts(user=user, stairwells=stairwells)
        } == by_stairwell, user.username
    # A2, where she does not work, with the one household her case shows her there
    seen_by_a1 = {c.estate.pk: c.households for c in round_estate_choices(user=cast.caseworker_a1)}
    assert seen_by_a1 == {cast.case_a2.project.estate_id: 1}
