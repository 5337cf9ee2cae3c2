"""Paging keeps every filter: one helper for page links (core/templatetags/paging.py), used by
every paged list; following "next" with one filter, and with none, reaches page 2."""

import html
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.test import RequestFactory
from django.urls import reverse

from core.templatetags.paging import page_query
from households.models import AccessAction, AccessLog
from outreach.models import AwaitedReply, Channel, Contact, DropInSession, Outcome, Tip, TipSource

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cases", "core", "households", "outreach", "privacy", "referrals", "reports", "team")

# Every module that pages a list -> the templates that show its pages.
PAGED = {
    "cases/views.py": ["cases/caseload.html"],
    "cases/logistics/views.py": ["cases/logistics/pool_list.html"],
    "cases/logistics/selectors.py": ["cases/logistics/board.html"],
    "outreach/selectors.py": ["outreach/flags/flag_list.html"],  # flag_page
    "outreach/views/tips.py": ["outreach/tips/tip_list.html"],
    "outreach/views/contacts.py": ["outreach/contacts/contact_list.html"],
    "outreach/views/letters.py": ["outreach/letters/letter_list.html"],
    "outreach/views/cafe.py": ["outreach/cafe/session_list.html"],
    "outreach/views/meetings.py": ["outreach/meetings/meeting_list.html"],
    "privacy/views.py": ["privacy/access_log.html"],
    "referrals/bridge/views/followup.py": ["referrals/followup/follow_up_list.html"],
    "referrals/visitator/views.py": [
        "referrals/visitator/flat_list.html",
        "referrals/visitator/household_list.html",
        "referrals/visitator/referral_list.html",
    ],
}


def test_every_paged_list_has_its_page_links_from_the_one_helper():
    paging = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if re.search(r"Paginator\(|paginate", path.read_text())
    }
    assert paging == set(PAGED), "a new paged list: add it here and give it the pagination"
    for templates in PAGED.values():
        for name in templates:
            assert "includes/pagination.html" in (ROOT / "templates" / name).read_text(), name
    pagination = (ROOT / "templates/includes/pagination.html").read_text()
    assert "{% page_link page.next_page_number %}" in pagination
    for path in (ROOT / "templates").rglob("*.html"):  # querystring starts with "?" itself
        assert "?{% querystring" not in path.read_text(), path


@pytest.mark.parametrize("query", ["", "?status=resolved", "?q=Hansen&status=open&page=1"])
def test_the_page_link_keeps_every_filter_and_changes_only_the_page(query):
    request = RequestFactory().get("/liste/" + query)
    link = page_query(request.GET, 2)
    assert link.startswith("?") and not link.startswith("??")
    expected = parse_qs(query.lstrip("?"))
    expected["page"] = ["2"]
    assert parse_qs(link[1:]) == expected


def follow_next(client, url: str, query: str) -> tuple[str, str]:
    """The "next" link of the page at url+query, and the page it leads to."""
    body = client.get(url + query).content.decode()
    found = re.search(r'<nav class="pagination".*?<a href="([^"]*)"[^>]*>Næste', body, re.S)
    assert found, f"no next link on {url}{query}"
    link = html.unescape(found.group(1))
    response = client.get(url + link)
    assert response.status_code == 200
    return link, response.content.decode()


def tips(cast) -> None:
    for text in ("Tip om trappen", "Tip om døren"):
        Tip.objects.create(
            flat=cast.case_a1.household.flat,
            household=cast.case_a1.household,
            source=TipSource.CARETAKER,
            text=text,
        )


def log_entries(cast) -> None:
    for _ in range(2):
        AccessLog.objects.create(
            user=cast.caseworker_a1,
            username="caseworker_a1",
            action=AccessAction.VIEW,
            household_id=cast.case_a1.household_id,
            what="sagsside",
        )


def cafe_sessions(cast) -> None:
    for day in (1, 2):
        DropInSession.objects.create(
            estate=cast.case_a1.project.estate, held_on=date(2026, 11, day), place="Fælleshuset"
        )


def letters(cast) -> None:
    for day in (1, 2):
        AwaitedReply.objects.create(
            household=cast.case_a1.household,
            case=cast.case_a1,
            subject=f"Brev {day}",
            sent_via="letter",
            sent_on=date(2026, 11, day),
            due_on=date(2026, 12, day),
        )


def contacts(cast) -> None:
    for outcome in (Outcome.NO_ANSWER, Outcome.TALKED_AT_DOOR):
        Contact.objects.create(
            household=cast.case_a1.household, channel=Channel.DOOR_KNOCK, outcome=outcome
        )


# (the list's address, who reads it, its page size setting, what makes two rows, one filter)
LISTS = [
    ("cases:caseload", "manager_a", "cases.views.PAGE_SIZE", None, "scope=all"),
    ("outreach:tips", "caseworker_a1", "outreach.views.tips.PAGE_SIZE", tips, "source=x"),
    (
        "privacy:access_log",
        "manager_a",
        "privacy.views.ACCESS_LOG_PAGE_SIZE",
        log_entries,
        "action=view",
    ),
    ("outreach:cafe", "caseworker_a1", "outreach.views.cafe.PAGE_SIZE", cafe_sessions, "x=1"),
    ("outreach:letters", "caseworker_a1", "outreach.views.letters.PAGE_SIZE", letters, "x=1"),
    ("outreach:contacts", "caseworker_a1", "outreach.views.contacts.PAGE_SIZE", contacts, "x=1"),
]


@pytest.mark.parametrize(("name", "role", "setting", "make", "one_filter"), LISTS)
@pytest.mark.parametrize("filtered", [False, True], ids=["no filter", "one filter"])
def test_next_reaches_page_two_with_one_filter_and_with_none(
    client, cast, monkeypatch, name, role, setting, make, one_filter, filtered
):
    module, attribute = setting.rsplit(".", 1)
    monkeypatch.setattr(f"{module}.{attribute}", 1)
    if make:
        make(cast)
    client.force_login(getattr(cast, role))
    query = f"?{one_filter}" if filtered else ""
    args = [cast.case_a1.household_id] if name == "outreach:contacts" else []
    link, page_two = follow_next(client, reverse(name, args=args), query)
    assert not link.startswith("??")
    if filtered:
        key, value = one_filter.split("=")
        assert parse_qs(link[1:])[key] == [value]
    if name == "privacy:access_log":  # a million rows are not counted: no "of y"
        assert "<span>Side 2</span>" in page_two
    else:
        assert re.search(r"Side 2 af \d+", page_two)
