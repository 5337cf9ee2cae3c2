"""Information meetings: the list, creating one, the meeting page, and attendance at the door."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from households.permissions import sees_whole_estate
from outreach.models import Contact, Invitation, Meeting
from outreach.selectors import INVITATIONS_PER_PAGE, attendance_household, walk_in_candidates
from outreach.services import attendance_mark, meeting_create, meeting_invite_stairwells
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers


@pytest.fixture
def meeting(cast):
    """A meeting of case A1's project, held yesterday, with A1's stairwell invited."""
    return meeting_create(
        project=cast.case_a1.project,
        by=cast.caseworker_a1,
        held_at=timezone.now() - timedelta(days=1),
        place="Fælleshuset",
        topic="Sådan foregår genhusningen",
        stairwells=[cast.case_a1.household.flat.stairwell],
        sent_via="letter",
        sent_on=timezone.localdate() - timedelta(days=14),
    )


def urls(meeting) -> dict[str, str]:
    return {
        "list": reverse("outreach:meetings"),
        "create": reverse("outreach:meeting_create"),
        "detail": reverse("outreach:meeting", args=[meeting.pk]),
        "attendance": reverse("outreach:meeting_attendance", args=[meeting.pk]),
    }


# --- access ---------------------------------------------------------------------------------


def test_it_sends_anonymous_users_to_the_login_page(client, meeting):
    for url in urls(meeting).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    assert client.post(mark, {"household": 1, "attended": "1"}).status_code == 302
    assert not Invitation.objects.filter(meeting=meeting, attended=True).exists()


@pytest.mark.parametrize(
    "role",
    [
        "caseworker_a2",
        "manager_b",
        "caseworker_b1",
        "bridge_builder_a",
        "visitator",
        "caretaker_a1",
    ],
)
def test_it_hides_a_meeting_of_other_estates(client, cast, meeting, role):
    client.force_login(getattr(cast, role))
    household = cast.case_a1.household
    for name in ("detail", "attendance"):
        response = client.get(urls(meeting)[name])
        assert response.status_code == 404, name
        assert_no_markers(response.content.decode(), ["case_a1"])
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    response = client.post(mark, {"household": household.pk, "attended": "1"})
    assert response.status_code == 404
    invite = reverse("outreach:meeting_invite", args=[meeting.pk])
    assert client.post(invite, {"stairwells": []}).status_code == 404
    assert not Invitation.objects.filter(meeting=meeting, attended=True).exists()


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "bridge_builder_a"])
def test_it_lists_no_meetings_of_other_estates(client, cast, meeting, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("outreach:meetings"))
    assert response.status_code == 200
    assert "Sådan foregår genhusningen" not in response.content.decode()


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1"])
def test_it_refuses_the_meeting_pages_to_roles_without_meetings(client, cast, meeting, role):
    client.force_login(getattr(cast, role))
    for name in ("list", "create"):
        response = client.get(urls(meeting)[name])
        assert response.status_code == 403
        assert_no_markers(response.content.decode(), list(MARKERS))


def test_it_shows_but_does_not_let_a_viewer_take_attendance(client, cast, meeting):
    viewer = factories.make_user_with_perms(
        "viewer", cast.case_a1.project.estate, "outreach.view_meeting", "cases.view_project"
    )
    client.force_login(viewer)
    assert client.get(urls(meeting)["detail"]).status_code == 200
    assert client.get(urls(meeting)["attendance"]).status_code == 403
    assert client.get(urls(meeting)["create"]).status_code == 403
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    household = cast.case_a1.household
    assert client.post(mark, {"household": household.pk, "attended": "1"}).status_code == 403
    invite = reverse("outreach:meeting_invite", args=[meeting.pk])
    assert client.post(invite, {}).status_code == 403
    assert not Invitation.objects.filter(meeting=meeting, attended=True).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("list", "post"),
        ("detail", "post"),
        ("attendance", "post"),
        ("create", "put"),
        ("mark", "get"),
        ("invite", "get"),
    ],
)
def test_it_refuses_the_wrong_method(client, cast, meeting, name, method):
    client.force_login(cast.caseworker_a1)
    url = {
        **urls(meeting),
        "mark": reverse("outreach:meeting_attendance_mark", args=[meeting.pk]),
        "invite": reverse("outreach:meeting_invite", args=[meeting.pk]),
    }[name]
    assert getattr(client, method)(url).status_code == 405


# --- the list and the meeting page -----------------------------------------------------------


def test_it_lists_coming_and_held_meetings_with_attendance(client, cast, meeting):
    attendance_mark(meeting=meeting, household=cast.case_a1.household, by=cast.caseworker_a1)
    meeting_create(
        project=cast.case_a1.project,
        by=cast.caseworker_a1,
        held_at=timezone.now() + timedelta(days=7),
        place="Beboerhuset",
        topic="Nøgleudlevering",
    )
    client.force_login(cast.rehousing_officer_a1)
    body = client.get(reverse("outreach:meetings")).content.decode()
    coming, held = body.split("Afholdte")
    assert "Nøgleudlevering" in coming and "Nøgleudlevering" not in held
    assert "Sådan foregår genhusningen" in held
    assert "100 %" in held


def test_it_creates_a_meeting_and_invites_the_chosen_stairwells(client, cast):
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    other = factories.make_households(project.estate, 3, street="Andenvej")
    client.force_login(cast.caseworker_a1)
    form = client.get(reverse("outreach:meeting_create"), {"project": project.pk})
    assert "Markørvej 3" in form.content.decode() and "Andenvej" in form.content.decode()
    response = client.post(
        reverse("outreach:meeting_create"),
        {
            "project": project.pk,
            "topic": "Midlertidige boliger",
            "held_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
            "held_time": "17:00",
            "place": "Fælleshuset",
            "stairwells": [stairwell.pk],
            "sent_via": "letter",
            "sent_on": timezone.localdate().isoformat(),
        },
    )
    meeting = Meeting.objects.get(topic="Midlertidige boliger")
    assert response.status_code == 302
    assert response.url == reverse("outreach:meeting", args=[meeting.pk])
    assert timezone.localtime(meeting.held_at).hour == 17
    invited = set(meeting.invitations.values_list("household_id", flat=True))
    assert invited == {cast.case_a1.household_id}
    assert other[0].pk not in invited

    page = client.get(response.url).content.decode()
    assert "Agnete Markørsen" in page and "Markørvej 3, 1. tv" in page


def test_it_shows_the_stairwells_of_the_chosen_project_to_htmx(client, cast):
    client.force_login(cast.manager_a)
    response = client.get(
        reverse("outreach:meeting_create"),
        {"project": cast.case_a2.project_id},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<fieldset id="stairwells"')
    assert "Skjultvej 3" in body and "Markørvej" not in body


def test_it_keeps_what_was_typed_and_explains_in_danish(client, cast):
    client.force_login(cast.caseworker_a1)
    meeting_day = timezone.localdate() + timedelta(days=3)
    response = client.post(
        reverse("outreach:meeting_create"),
        {
            "project": cast.case_a1.project_id,
            "topic": "Flytteplan for blok 3",
            "held_on": meeting_day.isoformat(),
            "held_time": "",
            "place": "Fælleshuset",
            "sent_on": (meeting_day + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Flytteplan for blok 3" in body and "Fælleshuset" in body
    assert "Dette felt er påkrævet." in body
    assert "Invitationerne kan ikke sendes efter mødet." in body
    assert not Meeting.objects.exists()


def test_it_refuses_a_project_of_another_organisation(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("outreach:meeting_create"),
        {
            "project": cast.case_b1.project_id,
            "topic": "Snyd",
            "held_on": timezone.localdate().isoformat(),
            "held_time": "17:00",
            "place": "Et sted",
            "stairwells": [cast.case_b1.household.flat.stairwell_id],
        },
    )
    assert response.status_code == 400
    assert not Meeting.objects.exists()
    assert_no_markers(response.content.decode(), ["case_b1"])


def test_it_invites_more_stairwells_but_only_of_the_estate(client, cast, meeting):
    more = factories.make_households(cast.case_a1.project.estate, 2, street="Tredjevej")
    client.force_login(cast.caseworker_a1)
    invite = reverse("outreach:meeting_invite", args=[meeting.pk])
    foreign = cast.case_b1.household.flat.stairwell_id
    response = client.post(invite, {"stairwells": [foreign]})
    assert response.status_code == 400
    assert not meeting.invitations.filter(household=cast.case_b1.household).exists()

    response = client.post(invite, {"stairwells": [more[0].flat.stairwell_id], "sent_via": "sms"})
    assert response.status_code == 302
    assert meeting.invitations.filter(household__in=more, sent_via="sms").count() == 2


# --- attendance at the door ------------------------------------------------------------------


def test_it_marks_and_unmarks_a_household_with_one_tap(client, cast, meeting):
    household = cast.case_a1.household
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    client.force_login(cast.caseworker_a1)
    response = client.post(
        mark, {"household": household.pk, "attended": "1"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="attendance-panel"')
    assert "1 af 1 mødt op" in body
    assert 'value="" placeholder' in body and "autofocus" in body  # the search is cleared
    assert "Agnete Markørsen, Markørvej 3, 1. tv: mødt op." in body
    invitation = Invitation.objects.get(meeting=meeting, household=household)
    assert invitation.attended and invitation.attendance_recorded_by == cast.caseworker_a1
    assert Contact.objects.filter(meeting=meeting, household=household).count() == 1

    response = client.post(mark, {"household": household.pk}, headers={"HX-Request": "true"})
    assert "0 af 1 mødt op" in response.content.decode()
    assert not Invitation.objects.get(pk=invitation.pk).attended
    assert not Contact.objects.filter(meeting=meeting, household=household).exists()


def test_it_marks_without_javascript(client, cast, meeting):
    household = cast.case_a1.household
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("outreach:meeting_attendance_mark", args=[meeting.pk]),
        {"household": household.pk, "attended": "1"},
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse(
        "outreach:meeting_attendance", args=[meeting.pk]
    )
    assert "Agnete Markørsen, Markørvej 3, 1. tv: mødt op." in body
    assert "1 af 1 mødt op" in body


def test_the_list_at_the_door_follows_the_landing_tv_mf_th(client, cast, meeting):
    stairwell = factories.make_stairwell(cast.case_a1.project.estate, street="Trappevej")
    for door in ("th", "mf", "tv"):
        factories.make_household(factories.make_flat(stairwell, floor=1, door=door), "Ib Trap")
    meeting_invite_stairwells(meeting=meeting, stairwells=[stairwell])
    client.force_login(cast.caseworker_a1)
    body = client.get(urls(meeting)["attendance"], {"q": "Trappevej"}).content.decode()
    doors = [body.index(f"Trappevej {stairwell.number}, 1. {door}") for door in ("tv", "mf", "th")]
    assert doors == sorted(doors)


def test_it_searches_the_list_and_the_estate_for_walk_ins(client, cast, meeting):
    walk_in = factories.make_household(
        factories.make_flat(factories.make_stairwell(cast.case_a1.project.estate, "Sidevej", 9)),
        "Vera Markørsen",
    )
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:meeting_attendance", args=[meeting.pk])
    response = client.get(url, {"q": "markørsen"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    on_list, not_on_list = body.split("Ikke på listen")
    assert "Agnete Markørsen" in on_list and "Vera Markørsen" not in on_list
    assert "Vera Markørsen" in not_on_list and "Tilføj: mødte op" in not_on_list
    assert_no_markers(body, ["case_a2", "case_b1"])

    by_address = client.get(url, {"q": "sidevej 9"}, headers={"HX-Request": "true"})
    assert "Vera Markørsen" in by_address.content.decode()
    assert "Agnete" not in by_address.content.decode()

    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    response = client.post(
        mark, {"household": walk_in.pk, "attended": "1"}, headers={"HX-Request": "true"}
    )
    assert "0 af 1 mødt op" in response.content.decode()
    assert "+1 ikke inviteret, mødte op" in response.content.decode()
    invitation = Invitation.objects.get(meeting=meeting, household=walk_in)
    assert (invitation.invited, invitation.attended) == (False, True)

    client.post(mark, {"household": walk_in.pk}, headers={"HX-Request": "true"})  # undo
    assert not Invitation.objects.filter(meeting=meeting, household=walk_in).exists()


def test_it_adds_no_walk_in_from_another_estate(client, cast, meeting):
    client.force_login(cast.manager_a)
    url = reverse("outreach:meeting_attendance", args=[meeting.pk])
    body = client.get(url, {"q": "Markørdatter"}).content.decode()
    assert "Bodil Markørdatter" not in body  # estate A2: the manager sees her, but not here
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    for household in (cast.case_a2.household, cast.case_b1.household):
        response = client.post(mark, {"household": household.pk, "attended": "1"})
        assert response.status_code == 404
        assert not Invitation.objects.filter(household=household).exists()


# --- sections on the household and project pages --------------------------------------------


def test_the_household_page_shows_the_meetings_it_was_invited_to(client, cast, meeting):
    client.force_login(cast.rehousing_officer_a1)
    url = reverse("households:detail", args=[cast.case_a1.household_id])
    body = client.get(url).content.decode()
    assert "Sådan foregår genhusningen" in body
    assert "Mødte op til 0 af 1 afholdte møder" in body and "Kom ikke" in body
    attendance_mark(meeting=meeting, household=cast.case_a1.household, by=cast.caseworker_a1)
    assert "Mødte op til 1 af 1 afholdte møder" in client.get(url).content.decode()


def test_the_project_page_shows_its_meetings_and_the_button(client, cast, meeting):
    url = reverse("cases:project", args=[cast.case_a1.project_id])
    new_meeting = reverse("outreach:meeting_create") + f"?project={cast.case_a1.project_id}"
    client.force_login(cast.caseworker_a1)
    body = client.get(url).content.decode()
    assert "Sådan foregår genhusningen" in body and "0 %" in body
    assert new_meeting in body


# --- query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [10, 100])
def test_the_meeting_list_takes_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, count
):
    project = cast.case_a1.project
    now = timezone.now()
    for index in range(count):
        meeting_create(
            project=project,
            by=None,
            held_at=now + timedelta(days=index - count // 2),
            place="Fælleshuset",
            topic=f"Møde {index}",
            stairwells=[cast.case_a1.household.flat.stairwell],
        )
    held = Meeting.objects.get(topic="Møde 0")  # attendance is taken at a meeting held
    attendance_mark(meeting=held, household=cast.case_a1.household, by=None)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("outreach:meetings"))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [10, 100])
def test_the_attendance_page_takes_a_fixed_number_of_queries(
    client, cast, meeting, django_assert_max_num_queries, count
):
    households = factories.make_households(cast.case_a1.project.estate, count)
    meeting_invite_stairwells(meeting=meeting, stairwells=[households[0].flat.stairwell])
    Invitation.objects.filter(household=households[-1]).delete()  # not on the list: a walk-in
    for household in households[: count // 2]:
        attendance_mark(meeting=meeting, household=household, by=None)
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:meeting_attendance", args=[meeting.pk])
    with django_assert_max_num_queries(11):
        response = client.get(url, {"q": "tælle"})
    body = response.content.decode()
    # a page of the list, and the one not on it
    assert body.count('<li class="attendee') == min(count - 1, INVITATIONS_PER_PAGE) + 1
    with django_assert_max_num_queries(11):
        client.get(url)


def test_it_refuses_attendance_for_a_meeting_more_than_a_day_ahead(client, cast, meeting):
    household = cast.case_a1.household
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    client.force_login(cast.caseworker_a1)
    Meeting.objects.filter(pk=meeting.pk).update(held_at=timezone.now() + timedelta(days=30))
    response = client.post(
        mark, {"household": household.pk, "attended": "1"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "Fremmøde kan registreres fra dagen før mødet" in body
    assert not Invitation.objects.get(meeting=meeting, household=household).attended
    assert not Contact.objects.filter(meeting=meeting, household=household).exists()
    Meeting.objects.filter(pk=meeting.pk).update(held_at=timezone.now() + timedelta(hours=20))
    client.post(mark, {"household": household.pk, "attended": "1"}, headers={"HX-Request": "true"})
    assert Invitation.objects.get(meeting=meeting, household=household).attended


# --- a meeting of an estate of thousands: a page of the list at a time -------------------------


def invite_many(meeting, count: int) -> list:
    """`count` households more on the meeting's list (one stairwell of Tællevej)."""
    households = factories.make_households(meeting.project.estate, count)
    meeting_invite_stairwells(meeting=meeting, stairwells=[households[0].flat.stairwell])
    return households


def rows_shown(body: str) -> int:
    return body.count('<td data-label="Husstand">')


@pytest.mark.parametrize("count", [5, 120])
def test_the_meeting_page_takes_a_fixed_number_of_queries_and_shows_one_page(
    client, cast, meeting, django_assert_max_num_queries, count
):
    households = invite_many(meeting, count)
    for household in households[: count // 2]:
        attendance_mark(meeting=meeting, household=household, by=None)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(11):
        response = client.get(urls(meeting)["detail"])
    body = response.content.decode()
    assert rows_shown(body) == min(count + 1, INVITATIONS_PER_PAGE)
    # the counts are of the whole list, not of the page
    assert f"{count // 2} af {count + 1} mødt op" in body
    assert ('class="pagination"' in body) == (count + 1 > INVITATIONS_PER_PAGE)
    assert ('id="invitations-q"' in body) == (count + 1 > INVITATIONS_PER_PAGE)
    with django_assert_max_num_queries(11):
        client.get(urls(meeting)["detail"], {"q": "tælle", "page": "2"})


def test_a_small_meeting_shows_its_whole_list_without_search_or_pages(client, cast, meeting):
    client.force_login(cast.caseworker_a1)
    body = client.get(urls(meeting)["detail"]).content.decode()
    assert rows_shown(body) == 1 and "Agnete Markørsen" in body
    assert 'id="invitations-q"' not in body and 'class="pagination"' not in body
    attendance = client.get(urls(meeting)["attendance"]).content.decode()
    assert attendance.count('<li class="attendee') == 1
    assert 'class="pagination"' not in attendance


def test_the_meeting_page_finds_a_household_on_a_long_list(client, cast, meeting):
    invite_many(meeting, 120)
    client.force_login(cast.caseworker_a1)
    url = urls(meeting)["detail"]
    assert "Agnete Markørsen" in client.get(url).content.decode()  # Markørvej: page 1
    assert "Agnete Markørsen" not in client.get(url, {"page": "2"}).content.decode()

    response = client.get(url, {"q": "Person117"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="invitations"')  # the list alone
    assert rows_shown(body) == 1 and "Person117 Tælle" in body
    assert 'result-count">1 husstand</p>' in body

    nobody = client.get(url, {"q": "Zyxzyx"}).content.decode()
    assert rows_shown(nobody) == 0 and "Ingen på listen matcher “Zyxzyx”." in nobody


def test_the_door_list_pages_and_a_tap_on_page_two_keeps_page_two(client, cast, meeting):
    invite_many(meeting, 120)
    client.force_login(cast.caseworker_a1)
    url = urls(meeting)["attendance"]
    first = client.get(url).content.decode()
    assert first.count('<li class="attendee') == INVITATIONS_PER_PAGE
    assert "Side 1 af 3" in first

    response = client.get(url, {"page": "2"}, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="attendance-results"')
    household = response.context["page"].object_list[0].household
    assert household.display_name() not in first
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    response = client.post(
        mark,
        {"household": household.pk, "attended": "1", "page": "2"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "1 af 121 mødt op" in body and "Side 2 af 3" in body
    assert response.context["page"].object_list[0].household == household
    assert 'name="page" value="2"' in body  # the next tap (and the undo) keeps it too
    assert Invitation.objects.get(meeting=meeting, household=household).attended

    # without JavaScript: back to page 2 of the list
    response = client.post(mark, {"household": household.pk, "page": "2"})
    assert response.status_code == 302 and response.url == f"{url}?page=2"
    assert not Invitation.objects.get(meeting=meeting, household=household).attended


def test_the_door_search_finds_a_household_far_down_the_list_and_marks_it(client, cast, meeting):
    households = invite_many(meeting, 120)
    wanted = households[117]  # page 3 of the list unsearched
    client.force_login(cast.caseworker_a1)
    url = urls(meeting)["attendance"]
    response = client.get(url, {"q": "person117"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.count('<li class="attendee') == 1 and "Person117 Tælle" in body
    assert f'name="household" value="{wanted.pk}"' in body
    assert 'name="page"' not in body  # after a tap from a search, the search starts afresh
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    response = client.post(
        mark, {"household": wanted.pk, "attended": "1"}, headers={"HX-Request": "true"}
    )
    assert "1 af 121 mødt op" in response.content.decode()
    assert Invitation.objects.get(meeting=meeting, household=wanted).attended


@pytest.mark.parametrize("role", ["caseworker_a2", "manager_b", "bridge_builder_a"])
def test_a_searched_or_paged_list_is_hidden_from_other_estates(client, cast, meeting, role):
    invite_many(meeting, 60)
    client.force_login(getattr(cast, role))
    for name in ("detail", "attendance"):
        for query in ({"q": "markørsen"}, {"page": "2"}):
            response = client.get(urls(meeting)[name], query, headers={"HX-Request": "true"})
            assert response.status_code == 404, (name, query)
            assert_no_markers(response.content.decode(), ["case_a1"])


def test_a_viewer_searches_the_meeting_page_but_not_the_door_list(client, cast, meeting):
    invite_many(meeting, 60)
    viewer = factories.make_user_with_perms(
        "viewer", cast.case_a1.project.estate, "outreach.view_meeting", "cases.view_project"
    )
    client.force_login(viewer)
    response = client.get(urls(meeting)["detail"], {"q": "markørsen"})
    assert response.status_code == 200 and rows_shown(response.content.decode()) == 1
    for query in ({"q": "markørsen"}, {"page": "2"}):
        assert client.get(urls(meeting)["attendance"], query).status_code == 403
    mark = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    household = cast.case_a1.household
    response = client.post(mark, {"household": household.pk, "attended": "1", "page": "2"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(meeting=meeting, attended=True).exists()


def test_the_meeting_page_shows_who_came_or_who_did_not(client, cast, meeting):
    households = invite_many(meeting, 60)
    for household in households[:3]:
        attendance_mark(meeting=meeting, household=household, by=None)
    client.force_login(cast.caseworker_a1)
    url = urls(meeting)["detail"]
    came = client.get(url, {"show": "came"}).content.decode()
    assert rows_shown(came) == 3 and "Person0 Tælle" in came
    assert '<option value="came" selected>' in came
    absent = client.get(url, {"show": "absent", "page": "2"}).content.decode()
    assert "58 husstande" in absent and rows_shown(absent) == 58 - INVITATIONS_PER_PAGE
    both = client.get(url, {"show": "came", "q": "Markørsen"}).content.decode()
    assert rows_shown(both) == 0 and "Agnete Markørsen" not in both
    # a meeting to come has no attendance to filter by: its whole list
    Meeting.objects.filter(pk=meeting.pk).update(held_at=timezone.now() + timedelta(days=3))
    coming = client.get(url, {"show": "came"}).content.decode()
    assert rows_shown(coming) == INVITATIONS_PER_PAGE and 'id="invitations-show"' not in coming


def test_the_walk_in_search_keeps_to_the_households_she_may_see(cast, meeting):
    """Who works in the estate is searched without the rule of visibility in the query (it sees
    them all); anyone else through it."""
    estate = cast.case_a1.project.estate
    walk_in = factories.make_household(
        factories.make_flat(factories.make_stairwell(estate, "Sidevej", 9)), "Vera Markørsen"
    )
    worker = factories.make_user_with_perms("worker", estate, "households.view_household")
    assert sees_whole_estate(worker, estate)
    assert walk_in_candidates(meeting=meeting, user=worker, q="markørsen") == [walk_in]
    found = attendance_household(meeting=meeting, user=worker, household_id=walk_in.pk)
    assert found == walk_in

    other_estate = cast.case_b1.project.estate
    stranger = factories.make_user_with_perms("stranger", other_estate, "households.view_household")
    assert not sees_whole_estate(stranger, estate)
    assert walk_in_candidates(meeting=meeting, user=stranger, q="markørsen") == []
    assert attendance_household(meeting=meeting, user=stranger, household_id=walk_in.pk) is None
    blind = factories.make_user_with_perms("blind", estate, "outreach.view_meeting")
    assert not sees_whole_estate(blind, estate)  # no households.view_household
    assert walk_in_candidates(meeting=meeting, user=blind, q="markørsen") == []


def test_an_estate_of_many_stairwells_is_named_by_their_number_and_listed_on_request(
    client, cast, meeting
):
    estate = meeting.project.estate
    client.force_login(cast.caseworker_a1)
    few = client.get(urls(meeting)["detail"]).content.decode()
    assert 'class="invited-stairwells"' not in few and "Markørvej 3" in few
    stairwells = [
        factories.make_stairwell(estate, street="Mangevej", number=n) for n in range(1, 13)
    ]
    meeting_invite_stairwells(meeting=meeting, stairwells=stairwells)
    many = client.get(urls(meeting)["detail"]).content.decode()
    assert '<details class="invited-stairwells">' in many and "13 opgange" in many
    assert "Mangevej 12" in many  # the list is there, folded
