"""Demo partners, consents, referrals, checklists, follow-up plans and communities for
Vestegnen. Fictional; deterministic; loaded once (each part checks whether it has run)."""

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone

from cases.models import Case, ProjectKind, StageChange
from cases.stages import OPEN_STAGES, Stage
from households.models import Municipality, Organisation, Resident
from outreach.models import Channel, Contact, Outcome
from referrals.bridge.services import follow_up_plan_start
from referrals.consents.services import consent_record, consent_withdraw
from referrals.models import (
    ChecklistItem,
    ChecklistKind,
    ChecklistList,
    ChecklistStatus,
    Community,
    CommunityMeeting,
    CommunityMembership,
    Consent,
    ConsentMethod,
    ConsentWithdrawal,
    DataCategory,
    FollowUpPlan,
    Partner,
    PartnerKind,
    Purpose,
    Referral,
    ReferralEvent,
)
from referrals.services import checklist_ensure, referral_create, referral_transition

VESTEGNEN = "Boligselskabet Vestegnen"


def referrals_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Load every part that is not loaded yet; True if anything was created."""
    created = False
    created |= _consents_and_referrals_load(users=users, today=today)
    created |= _visitator_load(users=users, today=today)
    created |= _bridge_building_load(users=users, today=today)
    return created


# --- partners, consents, referrals, checklists ---

DEMO_ORGANISATION = "Boligselskabet Vestegnen"

# The register of Boligselskabet Vestegnen: (name, kind, area, contact, phone).
DEMO_PARTNERS = (
    ("Hjemmeplejen Hvidovre", "home_care", "Hvidovre Syd", "Lone Bak", "36 39 30 00"),
    ("Bostøtten i Hvidovre", "housing_support", "", "Kasper Holt", "36 39 31 10"),
    ("Jobcenter Hvidovre", "jobcenter", "", "", "36 39 36 39"),
    ("Familieafdelingen, Hvidovre Kommune", "family", "", "", "36 39 37 00"),
    ("Økonomisk rådgivning, Boligselskabet Vestegnen", "economic_advisor", "", "Rikke Dam", ""),
    ("Foreningen Nabohjælp Avedøre", "association", "Avedøre", "Ole Friis", ""),
    ("Renholdt – social rengøring", "social_cleaning", "Vestegnen", "", "70 20 11 22"),
    ("Flyttefirmaet Trane & Søn", "movers", "Vestegnen", "Per Trane", "40 11 22 33"),
    ("Lektiecafé og mentorer, Hvidovre Bibliotek", "mentor", "Hvidovre", "", ""),
)
# The story of one family: (partner, status path, days ago created, follow-up in days, reason).
FAMILY_REFERRALS: tuple[tuple[str, list[str], int, int | None, str], ...] = (
    (
        "home_care",
        ["sent", "accepted", "in_progress"],
        60,
        7,
        "Har svært ved at klare rengøring og indkøb efter faldet i foråret.",
    ),
    (
        "social_cleaning",
        ["sent", "accepted", "done"],
        45,
        None,
        "Lejligheden skal ryddes og gøres ren, før flyttefolkene kan komme ind.",
    ),
    (
        "movers",
        ["sent", "accepted"],
        20,
        10,
        "Flytning til midlertidig bolig; kan ikke pakke selv.",
    ),
    ("visitator", ["sent"], 12, 5, "Bedt om en vurdering af behov for hjemmehjælp i genhusningen."),
    (
        "economic_advisor",
        [],
        6,
        3,
        "Restance på huslejen; ønsker hjælp til en afdragsordning.",
    ),
    ("jobcenter", ["sent", "declined"], 90, None, "Ønsker hjælp til at finde et fleksjob."),
    ("association", ["withdrawn"], 30, None, "Besøgsven; familien takkede nej igen."),
)
OTHER_REFERRALS: tuple[tuple[str, list[str], str], ...] = (
    ("housing_support", ["sent", "accepted", "in_progress"], "Støtte til at åbne og sortere post."),
    ("mentor", ["sent", "accepted", "done"], "Lektiehjælp til den ældste under flytningen."),
    ("family", [], "Bekymring for børnenes skolegang under genhusningen."),
)
PRACTICAL_HELPERS = ("Maja fra teamet", "Datteren", "Flyttefirmaet", "Ejendomskontoret", "Naboen")


def _consents_and_referrals_load(*, users: dict[str, User], today: date) -> bool:
    """Vestegnen's partners (the municipal visitator of Hvidovre, home care, bostøtte, jobcenter,
    economic advisor, an association, social cleaning, movers...), consents (written, oral with a
    witness, expired, withdrawn), referrals in every status, most of them for one particularly
    vulnerable family so the coordination view tells its story, and the practical-help checklists
    of the open cases, partly done."""
    organisation = Organisation.objects.filter(name=DEMO_ORGANISATION).first()
    if (
        organisation is None
        or Partner.objects.filter(organisation=organisation, name=DEMO_PARTNERS[0][0]).exists()
    ):
        return False
    caseworker = users["sagsbehandler"]
    hvidovre = Municipality.objects.get(code="167")
    # For the visitator part: the municipal visitator's partner is "<Kommune> Kommune,
    # visitationen" of the estates' municipality (Hvidovre); whichever part loads first creates
    # it, the other reuses it through get_or_create on (organisation, name).
    visitator, _created = Partner.objects.get_or_create(
        organisation=organisation,
        name=f"{hvidovre.name} Kommune, visitationen",
        defaults={"kind": PartnerKind.MUNICIPAL_VISITATOR, "municipality": hvidovre},
    )
    partners = {"visitator": visitator}
    for name, kind, area, contact, phone in DEMO_PARTNERS:
        partners[kind] = Partner.objects.create(
            organisation=organisation,
            name=name,
            kind=kind,
            municipality=hvidovre,
            area=area,
            contact_name=contact,
            phone=phone,
        )
    open_cases = list(
        Case.objects.filter(
            project__estate__organisation=organisation,
            project__kind=ProjectKind.RENOVATION_WITH_RETURN,
            stage__in=[Stage.IDENTIFIED, Stage.NOTIFIED, Stage.PACKING, Stage.TEMPORARY],
        )
        .with_vulnerability()
        .select_related("household")
        .order_by("pk")
    )
    vulnerable = [
        case for case in open_cases if getattr(case, "vulnerability", "") == "particularly"
    ]
    family = vulnerable[0]
    _family_story(family, partners, caseworker=caseworker, today=today)
    for case, (kind, path, reason) in zip(vulnerable[1:], OTHER_REFERRALS, strict=False):
        _demo_referral(case, partners[kind], path, reason, by=caseworker, days_ago=25, today=today)
    _demo_checklists(organisation, by=caseworker)
    return True


def _family_story(case: Case, partners: dict, *, caseworker: User, today: date) -> None:
    household = case.household
    resident = household.residents.order_by("-is_contact_person", "pk").first()
    assert resident is not None
    witness_needed: dict[str, Any] = {"method": ConsentMethod.ORAL, "witness": caseworker}
    common: dict[str, Any] = {
        "household": household,
        "by": caseworker,
        "given_by": resident.full_name,
    }
    consent_record(
        **common,
        partner_kind=PartnerKind.MUNICIPAL_VISITATOR,
        purpose=Purpose.REHOUSING,
        categories=[DataCategory.IDENTITY, DataCategory.HOUSING],
        method=ConsentMethod.WRITTEN,
        given_on=today - timedelta(days=40),
        expires_on=today + timedelta(days=325),
    )
    consent_record(
        **common,
        **witness_needed,
        resident=resident,
        partner_kind=PartnerKind.HOME_CARE,
        purpose=Purpose.REFERRAL,
        categories=[DataCategory.IDENTITY, DataCategory.HOUSING, DataCategory.SOCIAL],
        given_on=today - timedelta(days=62),
    )
    for kind in ("social_cleaning", "movers", "visitator"):
        consent_record(
            **common,
            partner=partners[kind],
            purpose=Purpose.REFERRAL,
            categories=[DataCategory.IDENTITY, DataCategory.HOUSING],
            method=ConsentMethod.WRITTEN,
            given_on=today - timedelta(days=50),
        )
    consent_record(
        **common,
        partner=partners["jobcenter"],
        purpose=Purpose.REFERRAL,
        categories=[DataCategory.IDENTITY],
        method=ConsentMethod.WRITTEN,
        given_on=today - timedelta(days=480),
        expires_on=today - timedelta(days=115),
    )
    withdrawn = consent_record(
        **common,
        **witness_needed,
        partner=partners["economic_advisor"],
        purpose=Purpose.REFERRAL,
        categories=[DataCategory.IDENTITY, DataCategory.HOUSING],
        given_on=today - timedelta(days=30),
    )
    consent_withdraw(
        consent=withdrawn, by=caseworker, note="Vil selv kontakte rådgiveren, sagde hun i døren."
    )
    ConsentWithdrawal.objects.filter(consent=withdrawn).update(
        withdrawn_at=timezone.make_aware(datetime.combine(today - timedelta(days=9), time(14, 5)))
    )
    for kind, path, days_ago, follow_up, reason in FAMILY_REFERRALS:
        shared: list[str] = [] if kind in ("jobcenter", "association") else ["identity"]
        if kind == "economic_advisor":
            shared = [DataCategory.IDENTITY, DataCategory.HOUSING]
        _demo_referral(
            case,
            partners[kind],
            path,
            reason,
            by=caseworker,
            days_ago=days_ago,
            today=today,
            shared=shared,
            follow_up=follow_up,
            resident=resident if kind == "home_care" else None,
        )


def _demo_referral(
    case: Case,
    partner: Partner,
    path: list[str],
    reason: str,
    *,
    by: User,
    days_ago: int,
    today: date,
    shared: list[str] | None = None,
    follow_up: int | None = None,
    resident: Resident | None = None,
) -> Referral:
    referral = referral_create(
        household=case.household,
        partner=partner,
        reason=reason,
        purpose=Purpose.REFERRAL,
        shared=shared or [],
        case=case,
        resident=resident,
        by=by,
        follow_up_on=today + timedelta(days=follow_up) if follow_up is not None else None,
    )
    for status in path:
        referral = referral_transition(referral=referral, to_status=status, by=by)
    # Backdated: created `days_ago`, each step a few days after the one before.
    start = timezone.make_aware(datetime.combine(today - timedelta(days=days_ago), time(10, 0)))
    for step, event in enumerate(referral.events.order_by("pk")):
        ReferralEvent.objects.filter(pk=event.pk).update(at=start + timedelta(days=3 * step))
    Referral.objects.filter(pk=referral.pk).update(
        created_at=start, status_changed_at=start + timedelta(days=3 * len(path))
    )
    return referral


def _demo_checklists(organisation: Organisation, *, by: User) -> None:
    """The defaults for every open case; the further the case, the more is done."""
    done_by_stage: dict[str, int] = {
        Stage.NOTIFIED: 1,
        Stage.PACKING: 3,
        Stage.TEMPORARY: 6,
        Stage.RETURN_NOTIFIED: 6,
        Stage.PACKING_RETURN: 7,
        Stage.RETURNED: 9,
    }
    cases = list(
        Case.objects.filter(project__estate__organisation=organisation, stage__in=OPEN_STAGES)
        .select_related("project")
        .order_by("pk")
    )
    for case in cases:
        checklist_ensure(case=case)
    items: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(
        case__in=cases, section=ChecklistList.PRACTICAL
    ).order_by("pk"):
        items.setdefault(item.case_id, []).append(item)
    changed = []
    for case in cases:
        done = done_by_stage.get(case.stage, 0)
        for index, item in enumerate(items.get(case.pk, [])[:done]):
            not_needed = item.kind == ChecklistKind.INTERNET_TV and case.pk % 3 == 0
            item.status = ChecklistStatus.NOT_NEEDED if not_needed else ChecklistStatus.DONE
            item.helped_by = "" if not_needed else PRACTICAL_HELPERS[(case.pk + index) % 5]
            item.updated_by = by
            changed.append(item)
    ChecklistItem.objects.bulk_update(changed, ["status", "helped_by", "updated_by"])


# --- the municipal visitator ---


# Households of Vestergården that consented to sharing with the visitation of Hvidovre:
# (categories, withdrawn days ago or None, days ago given).
VISITATOR_CONSENTS: tuple[tuple[tuple[str, ...], int | None, int], ...] = (
    ((DataCategory.IDENTITY, DataCategory.HOUSING), None, 35),
    ((DataCategory.IDENTITY, DataCategory.HOUSING, DataCategory.SOCIAL), None, 21),
    ((DataCategory.IDENTITY, DataCategory.HOUSING, DataCategory.VULNERABILITY), 4, 70),
)


def _visitator_load(*, users: dict[str, User], today: date) -> bool:
    """The demo user `visitator` acts for the visitation of Hvidovre (the municipality of
    Vestergården and Nordparken) in Vestegnen's register: the affected flats, three households
    that consented to sharing with her (names and rehousing; one with the social note too; one
    consent withdrawn), and a referral she has accepted."""
    from guardian.shortcuts import assign_perm

    organisation = Organisation.objects.filter(name=DEMO_ORGANISATION).first()
    if organisation is None or "visitator" not in users:
        return False
    hvidovre = Municipality.objects.get(code="167")
    partner, _created = Partner.objects.get_or_create(
        organisation=organisation,
        name=f"{hvidovre.name} Kommune, visitationen",
        defaults={"kind": PartnerKind.MUNICIPAL_VISITATOR, "municipality": hvidovre},
    )
    assign_perm("referrals.act_for_partner", users["visitator"], partner)
    if Consent.objects.filter(partner=partner, purpose=Purpose.REHOUSING).exists():
        return False
    caseworker = users["sagsbehandler"]
    consenting = list(
        Case.objects.filter(
            project__estate__organisation=organisation,
            project__estate__municipality=hvidovre,
            project__kind=ProjectKind.RENOVATION_WITH_RETURN,
            stage__in=[Stage.PACKING, Stage.TEMPORARY, Stage.NOTIFIED],
        )
        .exclude(household__consents__isnull=False)
        .exclude(household__social_note="")
        .select_related("household")
        .order_by("-stage", "pk")[: len(VISITATOR_CONSENTS)]
    )
    for case, (categories, withdrawn_days_ago, given_days_ago) in zip(
        consenting, VISITATOR_CONSENTS, strict=False
    ):
        resident = case.household.residents.order_by("-is_contact_person", "pk").first()
        consent = consent_record(
            household=case.household,
            by=caseworker,
            given_by=resident.full_name if resident else "",
            partner=partner,
            purpose=Purpose.REHOUSING,
            categories=list(categories),
            method=ConsentMethod.WRITTEN,
            given_on=today - timedelta(days=given_days_ago),
            expires_on=today + timedelta(days=365 - given_days_ago),
        )
        if withdrawn_days_ago is not None:
            consent_withdraw(consent=consent, by=caseworker, note="Ønsker ikke længere deling.")
            ConsentWithdrawal.objects.filter(consent=consent).update(
                withdrawn_at=timezone.make_aware(
                    datetime.combine(today - timedelta(days=withdrawn_days_ago), time(11, 30))
                )
            )
    if len(consenting) > 1:
        # The household that shares its social note too: a referral she has accepted.
        case = consenting[1]
        referral = referral_create(
            household=case.household,
            partner=partner,
            reason="Vurdering af behov for bostøtte efter hjemflytningen; husstanden ønsker det.",
            purpose=Purpose.REHOUSING,
            shared=[DataCategory.IDENTITY, DataCategory.SOCIAL],
            case=case,
            by=caseworker,
            follow_up_on=today + timedelta(days=14),
        )
        referral = referral_transition(referral=referral, to_status="sent", by=caseworker)
        referral_transition(
            referral=referral,
            to_status="accepted",
            by=users["visitator"],
            note="Vi kontakter husstanden inden for to uger.",
        )
    return True


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
                    # at 11 on the day, but not later than an hour ago: one due today is
                    # not in the future, nor within the undo window, when the demo is loaded
                    occurred_at=min(
                        timezone.make_aware(datetime.combine(day, time(11, 0))),
                        timezone.now() - timedelta(hours=1),
                    ),
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
