"""Paging keeps every filter: one helper for page links (core/templatetags/paging.py), used by
every paged list; following "next" with one filter, and with none, reaches page 2."""

import html
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.economy.models import Expense, ExpenseKind
from cases.logistics.models import PoolKind
from cases.models import CaseAssignment
from cases.stages import Stage
from core.templatetags.paging import page_query
from households.models import AccessAction, AccessLog
from outreach.models import (
    AwaitedReply,
    Channel,
    Contact,
    DropInSession,
    Flag,
    FlagKind,
    Invitation,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from referrals.bridge.services import follow_up_plan_start
from referrals.consents.services import consent_record
from referrals.models import DataCategory, Purpose
from referrals.services import referral_create, referral_transition
from tests import factories

ROOT = Path(__file__).resolve().parent.parent
APPS = ("cases", "core", "households", "outreach", "privacy", "referrals", "reports", "team")

# Every module that pages a list -> the templates that show its pages.
PAGED = {
    # keyed_page: the flags (flag_page); ranked_page: the caseload (cases.selectors.caseload_page)
    "core/paging.py": ["cases/caseload.html", "outreach/flags/flag_list.html"],
    "cases/logistics/views.py": ["cases/logistics/pool_list.html"],
    "cases/logistics/selectors.py": ["cases/logistics/board.html"],
    "cases/economy/views.py": ["cases/economy/approvals.html"],
    "outreach/views/tips.py": ["outreach/tips/tip_list.html"],
    "outreach/views/contacts.py": ["outreach/contacts/contact_list.html"],
    "outreach/views/letters.py": ["outreach/letters/letter_list.html"],
    "outreach/views/cafe.py": ["outreach/cafe/session_list.html"],
    "outreach/views/meetings.py": ["outreach/meetings/meeting_list.html"],
    "outreach/selectors.py": [  # meeting_invitation_page
        "outreach/meetings/meeting_detail.html",
        "outreach/meetings/meeting_attendance.html",
    ],
    "households/import_views.py": ["households/imports/duplicates.html"],
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


def follow_next(client, url: str, query: str):
    """The "next" link of the page at url+query, and the page it leads to."""
    body = client.get(url + query).content.decode()
    found = re.search(r'<nav class="pagination".*?<a href="([^"]*)"[^>]*>Næste', body, re.S)
    assert found, f"no next link on {url}{query}"
    link = html.unescape(found.group(1))
    response = client.get(url + link)
    assert response.status_code == 200
    return link, response


def tips(cast, _fixture) -> str:
    for text in ("Tip om trappen", "Tip om døren"):
        Tip.objects.create(
            flat=cast.case_a1.household.flat,
            household=cast.case_a1.household,
            source=TipSource.CARETAKER,
            text=text,
        )
    return "x=1"  # no filter on the page: any parameter must survive


def log_entries(cast, _fixture) -> str:
    for _ in range(2):
        AccessLog.objects.create(
            user=cast.caseworker_a1,
            username="caseworker_a1",
            action=AccessAction.VIEW,
            household_id=cast.case_a1.household_id,
            what="sagsside",
        )
    return "action=view"


def cafe_sessions(cast, _fixture) -> str:
    for day in (1, 2):
        DropInSession.objects.create(
            estate=cast.case_a1.project.estate, held_on=date(2026, 11, day), place="Fælleshuset"
        )
    return "x=1"  # no filter on the page: any parameter must survive


def letters(cast, _fixture) -> str:
    for day in (1, 2):
        AwaitedReply.objects.create(
            household=cast.case_a1.household,
            case=cast.case_a1,
            subject=f"Brev {day}",
            sent_via="letter",
            sent_on=date(2026, 11, day),
            due_on=date(2026, 12, day),
        )
    return "x=1"


def contacts(cast, _fixture) -> str:
    for outcome in (Outcome.NO_ANSWER, Outcome.TALKED_AT_DOOR):
        Contact.objects.create(
            household=cast.case_a1.household, channel=Channel.DOOR_KNOCK, outcome=outcome
        )
    return "x=1"


def caseload(cast, _fixture) -> str:
    return "scope=all"  # manager A sees cases A1 and A2


def pool_flats(cast, _fixture) -> str:
    organisation = cast.case_a1.project.estate.organisation
    for _ in range(2):
        factories.make_pool_flat(organisation, kind=PoolKind.TEMPORARY)
    return f"kind={PoolKind.TEMPORARY}"


def board_cases(cast, _fixture) -> str:
    factories.make_case(cast.case_a1.project, stage=Stage.NOTIFIED)  # with case A1: two
    return "x=1"


def flags(cast, _fixture) -> str:
    for kind in list(FlagKind)[:2]:  # one open flag of a kind per household
        Flag.objects.create(
            household=cast.case_a1.household, case=cast.case_a1, kind=kind, reason="Scan"
        )
    return f"project={cast.case_a1.project_id}"


def meetings(cast, _fixture) -> str:
    project = cast.case_a1.project
    for day in (1, 2):
        when = datetime(2026, 1, day, 17, tzinfo=timezone.get_current_timezone())
        Meeting.objects.create(project=project, held_at=when, place="Fælleshuset", topic="Info")
    return f"project={project.pk}"


def meeting_invitations(cast, _fixture) -> str:
    """A meeting of two households on the list, and one more household not on it."""
    project = cast.case_a1.project
    when = datetime(2026, 1, 1, 17, tzinfo=timezone.get_current_timezone())
    meeting = Meeting.objects.create(
        project=project, held_at=when, place="Fælleshuset", topic="Listemødet"
    )
    for household in factories.make_households(project.estate, 2, street="Listevej"):
        Invitation.objects.create(meeting=meeting, household=household)
    Invitation.objects.create(meeting=meeting, household=cast.case_a1.household)
    return "q=Listevej"


def the_meeting(cast) -> list[int]:
    return [Meeting.objects.get(topic="Listemødet").pk]


def follow_up_plans(cast, _fixture) -> str:
    bridge_builder = cast.bridge_builder_a
    for _ in range(2):
        case = factories.make_case(cast.case_a2.project, stage=Stage.FOLLOW_UP)
        CaseAssignment.objects.create(case=case, user=bridge_builder, role="bridge_builder")
        assign_perm("cases.view_case", bridge_builder, case)
        follow_up_plan_start(case=case, on=timezone.localdate() - timedelta(days=20))
    return "scope=mine"


def visitator_flats(cast, fixture) -> str:
    fixture("visitator_partner")
    project = cast.case_a1.project
    stairwell = cast.case_a1.household.flat.stairwell
    factories.make_flat(stairwell, floor=2)  # with case A1's flat: two in the stairwell
    factories.make_schedule(project, stairwell, move_out_on=date(2026, 5, 1))
    return f"project={project.pk}"


def shared_households(cast, fixture) -> str:
    partner = fixture("visitator_partner")
    project = cast.case_a1.project
    for household in factories.make_households(project.estate, 2):
        factories.make_case(project, household)
        consent_record(
            household=household,
            by=cast.caseworker_a1,
            given_by="Givet af beboeren",
            purpose=Purpose.REHOUSING,
            categories=[DataCategory.IDENTITY],
            method="written",
            partner=partner,
            given_on=timezone.localdate() - timedelta(days=10),
        )
    return "x=1"  # no filter on the page


def referrals_received(cast, fixture) -> str:
    partner = fixture("visitator_partner")
    for household in factories.make_households(cast.case_a1.project.estate, 2):
        referral = referral_create(
            household=household,
            partner=partner,
            reason="Hjælp",
            by=cast.caseworker_a1,
            purpose=Purpose.REFERRAL,
        )
        referral_transition(referral=referral, to_status="sent", by=cast.caseworker_a1)
    return "status=open"


def expenses_awaiting(cast, _fixture) -> str:
    for amount in (1200, 800):
        Expense.objects.create(
            case=cast.case_a1,
            kind=ExpenseKind.CLEANING,
            amount=amount,
            spent_on=date(2026, 3, 1),
            entered_by=cast.rehousing_officer_a1,
        )
    return "x=1"  # no filter on the page


def duplicate_pairs(cast, _fixture) -> str:
    factories.make_twin_households(cast.case_a1.household.flat.stairwell.estate, 2, "p")
    return "x=1"  # no filter on the page


def case_a1_project(cast) -> list[int]:
    return [cast.case_a1.project_id]


def case_a1_household(cast) -> list[int]:
    return [cast.case_a1.household_id]


# (the list's address, who reads it, its page size setting, what makes two rows and names one
# filter, the address's arguments)
LISTS = [
    ("cases:caseload", "manager_a", "cases.views.PAGE_SIZE", caseload, None),
    (
        "logistics:pool",
        "rehousing_officer_a1",
        "cases.logistics.views.POOL_PAGE_SIZE",
        pool_flats,
        None,
    ),
    (
        "logistics:board",
        "rehousing_officer_a1",
        "cases.logistics.selectors.BOARD_PAGE_SIZE",
        board_cases,
        case_a1_project,
    ),
    (
        "economy:approvals",
        "manager_a",
        "cases.economy.views.APPROVALS_PAGE_SIZE",
        expenses_awaiting,
        None,
    ),
    ("outreach:flags", "caseworker_a1", "outreach.views.flags.PAGE_SIZE", flags, None),
    ("outreach:tips", "caseworker_a1", "outreach.views.tips.PAGE_SIZE", tips, None),
    (
        "outreach:contacts",
        "caseworker_a1",
        "outreach.views.contacts.PAGE_SIZE",
        contacts,
        case_a1_household,
    ),
    ("outreach:letters", "caseworker_a1", "outreach.views.letters.PAGE_SIZE", letters, None),
    ("outreach:cafe", "caseworker_a1", "outreach.views.cafe.PAGE_SIZE", cafe_sessions, None),
    ("outreach:meetings", "caseworker_a1", "outreach.views.meetings.PAGE_SIZE", meetings, None),
    (
        "outreach:meeting",
        "caseworker_a1",
        "outreach.selectors.INVITATIONS_PER_PAGE",
        meeting_invitations,
        the_meeting,
    ),
    (
        "outreach:meeting_attendance",
        "caseworker_a1",
        "outreach.selectors.INVITATIONS_PER_PAGE",
        meeting_invitations,
        the_meeting,
    ),
    (
        "households:duplicates",
        "manager_a",
        "households.import_views.DUPLICATES_PER_PAGE",
        duplicate_pairs,
        None,
    ),
    ("privacy:access_log", "manager_a", "privacy.views.ACCESS_LOG_PAGE_SIZE", log_entries, None),
    (
        "referrals:follow_up_list",
        "bridge_builder_a",
        "referrals.bridge.views.followup.PAGE_SIZE",
        follow_up_plans,
        None,
    ),
    (
        "referrals:visitator_flats",
        "visitator",
        "referrals.visitator.views.PAGE_SIZE",
        visitator_flats,
        None,
    ),
    (
        "referrals:visitator_households",
        "visitator",
        "referrals.visitator.views.PAGE_SIZE",
        shared_households,
        None,
    ),
    (
        "referrals:visitator_referrals",
        "visitator",
        "referrals.visitator.views.PAGE_SIZE",
        referrals_received,
        None,
    ),
]


def test_every_paged_list_is_followed_to_page_two():
    """LISTS has a row for every template of PAGED: a new paged list needs a row here too."""
    assert len({row[0] for row in LISTS}) == sum(len(names) for names in PAGED.values())


@pytest.mark.parametrize(
    ("name", "role", "setting", "make", "args"), LISTS, ids=[row[0] for row in LISTS]
)
@pytest.mark.parametrize("filtered", [False, True], ids=["no filter", "one filter"])
def test_next_reaches_page_two_with_one_filter_and_with_none(
    client, cast, request, monkeypatch, name, role, setting, make, args, filtered
):
    monkeypatch.setattr(setting, 1)
    one_filter = make(cast, request.getfixturevalue)
    client.force_login(getattr(cast, role))
    query = f"?{one_filter}" if filtered else ""
    url = reverse(name, args=args(cast) if args else [])
    link, response = follow_next(client, url, query)
    assert not link.startswith("??")
    if filtered:
        key, value = one_filter.split("=")
        assert parse_qs(link[1:])[key] == [value]
    page = (
        response.context["board"].page if "board" in response.context else response.context["page"]
    )
    assert page.number == 2 and len(page.object_list) >= 1, "page 2 shows rows"
    shown = {template.name for template in response.templates}
    assert shown & {name for names in PAGED.values() for name in names}, "a list of PAGED"
    page_two = response.content.decode()
    if name == "privacy:access_log":  # a million rows are not counted: no "of y"
        assert "<span>Side 2</span>" in page_two
    else:
        assert re.search(r"Side 2 af \d+", page_two)
