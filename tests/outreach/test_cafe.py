"""The drop-in café: sessions per estate, and quick registration of who came for what."""

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Contact, DropInSession
from outreach.services import drop_in_session_create, drop_in_visit_record
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers


@pytest.fixture
def session(cast):
    return drop_in_session_create(
        estate=cast.case_a1.project.estate,
        by=cast.caseworker_a1,
        held_on=timezone.localdate(),
        place="Beboerhuset",
    )


def visit_url(session) -> str:
    return reverse("outreach:cafe_visit", args=[session.pk])


def test_it_sends_anonymous_users_to_the_login_page(client, session):
    for url in (
        reverse("outreach:cafe"),
        reverse("outreach:cafe_create"),
        reverse("outreach:cafe_session", args=[session.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "role", ["caseworker_a2", "manager_b", "caseworker_b1", "rehousing_officer_a1", "caretaker_a1"]
)
def test_it_hides_a_session_from_those_outside_its_estate_or_the_social_team(
    client, cast, session, role
):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("outreach:cafe_session", args=[session.pk]), {"q": "Markør"})
    assert response.status_code == 404
    assert_no_markers(response.content.decode(), list(MARKERS))
    response = client.post(visit_url(session), {"household": cast.case_a1.household_id})
    assert response.status_code == 404
    assert not Contact.objects.exists()


@pytest.mark.parametrize("role", ["rehousing_officer_a1", "visitator", "caretaker_a1"])
def test_it_refuses_the_cafe_to_roles_without_it(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("outreach:cafe")).status_code == 403
    assert client.get(reverse("outreach:cafe_create")).status_code == 403


def test_it_shows_but_does_not_let_a_viewer_register(client, cast, session):
    viewer = factories.make_user_with_perms(
        "viewer", cast.case_a1.project.estate, "outreach.view_dropinsession"
    )
    client.force_login(viewer)
    assert client.get(reverse("outreach:cafe_session", args=[session.pk])).status_code == 200
    response = client.post(visit_url(session), {"household": cast.case_a1.household_id})
    assert response.status_code == 403
    assert client.get(reverse("outreach:cafe_create")).status_code == 403
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("name", "method"), [("cafe", "post"), ("cafe_session", "post"), ("cafe_visit", "get")]
)
def test_it_refuses_the_wrong_method(client, cast, session, name, method):
    client.force_login(cast.caseworker_a1)
    url = reverse(f"outreach:{name}", args=[] if name == "cafe" else [session.pk])
    assert getattr(client, method)(url).status_code == 405


def test_it_creates_a_session_with_the_default_name(client, cast):
    client.force_login(cast.caseworker_a1)
    form = client.get(reverse("outreach:cafe_create")).content.decode()
    assert 'value="Kaffen er Klar"' in form
    assert "Vestergården" in form and "Nordparken" not in form and "Fjordbo" not in form
    response = client.post(
        reverse("outreach:cafe_create"),
        {
            "estate": cast.case_a1.project.estate_id,
            "name": "",
            "held_on": timezone.localdate().isoformat(),
            "place": "Beboerhuset",
        },
    )
    assert response.status_code == 400  # the name is needed; the default is in the form
    response = client.post(
        reverse("outreach:cafe_create"),
        {
            "estate": cast.case_b1.project.estate_id,
            "name": "Kaffen er Klar",
            "held_on": timezone.localdate().isoformat(),
            "place": "Beboerhuset",
        },
    )
    assert response.status_code == 400
    response = client.post(
        reverse("outreach:cafe_create"),
        {
            "estate": cast.case_a1.project.estate_id,
            "name": "Kaffen er Klar",
            "held_on": timezone.localdate().isoformat(),
            "place": "Beboerhuset",
        },
    )
    session = DropInSession.objects.get()
    assert response.status_code == 302
    assert (session.name, session.estate, session.created_by) == (
        "Kaffen er Klar",
        cast.case_a1.project.estate,
        cast.caseworker_a1,
    )


def test_it_registers_a_visitor_in_three_taps(client, cast, session):
    household = cast.case_a1.household
    url = reverse("outreach:cafe_session", args=[session.pk])
    client.force_login(cast.caseworker_a1)
    htmx = {"HX-Request": "true"}

    found = client.get(url, {"q": "agnete"}, headers=htmx).content.decode()
    assert found.lstrip().startswith('<div id="cafe-results"')
    assert "Agnete Markørsen" in found and "Markørvej 3, 1. tv" in found
    assert_no_markers(found, ["case_a2", "case_b1"])

    chosen = client.get(url, {"household": household.pk}, headers=htmx).content.decode()
    assert "Havde brug for hjælp til" in chosen and "Adresseændring (PostNord)" in chosen

    response = client.post(
        visit_url(session),
        {"household": household.pk, "help_topics": ["address_change", "energy"], "note": "Ny"},
        headers=htmx,
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="cafe-session"')
    assert "Agnete Markørsen er registreret." in body
    assert "Adresseændring (PostNord): <strong>1</strong>" in body
    visit = Contact.objects.get(drop_in_session=session)
    assert visit.help_topics == ["address_change", "energy"]
    assert (visit.household, visit.staff, visit.channel) == (
        household,
        cast.caseworker_a1,
        "drop_in",
    )


def test_it_registers_without_javascript_and_refuses_other_estates(client, cast, session):
    client.force_login(cast.manager_a)
    response = client.post(
        visit_url(session), {"household": cast.case_a2.household_id, "help_topics": ["bank"]}
    )
    assert response.status_code == 404  # estate A2: not this café's
    response = client.post(
        visit_url(session),
        {"household": cast.case_a1.household_id, "help_topics": ["bank"]},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("outreach:cafe_session", args=[session.pk])
    assert "Agnete Markørsen er registreret." in response.content.decode()


def test_it_explains_a_bad_choice_in_danish_and_keeps_the_note(client, cast, session):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        visit_url(session),
        {
            "household": cast.case_a1.household_id,
            "help_topics": ["hoverboard"],
            "note": "Vil gerne have hjælp til flyttekasser",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vil gerne have hjælp til flyttekasser" in body
    assert "Marker en gyldig valgmulighed." in body
    # With htmx (which swaps no 4xx answer): the session with the form and its errors, a 200
    response = client.post(
        visit_url(session),
        {
            "household": cast.case_a1.household_id,
            "help_topics": ["hoverboard"],
            "note": "Vil gerne have hjælp til flyttekasser",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="cafe-session"')
    assert "Vil gerne have hjælp til flyttekasser" in body
    assert "Marker en gyldig valgmulighed." in body
    assert not Contact.objects.exists()


@pytest.mark.parametrize("count", [10, 100])
def test_the_session_page_takes_a_fixed_number_of_queries(
    client, cast, session, django_assert_max_num_queries, count
):
    for household in factories.make_households(cast.case_a1.project.estate, count):
        drop_in_visit_record(
            session=session, household=household, by=cast.caseworker_a1, help_topics=["bank"]
        )
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:cafe_session", args=[session.pk])
    with django_assert_max_num_queries(10):
        response = client.get(url, {"q": "tælle"})
    body = response.content.decode()
    assert f"Bank og Betalingsservice: <strong>{count}</strong>" in body
    assert body.count('class="tag">Bank og Betalingsservice</li>') == count
