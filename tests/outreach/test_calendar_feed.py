"""The personal calendar feed: a secret URL (only its hash stored) that serves her visits,
meetings and follow-up contacts without login and without any sensitive text; revocable and
renewable; another user's token shows only hers; one fetch costs the same queries for few and
many events."""

import logging
import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from outreach.models import CalendarFeed, Channel, Contact, Meeting, Outcome
from outreach.services import calendar_feed_issue, calendar_token_hash
from referrals.bridge.services import follow_up_plan_start
from referrals.models import FollowUpPlan
from tests.conftest import MARKERS

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 10)
SECRET_STEP = "Tjek-HEMMELIG-NÆSTE-SKRIDT"
SECRET_NOTE = "HEMMELIG-NOTE-4411"
SECRET_PLACE = "Hemmeligt Mødested 3"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime(2026, 11, 10, 9, tzinfo=timezone.get_current_timezone())):
        yield


def _visit(case, staff, day: date) -> Contact:
    return Contact.objects.create(
        household=case.household,
        case=case,
        staff=staff,
        channel=Channel.DOOR_KNOCK,
        outcome=Outcome.TALKED_AT_DOOR,
        note=SECRET_NOTE,
        met=SECRET_NOTE,
        next_step=SECRET_STEP,
        next_step_on=day,
    )


@pytest.fixture
def planned(cast):
    """Caseworker A1 has a visit planned on case A1 in a week, and holds a meeting; the
    bridge-builder has the follow-up contacts of case A2's plan."""
    _visit(cast.case_a1, cast.caseworker_a1, TODAY + timedelta(days=7))
    _visit(cast.case_b1, cast.caseworker_b1, TODAY + timedelta(days=3))
    Meeting.objects.create(
        project=cast.case_a1.project,
        held_at=timezone.make_aware(datetime(2026, 11, 20, 17, 0)),
        place=SECRET_PLACE,
        topic=SECRET_NOTE,
        created_by=cast.caseworker_a1,
    )
    plan = follow_up_plan_start(case=cast.case_a2, on=TODAY)
    FollowUpPlan.objects.filter(pk=plan.pk).update(bridge_builder=cast.bridge_builder_a)
    from cases.services import case_assign_staff

    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    return plan


def _feed_url(token: str) -> str:
    return reverse("outreach:calendar_feed", args=[token])


def _events(body: str) -> list[str]:
    return re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT", body, flags=re.S)


def _assert_nothing_sensitive(body: str) -> None:
    for markers in MARKERS.values():
        for marker in markers:
            assert marker not in body, marker
    for secret in (SECRET_STEP, SECRET_NOTE, SECRET_PLACE, "Besøg igen"):
        assert secret not in body


def test_the_feed_serves_her_items_without_login_and_without_sensitive_text(client, cast, planned):
    token = calendar_feed_issue(user=cast.caseworker_a1)

    response = client.get(_feed_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith(
        "END:VCALENDAR\r\n"
    )
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    events = _events(body)
    assert len(events) == 2
    visit = next(e for e in events if "contact-" in e)
    assert "DTSTART;VALUE=DATE:20261117" in visit
    assert f"sag #{cast.case_a1.pk}" in visit.lower() or f"case #{cast.case_a1.pk}" in visit.lower()
    assert reverse("cases:detail", args=[cast.case_a1.pk]) in visit
    meeting = next(e for e in events if "meeting-" in e)
    assert "DTSTART:20261120T160000Z" in meeting  # 17:00 in Copenhagen
    _assert_nothing_sensitive(body)
    assert CalendarFeed.objects.get(user=cast.caseworker_a1).last_fetched_at is not None


def test_only_the_hash_of_the_token_is_stored(cast):
    token = calendar_feed_issue(user=cast.caseworker_a1)

    feed = CalendarFeed.objects.get(user=cast.caseworker_a1)
    assert feed.token_hash == calendar_token_hash(token) and token not in feed.token_hash
    assert len(token) >= 40


def test_another_users_token_shows_only_her_items(client, cast, planned):
    token = calendar_feed_issue(user=cast.bridge_builder_a)

    body = client.get(_feed_url(token)).content.decode()

    events = _events(body)
    assert events and all("follow-up-" in event for event in events)
    assert all(f"#{cast.case_a2.pk}" in event for event in events)
    assert f"#{cast.case_a1.pk}\r" not in body and "meeting-" not in body
    _assert_nothing_sensitive(body)


def test_a_revoked_or_renewed_token_gives_404(client, cast, planned):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:calendar")
    page = client.post(url, {"action": "issue"}).content.decode()
    first = re.search(r'value="http://testserver(/kalender/[^"]+\.ics)"', page).group(1)
    assert client.get(first).status_code == 200

    page = client.post(url, {"action": "renew"}).content.decode()
    second = re.search(r'value="http://testserver(/kalender/[^"]+\.ics)"', page).group(1)
    client.logout()
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    client.force_login(cast.caseworker_a1)
    page = client.post(url, {"action": "revoke"}).content.decode()
    assert ".ics" not in page
    client.logout()
    assert client.get(second).status_code == 404
    assert client.get(_feed_url("gaet-et-token")).status_code == 404


def test_the_settings_page_shows_the_link_once_and_is_for_staff(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:calendar")
    assert ".ics" in client.post(url, {"action": "issue"}).content.decode()
    assert ".ics" not in client.get(url).content.decode()  # not stored, not shown again
    for user in (cast.visitator, cast.caretaker_a1):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_a_visitator_token_serves_nothing(client, cast):
    token = calendar_feed_issue(user=cast.visitator)
    assert client.get(_feed_url(token)).status_code == 404


def test_each_fetch_is_logged_without_personal_data(client, cast, planned, caplog):
    token = calendar_feed_issue(user=cast.caseworker_a1)
    with caplog.at_level(logging.INFO, logger="outreach.views.calendar"):
        client.get(_feed_url(token))
    lines = [r.getMessage() for r in caplog.records if r.name == "outreach.views.calendar"]
    assert len(lines) == 1 and "2 events" in lines[0]
    assert token not in lines[0] and cast.caseworker_a1.username not in lines[0]


@pytest.mark.parametrize("visits", [2, 25])
def test_the_feed_costs_the_same_queries_for_few_and_many(
    client, cast, planned, visits, django_assert_max_num_queries
):
    for index in range(visits):
        _visit(cast.case_a1, cast.caseworker_a1, TODAY + timedelta(days=index))
    token = calendar_feed_issue(user=cast.caseworker_a1)
    with django_assert_max_num_queries(9):
        response = client.get(_feed_url(token))
    assert len(_events(response.content.decode())) == visits + 2


def test_the_feeds_links_go_to_the_address_it_was_fetched_at(client, cast, planned, settings):
    settings.ALLOWED_HOSTS = ["genhusning.test"]
    token = calendar_feed_issue(user=cast.caseworker_a1)
    body = client.get(_feed_url(token), HTTP_HOST="genhusning.test:8123").content.decode()
    case_link = reverse("cases:detail", args=[cast.case_a1.pk])
    assert f"URL:http://genhusning.test:8123{case_link}" in body.replace("\r\n ", "")
    assert "URL:http://127.0.0.1:8000" not in body.replace("\r\n ", "")
