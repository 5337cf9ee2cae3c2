"""Demo partners, consents, referrals, checklists, follow-up plans and communities for
Vestegnen. Fictional; deterministic; loaded once (each part checks whether it has run)."""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from cases.models import Case, ProjectKind, StageChange
from cases.stages import Stage
from outreach.models import Channel, Contact, Outcome
from referrals.models import (
    ChecklistItem,
    ChecklistList,
    ChecklistStatus,
    Community,
    CommunityMeeting,
    CommunityMembership,
    FollowUpPlan,
)
from referrals.services import follow_up_plan_start

VESTEGNEN = "Boligselskabet Vestegnen"


def referrals_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Load every part that is not loaded yet; True if anything was created."""
    created = False
    created |= _consents_and_referrals_load(users=users, today=today)
    created |= _visitator_load(users=users, today=today)
    created |= _bridge_building_load(users=users, today=today)
    return created


# --- partners, consents, referrals, checklists ---


def _consents_and_referrals_load(*, users: dict[str, User], today: date) -> bool:
    return False


# --- the municipal visitator ---


def _visitator_load(*, users: dict[str, User], today: date) -> bool:
    return False


# --- bridge-building and communities ---


FOLLOW_UP_NOTES = (
    "Ringede: er ved at finde sig til rette, mangler stadig gardiner",
    "Besøg i den nye bolig; har hilst på naboerne i opgangen",
    "Talt i telefon; barnet er startet i den nye børnehave",
    "Besøg: savner det gamle fællesskab, vil gerne med i caféen",
)
NEW_AREA_HELPERS = ("Brobyggeren", "Lokalguiden", "Datteren", "Hjemmeplejen")
COMMUNITY_NAME = "Nye naboer fra Nordparken"


def _bridge_building_load(*, users: dict[str, User], today: date) -> bool:
    """Follow-up plans for Vestegnen's households that moved permanently (started on the day of
    the move, the bridge-builder `brobygger`): the contacts that fell due are done, but one is
    overdue; part of the new-area checklist done; one plan closed. A community for the rehoused
    of the transformation project with members and two meetings."""
    vestegnen = Case.objects.filter(project__estate__organisation__name=VESTEGNEN)
    if FollowUpPlan.objects.filter(case__in=vestegnen).exists():
        return False
    rng = random.Random("genhusning-demo-bridge-building")
    bridge_builder = users["brobygger"]
    moves = dict(
        StageChange.objects.filter(case__in=vestegnen, to_stage=Stage.MOVED_PERMANENTLY)
        .order_by("case_id", "changed_at")
        .values_list("case_id", "changed_at")
    )
    in_follow_up = list(
        vestegnen.filter(stage__in=[Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP], pk__in=moves)
        .select_related("project")
        .order_by("pk")
    )
    plans = [
        follow_up_plan_start(case=case, on=timezone.localdate(moves[case.pk]))
        for case in in_follow_up
    ]
    FollowUpPlan.objects.filter(pk__in=[plan.pk for plan in plans]).update(
        bridge_builder=bridge_builder
    )
    contacts = _follow_up_contacts_link(rng, plans, bridge_builder=bridge_builder, today=today)
    _new_area_progress(rng, plans, by=bridge_builder)
    _closed_plan(vestegnen, moves, bridge_builder=bridge_builder, today=today)
    _community(rng, plans, organisation=in_follow_up[0].project.estate.organisation_id, today=today)
    # Recorded when they happened: nothing of the demo is "just recorded" and can be undone.
    Contact.objects.filter(pk__in=[contact.pk for contact in contacts]).update(
        created_at=F("occurred_at")
    )
    return True


def _follow_up_contacts_link(
    rng: random.Random, plans: list[FollowUpPlan], *, bridge_builder: User, today: date
) -> list[Contact]:
    """Every contact that fell due is done, with a contact in the log (the bridge-builder's own
    recent one where the outreach demo has it), except the latest one of the first plan that
    has one due: that one is overdue."""
    created: list[Contact] = []
    overdue_left = False
    for plan in plans:
        due = list(plan.visits.filter(due_on__lte=today).order_by("due_on"))
        if due and not overdue_left and due[-1].due_on < today:
            overdue_left = True
            due = due[:-1]
        recent = (
            Contact.objects.filter(
                household_id=plan.case.household_id, staff=bridge_builder, reached=True
            )
            .order_by("-occurred_at")
            .first()
        )
        for index, visit in enumerate(due):
            last = index == len(due) - 1
            if (
                last
                and recent is not None
                and timezone.localdate(recent.occurred_at) >= visit.due_on
            ):
                contact = recent
            else:
                day = min(visit.due_on + timedelta(days=rng.randint(0, 6)), today)
                contact = Contact.objects.create(
                    household_id=plan.case.household_id,
                    case=plan.case,
                    occurred_at=timezone.make_aware(datetime.combine(day, time(11, 0))),
                    staff=bridge_builder,
                    channel=rng.choice([Channel.PHONE, Channel.DOOR_KNOCK]),
                    outcome=rng.choice([Outcome.TALKED, Outcome.VISIT_INSIDE]),
                    note=rng.choice(FOLLOW_UP_NOTES),
                )
                created.append(contact)
            visit.contact = contact
            visit.done_on = timezone.localdate(contact.occurred_at)
            visit.save(update_fields=["contact", "done_on"])
    return created


def _new_area_progress(rng: random.Random, plans: list[FollowUpPlan], *, by: User) -> None:
    for plan in plans:
        items = list(plan.case.checklist.filter(section=ChecklistList.NEW_AREA).order_by("pk"))
        settled = min(len(items), plan.visits.filter(done_on__isnull=False).count() * 2)
        for item in items[:settled]:
            item.status = rng.choice(
                [ChecklistStatus.DONE, ChecklistStatus.DONE, ChecklistStatus.NOT_NEEDED]
            )
            item.helped_by = (
                rng.choice(NEW_AREA_HELPERS) if item.status == ChecklistStatus.DONE else ""
            )
            item.updated_by = by
        ChecklistItem.objects.bulk_update(items, ["status", "helped_by", "updated_by"])


def _closed_plan(vestegnen, moves: dict, *, bridge_builder: User, today: date) -> None:
    """The latest case closed after its follow-up: a plan done and closed on its closing day."""
    case = (
        vestegnen.filter(stage=Stage.CLOSED, pk__in=moves, stage_changes__to_stage=Stage.FOLLOW_UP)
        .order_by("-closed_at", "pk")
        .first()
    )
    if case is None or case.closed_at is None:
        return
    started_on = timezone.localdate(moves[case.pk])
    closed_on = timezone.localdate(case.closed_at)
    plan = follow_up_plan_start(case=case, on=started_on)
    plan.visits.filter(due_on__lte=closed_on).update(done_on=F("due_on"))
    plan.bridge_builder = bridge_builder
    plan.closed_on = closed_on
    plan.closing_note = "Familien er faldet godt til: ny læge, klubben og en lokalguide."
    plan.save(update_fields=["bridge_builder", "closed_on", "closing_note"])
    plan.case.checklist.filter(section=ChecklistList.NEW_AREA).update(
        status=ChecklistStatus.DONE, helped_by="Brobyggeren"
    )


def _community(
    rng: random.Random, plans: list[FollowUpPlan], *, organisation: int, today: date
) -> None:
    transformation = [p for p in plans if p.case.project.kind == ProjectKind.TRANSFORMATION]
    community = Community.objects.create(
        organisation_id=organisation,
        name=COMMUNITY_NAME,
        area="Rebæk Søpark og Avedøre",
        description="For familier fra Nordparken, der er flyttet permanent: kaffe, lektiecafé"
        " og hjælp til at finde rundt i det nye område.",
    )
    members = transformation[:10]
    CommunityMembership.objects.bulk_create(
        CommunityMembership(
            community=community, household_id=plan.case.household_id, joined_on=plan.started_on
        )
        for plan in members
    )
    past = CommunityMeeting.objects.create(
        community=community,
        starts_at=timezone.make_aware(datetime.combine(today - timedelta(days=12), time(17))),
        place="Beboerhuset, Rebæk Søpark",
        topic="Fællesspisning og præsentation",
    )
    came = [p.case.household_id for p in members if p.started_on <= past.starts_at.date()]
    past.attendees.add(*rng.sample(came, k=min(len(came), 6)))
    CommunityMeeting.objects.create(
        community=community,
        starts_at=timezone.make_aware(datetime.combine(today + timedelta(days=9), time(17))),
        place="Beboerhuset, Rebæk Søpark",
        topic="Lektiecafé og kaffe",
    )
