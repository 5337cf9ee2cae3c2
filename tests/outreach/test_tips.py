"""Tips: the caretaker's one page, and the social team's list of tips about its estates' flats."""

import re

import pytest
from django.urls import reverse
from guardian.shortcuts import assign_perm

from outreach.models import Tip, TipSource
from outreach.permissions import tip_estates_for_user
from outreach.selectors import tip_flats
from outreach.services import meeting_create, tip_submit
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers


@pytest.fixture
def caretaker(cast):
    """The caretaker of estate A1: she may pass on tips about its flats, and nothing else."""
    assign_perm("households.submit_tip", cast.caretaker_a1, cast.case_a1.project.estate)
    return cast.caretaker_a1


@pytest.fixture
def tip(cast, caretaker):
    return tip_submit(
        flat=cast.case_a1.household.flat,
        by=caretaker,
        source=TipSource.CARETAKER,
        text="Åbner aldrig døren; handler tirsdag formiddag",
    )


def test_it_sends_anonymous_users_to_the_login_page(client, tip):
    for url in (reverse("outreach:tips"), reverse("outreach:tip_create")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert client.post(reverse("outreach:tip_handled", args=[tip.pk])).status_code == 302
    assert Tip.objects.get(pk=tip.pk).handled_at is None


# --- the caretaker ----------------------------------------------------------------------------


def test_the_caretaker_goes_straight_to_the_tip_form_and_sees_only_it(client, cast, caretaker):
    client.force_login(caretaker)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("outreach:tip_create")
    body = response.content.decode()
    assert "Markørvej 3, 1. tv" in body  # the flat, by its address
    assert_no_markers(body.replace("Markørvej 3", ""), list(MARKERS))  # no names, no notes
    assert "Skjultvej" not in body and "Fjernvej" not in body  # no flats of other estates
    nav = body.split('<header class="topbar">')[1].split("</header>")[0]
    assert "Giv et tip" in nav
    for other in ("Sager", "Projekter", "Møder", "Café", "Breve", "Runder", "Flag"):
        assert f">{other}<" not in nav, other
    assert re.search(r'<input [^>]*value="caretaker"[^>]* checked', body)  # from the caretaker


def test_the_caretaker_passes_on_a_tip_and_gets_an_empty_form(client, cast, caretaker):
    client.force_login(caretaker)
    flat = cast.case_a1.household.flat
    response = client.post(
        reverse("outreach:tip_create"),
        {"flat": flat.pk, "source": "caretaker", "text": "Handler tirsdag formiddag"},
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("outreach:tip_create")
    assert "Tak! Tippet er givet videre til det boligsociale team." in body
    assert "Handler tirsdag formiddag" not in body  # an empty form, no list of tips
    assert_no_markers(body.replace("Markørvej 3", ""), list(MARKERS))
    tip = Tip.objects.get()
    assert (tip.flat, tip.household, tip.submitted_by) == (flat, cast.case_a1.household, caretaker)


def test_the_caretaker_cannot_pass_on_a_tip_about_another_estate(client, cast, caretaker):
    client.force_login(caretaker)
    for case in (cast.case_a2, cast.case_b1):
        response = client.post(
            reverse("outreach:tip_create"),
            {"flat": case.household.flat_id, "source": "caretaker", "text": "Noget"},
        )
        assert response.status_code == 400
        assert_no_markers(response.content.decode(), ["case_a2", "case_b1"])
    assert not Tip.objects.exists()


def test_the_caretaker_sees_nothing_else(client, cast, caretaker, tip):
    meeting = meeting_create(
        project=cast.case_a1.project, by=None, held_at=tip.submitted_at, place="Her", topic="Møde"
    )
    client.force_login(caretaker)
    household = cast.case_a1.household
    refused = {
        reverse("cases:caseload"): 403,
        reverse("cases:projects"): 403,
        reverse("outreach:tips"): 403,
        reverse("outreach:meetings"): 403,
        reverse("outreach:meeting_create"): 403,
        reverse("outreach:cafe"): 403,
        reverse("outreach:letters"): 403,
        reverse("outreach:meeting", args=[meeting.pk]): 404,
        reverse("outreach:meeting_attendance", args=[meeting.pk]): 404,
        reverse("cases:detail", args=[cast.case_a1.pk]): 404,
        reverse("cases:project", args=[cast.case_a1.project_id]): 404,
        reverse("households:detail", args=[household.pk]): 404,
        reverse("households:flat", args=[household.flat_id]): 404,
        reverse("outreach:letter_create", args=[household.pk]): 404,
    }
    for url, status in refused.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert_no_markers(response.content.decode(), list(MARKERS))
        assert "Åbner aldrig døren" not in response.content.decode()
    assert client.post(reverse("outreach:tip_handled", args=[tip.pk])).status_code == 404
    assert Tip.objects.get(pk=tip.pk).handled_at is None


def test_it_offers_tips_about_the_estates_one_works_in_leads_or_cares_for(cast, caretaker):
    estates = {key: getattr(cast, f"case_{key}").project.estate for key in ("a1", "a2", "b1")}
    expected = {
        caretaker: {"a1"},
        cast.caseworker_a1: {"a1"},
        cast.caseworker_b1: {"b1"},
        cast.manager_a: {"a1", "a2"},  # she leads the organisation of both
        cast.rehousing_officer_a1: set(),  # may not pass on tips
        cast.visitator: set(),
    }
    for user, keys in expected.items():
        assert set(tip_estates_for_user(user)) == {estates[key] for key in keys}, user
        flats = {flat.stairwell.estate for flat in tip_flats(user=user)}
        assert flats == {estates[key] for key in keys}, user


def test_a_caretaker_without_an_estate_gets_no_flats(client, cast):
    client.force_login(cast.caretaker_a1)
    response = client.get(reverse("outreach:tip_create"))
    assert response.status_code == 200
    assert "Du har endnu ingen afdeling, du kan give tips om." in response.content.decode()


# --- the social team --------------------------------------------------------------------------


def test_the_caseworker_reads_the_tips_of_her_estate_and_marks_them_seen(client, cast, tip):
    older = tip_submit(
        flat=cast.case_a1.household.flat, by=None, source="neighbour", text="Set med en hund"
    )
    Tip.objects.filter(pk=older.pk).update(submitted_at=tip.submitted_at.replace(year=2025))
    client.force_login(cast.caseworker_a1)
    body = client.get(reverse("outreach:tips")).content.decode()
    assert body.index("Åbner aldrig døren") < body.index("Set med en hund")  # newest first
    assert "Agnete Markørsen" in body
    assert reverse("households:detail", args=[cast.case_a1.household_id]) in body

    response = client.post(
        reverse("outreach:tip_handled", args=[tip.pk]), headers={"HX-Request": "true"}
    )
    assert (
        response.content.decode()
        .lstrip()
        .startswith(f'<div class="tip-status" id="tip-status-{tip.pk}"')
    )
    assert "Set af Maja Holm" in response.content.decode()
    tip.refresh_from_db()
    assert tip.handled_by == cast.caseworker_a1
    body = client.get(reverse("outreach:tips")).content.decode()
    assert body.index("Set med en hund") < body.index("Åbner aldrig døren")  # not yet seen first


def test_the_household_page_shows_the_tips_about_its_flat(client, cast, tip):
    url = reverse("households:detail", args=[cast.case_a1.household_id])
    client.force_login(cast.caseworker_a1)
    body = client.get(url).content.decode()
    assert "Tips om boligen" in body and "Åbner aldrig døren" in body
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(url).content.decode()
    assert "Tips om boligen" not in body and "Åbner aldrig døren" not in body


def test_the_rehousing_officer_sees_no_tips(client, cast, tip):
    client.force_login(cast.rehousing_officer_a1)
    assert client.get(reverse("outreach:tips")).status_code == 403
    assert client.get(reverse("outreach:tip_create")).status_code == 403
    assert client.post(reverse("outreach:tip_handled", args=[tip.pk])).status_code == 404
    nav = client.get(reverse("cases:caseload")).content.decode().split("</header>")[0]
    assert ">Tips<" not in nav and "Giv et tip" not in nav


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "caseworker_b1"])
def test_it_hides_the_tips_of_other_estates(client, cast, tip, role):
    client.force_login(getattr(cast, role))
    body = client.get(reverse("outreach:tips")).content.decode()
    assert "Åbner aldrig døren" not in body
    assert_no_markers(body, ["case_a1"])
    response = client.post(reverse("outreach:tip_handled", args=[tip.pk]))
    assert response.status_code == 404
    assert Tip.objects.get(pk=tip.pk).handled_at is None


def test_a_reader_who_may_not_change_tips_cannot_mark_them(client, cast, tip):
    viewer = factories.make_user_with_perms(
        "viewer", cast.case_a1.project.estate, "outreach.view_tip", "households.view_social_data"
    )
    client.force_login(viewer)
    assert "Åbner aldrig døren" in client.get(reverse("outreach:tips")).content.decode()
    assert client.post(reverse("outreach:tip_handled", args=[tip.pk])).status_code == 403
    assert Tip.objects.get(pk=tip.pk).handled_at is None


def test_the_caseworker_tips_about_a_flat_from_the_household_page(client, cast):
    household = cast.case_a1.household
    back = reverse("households:detail", args=[household.pk])
    client.force_login(cast.caseworker_a1)
    form = client.get(reverse("outreach:tip_create"), {"flat": household.flat_id, "next": back})
    assert f'<option value="{household.flat_id}" selected>' in form.content.decode()
    response = client.post(
        reverse("outreach:tip_create"),
        {
            "flat": household.flat_id,
            "source": "",
            "text": "Datteren kommer om søndagen",
            "next": back,
        },
    )
    assert response.status_code == 400
    assert "Dette felt er påkrævet." in response.content.decode()
    assert "Datteren kommer om søndagen" in response.content.decode()
    response = client.post(
        reverse("outreach:tip_create"),
        {
            "flat": household.flat_id,
            "source": "family",
            "text": "Datteren kommer om søndagen",
            "next": back,
        },
    )
    assert response.status_code == 302 and response.url == back
    response = client.post(
        reverse("outreach:tip_create"),
        {
            "flat": household.flat_id,
            "source": "family",
            "text": "x",
            "next": "https://evil.example",
        },
    )
    assert response.url == reverse("outreach:tip_create")


@pytest.mark.parametrize(
    ("url_name", "method"), [("tips", "post"), ("tip_create", "put"), ("tip_handled", "get")]
)
def test_it_refuses_the_wrong_method(client, cast, tip, url_name, method):
    client.force_login(cast.caseworker_a1)
    url = reverse(f"outreach:{url_name}", args=[tip.pk] if url_name == "tip_handled" else [])
    assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize("count", [10, 100])
def test_the_tip_list_takes_a_fixed_number_of_queries(
    client, cast, caretaker, django_assert_max_num_queries, count
):
    for household in factories.make_households(cast.case_a1.project.estate, count):
        tip_submit(flat=household.flat, by=caretaker, source="caretaker", text="Tip")
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:tips"))
    assert response.content.decode().count('<li class="tip') == min(count, 30)
