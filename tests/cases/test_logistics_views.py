"""The logistics pages: the board, a case's flats, offers and moves, the pool, the week's moves.

For each: the happy path, anonymous, forbidden (403, or 404 with none of the data) and wrong
method; list query counts pinned at two sizes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.logistics.models import MoveKind, MoveStatus, Offer, OfferStatus, PoolFlat
from cases.logistics.services import move_plan, offer_make, offer_reply
from cases.models import Case
from cases.stages import Stage
from households.models import Organisation
from tests import factories
from tests.conftest import MARKERS

pytestmark = pytest.mark.django_db

POOL_STREET = "Puljemarkørvej"


@pytest.fixture
def pool(cast) -> PoolFlat:
    organisation = Organisation.objects.get(name="Boligselskabet A")
    estate = factories.make_estate(organisation, "Rosenhaven")
    flat = factories.make_flat(factories.make_stairwell(estate, street=POOL_STREET, number=8))
    return factories.make_pool_flat(organisation, flat, available_from=date(2020, 1, 1))


def _login(client, user):
    client.force_login(user)
    return client


def _no_markers(response, *keys: str) -> None:
    body = response.content.decode()
    for key in keys:
        for marker in MARKERS[key]:
            assert marker not in body, marker


def _board(case: Case) -> str:
    return reverse("logistics:board", args=[case.project_id])


# --- The board -------------------------------------------------------------------------------


def test_the_board_shows_households_and_the_flats_that_fit(client, cast, pool):
    response = _login(client, cast.rehousing_officer_a1).get(_board(cast.case_a1))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Agnete Markørsen" in body and POOL_STREET in body
    assert "SOCIAL-NOTE" not in body and "ASSESSMENT" not in body  # no social data here


def test_the_board_is_for_staff_of_the_organisation_with_the_pool(client, cast, pool):
    url = _board(cast.case_a1)
    assert client.get(url).status_code == 302  # to the login
    assert _login(client, cast.caseworker_a1).get(url).status_code == 403
    for user in (cast.manager_b, cast.visitator, cast.caretaker_a1, cast.caseworker_b1):
        response = _login(client, user).get(url)
        assert response.status_code == 404
        _no_markers(response, "case_a1")
    assert _login(client, cast.rehousing_officer_a1).post(url).status_code == 405


def test_offering_from_the_board_reserves_the_flat_and_swaps_the_board(client, cast, pool):
    client = _login(client, cast.rehousing_officer_a1)
    url = reverse("logistics:board_offer", args=[cast.case_a1.project_id])

    response = client.post(
        url, {"case": cast.case_a1.pk, "pool_flat": pool.pk}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    offer = Offer.objects.get()
    assert (offer.case, offer.pool_flat, offer.status) == (cast.case_a1, pool, OfferStatus.PENDING)
    body = response.content.decode()
    assert 'id="board"' in body and "<html" not in body
    assert "reserveret" in body or "reserved" in body
    assert client.get(url).status_code == 405


def test_offering_from_the_board_needs_the_right_and_the_case(client, cast, pool):
    url = reverse("logistics:board_offer", args=[cast.case_a1.project_id])
    data = {"case": cast.case_a1.pk, "pool_flat": pool.pk}
    assert _login(client, cast.caseworker_a1).post(url, data).status_code == 403
    assert _login(client, cast.manager_b).post(url, data).status_code == 404
    # A case of another project through this project's board: 404.
    other = {"case": cast.case_a2.pk, "pool_flat": pool.pk}
    assert _login(client, cast.manager_a).post(url, other).status_code == 404
    assert not Offer.objects.exists()


@pytest.mark.parametrize("size", [3, 20])
def test_the_board_costs_the_same_queries_for_3_and_20_households(
    client, cast, pool, size, django_assert_max_num_queries
):
    project = cast.case_a1.project
    for n in range(size):
        factories.make_case(project, stage=Stage.NOTIFIED)
        factories.make_pool_flat(pool.organisation, available_from=date(2020, 1, 1), rent=4000 + n)
    client = _login(client, cast.rehousing_officer_a1)
    with django_assert_max_num_queries(18):
        response = client.get(_board(cast.case_a1))
    assert response.status_code == 200
    assert response.content.decode().count('class="suggestion"') >= 3 * min(size, 20)


# --- One case --------------------------------------------------------------------------------


def test_the_ranked_list_shows_scores_and_lets_the_officer_offer(client, cast, pool):
    client = _login(client, cast.rehousing_officer_a1)
    url = reverse("logistics:case_flats", args=[cast.case_a1.pk])

    response = client.get(url)
    assert response.status_code == 200 and POOL_STREET in response.content.decode()

    offer_url = reverse("logistics:case_offer", args=[cast.case_a1.pk])
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        offer_url, {"pool_flat": pool.pk, "sent_via": "sms", "reply_due_on": due}
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.sent_via == "sms" and offer.reply_due_on.isoformat() == due


@pytest.mark.parametrize("size", [1, 8])
def test_the_ranked_list_costs_the_same_queries(
    client, cast, pool, size, django_assert_max_num_queries
):
    for n in range(size):
        factories.make_pool_flat(pool.organisation, available_from=date(2020, 1, 1), rent=4000 + n)
    client = _login(client, cast.rehousing_officer_a1)
    # Her rights (4), the case and its residents, the waterbed, the ranked flats with the
    # window, their pool flats, the housing need, the access log.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("logistics:case_flats", args=[cast.case_a1.pk]))
    assert response.status_code == 200
    assert response.content.decode().count('class="ranked-flat') >= size


def test_the_ranked_list_is_for_those_who_use_the_pool(client, cast, pool):
    url = reverse("logistics:case_flats", args=[cast.case_a1.pk])
    assert client.get(url).status_code == 302
    assert _login(client, cast.caseworker_a1).get(url).status_code == 403
    for user in (cast.manager_b, cast.visitator, cast.caretaker_a1):
        response = _login(client, user).get(url)
        assert response.status_code == 404
        _no_markers(response, "case_a1")
    offer_url = reverse("logistics:case_offer", args=[cast.case_a1.pk])
    assert (
        _login(client, cast.caseworker_a1).post(offer_url, {"pool_flat": pool.pk}).status_code
        == 403
    )


def test_the_caseworker_sees_the_offers_and_moves_of_her_case(client, cast, pool):
    offer_make(case=cast.case_a1, pool_flat=pool, by=cast.rehousing_officer_a1)
    url = reverse("logistics:case", args=[cast.case_a1.pk])

    response = _login(client, cast.caseworker_a1).get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert POOL_STREET in body
    assert "svar/" not in body  # no reply form for her
    assert client.post(url).status_code == 405


def test_offers_and_moves_of_a_case_are_hidden_from_others(client, cast, pool):
    offer_make(case=cast.case_a1, pool_flat=pool, by=None)
    url = reverse("logistics:case", args=[cast.case_a1.pk])
    assert client.get(url).status_code == 302
    for user in (cast.manager_b, cast.visitator, cast.caretaker_a1, cast.caseworker_b1):
        response = _login(client, user).get(url)
        assert response.status_code == 404
        _no_markers(response, "case_a1")
        assert POOL_STREET not in response.content.decode()


def test_recording_an_answer(client, cast, pool):
    offer = offer_make(case=cast.case_a1, pool_flat=pool, by=None)
    url = reverse("logistics:offer_reply", args=[offer.pk])
    data = {"status": "accepted", "replied_on": timezone.localdate().isoformat()}

    assert _login(client, cast.caseworker_a1).post(url, data).status_code == 403
    assert _login(client, cast.manager_b).post(url, data).status_code == 404
    assert _login(client, cast.visitator).post(url, data).status_code == 404
    response = _login(client, cast.rehousing_officer_a1).post(url, data)

    assert response.status_code == 302
    assert Case.objects.get(pk=cast.case_a1.pk).temporary_flat == pool.flat
    assert client.get(url).status_code == 405


def test_a_refusal_without_a_reason_is_not_saved(client, cast, pool):
    offer = offer_make(case=cast.case_a1, pool_flat=pool, by=None)
    client = _login(client, cast.rehousing_officer_a1)

    client.post(reverse("logistics:offer_reply", args=[offer.pk]), {"status": "refused"})

    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_editing_the_needs(client, cast):
    url = reverse("logistics:need", args=[cast.case_a1.pk])
    assert _login(client, cast.caseworker_a1).get(url).status_code == 403
    assert _login(client, cast.manager_b).get(url).status_code == 404
    client = _login(client, cast.rehousing_officer_a1)
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"kind": "temporary", "rooms": 2, "pets": "on", "wished_areas": ["Syd"]}
    )

    assert response.status_code == 302
    need = Case.objects.get(pk=cast.case_a1.pk).housing_need
    assert (need.rooms, need.pets, need.wished_areas) == (2, True, ["Syd"])


def test_planning_and_finishing_a_move(client, cast, pool):
    offer = offer_make(case=cast.case_a1, pool_flat=pool, by=None)
    offer_reply(offer=offer, status=OfferStatus.ACCEPTED, by=None)
    Case.objects.filter(pk=cast.case_a1.pk).update(stage=Stage.PACKING)
    plan_url = reverse("logistics:move_plan", args=[cast.case_a1.pk])
    today = timezone.localdate().isoformat()
    data = {"kind": MoveKind.TO_TEMPORARY, "moves_on": today, "movers": "Flyt & Co"}

    assert _login(client, cast.caseworker_a1).post(plan_url, data).status_code == 403
    assert _login(client, cast.manager_b).post(plan_url, data).status_code == 404
    response = _login(client, cast.rehousing_officer_a1).post(
        plan_url, {**data, "movers_booked": "on", "paid_by_project": "on"}
    )
    assert response.status_code == 302
    move = cast.case_a1.moves.get()
    assert move.movers_booked and move.to_flat == pool.flat

    edit_url = reverse("logistics:move", args=[move.pk])
    assert client.get(edit_url).status_code == 200
    response = client.post(
        edit_url,
        {"moves_on": today, "version": move.version, "done": "on", "keys_handed_over": "on",
         "electricity_reading": "12345.6", "movers": "Flyt & Co", "movers_booked": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    move.refresh_from_db()
    assert move.status == MoveStatus.DONE and move.keys_handed_over
    assert Case.objects.get(pk=cast.case_a1.pk).stage == Stage.TEMPORARY

    # The case page now shows her at the temporary flat, home kept.
    page = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "c/o" in page and POOL_STREET in page
    household = client.get(reverse("households:detail", args=[cast.case_a1.household_id]))
    assert POOL_STREET in household.content.decode()
    for user in (cast.manager_b, cast.caseworker_a1):
        assert _login(client, user).get(edit_url).status_code in (403, 404)


@pytest.mark.parametrize("size", [1, 8])
def test_the_case_page_of_offers_costs_the_same_queries(
    client, cast, pool, size, django_assert_max_num_queries
):
    for _n in range(size):
        extra = factories.make_pool_flat(pool.organisation, available_from=date(2020, 1, 1))
        offer = offer_make(case=cast.case_a1, pool_flat=extra, by=None)
        offer_reply(offer=offer, status=OfferStatus.REFUSED, refusal_reason="rent", by=None)
    client = _login(client, cast.rehousing_officer_a1)
    with django_assert_max_num_queries(11):  # 10, and one for the rent of a stay (issue 17)
        response = client.get(reverse("logistics:case", args=[cast.case_a1.pk]))
    assert response.content.decode().count('class="offer offer-refused"') == size


# --- The pool ----------------------------------------------------------------------------------


def test_the_pool_shows_the_organisations_flats_and_who_holds_them(client, cast, pool):
    offer_make(case=cast.case_a1, pool_flat=pool, by=None)

    response = _login(client, cast.rehousing_officer_a1).get(reverse("logistics:pool"))

    body = response.content.decode()
    assert response.status_code == 200 and POOL_STREET in body
    assert reverse("logistics:case", args=[cast.case_a1.pk]) in body


def test_the_pool_of_another_organisation_is_invisible(client, cast, pool):
    url = reverse("logistics:pool")
    assert client.get(url).status_code == 302
    response = _login(client, cast.manager_b).get(url)
    assert response.status_code == 200 and POOL_STREET not in response.content.decode()
    for user in (cast.visitator, cast.caretaker_a1, cast.caseworker_a1):
        assert _login(client, user).get(url).status_code == 403
    edit = reverse("logistics:pool_edit", args=[pool.pk])
    assert _login(client, cast.manager_b).get(edit).status_code == 404
    assert _login(client, cast.caseworker_a1).get(edit).status_code == 404


def test_adding_and_editing_a_pool_flat(client, cast, pool):
    organisation = pool.organisation
    flat = factories.make_flat(factories.make_stairwell(pool.flat.stairwell.estate), floor=2)
    client = _login(client, cast.rehousing_officer_a1)
    assert client.get(reverse("logistics:pool_add")).status_code == 200

    response = client.post(
        reverse("logistics:pool_add"),
        {"organisation": organisation.pk, "flat": flat.pk, "kind": "temporary", "rent": 6100,
         "available_from": "2026-04-01", "has_lift": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    added = PoolFlat.objects.get(flat=flat)
    edit = reverse("logistics:pool_edit", args=[added.pk])
    response = client.post(
        edit,
        {"kind": "both", "rent": 6200, "available_from": "2026-04-01", "version": added.version,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    added.refresh_from_db()
    assert (added.kind, added.rent, added.version) == ("both", 6200, 2)
    assert _login(client, cast.caseworker_a1).get(reverse("logistics:pool_add")).status_code == 403


def test_a_flat_of_another_organisation_cannot_be_added(client, cast, pool):
    foreign = factories.make_flat(factories.make_stairwell(cast.case_b1.project.estate))
    client = _login(client, cast.rehousing_officer_a1)

    response = client.post(
        reverse("logistics:pool_add"),
        {"organisation": pool.organisation_id, "flat": foreign.pk, "kind": "temporary",
         "rent": 5000, "available_from": "2026-04-01"},
    )  # fmt: skip

    assert response.status_code == 400 and not PoolFlat.objects.filter(flat=foreign).exists()


@pytest.mark.parametrize("size", [5, 40])
def test_the_pool_list_costs_the_same_queries(
    client, cast, pool, size, django_assert_max_num_queries
):
    for _n in range(size):
        extra = factories.make_pool_flat(pool.organisation, available_from=date(2020, 1, 1))
        offer_make(case=factories.make_case(cast.case_a1.project), pool_flat=extra, by=None)
    client = _login(client, cast.rehousing_officer_a1)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("logistics:pool"))
    assert response.status_code == 200


# --- The week's moves --------------------------------------------------------------------------


def _moved(case: Case, pool_flat: PoolFlat, on: date) -> None:
    Case.objects.filter(pk=case.pk).update(temporary_flat=pool_flat.flat, stage=Stage.PACKING)
    case = Case.objects.select_related("household__flat", "temporary_flat").get(pk=case.pk)
    move_plan(
        case=case,
        kind=MoveKind.TO_TEMPORARY,
        moves_on=on,
        by=None,
        data={"movers": "Flyttemænd ApS", "movers_booked": True},
    )


def test_the_week_lists_moves_by_day_printable(client, cast, pool):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    _moved(cast.case_a1, pool, monday + timedelta(days=2))
    url = reverse("logistics:week", args=[cast.case_a1.project_id])

    for user in (cast.rehousing_officer_a1, cast.caseworker_a1):
        response = _login(client, user).get(url, {"uge": monday.isoformat()})
        body = response.content.decode()
        assert response.status_code == 200
        assert "Agnete Markørsen" in body and POOL_STREET in body and "Flyttemænd ApS" in body
    empty = client.get(url, {"uge": (monday + timedelta(days=7)).isoformat()})
    assert "Flyttemænd ApS" not in empty.content.decode()


def test_the_week_is_hidden_from_others(client, cast, pool):
    url = reverse("logistics:week", args=[cast.case_a1.project_id])
    assert client.get(url).status_code == 302
    for user in (cast.manager_b, cast.visitator, cast.caretaker_a1, cast.caseworker_b1):
        response = _login(client, user).get(url)
        assert response.status_code == 404
        _no_markers(response, "case_a1")
    assert _login(client, cast.rehousing_officer_a1).post(url).status_code == 405


@pytest.mark.parametrize("size", [2, 15])
def test_the_week_costs_the_same_queries(client, cast, pool, size, django_assert_max_num_queries):
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    for n in range(size):
        extra = factories.make_pool_flat(pool.organisation, available_from=date(2020, 1, 1))
        _moved(factories.make_case(cast.case_a1.project), extra, monday + timedelta(days=n % 7))
    client = _login(client, cast.rehousing_officer_a1)
    with django_assert_max_num_queries(8):
        response = client.get(
            reverse("logistics:week", args=[cast.case_a1.project_id]), {"uge": monday.isoformat()}
        )
    assert response.content.decode().count("Flyttemænd ApS") == size


def test_the_project_page_links_to_the_board_and_the_week(client, cast):
    body = (
        _login(client, cast.rehousing_officer_a1)
        .get(reverse("cases:project", args=[cast.case_a1.project_id]))
        .content.decode()
    )
    assert reverse("logistics:board", args=[cast.case_a1.project_id]) in body
    assert reverse("logistics:week", args=[cast.case_a1.project_id]) in body
