"""The coordination view: every intervention of a household in one list, on the household page
and on its own page; the rehousing officer sees the practical side only; queries stay flat."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AssignmentRole, CaseAssignment
from households.models import AccessLog
from outreach.models import Channel, Flag, FlagKind, Outcome
from outreach.services import contact_record
from referrals.bridge.services import follow_up_plan_start
from referrals.models import DataCategory, Purpose
from referrals.services import checklist_set, referral_create, referral_transition
from tests import factories
from tests.conftest import MARKERS
from tests.test_access import assert_no_markers

REASON = "KOORDINERING-MARKØR-6633 gæld og misbrug"


def interventions(cast, partners, *, referrals=3, flags=1, cases=1):
    """A household with `referrals` referrals, `flags` open flags and `cases` cases, each with
    staff, a checklist partly done and (the first) a follow-up plan."""
    household = cast.case_a1.household
    all_cases = [cast.case_a1]
    for index in range(cases - 1):
        project = factories.make_project(
            cast.case_a1.project.estate, name=f"Projekt {index}", kind="transformation"
        )
        all_cases.append(factories.make_case(project, household))
    for case in all_cases:
        CaseAssignment.objects.create(
            case=case, user=cast.caseworker_a1, role=AssignmentRole.CASEWORKER
        )
        CaseAssignment.objects.create(
            case=case, user=cast.bridge_builder_a, role=AssignmentRole.BRIDGE_BUILDER
        )
        for item in case.checklist.all()[:2]:
            checklist_set(item=item, status="done", by=cast.caseworker_a1)
    follow_up_plan_start(case=cast.case_a1)
    kinds = ["home_care", "jobcenter", "visitator", "home_care_2"]
    for index in range(referrals):
        referral = referral_create(
            household=household,
            partner=partners[kinds[index % 4]],
            reason=REASON,
            purpose=Purpose.REFERRAL,
            by=cast.caseworker_a1,
            follow_up_on=timezone.localdate() + timedelta(days=index - 2),
        )
        if index % 3 == 1:
            referral_transition(referral=referral, to_status="sent", by=cast.caseworker_a1)
        if index % 3 == 2:
            referral_transition(referral=referral, to_status="withdrawn", by=cast.caseworker_a1)
    for kind in list(FlagKind)[:flags]:
        Flag.objects.create(household=household, case=cast.case_a1, kind=kind, reason="Scan")
    return household


def test_the_household_page_shows_every_intervention(client, cast, partners):
    household = interventions(cast, partners, referrals=3, flags=2)
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("households:detail", args=[household.pk])).content.decode()
    section = page[page.index('id="coordination"') :]
    section = section[: section.index("</section>")]
    assert "Hjemmeplejen Syd" in section and "Jobcenter Hvidovre" in section  # open ones
    assert "Hvidovre Kommune, visitationen" not in section  # withdrawn: on the full page only
    assert "Praktisk hjælp" in section and "2 af 13 klaret" in section
    assert "Opfølgning" in section and "næste kontakt" in section
    assert section.count('class="tag tag-flag"') == 2
    assert "Maja Holm" in section and "bridge_builder_a" in section
    assert "Samarbejdspartnere involveret" in section
    assert reverse("referrals:consents", args=[household.pk]) in section
    assert REASON not in page  # reasons only on the referral page

    full = client.get(reverse("referrals:coordination", args=[household.pk])).content.decode()
    assert "Hvidovre Kommune, visitationen" in full and "Trukket tilbage" in full
    assert AccessLog.objects.filter(what="coordination of a household").count() == 1


def test_the_rehousing_officer_sees_the_practical_side_only(client, cast, partners):
    household = interventions(cast, partners, referrals=4, flags=1)
    factories.make_consent(
        household,
        cast.caseworker_a1,
        partner=partners["home_care"],
        categories=[DataCategory.SOCIAL],
        given_by="SAMTYKKE-MARKØR-6634",
    )
    client.force_login(cast.rehousing_officer_a1)
    for url in (
        reverse("households:detail", args=[household.pk]),
        reverse("referrals:coordination", args=[household.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "2 af 13 klaret" in body and 'class="tag tag-flag"' in body
        for hidden in (
            REASON,
            "SAMTYKKE-MARKØR-6634",
            MARKERS["case_a1"][1],  # the social note
            "Hjemmeplejen Syd",
            "Jobcenter Hvidovre",
            reverse("referrals:consents", args=[household.pk]),
            reverse("referrals:household_referrals", args=[household.pk]),
        ):
            assert hidden not in body, (url, hidden)
        coordination = response.context["coordination"]
        assert coordination.referrals is None and coordination.valid_consents is None
        assert not coordination.can_see_plans


@pytest.mark.parametrize("role", ["caseworker_a2", "visitator", "caretaker_a1", "manager_b"])
def test_outsiders_get_nothing(client, cast, partners, role):
    household = interventions(cast, partners)
    client.force_login(getattr(cast, role))
    response = client.get(reverse("referrals:coordination", args=[household.pk]))
    assert response.status_code == 404
    body = response.content.decode()
    assert REASON not in body and "Hjemmeplejen Syd" not in body
    assert_no_markers(body, ["case_a1"])
    assert not AccessLog.objects.exclude(action="denied").exists()  # only the refusal


def test_anonymous_and_wrong_method(client, cast):
    url = reverse("referrals:coordination", args=[cast.case_a1.household_id])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(cast.caseworker_a1)
    assert client.post(url).status_code == 405


def test_a_quiet_household_says_so(client, cast):
    for item in cast.case_a1.checklist.all():
        item.delete()
    client.force_login(cast.caseworker_a1)
    page = client.get(reverse("households:detail", args=[cast.case_a1.household_id]))
    assert "Der er ingen igangværende indsatser for husstanden" in page.content.decode()


@pytest.mark.parametrize(("referrals", "flags", "cases"), [(2, 1, 1), (40, 4, 3)])
def test_the_coordination_page_keeps_its_query_count(
    client, cast, partners, django_assert_max_num_queries, referrals, flags, cases
):
    household = interventions(cast, partners, referrals=referrals, flags=flags, cases=cases)
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, household, residents, cases, assignments, checklist
    # counts, plans, referrals, flags, consents, access log.
    with django_assert_max_num_queries(14):
        response = client.get(reverse("referrals:coordination", args=[household.pk]))
    coordination = response.context["coordination"]
    assert len(coordination.referrals) == referrals and len(coordination.cases) == cases
    assert len(coordination.flags) == flags


@pytest.mark.parametrize(
    ("referrals", "flags", "cases", "contacts"), [(2, 1, 1, 1), (40, 4, 3, 30)]
)
def test_the_household_page_keeps_its_query_count(
    client, cast, partners, django_assert_max_num_queries, referrals, flags, cases, contacts
):
    household = interventions(cast, partners, referrals=referrals, flags=flags, cases=cases)
    for _ in range(contacts):
        contact_record(
            household=household,
            by=cast.caseworker_a1,
            channel=Channel.DOOR_KNOCK,
            outcome=Outcome.NO_ANSWER,
        )
    client.force_login(cast.caseworker_a1)
    # Session, user, permissions, grants, household, residents, assessments, access log; the
    # sections: the cases and their staff (read once for the cases, the addresses and the
    # interventions), the open flags (once for the interventions and the flags), moves,
    # checklist counts, plans, referrals, consents, the newest contacts with their summary,
    # letters awaiting a reply, letters sent, meetings, tips. 32 before issue 19 (the cases
    # read three times, the flags twice, the summary apart), 25 before the fixed cost of a
    # request was cut (a permissions query, and the session's rewrite: 3).
    with django_assert_max_num_queries(21):
        response = client.get(reverse("households:detail", args=[household.pk]))
    body = response.content.decode()
    assert body.count('class="intervention"') >= flags
    assert body.count("flag-list") == 1 and body.count('class="contact ') == min(contacts, 5)
