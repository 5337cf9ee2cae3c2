"""Communities for the rehoused: created by a manager, members added through a search of the
households she may see and leaving on a date, meetings with attendance ticked per member; only
the organisation's staff see them, and names only of the households they work with."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from households.models import AccessLog
from referrals.bridge.services import community_member_add
from referrals.models import Community, CommunityMeeting, CommunityMembership
from tests import factories
from tests.test_access import assert_no_markers

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=COPENHAGEN)
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def community(cast) -> Community:
    """Organisation A's community, with the households of case A1 and case A2 as members."""
    community = Community.objects.create(
        organisation=cast.case_a1.project.estate.organisation,
        name="Nye naboer i Rebæk",
        area="Rebæk Søpark",
    )
    for case in (cast.case_a1, cast.case_a2):
        CommunityMembership.objects.create(
            community=community, household=case.household, joined_on=NOW.date() - timedelta(30)
        )
    return community


@pytest.fixture
def meeting(community) -> CommunityMeeting:
    return CommunityMeeting.objects.create(
        community=community, starts_at=NOW - timedelta(days=2), place="Beboerhuset", topic="Kaffe"
    )


def test_a_manager_creates_a_community(client, cast):
    client.force_login(cast.manager_a)
    form = client.get(reverse("referrals:community_create"))
    assert form.status_code == 200
    response = client.post(
        reverse("referrals:community_create"),
        {
            "organisation": cast.case_a1.project.estate.organisation_id,
            "name": "Fællesskabet Hvidovrevej",
            "area": "Hvidovre Nord",
            "description": "Vi mødes hver anden torsdag.",
        },
    )
    community = Community.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("referrals:community", args=[community.pk])
    assert community.organisation == cast.case_a1.project.estate.organisation


def test_the_name_is_required_and_unique(client, cast, community):
    client.force_login(cast.manager_a)
    response = client.post(
        reverse("referrals:community_create"),
        {"organisation": community.organisation_id, "name": "nye naboer i rebæk"},
    )
    assert response.status_code == 400
    assert "Der findes allerede et fællesskab med dette navn." in response.content.decode()
    assert Community.objects.count() == 1


@pytest.mark.parametrize("role", ["caseworker_a1", "bridge_builder_a", "caretaker_a1"])
def test_only_managers_create_communities(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(reverse("referrals:community_create")).status_code == 403
    response = client.post(reverse("referrals:community_create"), {"name": "X"})
    assert response.status_code == 403
    assert not Community.objects.exists()


def test_a_manager_of_another_organisation_cannot_create_one_in_ours(client, cast):
    client.force_login(cast.manager_b)
    response = client.post(
        reverse("referrals:community_create"),
        {"organisation": cast.case_a1.project.estate.organisation_id, "name": "Ind ad bagdøren"},
    )
    assert response.status_code == 400
    assert not Community.objects.exists()


def test_the_list_shows_members_and_the_next_meeting(client, cast, community):
    CommunityMeeting.objects.create(
        community=community, starts_at=NOW + timedelta(days=3), place="Beboerhuset"
    )
    client.force_login(cast.bridge_builder_a)  # staff of the organisation, in no estate
    body = client.get(reverse("referrals:communities")).content.decode()
    assert "Nye naboer i Rebæk" in body
    assert "2 husstande" in body
    assert "Næste møde fredag 13. november, 12:00, Beboerhuset" in body


def test_members_are_named_only_for_those_who_work_with_them(client, cast, community):
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("referrals:community", args=[community.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Agnete Markørsen" in body
    assert "Og 1 husstand, du ikke arbejder med." in body
    assert_no_markers(body, ["case_a2", "case_b1"])
    assert AccessLog.objects.filter(
        user=cast.caseworker_a1, household=cast.case_a1.household, what="community page"
    ).exists()
    client.force_login(cast.manager_a)
    body = client.get(reverse("referrals:community", args=[community.pk])).content.decode()
    assert "Agnete Markørsen" in body and "Bodil Markørdatter" in body


def test_a_household_is_added_through_the_search(client, cast, community):
    CommunityMembership.objects.filter(household=cast.case_a1.household).delete()
    client.force_login(cast.caseworker_a1)
    found = client.get(
        reverse("referrals:community_search", args=[community.pk]), {"q": "Markørsen"}, **HX
    )
    assert "Agnete Markørsen" in found.content.decode()
    assert "Bodil" not in found.content.decode()  # not a household she works with
    response = client.post(
        reverse("referrals:community_member_add", args=[community.pk]),
        {"household": cast.case_a1.household_id},
        **HX,
    )
    assert response.status_code == 200
    assert "Agnete Markørsen er medlem nu." in response.content.decode()
    assert community.memberships.filter(household=cast.case_a1.household).exists()


def test_she_cannot_add_a_household_she_does_not_see(client, cast, community):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:community_member_add", args=[community.pk]),
        {"household": cast.case_b1.household_id},
    )
    assert response.status_code == 404
    assert not community.memberships.filter(household=cast.case_b1.household).exists()


def test_a_member_leaves_on_a_date_and_can_come_back(client, cast, community):
    membership = community.memberships.get(household=cast.case_a1.household)
    client.force_login(cast.caseworker_a1)
    response = client.post(reverse("referrals:community_member_leave", args=[membership.pk]), **HX)
    assert "Agnete Markørsen har forladt fællesskabet." in response.content.decode()
    membership.refresh_from_db()
    assert membership.left_on == NOW.date()
    assert "1 tidligere medlem" in response.content.decode()
    again = community_member_add(community=community, household=cast.case_a1.household)
    assert (again.pk, again.left_on) == (membership.pk, None)


def test_a_meeting_is_planned_and_attendance_ticked(client, cast, community):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:community_meeting_create", args=[community.pk]),
        {"starts_at": "2026-11-08T17:00", "place": "Beboerhuset", "topic": "Fællesspisning"},
    )
    meeting = CommunityMeeting.objects.get()
    assert response.url == reverse("referrals:community_meeting", args=[meeting.pk])
    page = client.get(response.url).content.decode()
    assert "Agnete Markørsen" in page and "Bodil" not in page
    url = reverse("referrals:community_attendance", args=[meeting.pk])
    household = cast.case_a1.household_id
    ticked = client.post(url, {"household": household, "attended": "1"}, **HX)
    assert "1 husstand kom" in ticked.content.decode()
    assert list(meeting.attendees.values_list("pk", flat=True)) == [household]
    client.post(url, {"household": household}, **HX)
    assert not meeting.attendees.exists()


def test_a_household_that_was_not_a_member_cannot_be_ticked(client, cast, community, meeting):
    CommunityMembership.objects.filter(household=cast.case_a1.household).update(
        joined_on=NOW.date()
    )  # joined after the meeting
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:community_attendance", args=[meeting.pk]),
        {"household": cast.case_a1.household_id, "attended": "1"},
        **HX,
    )
    assert "Husstanden var ikke medlem af fællesskabet den dag." in response.content.decode()
    assert not meeting.attendees.exists()


def test_a_meeting_needs_a_place_and_a_time(client, cast, community):
    client.force_login(cast.caseworker_a1)
    response = client.post(
        reverse("referrals:community_meeting_create", args=[community.pk]), {"topic": "Kaffe"}
    )
    assert response.status_code == 400
    assert not CommunityMeeting.objects.exists()


@pytest.mark.parametrize("role", ["manager_b", "caseworker_b1", "caretaker_a1", "visitator"])
def test_outsiders_get_404_and_none_of_the_data(client, cast, community, meeting, role):
    membership = community.memberships.first()
    client.force_login(getattr(cast, role))
    pages = [
        ("get", reverse("referrals:community", args=[community.pk]), {}),
        ("get", reverse("referrals:community_search", args=[community.pk]), {"q": "Mark"}),
        ("get", reverse("referrals:community_meeting", args=[meeting.pk]), {}),
        (
            "post",
            reverse("referrals:community_member_add", args=[community.pk]),
            {"household": cast.case_b1.household_id},
        ),
        ("post", reverse("referrals:community_member_leave", args=[membership.pk]), {}),
        (
            "post",
            reverse("referrals:community_attendance", args=[meeting.pk]),
            {"household": membership.household_id, "attended": "1"},
        ),
        (
            "post",
            reverse("referrals:community_meeting_create", args=[community.pk]),
            {"starts_at": "2026-11-20T17:00", "place": "X"},
        ),
    ]
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (url, response.status_code)
        body = response.content.decode()
        assert "Nye naboer" not in body
        assert_no_markers(body, ["case_a1", "case_a2"])
    listing = client.get(reverse("referrals:communities"))
    assert listing.status_code in (200, 403)
    assert "Nye naboer" not in listing.content.decode()
    assert community.memberships.filter(left_on__isnull=True).count() == 2
    assert not meeting.attendees.exists() and CommunityMeeting.objects.count() == 1


def test_anonymous_is_sent_to_log_in(client, community):
    response = client.get(reverse("referrals:community", args=[community.pk]))
    assert response.status_code == 302 and "/konto/login/" in response.url


@pytest.mark.parametrize("count", [5, 40])
def test_the_community_page_query_count_stays_flat(
    client, cast, community, django_assert_max_num_queries, count
):
    for household in factories.make_households(cast.case_a1.project.estate, count):
        CommunityMembership.objects.create(community=community, household=household)
    for day in range(3):
        meeting = CommunityMeeting.objects.create(
            community=community, starts_at=NOW - timedelta(days=day), place="Beboerhuset"
        )
        meeting.attendees.add(cast.case_a1.household)
    client.force_login(cast.caseworker_a1)
    with django_assert_max_num_queries(12) as queries:
        response = client.get(reverse("referrals:community", args=[community.pk]))
    assert len(response.context["members"].visible) == count + 1
    print(f"\n{count} members: {len(queries)} queries")
