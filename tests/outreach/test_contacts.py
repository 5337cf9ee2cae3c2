"""The contact log: on the household and case pages, the full list, recording a contact, undo."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from outreach.models import Channel, Contact, Outcome
from outreach.services import contact_record
from tests import factories
from tests.test_access import assert_no_markers

# Planted in observations about the home: the rehousing officer must never see them.
OBSERVATION_MARKER = "OBS-HOME-MARKER-5531"
OBSERVATION_LABEL = "Kanyler"  # the Danish label of the "needles" observation


def knock(household, by, outcome=Outcome.NO_ANSWER, **fields):
    return contact_record(
        household=household, by=by, channel=Channel.DOOR_KNOCK, outcome=outcome, **fields
    )


def plant_observation(cast) -> Contact:
    return knock(
        cast.case_a1.household,
        cast.caseworker_a1,
        outcome=Outcome.VISIT_INSIDE,
        note="Besøg i stuen",
        observations=["needles"],
        observation_note=OBSERVATION_MARKER,
    )


def contact_urls(household) -> dict[str, str]:
    return {
        "list": reverse("outreach:contacts", args=[household.pk]),
        "add": reverse("outreach:contact_add", args=[household.pk]),
    }


def form_data(**overrides) -> dict:
    data = {
        "channel": Channel.PHONE,
        "outcome": Outcome.TALKED,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "met": "Datteren",
        "note": "Ringede om flyttedatoen",
        "next_step": "",
        "next_step_on": "",
    }
    return {**data, **overrides}


# --- the log on the household and case pages --------------------------------------------------


def test_it_shows_the_summary_and_newest_contacts_on_the_household_page(client, cast):
    household = cast.case_a1.household
    first = timezone.now() - timedelta(days=100)
    for days in range(6):
        knock(household, cast.caseworker_a1, occurred_at=first + timedelta(days=days * 10))
    knock(household, cast.caseworker_a1, outcome=Outcome.TALKED_AT_DOOR, note="Åbnede til sidst")
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    assert "Kontaktlog" in body
    assert "Banket på 7 gange siden" in body
    assert "6 uden svar" in body
    assert "sidst nået" in body
    assert "Åbnede til sidst" in body
    assert "Vis alle" in body  # more than five contacts
    assert 'name="observations"' in body  # the caseworker may record observations


def test_it_shows_the_newest_contacts_and_the_next_step_on_the_case_page(client, cast):
    household = cast.case_a1.household
    knock(household, cast.caseworker_a1)
    knock(
        household,
        cast.caseworker_a1,
        outcome=Outcome.APPOINTMENT,
        next_step="Besøg med tolk",
        next_step_on=date.today() + timedelta(days=3),
    )
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "Kontaktlog" in body
    assert "Aftale lavet" in body and "Ingen svar" in body
    assert body.count("Besøg med tolk") >= 2  # the contact, and the case's next step


def test_it_says_so_when_nobody_was_ever_reached(client, cast):
    knock(cast.case_a1.household, cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("cases:detail", args=[cast.case_a1.pk])).content.decode()
    assert "aldrig nået" in body


@pytest.mark.parametrize("count", [3, 30])
def test_it_keeps_the_case_page_query_count_flat_with_many_contacts(
    client, cast, django_assert_max_num_queries, count
):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    for _ in range(count):
        knock(household, cast.caseworker_a1)
    # The case page's 12, the open flags (1), the newest contacts with their summary (1), the
    # referrals' sections (1), the rehousing section's offers and moves (2), the refused
    # offers (1) and the case's expenses (1).
    with django_assert_max_num_queries(19):
        response = client.get(reverse("cases:detail", args=[cast.case_a1.pk]))
    assert response.status_code == 200


def test_it_lists_every_contact_with_paging(client, cast):
    household = cast.case_a1.household
    for _ in range(55):
        knock(household, cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    first = client.get(contact_urls(household)["list"])
    second = client.get(contact_urls(household)["list"], {"page": 2})
    assert first.status_code == 200
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5


@pytest.mark.parametrize("count", [5, 60])
def test_it_keeps_the_full_list_query_count_flat(
    client, cast, django_assert_max_num_queries, count
):
    household = cast.case_a1.household
    for _ in range(count):
        knock(household, cast.caseworker_a1, note="Noteret")
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(11):  # 10, and the access log's row (households.audit)
        response = client.get(contact_urls(household)["list"])
    assert response.status_code == 200


# --- recording a contact ----------------------------------------------------------------------


def test_it_records_a_contact_and_goes_back_to_the_household(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    data = form_data(observations=["mould"], observation_note="Fugt i badeværelset")
    data["next_step"], data["next_step_on"] = "Ring igen", str(date.today() + timedelta(days=7))
    response = client.post(contact_urls(household)["add"], data)
    assert response.status_code == 302
    assert response.url == reverse("households:detail", args=[household.pk])
    contact = household.contacts.get()
    assert (contact.channel, contact.outcome, contact.met) == ("phone", "talked", "Datteren")
    assert contact.staff == cast.caseworker_a1
    assert contact.observations == ["mould"]
    case = Case.objects.get(pk=cast.case_a1.pk)
    assert (case.next_step, case.next_step_on) == ("Ring igen", date.today() + timedelta(days=7))


def test_it_goes_back_to_a_local_next_page_only(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    case_url = reverse("cases:detail", args=[cast.case_a1.pk])
    response = client.post(contact_urls(household)["add"], form_data(next=case_url))
    assert response.url == case_url
    response = client.post(contact_urls(household)["add"], form_data(next="https://evil.example/"))
    assert response.url == reverse("households:detail", args=[household.pk])


def test_it_answers_htmx_with_the_log_section_and_a_fresh_form(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        contact_urls(household)["add"], form_data(note="Via htmx"), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<section id="contact-log"' in body and "<html" not in body
    assert "Via htmx" in body and "Kontakten er gemt." in body


def test_it_explains_bad_input_in_danish_and_keeps_what_was_typed(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        contact_urls(household)["add"],
        form_data(occurred_at=tomorrow, note="Min lange note", next_step_on="2001-01-01"),
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Næste skridt kan ikke ligge i fortiden." in body
    assert "Min lange note" in body
    assert not household.contacts.exists()

    response = client.post(
        contact_urls(household)["add"], form_data(occurred_at=tomorrow, note="Min lange note")
    )
    assert response.status_code == 400
    assert "En kontakt kan ikke ligge i fremtiden." in response.content.decode()
    assert "Min lange note" in response.content.decode()
    form = response.context["form"]
    assert form.errors["occurred_at"] == ["En kontakt kan ikke ligge i fremtiden."]
    assert not form.non_field_errors()  # shown at the field, tied to it
    assert 'aria-describedby="id_occurred_at_error"' in response.content.decode()

    response = client.post(
        contact_urls(household)["add"], form_data(note="Tjek"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200  # htmx swaps only 2xx: errors come back in the section


def test_it_shows_the_form_on_its_own_page_without_javascript(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.get(contact_urls(cast.case_a1.household)["add"])
    assert response.status_code == 200
    assert 'type="datetime-local"' in response.content.decode()


# --- undo ----------------------------------------------------------------------------------


def test_it_undoes_my_contact_within_ten_minutes_only(client, cast):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        contact = knock(household, cast.caseworker_a1)
        late = knock(household, cast.caseworker_a1)
        url = reverse("outreach:contact_undo", args=[contact.pk])
        response = client.post(url, {"next": reverse("cases:detail", args=[cast.case_a1.pk])})
        assert response.status_code == 302
        assert response.url == reverse("cases:detail", args=[cast.case_a1.pk])
        assert not Contact.objects.filter(pk=contact.pk).exists()

        traveller.shift(timedelta(minutes=11))
        response = client.post(reverse("outreach:contact_undo", args=[late.pk]), follow=True)
        assert Contact.objects.filter(pk=late.pk).exists()
        assert "inden for ti minutter" in response.content.decode()


def test_it_offers_undo_only_on_my_fresh_contacts(client, cast):
    household = cast.case_a1.household
    mine = knock(household, cast.caseworker_a1)
    theirs = knock(household, cast.manager_a)
    client.force_login(cast.caseworker_a1)
    body = client.get(contact_urls(household)["list"]).content.decode()
    assert reverse("outreach:contact_undo", args=[mine.pk]) in body
    assert reverse("outreach:contact_undo", args=[theirs.pk]) not in body
    response = client.post(reverse("outreach:contact_undo", args=[theirs.pk]))
    assert response.status_code == 302
    assert Contact.objects.filter(pk=theirs.pk).exists()


# --- access ---------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client, cast):
    contact = knock(cast.case_a1.household, cast.caseworker_a1)
    for url in [
        *contact_urls(cast.case_a1.household).values(),
        reverse("outreach:contact_undo", args=[contact.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "caseworker_b1"])
def test_it_answers_404_for_households_of_other_estates(client, cast, role):
    contact = knock(cast.case_a1.household, cast.caseworker_a1)
    client.force_login(getattr(cast, role))
    urls = contact_urls(cast.case_a1.household)
    for response in (
        client.get(urls["list"]),
        client.get(urls["add"]),
        client.post(urls["add"], form_data()),
        client.post(reverse("outreach:contact_undo", args=[contact.pk])),
    ):
        assert response.status_code == 404
        assert_no_markers(response.content.decode(), ["case_a1"])
    assert cast.case_a1.household.contacts.count() == 1


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_it_forbids_roles_without_outreach(client, cast, role):
    contact = knock(cast.case_a1.household, cast.caseworker_a1)
    client.force_login(getattr(cast, role))
    urls = contact_urls(cast.case_a1.household)
    for response in (
        client.get(urls["list"]),
        client.get(urls["add"]),
        client.post(urls["add"], form_data()),
        client.post(reverse("outreach:contact_undo", args=[contact.pk])),
    ):
        assert response.status_code == 403
        assert_no_markers(response.content.decode(), ["case_a1", "case_a2", "case_b1"])


def test_it_forbids_recording_to_those_who_may_only_read_the_log(client, cast):
    reader = factories.make_user_with_perms(
        "reader",
        cast.case_a1.project.estate,
        "outreach.view_contact",
        "households.view_household",
        "households.view_flat",
        "cases.view_case",
    )
    client.force_login(reader)
    urls = contact_urls(cast.case_a1.household)
    assert client.get(urls["list"]).status_code == 200
    assert client.get(urls["add"]).status_code == 403
    assert client.post(urls["add"], form_data()).status_code == 403
    body = client.get(reverse("households:detail", args=[cast.case_a1.household_id]))
    assert "Registrér kontakt" not in body.content.decode()


@pytest.mark.parametrize(
    ("url_name", "method"),
    [("outreach:contacts", "post"), ("outreach:contact_add", "put")],
)
def test_it_refuses_the_wrong_method(client, cast, url_name, method):
    client.force_login(cast.caseworker_a1)
    response = getattr(client, method)(reverse(url_name, args=[cast.case_a1.household_id]))
    assert response.status_code == 405


def test_it_refuses_get_on_undo(client, cast):
    contact = knock(cast.case_a1.household, cast.caseworker_a1)
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("outreach:contact_undo", args=[contact.pk])).status_code == 405


# --- observations about the home are never shown to the rehousing officer ------------------


def test_the_caseworker_sees_observations_about_the_home(client, cast):
    plant_observation(cast)
    client.force_login(cast.caseworker_a1)
    for url in (
        reverse("households:detail", args=[cast.case_a1.household_id]),
        reverse("cases:detail", args=[cast.case_a1.pk]),
        contact_urls(cast.case_a1.household)["list"],
    ):
        body = client.get(url).content.decode()
        assert OBSERVATION_MARKER in body, url
        assert OBSERVATION_LABEL in body, url


def test_the_rehousing_officer_never_sees_observations_in_the_log(client, cast):
    plant_observation(cast)
    client.force_login(cast.rehousing_officer_a1)
    for url in (
        reverse("households:detail", args=[cast.case_a1.household_id]),
        reverse("cases:detail", args=[cast.case_a1.pk]),
        *contact_urls(cast.case_a1.household).values(),
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert "Besøg i stuen" in body or url.endswith("/ny/"), url  # the log itself is there
        assert OBSERVATION_MARKER not in body, url
        assert OBSERVATION_LABEL not in body, url
        assert 'name="observations"' not in body, url


def test_the_rehousing_officer_cannot_submit_observations(client, cast):
    client.force_login(cast.rehousing_officer_a1)
    data = form_data(observations=["needles"], observation_note=OBSERVATION_MARKER)
    response = client.post(contact_urls(cast.case_a1.household)["add"], data)
    assert response.status_code == 302
    contact = cast.case_a1.household.contacts.get()
    assert (contact.observations, contact.observation_note) == ([], "")
