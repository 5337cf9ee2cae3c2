"""The type-ahead pickers (issue 18): the case form's flats and the caretaker's addresses are
searched on the server, a few at a time, and only what fits is offered."""

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from tests import factories

pytestmark = pytest.mark.django_db


def _search(client, case, q, field="temporary_flat", **extra):
    return client.get(
        reverse("cases:flat_search", args=[case.pk]), {"felt": field, "q": q, **extra}
    )


def test_it_offers_free_flats_but_not_those_of_a_stairwell_being_emptied(client, cast):
    case = cast.case_a1
    estate = case.project.estate
    free = factories.make_flat(
        factories.make_stairwell(estate, street="Ledigvej", number=7), 2, "th"
    )
    emptied_stairwell = factories.make_stairwell(estate, street="Ledigvej", number=9)
    emptied = factories.make_flat(emptied_stairwell, 2, "th")
    factories.make_schedule(case.project, emptied_stairwell)
    occupied = factories.make_household(
        factories.make_flat(factories.make_stairwell(estate, street="Ledigvej", number=11), 2, "th")
    ).flat

    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("cases:edit", args=[case.pk])).content.decode()
    assert "data-typeahead" in page and 'hx-get="/sager/' in page
    body = _search(client, case, "ledigvej th").content.decode()
    assert f'value="{free.pk}"' in body
    assert f'value="{emptied.pk}"' not in body
    assert f'value="{occupied.pk}"' not in body
    assert "Ledigvej 7, 2. th" in body
    # House number and floor narrow it down; a word that matches nothing says so.
    assert f'value="{free.pk}"' in _search(client, case, "ledigvej 7 2").content.decode()
    assert "Ingen ledig bolig passer" in _search(client, case, "xyzvej").content.decode()

    # The plain list (without JavaScript) and the form's check agree: the emptied one is refused.
    response = client.post(
        reverse("cases:edit", args=[case.pk]),
        {"version": case.version, "temporary_flat": emptied.pk, "next_step": ""},
    )
    assert response.status_code == 400


def test_it_keeps_the_chosen_flat_and_shows_a_few(client, cast, django_assert_max_num_queries):
    case = cast.case_a1
    stairwell = factories.make_stairwell(case.project.estate, street="Mangevej", number=1)
    flats = [factories.make_flat(stairwell, floor, door) for floor in range(6) for door in "abcd"]
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(10):
        body = _search(client, case, "mangevej", temporary_flat=flats[-1].pk).content.decode()
    assert body.count('type="radio"') == 1 + 1 + 15  # none, the chosen one, fifteen found
    assert f'value="{flats[-1].pk}" checked' in body
    assert "De første 15" in body


def test_a_caseworker_of_another_estate_cannot_search_the_case(client, cast):
    client.force_login(cast.caseworker_a2)
    assert _search(client, cast.case_a1, "vej").status_code == 404


def test_the_caretaker_searches_her_own_addresses(client, cast):
    own = factories.make_flat(
        factories.make_stairwell(cast.case_a1.project.estate, street="Tipvej", number=4), 0, "tv"
    )
    foreign = factories.make_flat(
        factories.make_stairwell(cast.case_b1.project.estate, street="Tipvej", number=5), 0, "tv"
    )
    assign_perm("households.submit_tip", cast.caretaker_a1, cast.case_a1.project.estate)
    client.force_login(cast.caretaker_a1)
    page = client.get(reverse("outreach:tip_create")).content.decode()
    assert "data-typeahead" in page
    body = client.get(reverse("outreach:tip_flats"), {"q": "tipvej st"}).content.decode()
    assert f'value="{own.pk}"' in body and "Tipvej 4, st. tv" in body
    assert f'value="{foreign.pk}"' not in body
