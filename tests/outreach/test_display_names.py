"""A household's name ("Agnete Markørsen (+2)") costs one query for the residents per page,
however often the page shows it: the access gates and the lists load the residents with it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.models import FlagKind, Outcome
from outreach.services import awaited_reply_record, contact_record, flag_raise, meeting_create


def resident_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return sum('FROM "households_resident"' in query["sql"] for query in captured)


@pytest.fixture
def household(cast):
    """The household of case A1, three residents, with contacts, a letter, a flag, a meeting."""
    household = cast.case_a1.household
    for first in ("Ole", "Lise"):
        household.residents.create(first_name=first, last_name="Markørsen")
    for _index in range(3):
        contact_record(
            household=household, by=cast.caseworker_a1, channel="phone", outcome=Outcome.NO_ANSWER
        )
    today = timezone.localdate()
    awaited_reply_record(
        household=household,
        by=cast.caseworker_a1,
        subject="Skema",
        sent_via="letter",
        sent_on=today - timedelta(days=20),
        due_on=today - timedelta(days=5),
    )
    flag_raise(household=household, kind=FlagKind.SAFETY_CONCERN, reason="Hund i opgangen")
    meeting_create(
        project=cast.case_a1.project,
        by=None,
        held_at=timezone.now(),
        place="Salen",
        topic="Info",
        stairwells=[household.flat.stairwell],
    )
    return household


def test_every_page_that_names_a_household_loads_its_residents_once(client, cast, household):
    letter = household.awaited_replies.get()
    meeting = cast.case_a1.project.meetings.get()
    urls = [
        reverse("households:detail", args=[household.pk]),
        reverse("cases:detail", args=[cast.case_a1.pk]),
        reverse("cases:caseload") + "?scope=all",
        reverse("outreach:contacts", args=[household.pk]),
        reverse("outreach:contact_add", args=[household.pk]),
        reverse("outreach:round_talk", args=[household.pk]),
        reverse("outreach:round_stairwell", args=[household.flat.stairwell_id]),
        reverse("outreach:letter_create", args=[household.pk]),
        reverse("outreach:letter_reply", args=[letter.pk]),
        reverse("outreach:letters"),
        reverse("outreach:flags") + "?scope=all",
        reverse("outreach:meeting", args=[meeting.pk]),
        reverse("outreach:meeting_attendance", args=[meeting.pk]),
    ]
    # Twice, each once: the household page lists its cases with their households, and the talk
    # form shows the round's card of the flat, read as in the round.
    twice = {urls[0], urls[5]}
    client.force_login(cast.caseworker_a1)
    counts = {url: resident_queries(client, url) for url in urls}
    assert {url: n for url, n in counts.items() if n > (2 if url in twice else 1)} == {}
    assert "Agnete Markørsen (+2)" in client.get(urls[0]).content.decode()
