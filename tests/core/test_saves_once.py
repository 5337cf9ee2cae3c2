"""Saves that happen once (core/once.py): every form that creates something carries a one-time
key; two identical posts (a double click, the browser's retry after an error page) make one
row, and the second is told in Danish that it was already saved, with the saved item shown."""

import re
import threading
import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.logistics.models import Offer, PoolFlat
from cases.services import case_assign_staff
from core.models import OnceKey
from core.once import AlreadySaved, once_keys_prune
from households.models import Organisation
from outreach.models import AwaitedReply, Contact, DropInSession, Invitation, Meeting, Outcome, Tip
from outreach.services import contact_record, drop_in_session_create, meeting_create
from referrals.models import Consent, DataCategory, Purpose, Referral
from tests import factories
from tests.referrals.conftest import evidence_dir, partners  # noqa: F401 (fixtures)
from tests.referrals.test_follow_up import move_permanently

ALREADY = "Det var allerede gemt, så det er ikke gemt to gange."
KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')


def key_on(client, url: str, **params) -> str:
    """The one-time key of the form on the page: every create form carries one."""
    response = client.get(url, params)
    assert response.status_code == 200
    found = KEY.search(response.content.decode())
    assert found, f"no one-time key in the form of {url}"
    return found.group(1)


def post_twice(client, url: str, data: dict, **kwargs):
    first = client.post(url, data, **kwargs)
    assert first.status_code in (200, 302), first.content.decode()[:500]
    second = client.post(url, data, follow=True, **kwargs)
    return first, second


def told_already_saved(response) -> str:
    body = response.content.decode()
    assert ALREADY in body
    return body


@pytest.fixture
def household(cast):
    return cast.case_a1.household


def test_a_contact_posted_twice_is_saved_once(client, cast, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:contact_add", args=[household.pk])
    data = {
        "once_key": key_on(client, url),
        "channel": "phone",
        "outcome": "talked",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "note": "Ringede om flyttedatoen",
    }
    _first, second = post_twice(client, url, data)
    assert household.contacts.count() == 1
    body = told_already_saved(second)
    assert "Ringede om flyttedatoen" in body  # the household page shows the saved contact


def test_a_contact_posted_twice_by_htmx_is_saved_once_and_the_fresh_form_has_a_new_key(
    client, cast, household
):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:contact_add", args=[household.pk])
    key = key_on(client, url)
    data = {
        "once_key": key,
        "channel": "phone",
        "outcome": "talked",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "note": "Via htmx",
    }
    first = client.post(url, data, headers={"HX-Request": "true"})
    assert "Kontakten er gemt." in first.content.decode()
    fresh = KEY.search(first.content.decode())
    assert fresh and fresh.group(1) != key  # the next contact is a new one
    second = client.post(url, data, headers={"HX-Request": "true"})
    assert second.status_code == 200 and "<html" not in second.content.decode()
    told_already_saved(second)
    assert household.contacts.count() == 1


def test_a_form_with_errors_keeps_its_key_and_saves_once_corrected(client, cast, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:contact_add", args=[household.pk])
    key = key_on(client, url)
    bad = client.post(url, {"once_key": key, "channel": "phone", "outcome": "talked"})
    assert bad.status_code == 400 and key in bad.content.decode()
    data = {
        "once_key": key,
        "channel": "phone",
        "outcome": "talked",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    assert client.post(url, data).status_code == 302
    assert household.contacts.count() == 1


def test_a_knock_tapped_twice_in_the_round_is_saved_once(client, cast, household):
    client.force_login(cast.caseworker_a1)
    round_page = reverse("outreach:round_stairwell", args=[household.flat.stairwell_id])
    url = reverse("outreach:round_knock", args=[household.pk])
    data = {"once_key": key_on(client, round_page), "outcome": Outcome.NO_ANSWER}
    first = client.post(url, data, headers={"HX-Request": "true"})
    second = client.post(url, data, headers={"HX-Request": "true"})
    assert first.status_code == second.status_code == 200
    assert f'id="bolig-{household.flat_id}"' in second.content.decode()  # the card, swapped
    told_already_saved(second)
    assert household.contacts.count() == 1


def test_a_talk_at_the_door_posted_twice_is_saved_once(client, cast, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:round_talk", args=[household.pk])
    data = {
        "once_key": key_on(client, url),
        "outcome": Outcome.TALKED_AT_DOOR,
        "note": "Vil gerne have hjælp",
    }
    _first, second = post_twice(client, url, data)
    told_already_saved(second)
    assert household.contacts.count() == 1


def test_a_cafe_visit_posted_twice_is_saved_once_and_its_note_not_doubled(client, cast, household):
    session = drop_in_session_create(
        estate=cast.case_a1.project.estate,
        by=cast.caseworker_a1,
        held_on=timezone.localdate(),
        place="Beboerhuset",
    )
    client.force_login(cast.caseworker_a1)
    page = reverse("outreach:cafe_session", args=[session.pk])
    url = reverse("outreach:cafe_visit", args=[session.pk])
    data = {
        "once_key": key_on(client, page, household=household.pk),
        "household": household.pk,
        "help_topics": ["address_change"],
        "note": "Hjælp til flytteanmeldelse",
    }
    _first, second = post_twice(client, url, data)
    told_already_saved(second)
    visit = Contact.objects.get(drop_in_session=session)
    assert visit.note == "Hjælp til flytteanmeldelse"


def test_attendance_tapped_twice_is_saved_once(client, cast, household):
    meeting = meeting_create(
        project=cast.case_a1.project,
        by=cast.caseworker_a1,
        held_at=timezone.now() - timedelta(hours=1),
        place="Fælleshuset",
        topic="Sådan foregår genhusningen",
        stairwells=[household.flat.stairwell],
    )
    client.force_login(cast.caseworker_a1)
    page = reverse("outreach:meeting_attendance", args=[meeting.pk])
    url = reverse("outreach:meeting_attendance_mark", args=[meeting.pk])
    data = {"once_key": key_on(client, page), "household": household.pk, "attended": "1"}
    first = client.post(url, data, headers={"HX-Request": "true"})
    undo = client.post(url, {"household": household.pk}, headers={"HX-Request": "true"})
    assert first.status_code == undo.status_code == 200
    # The first tap's request arrives again after the undo: it changes nothing.
    again = client.post(url, data, headers={"HX-Request": "true"})
    told_already_saved(again)
    invitation = Invitation.objects.get(meeting=meeting, household=household)
    assert not invitation.attended
    assert not Contact.objects.filter(meeting=meeting).exists()


def test_a_tip_posted_twice_is_saved_once(client, cast, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:tip_create")
    data = {
        "once_key": key_on(client, url),
        "flat": household.flat_id,
        "source": "caretaker",
        "text": "Handler tirsdag formiddag",
    }
    _first, second = post_twice(client, url, data)
    told_already_saved(second)
    assert Tip.objects.count() == 1


def test_a_letter_posted_twice_is_saved_once(client, cast, household):
    client.force_login(cast.rehousing_officer_a1)
    url = reverse("outreach:letter_create", args=[household.pk])
    today = timezone.localdate()
    data = {
        "once_key": key_on(client, url),
        "subject": "Flytteskema",
        "sent_via": "letter",
        "sent_on": today.isoformat(),
        "due_on": (today + timedelta(days=14)).isoformat(),
    }
    _first, second = post_twice(client, url, data)
    told_already_saved(second)
    assert AwaitedReply.objects.count() == 1
    assert household.contacts.count() == 1  # the letter's attempt, once


def test_a_referral_posted_twice_is_saved_once_and_shown(client, cast, household, partners):  # noqa: F811
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:referral_create", args=[household.pk])
    data = {
        "once_key": key_on(client, url),
        "partner": partners["home_care"].pk,
        "resident": "",
        "case": cast.case_a1.pk,
        "purpose": Purpose.REFERRAL,
        "reason": "Kan ikke selv pakke",
        "shared": [DataCategory.IDENTITY],
    }
    _first, second = post_twice(client, url, data)
    referral = Referral.objects.get()
    assert second.redirect_chain[-1][0] == reverse("referrals:referral", args=[referral.pk])
    assert "Kan ikke selv pakke" in told_already_saved(second)


def test_a_consent_posted_twice_is_saved_once_and_shown(
    client,
    cast,
    household,
    partners,  # noqa: F811
    evidence_dir,  # noqa: F811
):
    client.force_login(cast.caseworker_a1)
    url = reverse("referrals:consent_create", args=[household.pk])
    data = {
        "once_key": key_on(client, url),
        "resident": "",
        "given_by": "Agnete Markørsen",
        "recipient": f"p:{partners['home_care'].pk}",
        "purpose": Purpose.REFERRAL,
        "categories": [DataCategory.IDENTITY],
        "method": "written",
        "witness": "",
        "given_on": timezone.localdate().isoformat(),
        "expires_on": "",
    }
    _first, second = post_twice(client, url, data)
    consent = Consent.objects.get()
    assert second.redirect_chain[-1][0] == reverse("referrals:consent", args=[consent.pk])
    told_already_saved(second)


@pytest.fixture
def pool(cast) -> PoolFlat:
    organisation = Organisation.objects.get(name="Boligselskabet A")
    estate = factories.make_estate(organisation, "Rosenhaven")
    flat = factories.make_flat(factories.make_stairwell(estate, street="Puljevej", number=8))
    return factories.make_pool_flat(organisation, flat, available_from=date(2020, 1, 1))


def test_an_offer_posted_twice_is_saved_once(client, cast, pool):
    client.force_login(cast.rehousing_officer_a1)
    page = reverse("logistics:case_flats", args=[cast.case_a1.pk])
    url = reverse("logistics:case_offer", args=[cast.case_a1.pk])
    data = {"once_key": key_on(client, page), "pool_flat": pool.pk, "sent_via": "letter"}
    _first, second = post_twice(client, url, data)
    assert second.redirect_chain[-1][0] == reverse("logistics:case", args=[cast.case_a1.pk])
    assert "Puljevej" in told_already_saved(second)
    assert Offer.objects.count() == 1


def test_an_offer_from_the_board_posted_twice_is_saved_once(client, cast, pool):
    client.force_login(cast.rehousing_officer_a1)
    page = reverse("logistics:board", args=[cast.case_a1.project_id])
    url = reverse("logistics:board_offer", args=[cast.case_a1.project_id])
    data = {"once_key": key_on(client, page), "case": cast.case_a1.pk, "pool_flat": pool.pk}
    client.post(url, data, headers={"HX-Request": "true"})
    second = client.post(url, data, headers={"HX-Request": "true"})
    assert 'id="board"' in told_already_saved(second)
    assert Offer.objects.count() == 1


def test_a_post_without_a_key_is_saved_as_before(client, cast, household):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:round_knock", args=[household.pk])
    client.post(url, {"outcome": Outcome.NO_ANSWER})
    client.post(url, {"outcome": Outcome.NO_ANSWER})
    assert household.contacts.count() == 2
    assert not OnceKey.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_with_one_key_make_one_row(cast):
    """A double click reaches two gunicorn workers at once: the second waits on the key's
    primary key until the first commits, then finds it used (real PostgreSQL, two connections)."""
    household, key = cast.case_a1.household, uuid.uuid4()
    ready, outcomes = threading.Barrier(2), []

    def save() -> None:
        try:
            ready.wait()
            contact_record(
                household=household,
                by=cast.caseworker_a1,
                channel="phone",
                outcome="talked",
                once_key=key,
            )
            outcomes.append("saved")
        except AlreadySaved as already:
            outcomes.append(already.saved)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    contact = Contact.objects.get(household=household)
    assert sorted(outcomes, key=str) == sorted(["saved", contact], key=str)
    assert OnceKey.objects.get(key=key).object_id == contact.pk


def test_a_save_that_failed_does_not_use_up_its_key(client, cast, household):
    """The service refuses after claiming the key: the claim rolls back with it, and the
    corrected form (the same key) saves."""
    client.force_login(cast.rehousing_officer_a1)
    url = reverse("outreach:letter_create", args=[household.pk])
    today = timezone.localdate()
    data = {
        "once_key": key_on(client, url),
        "subject": "Flytteskema",
        "sent_via": "letter",
        "sent_on": today.isoformat(),
        "due_on": (today - timedelta(days=1)).isoformat(),  # refused by the service
    }
    assert client.post(url, data).status_code == 400
    assert not OnceKey.objects.exists()
    response = client.post(url, {**data, "due_on": (today + timedelta(days=7)).isoformat()})
    assert response.status_code == 302
    assert AwaitedReply.objects.count() == 1


def test_keys_are_forgotten_after_a_month(cast, household):
    old, new = uuid.uuid4(), uuid.uuid4()
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        contact_record(
            household=household, by=None, channel="phone", outcome="talked", once_key=old
        )
    contact_record(household=household, by=None, channel="phone", outcome="talked", once_key=new)
    assert once_keys_prune() == 1
    assert list(OnceKey.objects.values_list("key", flat=True)) == [new]


def test_an_unanswered_follow_up_call_posted_twice_is_saved_once(client, cast):
    """The follow-up contact uses the contact form; a call that reached nobody leaves the
    contact due, so only the key stops a second post from logging it twice."""
    case_assign_staff(case=cast.case_a2, user=cast.bridge_builder_a, by=cast.manager_a)
    plan = move_permanently(cast.case_a2, cast.caseworker_a2)
    visit = plan.visits.first()
    client.force_login(cast.bridge_builder_a)
    url = reverse("referrals:follow_up_contact", args=[visit.pk])
    data = {
        "once_key": key_on(client, url),
        "channel": "phone",
        "outcome": Outcome.NO_ANSWER,
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    _first, second = post_twice(client, url, data)
    told_already_saved(second)
    assert Contact.objects.filter(household=plan.case.household).count() == 1


def test_a_meeting_posted_twice_is_created_once(client, cast):
    project = cast.case_a1.project
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:meeting_create")
    data = {
        "once_key": key_on(client, url, project=project.pk),
        "project": project.pk,
        "topic": "Midlertidige boliger",
        "held_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
        "held_time": "17:00",
        "place": "Fælleshuset",
        "stairwells": [cast.case_a1.household.flat.stairwell_id],
        "sent_via": "letter",
        "sent_on": timezone.localdate().isoformat(),
    }
    _first, second = post_twice(client, url, data)
    meeting = Meeting.objects.get()
    assert second.redirect_chain[-1][0] == reverse("outreach:meeting", args=[meeting.pk])
    assert "Midlertidige boliger" in told_already_saved(second)


def test_a_cafe_posted_twice_is_created_once(client, cast):
    client.force_login(cast.caseworker_a1)
    url = reverse("outreach:cafe_create")
    data = {
        "once_key": key_on(client, url),
        "estate": cast.case_a1.project.estate_id,
        "name": "Kaffen er Klar",
        "held_on": timezone.localdate().isoformat(),
        "place": "Beboerhuset",
    }
    _first, second = post_twice(client, url, data)
    session = DropInSession.objects.get()
    assert second.redirect_chain[-1][0] == reverse("outreach:cafe_session", args=[session.pk])
    told_already_saved(second)
