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


# --- the same cost whatever the number of flats (households/pickers.py) ----------------------


def _pool_post(flat, organisation) -> dict:
    return {
        "organisation": organisation.pk,
        "flat": flat.pk,
        "kind": "temporary",
        "rent": 6100,
        "available_from": "2026-04-01",
    }


@pytest.mark.parametrize("size", [5, 300])
def test_the_tip_form_costs_the_same_whatever_the_number_of_flats(
    client, cast, size, django_assert_max_num_queries
):
    flats = factories.make_many_flats(cast.case_a1.project.estate, size)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:tip_create"), {"flat": flats[-1].pk})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{flats[-1].pk}" checked' in body  # the chosen flat, in the type-ahead
    if size > 200:  # too many to list: a plain search instead
        assert len(response.content) < 20_000 and "<option" not in body
        assert 'form="search-flat"' in body and 'id="search-flat" method="get"' in body
    else:  # a short list without JavaScript
        assert body.count("<option") == 1 + 1 + size  # "choose", the case's own flat, these
    with django_assert_max_num_queries(12):
        response = client.post(
            reverse("outreach:tip_create"),
            {"flat": flats[-1].pk, "source": "neighbour", "text": "Ses om morgenen"},
        )
    assert response.status_code == 302
    assert flats[-1].tips.get().text == "Ses om morgenen"


@pytest.mark.parametrize("size", [5, 300])
def test_the_pool_form_costs_the_same_whatever_the_number_of_flats(
    client, cast, size, django_assert_max_num_queries
):
    from cases.logistics.models import PoolFlat

    estate = cast.case_a1.project.estate
    flats = factories.make_many_flats(estate, size)
    client.force_login(cast.rehousing_officer_a1)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("logistics:pool_add"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'hx-get="/genhusningsboliger/ny/boliger/"' in body
    if size > 200:
        assert len(response.content) < 20_000 and body.count("<option") < 10
    # Her rights, one query for the chosen flat, the model's checks (savepoints), the insert.
    with django_assert_max_num_queries(24):
        response = client.post(
            reverse("logistics:pool_add"), _pool_post(flats[-1], estate.organisation)
        )
    assert response.status_code == 302 and PoolFlat.objects.filter(flat=flats[-1]).exists()


@pytest.mark.parametrize("size", [5, 300])
def test_the_case_form_costs_the_same_whatever_the_number_of_flats(
    client, cast, size, django_assert_max_num_queries
):
    case = cast.case_a1
    flats = factories.make_many_flats(case.project.estate, size)
    client.force_login(cast.caseworker_a1)
    # Her rights (4), the case and its residents, the waterbed, the access log (3), and the
    # two pickers' one short list: the same whatever the number of flats.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("cases:edit", args=[case.pk]))
    assert response.status_code == 200
    if size > 200:
        assert len(response.content) < 25_000 and "<option" not in response.content.decode()
    with django_assert_max_num_queries(30):
        response = client.post(
            reverse("cases:edit", args=[case.pk]),
            {"version": case.version, "temporary_flat": flats[-1].pk, "next_step": ""},
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.temporary_flat_id == flats[-1].pk
    # The chosen flat is found in the short list; when the list is too long, one query more.
    with django_assert_max_num_queries(9 if size <= 200 else 10):
        response = client.get(reverse("cases:edit", args=[case.pk]))
    assert f'value="{flats[-1].pk}" checked' in response.content.decode()


def test_a_flat_she_may_not_choose_is_refused_and_what_she_wrote_kept(client, cast):
    from cases.logistics.models import PoolFlat
    from outreach.models import Tip

    foreign = factories.make_flat(factories.make_stairwell(cast.case_b1.project.estate))
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("outreach:tip_create"),
        {"flat": foreign.pk, "source": "neighbour", "text": "Ses om morgenen"},
    )
    body = response.content.decode()
    assert response.status_code == 400 and not Tip.objects.filter(flat=foreign).exists()
    assert "Du kan ikke vælge denne bolig." in body and "Ses om morgenen" in body
    assert f'value="{foreign.pk}"' not in body

    client.force_login(cast.rehousing_officer_a1)
    organisation = cast.case_a1.project.estate.organisation
    response = client.post(reverse("logistics:pool_add"), _pool_post(foreign, organisation))
    body = response.content.decode()
    assert response.status_code == 400 and not PoolFlat.objects.filter(flat=foreign).exists()
    assert "Du kan ikke vælge denne bolig." in body and 'value="6100"' in body


def test_without_javascript_she_searches_the_flats_with_a_plain_get(client, cast):
    flats = factories.make_many_flats(cast.case_a1.project.estate, 210)  # Mængdevej 1-7
    foreign = factories.make_many_flats(cast.case_b1.project.estate, 3, first=8)
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:tip_create"), {"felt": "flat", "q": "mængdevej 7 9"})
    body = response.content.decode()
    assert body.count('type="radio" name="flat"') == 3  # Mængdevej 7, 9th floor: tv, mf, th
    assert all(f'value="{flat.pk}"' in body for flat in flats[207:210])
    assert 'value="mængdevej 7 9"' in body  # the words stay in the box
    # All of Mængdevej: her first fifteen, none of the other organisation's.
    body = client.get(
        reverse("outreach:tip_create"), {"felt": "flat", "q": "mængdevej"}
    ).content.decode()
    assert body.count('type="radio" name="flat"') == 15 and "De første 15" in body
    assert all(f'value="{flat.pk}"' not in body for flat in foreign)


def test_the_pool_search_keeps_to_the_pool_form_s_rights(client, cast):
    own = factories.make_many_flats(cast.case_a1.project.estate, 3, street="Puljevej")
    foreign = factories.make_many_flats(cast.case_b1.project.estate, 3, street="Puljevej", first=2)
    url = reverse("logistics:pool_flats")
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(url, {"q": "puljevej"}).content.decode()
    assert all(f'value="{flat.pk}"' in body for flat in own)
    assert all(f'value="{flat.pk}"' not in body for flat in foreign)
    # A foreign flat passed as the chosen one is not shown either.
    body = client.get(url, {"q": "puljevej", "flat": foreign[0].pk}).content.decode()
    assert f'value="{foreign[0].pk}"' not in body
    for user in (cast.caseworker_a1, cast.caretaker_a1, cast.visitator):
        client.force_login(user)
        assert client.get(url, {"q": "puljevej"}).status_code == 403


def test_the_tip_search_never_shows_a_flat_outside_her_estates(client, cast):
    own = factories.make_many_flats(cast.case_a1.project.estate, 3, street="Tipsvej")
    foreign = factories.make_many_flats(cast.case_b1.project.estate, 3, street="Tipsvej", first=2)
    url = reverse("outreach:tip_flats")
    client.force_login(cast.caseworker_a1)
    body = client.get(url, {"q": "tipsvej", "flat": foreign[0].pk}).content.decode()
    assert all(f'value="{flat.pk}"' in body for flat in own)
    assert all(f'value="{flat.pk}"' not in body for flat in foreign)
    client.force_login(cast.rehousing_officer_a1)
    assert client.get(url, {"q": "tipsvej"}).status_code == 403
