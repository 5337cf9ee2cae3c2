"""A contact as a list item (outreach_contacts.contact_item_html) is written as the template that
wrote it did, byte for byte, whatever the contact holds and whoever looks."""

from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone, translation

from outreach.models import Channel, Contact, Outcome

# outreach/contacts/contact_item.html as a template, before it was written in Python.
TEMPLATE_WAY = (Path(__file__).parent / "contact_item_template_way.html").read_text()

# Django's own {% csrf_token %} of the template way, without a token, calls format_html("").
pytestmark = pytest.mark.filterwarnings(
    "ignore:Calling format_html\\(\\) without passing args"
    ":django.utils.deprecation.RemovedInDjango60Warning"
)

NOW = timezone.make_aware(datetime(2026, 3, 4, 10, 30))


def _contacts(staff: User) -> list[Contact]:
    plain = {"household_id": 1, "channel": Channel.DOOR_KNOCK, "outcome": Outcome.NO_ANSWER}
    full = {
        "household_id": 1,
        "channel": Channel.PHONE,
        "outcome": Outcome.TALKED,
        "met": 'Datteren & "svigersønnen" <b>',
        "note": "Linje et\nLinje <to>",
        "observations": ["needles", "unknown-value"],
        "observation_note": "Om hjemmet\n<i>x</i>",
        "help_topics": ["bank", "moving", "not-a-topic"],
        "next_step": "Ring & spørg",
        "next_step_on": date(2026, 3, 9),
    }
    contacts = [
        Contact(pk=1, staff=staff, occurred_at=NOW, created_at=NOW, **plain),
        Contact(pk=2, staff=None, occurred_at=NOW - timedelta(days=400), created_at=NOW, **full),
        Contact(pk=3, staff=staff, occurred_at=NOW, created_at=NOW - timedelta(hours=1), **full),
        Contact(
            pk=4,
            staff=staff,
            occurred_at=NOW,
            created_at=NOW,
            **{**plain, "outcome": "gone-value", "next_step_on": date(2027, 1, 1)},
        ),
        Contact(
            pk=5,
            staff=staff,
            occurred_at=NOW,
            created_at=NOW,
            **{**full, "observations": [], "help_topics": [], "next_step": ""},
        ),
    ]
    for contact, reached in zip(contacts, [False, True, True, False, True], strict=True):
        contact.reached = reached
    return contacts


@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("can_observe", [True, False])
@pytest.mark.parametrize("csrf_token", ["token<&>", "NOTPROVIDED", None])
def test_it_writes_a_contact_as_the_template_did(language, can_observe, csrf_token):
    staff = User(pk=7, username="kim", first_name="Kim", last_name="Ø")
    request = RequestFactory().get("/")
    request.user = staff
    engine = engines["django"]
    before = engine.from_string(TEMPLATE_WAY)
    after = engine.get_template("outreach/contacts/contact_item.html")
    context = {
        "request": request,
        "can_observe": can_observe,
        "undo_after": NOW - timedelta(minutes=10),
        "next": "/sager/1/?a=1&b=<2>",
    }
    if csrf_token is not None:
        context["csrf_token"] = csrf_token
    with translation.override(language):
        for contact in _contacts(staff):
            page = {**context, "contact": contact}
            assert after.render(page) == before.render(page)


def test_it_offers_undo_only_on_her_own_recent_contacts():
    staff = User(pk=7, username="kim")
    after = engines["django"].get_template("outreach/contacts/contact_item.html")
    own, other = _contacts(staff)[0], _contacts(User(pk=8, username="other"))[0]
    context = {"request": SimpleNamespace(user=staff), "undo_after": NOW - timedelta(minutes=10)}
    assert "<form" in after.render({**context, "contact": own})
    assert "<form" not in after.render({**context, "contact": other})
    old = {**context, "undo_after": NOW + timedelta(minutes=1)}
    assert "<form" not in after.render({**old, "contact": own})
