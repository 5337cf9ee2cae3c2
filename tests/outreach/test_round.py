"""The door-knock round: choosing a stairwell, the round floor by floor, one-tap knocks, the talk
form, undo, the round of chosen flats, the printed round, and who may do what."""

import re
from datetime import date, timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.stages import Stage
from households.models import Resident, VulnerabilityLevel
from households.permissions import get_stairwell_for_user
from outreach.models import Contact, FlagKind, Outcome
from outreach.services import flag_raise
from tests import factories
from tests.outreach.test_contacts import (
    OBSERVATION_LABEL,
    OBSERVATION_MARKER,
    knock,
    plant_observation,
)
from tests.test_access import assert_no_markers

HX = {"HX-Request": "true"}
OWNERS = ("a1", "a2", "b1")
OTHERS = ["case_a2", "case_b1"]


def make_stairwell_round(project, count: int, street: str = "Rundevej") -> list:
    """`count` households in one new stairwell of the project's estate, three flats a floor,
    each with two residents, an assessment, a case, two contacts and (every third) a flag."""
    stairwell = factories.make_stairwell(project.estate, street=street)
    households = []
    for index in range(count):
        flat = factories.make_flat(stairwell, floor=index // 3, door=("tv", "mf", "th")[index % 3])
        household = factories.make_household(flat, f"Ida Runde{index}", f"Ole Runde{index}")
        Resident.objects.filter(household=household).update(phone=f"2{index:07d}")
        factories.assess(household, VulnerabilityLevel.LESS, ["elderly"])
        factories.make_case(project, household, stage=Stage.NOTIFIED)
        knock(household, None)
        knock(household, None, outcome=Outcome.TALKED_AT_DOOR, note=f"Note{index}")
        if index % 3 == 0:
            flag_raise(household=household, kind=FlagKind.NO_CONTACT, reason="Ikke nået")
        households.append(household)
    return households


def round_url(case) -> str:
    return reverse("outreach:round_stairwell", args=[case.household.flat.stairwell_id])


def household_urls(household) -> dict[str, str]:
    return {
        "knock": reverse("outreach:round_knock", args=[household.pk]),
        "talk": reverse("outreach:round_talk", args=[household.pk]),
        "card": reverse("outreach:round_card", args=[household.pk]),
    }


def talk_data(**overrides) -> dict:
    return {
        "outcome": Outcome.TALKED_AT_DOOR,
        "met": "Hende selv",
        "note": "Vil gerne have hjælp til flytningen",
        "next_step": "Besøg med tolk",
        "next_step_on": str(timezone.localdate() + timedelta(days=5)),
        **overrides,
    }


# --- choosing a stairwell ---------------------------------------------------------------------


def test_it_lists_the_stairwells_of_my_estates_with_their_open_flags(client, cast):
    flag_raise(household=cast.case_a1.household, kind=FlagKind.NO_CONTACT, reason="Ikke nået")
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:round"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Vestergården" in body and "Markørvej 3" in body
    assert round_url(cast.case_a1) in body
    assert "1 flag" in body and "1 husstand" in body
    assert_no_markers(body, OTHERS)


def test_the_manager_sees_the_stairwells_of_every_estate_of_her_organisation(client, cast):
    client.force_login(cast.manager_a)
    body = client.get(reverse("outreach:round")).content.decode()
    assert "Markørvej 3" in body and "Skjultvej 3" in body
    assert "Fjernvej" not in body


def test_it_links_each_stairwell_of_the_project_page_to_its_round(client, cast):
    client.force_login(cast.caseworker_a1)
    factories.make_schedule(cast.case_a1.project, cast.case_a1.household.flat.stairwell)
    body = client.get(reverse("cases:project", args=[cast.case_a1.project_id])).content.decode()
    assert round_url(cast.case_a1) in body and "Dørbankning" in body


# --- the round of a stairwell -----------------------------------------------------------------


def test_it_lists_the_flats_floor_by_floor_from_the_ground_floor(client, cast):
    project = cast.case_a1.project
    stairwell = factories.make_stairwell(project.estate, street="Etagevej")
    for floor, door, name in [
        (2, "tv", "Anna Anden"),
        (0, "th", "Bent Stue"),
        (1, "mf", "Carla Første"),
        (0, "tv", "Dorte Stue"),
    ]:
        factories.make_household(factories.make_flat(stairwell, floor=floor, door=door), name)
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("outreach:round_stairwell", args=[stairwell.pk])).content.decode()
    order = [body.index(name) for name in ("Dorte Stue", "Bent Stue", "Carla Første", "Anna Anden")]
    assert order == sorted(order)
    headings = [body.index(h) for h in ("Stueetagen (st.)", "1. sal", "2. sal")]
    assert headings == sorted(headings)


def test_each_flat_shows_household_stage_vulnerability_contacts_and_flags(client, cast):
    household = cast.case_a1.household
    knock(household, cast.caseworker_a1, occurred_at=timezone.now() - timedelta(days=30))
    knock(household, cast.manager_a, outcome=Outcome.NOTE_LEFT, note="Seddel i postkassen")
    flag_raise(household=household, kind=FlagKind.MISSED_MEETINGS, reason="Udeblev to gange")
    client.force_login(cast.caseworker_a1)
    body = client.get(round_url(cast.case_a1)).content.decode()
    card = re.search(r'<article class="knock-card[^"]*" id="bolig-\d+">.*?</article>', body, re.S)
    assert card is not None
    card_html = card.group(0)
    assert "Agnete Markørsen" in card_html
    assert "Identificeret" in card_html  # the stage
    assert "Særligt sårbar" in card_html
    assert "Banket på 2 gange siden" in card_html and "2 uden svar" in card_html
    assert "aldrig nået" in card_html
    assert "Seddel lagt" in card_html and "Seddel i postkassen" in card_html
    assert "Udeblevet fra informationsmøder" in card_html or "informationsmøder" in card_html
    assert "Besøg igen" in card_html  # the case's next step


@pytest.mark.parametrize("count", [10, 100])
def test_it_keeps_the_query_count_of_a_round_flat(
    client, cast, django_assert_max_num_queries, count
):
    households = make_stairwell_round(cast.case_a1.project, count)
    stairwell_id = households[0].flat.stairwell_id
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, the stairwell (the gate), flats, households,
    # residents, cases, contact summaries (2), open flags, the access log (one INSERT for all
    # its households): thirteen, for 10 or 100 flats; the chosen flats have no stairwell to
    # check. The printed list is the same.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("outreach:round_stairwell", args=[stairwell_id]))
    assert response.status_code == 200
    assert response.content.decode().count('class="knock-card') == count
    with django_assert_max_num_queries(13):
        response = client.get(reverse("outreach:round_print", args=[stairwell_id]))
    assert response.status_code == 200
    flat_ids = [household.flat_id for household in households]
    with django_assert_max_num_queries(12):
        response = client.get(reverse("outreach:round"), {"bolig": flat_ids})
    assert response.content.decode().count('class="knock-card') == count


# --- one tap: no answer, note left ------------------------------------------------------------


def test_it_records_no_answer_with_one_tap_and_swaps_just_that_card(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        household_urls(household)["knock"],
        {"outcome": "no_answer", "next": round_url(cast.case_a1)},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.strip().startswith('<article class="knock-card')
    assert f'id="bolig-{household.flat_id}"' in body and "<html" not in body
    assert "Ingen svar registreret kl." in body
    assert "Fortryd" in body
    contact = household.contacts.get()
    assert (contact.channel, contact.outcome, contact.staff) == (
        "door_knock",
        "no_answer",
        cast.caseworker_a1,
    )


def test_it_records_a_note_left_without_javascript_and_goes_back_to_the_flat(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        household_urls(household)["knock"],
        {"outcome": "note_left", "next": round_url(cast.case_a1)},
    )
    assert response.status_code == 302
    assert response.url == f"{round_url(cast.case_a1)}#bolig-{household.flat_id}"
    assert household.contacts.get().outcome == Outcome.NOTE_LEFT


def test_it_refuses_other_outcomes_on_the_one_tap_buttons(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        household_urls(cast.case_a1.household)["knock"], {"outcome": "visit_inside"}
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()


def test_it_undoes_a_tap_on_the_wrong_door(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    client.post(household_urls(household)["knock"], {"outcome": "no_answer"}, headers=HX)
    contact = household.contacts.get()
    response = client.post(
        reverse("outreach:contact_undo", args=[contact.pk]),
        {"next": round_url(cast.case_a1)},
        headers=HX,
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Fortrudt" in body and f'id="bolig-{household.flat_id}"' in body
    assert not household.contacts.exists()


# --- the talk at the door ---------------------------------------------------------------------


def test_it_opens_the_talk_form_inline_and_on_its_own_page(client, cast):
    urls = household_urls(cast.case_a1.household)
    client.force_login(cast.caseworker_a1)
    inline = client.get(urls["talk"], {"next": round_url(cast.case_a1)}, headers=HX)
    body = inline.content.decode()
    assert inline.status_code == 200 and "<html" not in body
    assert 'class="talk-form"' in body
    for label in ("Talt med i døren", "Besøg i boligen", "Aftale lavet", "Afviste"):
        assert label in body
    assert "Tolk nødvendig" in body and "Forkert person eller fraflyttet" in body
    assert 'name="observations"' in body
    page = client.get(urls["talk"])
    assert page.status_code == 200 and "<html" in page.content.decode()


def test_it_saves_a_talk_with_a_next_step_and_swaps_the_card(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(household_urls(household)["talk"], talk_data(), headers=HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'class="talk-form"' not in body
    assert "Talt med i døren registreret kl." in body
    assert "Besøg med tolk" in body
    contact = household.contacts.get()
    assert (contact.outcome, contact.met, contact.channel) == (
        "talked_at_door",
        "Hende selv",
        "door_knock",
    )
    case = Case.objects.get(pk=cast.case_a1.pk)
    assert (case.next_step, case.next_step_on) == (
        "Besøg med tolk",
        timezone.localdate() + timedelta(days=5),
    )


def test_it_saves_a_talk_without_javascript(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        household_urls(household)["talk"], talk_data(next=round_url(cast.case_a1))
    )
    assert response.status_code == 302
    assert response.url == f"{round_url(cast.case_a1)}#bolig-{household.flat_id}"
    assert household.contacts.count() == 1


def test_it_keeps_the_talk_form_and_what_was_typed_on_bad_input(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    data = talk_data(next_step_on=str(date(2001, 1, 1)), note="Lang samtale om datteren")
    inline = client.post(household_urls(household)["talk"], data, headers=HX)
    body = inline.content.decode()
    assert inline.status_code == 200
    assert 'class="talk-form"' in body
    assert "Næste skridt kan ikke ligge i fortiden." in body
    assert "Lang samtale om datteren" in body
    page = client.post(household_urls(household)["talk"], {**data, "outcome": "no_answer"})
    assert page.status_code == 400
    assert "Lang samtale om datteren" in page.content.decode()
    assert not household.contacts.exists()


def test_cancel_brings_the_card_back(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.get(household_urls(household)["card"], headers=HX)
    assert response.status_code == 200
    assert 'class="knock-actions"' in response.content.decode()
    response = client.get(household_urls(household)["card"])
    assert response.status_code == 302
    assert response.url == f"{round_url(cast.case_a1)}#bolig-{household.flat_id}"


def test_a_safety_concern_at_the_door_raises_a_flag_shown_on_the_card(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        household_urls(household)["talk"], talk_data(outcome="safety_concern"), headers=HX
    )
    assert "Bekymring for sikkerhed" in response.content.decode()
    assert household.flags.filter(kind=FlagKind.SAFETY_CONCERN, resolved_at=None).exists()


# --- the round of chosen flats ----------------------------------------------------------------


def test_it_makes_a_round_of_chosen_flats_and_leaves_out_those_i_may_not_see(client, cast):
    households = make_stairwell_round(cast.case_a1.project, 4)
    chosen = [households[0].flat_id, households[3].flat_id]
    hidden = [cast.case_a2.household.flat_id, cast.case_b1.household.flat_id]
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:round"), {"bolig": [*chosen, *hidden, "x"]})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="knock-card') == 2
    assert "Ida Runde0" in body and "Ida Runde3" in body and "Ida Runde1" not in body
    assert_no_markers(body, OTHERS)
    assert "Valgte boliger" in body


def test_it_says_so_when_none_of_the_chosen_flats_are_mine(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("outreach:round"), {"bolig": [cast.case_b1.household.flat_id]})
    assert response.status_code == 200
    assert "Ingen af de valgte boliger" in response.content.decode()
    assert_no_markers(response.content.decode(), OTHERS)


def test_the_caseload_starts_a_round_of_the_chosen(client, cast):
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:caseload"), {"scope": "all"}).content.decode()
    assert f'action="{reverse("outreach:round")}"' in body
    assert f'name="bolig" value="{cast.case_a1.household.flat_id}"' in body
    assert "Dørbankningsrunde for de valgte" in body


# --- the printed round ------------------------------------------------------------------------


def test_it_prints_the_round_as_a_table_per_floor_to_fill_in_by_hand(client, cast):
    households = make_stairwell_round(cast.case_a1.project, 6)
    client.force_login(cast.caseworker_a1)
    stairwell_id = households[0].flat.stairwell_id
    response = client.get(reverse("outreach:round_print", args=[stairwell_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<table class="print-table">') == 2  # two floors
    for text in (
        "Ida Runde5",
        "Ole Runde5",
        "20000005",
        "Dato",
        "Resultat",
        "Notat",
        "Ingen kontakt",
    ):
        assert text in body
    assert 'class="topbar"' not in body  # no navigation on paper
    listed = client.get(
        reverse("outreach:round_list_print"), {"bolig": [households[1].flat_id]}
    ).content.decode()
    assert "Ida Runde1" in listed and "Ida Runde2" not in listed


# --- access -----------------------------------------------------------------------------------


def all_urls(cast) -> list[tuple[str, str, dict]]:
    household = cast.case_a1.household
    stairwell_id = household.flat.stairwell_id
    urls = household_urls(household)
    return [
        ("get", reverse("outreach:round"), {}),
        ("get", reverse("outreach:round"), {"bolig": household.flat_id}),
        ("get", reverse("outreach:round_stairwell", args=[stairwell_id]), {}),
        ("get", reverse("outreach:round_print", args=[stairwell_id]), {}),
        ("get", reverse("outreach:round_list_print"), {"bolig": household.flat_id}),
        ("post", urls["knock"], {"outcome": "no_answer"}),
        ("get", urls["talk"], {}),
        ("post", urls["talk"], talk_data()),
        ("get", urls["card"], {}),
    ]


def test_it_sends_anonymous_users_to_the_login_page(client, cast):
    for method, url, data in all_urls(cast):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_it_forbids_every_round_page_to_roles_without_outreach(client, cast, role):
    client.force_login(getattr(cast, role))
    for method, url, data in all_urls(cast):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert_no_markers(response.content.decode(), ["case_a1", *OTHERS])
    assert not Contact.objects.exists()


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "caseworker_b1"])
def test_it_answers_404_for_stairwells_and_households_of_other_estates(client, cast, role):
    client.force_login(getattr(cast, role))
    for method, url, data in all_urls(cast)[2:]:
        if "print/" in url and "bolig" in data:
            continue  # the list print leaves out what she may not see (tested below)
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert_no_markers(response.content.decode(), ["case_a1"])
    listed = client.get(
        reverse("outreach:round_list_print"), {"bolig": cast.case_a1.household.flat_id}
    )
    assert_no_markers(listed.content.decode(), ["case_a1"])
    assert not Contact.objects.exists()


def test_the_stairwell_gate_lets_in_only_those_who_may_see_a_flat_there(cast):
    stairwells = {key: getattr(cast, f"case_{key}").household.flat.stairwell for key in OWNERS}
    for user, visible in (
        (cast.caseworker_a1, {"a1"}),
        (cast.manager_a, {"a1", "a2"}),
        (cast.caseworker_b1, {"b1"}),
        (cast.caretaker_a1, set()),
    ):
        for key, stairwell in stairwells.items():
            if key in visible:
                assert get_stairwell_for_user(user, stairwell.pk) == stairwell
            else:
                with pytest.raises(Http404):
                    get_stairwell_for_user(user, stairwell.pk)


def test_it_forbids_the_round_to_those_who_may_not_record_contacts(client, cast):
    reader = factories.make_user_with_perms(
        "reader",
        cast.case_a1.project.estate,
        "outreach.view_contact",
        "households.view_household",
        "households.view_flat",
    )
    client.force_login(reader)
    for method, url, data in all_urls(cast):
        assert getattr(client, method)(url, data).status_code == 403, url
    assert (
        "Runder"
        not in client.get(
            reverse("outreach:contacts", args=[cast.case_a1.household_id])
        ).content.decode()
    )


@pytest.mark.parametrize(
    ("method", "url_name", "arg"),
    [
        ("post", "outreach:round", None),
        ("post", "outreach:round_stairwell", "stairwell"),
        ("post", "outreach:round_print", "stairwell"),
        ("get", "outreach:round_knock", "household"),
        ("put", "outreach:round_talk", "household"),
        ("post", "outreach:round_card", "household"),
    ],
)
def test_it_refuses_the_wrong_method(client, cast, method, url_name, arg):
    household = cast.case_a1.household
    args = {"stairwell": [household.flat.stairwell_id], "household": [household.pk], None: []}[arg]
    client.force_login(cast.caseworker_a1)
    assert getattr(client, method)(reverse(url_name, args=args)).status_code == 405


def test_the_rehousing_officer_does_rounds_but_never_sees_observations(client, cast):
    plant_observation(cast)
    household = cast.case_a1.household
    client.force_login(cast.rehousing_officer_a1)
    urls = household_urls(household)
    responses = [
        client.get(round_url(cast.case_a1)),
        client.get(reverse("outreach:round"), {"bolig": household.flat_id}),
        client.get(reverse("outreach:round_print", args=[household.flat.stairwell_id])),
        client.get(urls["talk"], headers=HX),
        client.get(urls["talk"]),
        client.get(urls["card"], headers=HX),
        client.post(urls["knock"], {"outcome": "no_answer"}, headers=HX),
    ]
    for response in responses:
        body = response.content.decode()
        assert response.status_code == 200
        assert OBSERVATION_MARKER not in body
        assert OBSERVATION_LABEL not in body
        assert 'name="observations"' not in body
    response = client.post(
        urls["talk"],
        talk_data(observations=["needles"], observation_note="Skjult"),
        headers=HX,
    )
    assert response.status_code == 200
    newest = household.contacts.order_by("-pk").first()
    assert (newest.observations, newest.observation_note) == ([], "")
