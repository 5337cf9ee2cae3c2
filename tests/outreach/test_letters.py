"""Letters awaiting reply: registered and answered on the household page, and the overview."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import AwaitedReply, Contact
from outreach.services import awaited_reply_record
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers


def record(household, *, days_ago: int = 30, due_in: int = 14, subject: str = "Skema om boligen"):
    today = timezone.localdate()
    return awaited_reply_record(
        household=household,
        by=None,
        subject=subject,
        sent_via="letter",
        sent_on=today - timedelta(days=days_ago),
        due_on=today - timedelta(days=days_ago) + timedelta(days=due_in),
    )


@pytest.fixture
def letter(cast):
    return record(cast.case_a1.household, subject="Skema om den midlertidige bolig")


def test_it_sends_anonymous_users_to_the_login_page(client, cast, letter):
    for url in (
        reverse("outreach:letters"),
        reverse("outreach:letter_create", args=[cast.case_a1.household_id]),
        reverse("outreach:letter_reply", args=[letter.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "caseworker_b1", "caretaker_a1"])
def test_it_hides_the_letters_of_households_one_cannot_see(client, cast, letter, role):
    client.force_login(getattr(cast, role))
    for url in (
        reverse("outreach:letter_create", args=[cast.case_a1.household_id]),
        reverse("outreach:letter_reply", args=[letter.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_markers(response.content.decode(), list(MARKERS))
    response = client.post(
        reverse("outreach:letter_reply", args=[letter.pk]),
        {"replied_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 404
    assert AwaitedReply.objects.get(pk=letter.pk).replied_on is None
    overview = client.get(reverse("outreach:letters"))
    if overview.status_code == 200:
        assert "Skema om den midlertidige bolig" not in overview.content.decode()
        assert_no_markers(overview.content.decode(), ["case_a1"])


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_it_refuses_the_overview_to_roles_without_letters(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("outreach:letters")).status_code == 403


def test_it_shows_but_does_not_let_a_reader_register_or_answer(client, cast, letter):
    viewer = factories.make_user_with_perms(
        "viewer",
        cast.case_a1.project.estate,
        "outreach.view_awaitedreply",
        "households.view_household",
    )
    client.force_login(viewer)
    assert (
        "Skema om den midlertidige bolig"
        in client.get(reverse("outreach:letters")).content.decode()
    )
    household = cast.case_a1.household_id
    assert client.get(reverse("outreach:letter_create", args=[household])).status_code == 403
    assert client.get(reverse("outreach:letter_reply", args=[letter.pk])).status_code == 403
    page = client.get(reverse("households:detail", args=[household])).content.decode()
    assert "Skema om den midlertidige bolig" in page
    assert reverse("outreach:letter_reply", args=[letter.pk]) not in page


@pytest.mark.parametrize(
    ("name", "method"), [("letters", "post"), ("letter_create", "put"), ("letter_reply", "delete")]
)
def test_it_refuses_the_wrong_method(client, cast, letter, name, method):
    client.force_login(cast.rehousing_officer_a1)
    args = {
        "letters": [],
        "letter_create": [cast.case_a1.household_id],
        "letter_reply": [letter.pk],
    }
    assert getattr(client, method)(reverse(f"outreach:{name}", args=args[name])).status_code == 405


def test_the_rehousing_officer_registers_a_letter_and_its_reply(client, cast):
    household = cast.case_a1.household
    page = reverse("households:detail", args=[household.pk])
    today = timezone.localdate()
    client.force_login(cast.rehousing_officer_a1)
    assert (
        reverse("outreach:letter_create", args=[household.pk]) in client.get(page).content.decode()
    )

    response = client.post(
        reverse("outreach:letter_create", args=[household.pk]),
        {
            "subject": "Tilbud om midlertidig bolig",
            "sent_via": "letter",
            "sent_on": (today - timedelta(days=20)).isoformat(),
            "due_on": (today - timedelta(days=6)).isoformat(),
        },
    )
    assert response.status_code == 302 and response.url == page + "#letters"
    letter = AwaitedReply.objects.get()
    assert (letter.case, letter.created_by) == (cast.case_a1, cast.rehousing_officer_a1)
    body = client.get(page).content.decode()
    assert "Tilbud om midlertidig bolig" in body and "over svarfristen" in body

    response = client.post(
        reverse("outreach:letter_reply", args=[letter.pk]),
        {"replied_on": today.isoformat(), "note": "Siger ja tak"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert (letter.replied_on, letter.reply_note) == (today, "Siger ja tak")
    assert Contact.objects.filter(household=household, outcome="replied").exists()
    body = client.get(page).content.decode()
    assert "1 besvaret brev" in body and "Ingen breve venter på svar." in body


def test_it_explains_bad_dates_in_danish_and_keeps_what_was_typed(client, cast, letter):
    household = cast.case_a1.household
    today = timezone.localdate()
    client.force_login(cast.rehousing_officer_a1)
    response = client.post(
        reverse("outreach:letter_create", args=[household.pk]),
        {
            "subject": "Flytteskema",
            "sent_via": "letter",
            "sent_on": today.isoformat(),
            "due_on": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Svarfristen kan ikke ligge før den dag, brevet er sendt." in body
    assert 'value="Flytteskema"' in body
    assert (today - timedelta(days=1)).isoformat() in body
    assert AwaitedReply.objects.count() == 1

    response = client.post(
        reverse("outreach:letter_reply", args=[letter.pk]),
        {"replied_on": (letter.sent_on - timedelta(days=1)).isoformat(), "note": "Ringede"},
    )
    assert response.status_code == 400
    assert "Ringede" in response.content.decode()
    assert "Svaret kan ikke være kommet, før brevet blev sendt." in response.content.decode()
    response = client.post(
        reverse("outreach:letter_reply", args=[letter.pk]),
        {"replied_on": (today + timedelta(days=1)).isoformat(), "note": "Ringede"},
    )
    assert response.status_code == 400
    assert AwaitedReply.objects.get(pk=letter.pk).replied_on is None


def test_the_overview_shows_open_letters_overdue_first_by_project(client, cast, letter):
    soon = record(cast.case_a1.household, days_ago=1, due_in=20, subject="Nøgleaftale")
    other = record(cast.case_a2.household, subject="Brev i Nordparken")
    answered = record(cast.case_a1.household, subject="Besvaret brev")
    AwaitedReply.objects.filter(pk=answered.pk).update(replied_on=timezone.localdate())
    client.force_login(cast.manager_a)
    body = client.get(reverse("outreach:letters")).content.decode()
    assert body.index("Skema om den midlertidige bolig") < body.index(soon.subject)
    assert other.subject in body and "Besvaret brev" not in body
    assert 'class="is-overdue"' in body
    filtered = client.get(reverse("outreach:letters"), {"project": cast.case_a2.project_id})
    assert other.subject in filtered.content.decode()
    assert letter.subject not in filtered.content.decode()


@pytest.mark.parametrize("count", [10, 100])
def test_the_overview_takes_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, count
):
    for household in factories.make_households(cast.case_a1.project.estate, count):
        record(household, subject=f"Brev {household.pk}")
    client.force_login(cast.rehousing_officer_a1)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:letters"))
    assert response.content.decode().count("<tr class=") == min(count, 50)
