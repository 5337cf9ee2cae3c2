"""The scan is set-based: the same number of queries for 100 and for 2,000 households.

Prints the time of each scan (run with -s to see it).
"""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cases.logistics.models import Offer, OfferStatus, RefusalReason, RehousingKind
from cases.models import Case, Project, ProjectKind, StageChange, StairwellSchedule
from cases.stages import Stage
from households.models import Flat, Household, Stairwell
from outreach.models import (
    SCANNED_KINDS,
    AwaitedReply,
    Channel,
    Contact,
    Flag,
    FlagThresholds,
    Invitation,
    Meeting,
    Outcome,
)
from outreach.scan import flag_reason_danish, flags_evaluate
from referrals.models import FollowUpPlan, FollowUpVisit
from tests import factories

# Locks and timeouts (3), the households, savepoint (2), and per kind one statement that
# raises (first scan) or resolves (second scan) its flags.
SCAN_QUERIES = 12  # 6 + 1 for each of the six scanned kinds

STAGES = [
    Stage.IDENTIFIED,
    Stage.NOTIFIED,
    Stage.PACKING,
    Stage.TEMPORARY,
    Stage.RETURN_NOTIFIED,
    Stage.PACKING_RETURN,
    Stage.RETURNED,
    Stage.REESTABLISHED,
    Stage.MOVED_PERMANENTLY,
    Stage.FOLLOW_UP,
    Stage.ENDED,
    Stage.CLOSED,
]


def analyze() -> None:
    """Fresh planner statistics after bulk inserts (stale ones once made a query hang)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def build(size: int) -> list[Household]:
    """`size` households in every stage, with meetings, knocks, visits and letters."""
    now, today = timezone.now(), timezone.localdate()
    estate = factories.make_estate(factories.make_organisation())
    projects = [
        factories.make_project(estate),
        factories.make_project(estate, kind=ProjectKind.TRANSFORMATION, name="Omdannelse"),
    ]
    FlagThresholds.objects.create(project=projects[1], missed_meetings=3, no_contact_days=20)
    stairwells = Stairwell.objects.bulk_create(
        Stairwell(estate=estate, street=f"Målevej {size}", number=n + 1, postcode="2650", city="X")
        for n in range(size // 10)
    )
    flats = Flat.objects.bulk_create(
        Flat(stairwell=stairwells[i // 10], floor=i % 10 // 2, door=("tv", "th")[i % 2], rooms=3,
             area_m2=70)
        for i in range(size)
    )  # fmt: skip
    households = Household.objects.bulk_create(Household(flat=flat) for flat in flats)
    StairwellSchedule.objects.bulk_create(
        StairwellSchedule(
            project=project,
            stairwell=stairwell,
            packing_on=today + timedelta(days=n % 40 - 5),
            move_out_on=today + timedelta(days=n % 40 + 5),
            return_on=today + timedelta(days=n % 40 + 30),
        )
        for project in projects
        for n, stairwell in enumerate(stairwells)
    )
    cases = Case.objects.bulk_create(
        Case(
            household=household,
            project=projects[i % 2],
            stage=STAGES[i % len(STAGES)],
            end_reason="evicted" if STAGES[i % len(STAGES)] == Stage.ENDED else "",
            move_out_on=today + timedelta(days=i % 9) if i % 7 == 0 else None,
        )
        for i, household in enumerate(households)
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(
        opened_at=now - timedelta(days=90), stage_changed_at=now - timedelta(days=50)
    )
    StageChange.objects.bulk_create(
        StageChange(
            case=case,
            from_stage=Stage.PACKING,
            to_stage=Stage.MOVED_PERMANENTLY,
            changed_at=now - timedelta(days=i % 40),
        )
        for i, case in enumerate(cases)
        if case.stage in (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)
    )
    plans = FollowUpPlan.objects.bulk_create(
        FollowUpPlan(case=case, started_on=today - timedelta(days=i % 40))
        for i, case in enumerate(cases)
        if case.stage in (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)
    )
    FollowUpVisit.objects.bulk_create(
        FollowUpVisit(
            plan=plan, label=f"Efter {days} dage", due_on=plan.started_on + timedelta(days)
        )
        for plan in plans
        for days in (14, 90, 180)
    )
    meetings = [
        Meeting.objects.create(
            project=project, held_at=now - timedelta(days=10 * n), place="Fælleshuset", topic="Info"
        )
        for project in projects
        for n in range(1, 5)
    ]
    Invitation.objects.bulk_create(
        Invitation(meeting=meeting, household=case.household, attended=(i + n) % 3 == 0)
        for i, case in enumerate(cases)
        for n, meeting in enumerate(meetings)
        if meeting.project_id == case.project_id
    )
    Contact.objects.bulk_create(
        contact
        for i, household in enumerate(households)
        for contact in (
            Contact(
                household=household,
                channel=Channel.DOOR_KNOCK,
                outcome=Outcome.NO_ANSWER,
                occurred_at=now - timedelta(days=i % 50),
            ),
            Contact(
                household=household,
                channel=Channel.PHONE,
                outcome=Outcome.TALKED,
                occurred_at=now - timedelta(days=i % 60),
            ),
        )
        if i % 4 or contact.outcome == Outcome.NO_ANSWER
    )
    AwaitedReply.objects.bulk_create(
        AwaitedReply(
            household=household,
            subject="Tilbud om midlertidig bolig",
            sent_via="letter",
            sent_on=today - timedelta(days=20),
            due_on=today - timedelta(days=i % 10) + timedelta(days=3),
            replied_on=today if i % 6 == 0 else None,
        )
        for i, household in enumerate(households)
        if i % 3 == 0
    )
    # Two refused offers (the projects' number) for every fifth household.
    pool_flat = factories.make_pool_flat(estate.organisation)
    Offer.objects.bulk_create(
        Offer(
            case=case,
            pool_flat=pool_flat,
            kind=RehousingKind.TEMPORARY,
            holds_from=today,
            holds_until=today + timedelta(days=30),
            sent_via="letter",
            sent_on=today - timedelta(days=30),
            reply_due_on=today - timedelta(days=16),
            status=OfferStatus.REFUSED,
            replied_on=today - timedelta(days=20 - n),
            refusal_reason=RefusalReason.LOCATION,
        )
        for i, case in enumerate(cases)
        if i % 5 == 0
        for n in range(2)
    )
    analyze()
    return households


def take_away_every_cause(households: list[Household]) -> None:
    now = timezone.now()
    AwaitedReply.objects.filter(household__in=households).update(replied_on=timezone.localdate())
    Contact.objects.bulk_create(
        Contact(household=h, channel=Channel.PHONE, outcome=Outcome.TALKED, occurred_at=now)
        for h in households
    )
    Invitation.objects.filter(household__in=households).update(attended=True)
    FollowUpVisit.objects.filter(plan__case__household__in=households).update(
        done_on=timezone.localdate()
    )
    Case.objects.filter(
        household__in=households, stage__in=[Stage.IDENTIFIED, Stage.NOTIFIED]
    ).update(stage=Stage.PACKING, stage_changed_at=now)
    Project.objects.filter(cases__household__in=households).update(required_offers=3)
    analyze()


@pytest.mark.parametrize("size", [100, 2000])
def test_a_scan_takes_the_same_number_of_queries_for_100_and_2000_households(
    db, size, django_assert_max_num_queries
):
    households = build(size)

    started = time.perf_counter()
    with django_assert_max_num_queries(SCAN_QUERIES) as raising:
        raised = flags_evaluate()
    raise_seconds = time.perf_counter() - started

    raised_flags = Flag.objects.filter(kind__in=SCANNED_KINDS)
    assert all(  # worded in SQL by the scan as flag_reason_danish words them from the facts
        flag.reason == flag_reason_danish(flag.kind, flag.reason_data) for flag in raised_flags
    )

    take_away_every_cause(households)
    started = time.perf_counter()
    with django_assert_max_num_queries(SCAN_QUERIES) as resolving:
        resolved = flags_evaluate()
    resolve_seconds = time.perf_counter() - started

    print(
        f"\n{size} households: raising scan {len(raising)} queries, {raise_seconds:.2f} s "
        f"{raised.raised}; resolving scan {len(resolving)} queries, {resolve_seconds:.2f} s"
    )
    assert set(raised.raised) == set(SCANNED_KINDS)  # every rule had work to do
    assert set(resolved.resolved) == set(SCANNED_KINDS)
    assert resolved.raised == {}
    assert len(raising) == len(resolving) == SCAN_QUERIES
    assert raised.households_scanned == sum(
        1 for i in range(size) if STAGES[i % len(STAGES)] not in (Stage.ENDED, Stage.CLOSED)
    )
