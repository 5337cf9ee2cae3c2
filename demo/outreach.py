"""Demo outreach history for Vestegnen: information meetings with attendance, door knocks that
got no answer (many, for the hardest to reach), talks, tips from the caretaker and neighbours,
the weekly café and letters awaiting reply. Fictional; deterministic; loaded once."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db.models import F, Value
from django.db.models.functions import Least
from django.utils import timezone
from guardian.shortcuts import assign_perm

from cases.models import Case, Project, StairwellSchedule
from cases.stages import Stage
from households.models import VulnerabilityLevel as Level
from outreach.models import (
    AwaitedReply,
    Channel,
    Contact,
    DropInSession,
    HelpTopic,
    HomeObservation,
    Invitation,
    InvitationChannel,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from outreach.services import UNDO_MINUTES

PLACE = "Fælleshuset, Vestergårdsvej 2"
ATTENDANCE: dict[str | None, float] = {
    Level.NONE: 0.88,
    Level.LESS: 0.6,
    Level.PARTICULARLY: 0.15,
    None: 0.7,
}

CARETAKER_TIPS = (
    "Åbner aldrig døren, men handler i Netto tirsdag formiddag.",
    "Datteren kommer om søndagen – hun vil gerne kontaktes.",
    "Har stor hund. Ring på og vent; han kommer ud på altanen først.",
    "Der har ikke været lys i vinduerne i to uger.",
    "Lugt af røg og affald i opgangen uden for døren.",
    "Hører dårligt – bank hårdt, eller gå om til køkkenvinduet.",
    "Har sagt til mig, at han ikke vil flytte. Virker bange.",
    "Postkassen er fuld; hun tømmer den kun om aftenen.",
)
NEIGHBOUR_TIPS = (
    "Naboen siger, at hun er på hospitalet for tiden.",
    "Naboen fortæller, at han arbejder nat og sover til middag.",
    "Genboen hjælper ham med indkøb og har hans nøgle.",
)
TALK_NOTES = (
    "Talte kort i døren. Vil gerne have besøg, når datteren er der.",
    "Bekymret for flytningen; aftalte at gennemgå varslingsbrevet sammen.",
    "Har ikke åbnet sin post i et stykke tid. Hjalp med at sortere brevene.",
    "Glad for at blive spurgt. Har brug for hjælp til adresseændring.",
    "Takkede nej til hjælp lige nu; må gerne kontaktes igen om en måned.",
)
OBSERVATION_NOTES = (
    "Meget affald i entré og køkken. Movers vil næppe gå ind uden oprydning.",
    "Skimmel i badeværelset og fugt i soveværelset.",
    "Tegn på skadedyr (kakerlakker) i køkkenet.",
)
FOLLOW_UP_NOTES = (
    "Er faldet godt til. Vil gerne høre om fællesspisningen i den nye afdeling.",
    "Savner de gamle naboer. Fortalte om det nye beboerhus og dets café.",
    "Børnene er startet i den nye skole; aftalte at følge op om en måned.",
    "Hjalp med at finde den lokale frivillige besøgstjeneste.",
)
NEXT_STEPS = (
    "Besøg sammen med viceværten",
    "Ring til datteren",
    "Bestil social rengøring",
    "Følg op på adresseændring",
)


def outreach_demo_load(*, users: dict[str, User], today: date) -> bool:
    """Build the outreach history once; returns whether anything was created."""
    try:
        project_a = Project.objects.get(name="Helhedsplan Vestergården")
        project_b = Project.objects.get(name="Omdannelse af Nordparken")
    except Project.DoesNotExist:
        return False
    assign_perm("households.submit_tip", users["vicevaert"], project_a.estate)
    if Meeting.objects.filter(project__in=[project_a, project_b]).exists():
        return False
    rng = random.Random("2650-outreach")
    caseworkers = {project_a.pk: users["sagsbehandler"], project_b.pk: users["sagsbehandler2"]}
    cases = list(
        Case.objects.filter(project__in=[project_a, project_b])
        .open()
        .with_vulnerability()
        .select_related("household__flat__stairwell", "project")
        .order_by("pk")
    )
    contacts: list[Contact] = []
    contacts += _meetings(rng, project_a, cases, caseworker=users["sagsbehandler"], today=today)
    contacts += _meetings(rng, project_b, cases, caseworker=users["sagsbehandler2"], today=today)
    contacts += _knocks_and_talks(rng, cases, caseworkers, officer=users["genhusning"], today=today)
    contacts += _cafe(rng, project_a, cases, caseworker=users["sagsbehandler"], today=today)
    contacts += _letters(rng, cases, officer=users["genhusning"], today=today)
    contacts += _follow_ups(rng, cases, bridge_builder=users["brobygger"])
    Contact.objects.bulk_create(contacts)
    _tips(rng, cases, caretaker=users["vicevaert"], caseworker=users["sagsbehandler"])
    return True


def demo_contacts_settle(*, since: datetime) -> int:
    """Contacts the demo loaders recorded (since `since`) count as recorded when they happened,
    and before the undo window: nothing of the demo offers "Undo" as if just recorded. One of
    today, logged at the moment it was recorded (the letter of today's offer), happened
    before the load too, and still today."""
    before_undo = since - timedelta(minutes=UNDO_MINUTES + 1)
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(since), time(0)))
    Contact.objects.filter(created_at__gte=since, occurred_at__gte=since).update(
        occurred_at=max(before_undo, midnight)
    )
    return Contact.objects.filter(created_at__gte=since).update(
        created_at=Least(F("occurred_at"), Value(before_undo))
    )


def _level(case: Case) -> str | None:
    return case.vulnerability  # type: ignore[attr-defined]  # annotated by with_vulnerability()


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _meetings(
    rng: random.Random, project: Project, cases: list[Case], *, caseworker: User, today: date
) -> list[Contact]:
    """A kick-off for everyone, then a meeting per wave of stairwells 3 weeks before notice."""
    schedules = list(StairwellSchedule.objects.filter(project=project).select_related("stairwell"))
    by_notice: dict[date, list] = defaultdict(list)
    for schedule in schedules:
        if schedule.notice_on:
            by_notice[schedule.notice_on].append(schedule.stairwell)
    plans = [
        (
            min(by_notice) - timedelta(days=60),
            "Helhedsplanen: sådan foregår det",
            [s.stairwell for s in schedules],
        )
    ]
    for notice_on, stairwells in sorted(by_notice.items()):
        held_on = notice_on - timedelta(days=21)
        if -240 <= (held_on - today).days <= 30:
            names = ", ".join(str(stairwell) for stairwell in stairwells)
            plans.append((held_on, f"Genhusning i {names}", stairwells))
    households = {case.household_id: case for case in cases}
    contacts = []
    for held_on, topic, stairwells in plans:
        meeting = Meeting.objects.create(
            project=project,
            held_at=_at(held_on, 17),
            place=PLACE,
            topic=topic,
            created_by=caseworker,
        )
        meeting.stairwells.set(stairwells)
        invited = [
            case
            for case in cases
            if case.project_id == project.pk and case.household.flat.stairwell in stairwells
        ]
        invitations = []
        for case in invited:
            came = held_on < today and rng.random() < ATTENDANCE.get(_level(case), 0.5)
            invitations.append(
                Invitation(
                    meeting=meeting,
                    household_id=case.household_id,
                    sent_via=InvitationChannel.LETTER,
                    sent_on=held_on - timedelta(days=14),
                    attended=came,
                    attendance_recorded_at=meeting.held_at if came else None,
                    attendance_recorded_by=caseworker if came else None,
                )
            )
        if held_on < today:
            others = [
                c for c in households.values() if c.project_id == project.pk and c not in invited
            ]
            for case in rng.sample(others, min(2, len(others))):
                invitations.append(
                    Invitation(
                        meeting=meeting,
                        household_id=case.household_id,
                        invited=False,
                        attended=True,
                        attendance_recorded_at=meeting.held_at,
                        attendance_recorded_by=caseworker,
                    )
                )
        Invitation.objects.bulk_create(invitations)
        contacts += [
            Contact(
                household_id=invitation.household_id,
                case=households.get(invitation.household_id),
                occurred_at=meeting.held_at,
                staff=caseworker,
                channel=Channel.INFO_MEETING,
                outcome=Outcome.TALKED,
                note=topic,
                meeting=meeting,
            )
            for invitation in invitations
            if invitation.attended
        ]
    return contacts


def _knocks_and_talks(
    rng: random.Random,
    cases: list[Case],
    caseworkers: dict[int, User],
    *,
    officer: User,
    today: date,
) -> list[Contact]:
    """The hardest to reach got knock after knock; the others a call or a visit."""
    contacts = []
    now = timezone.now()
    for case in cases:
        level = _level(case)
        staff = caseworkers[case.project_id]
        household_id = case.household_id
        if level == Level.PARTICULARLY:
            knocks = rng.randint(4, 9)
            start = now - timedelta(days=rng.randint(90, 200))
            for index in range(knocks):
                occurred = start + (now - start) * (index + 0.3) / knocks
                last = index == knocks - 1
                reached = last and rng.random() < 0.5
                outcome = (
                    Outcome.TALKED_AT_DOOR
                    if reached
                    else Outcome.NOTE_LEFT
                    if index % 3 == 2
                    else Outcome.NO_ANSWER
                )
                contact = Contact(
                    household_id=household_id,
                    case=case,
                    occurred_at=occurred.replace(
                        hour=rng.choice([9, 10, 13, 15, 17]), minute=rng.choice([0, 15, 30, 45])
                    ),
                    staff=staff,
                    channel=Channel.DOOR_KNOCK,
                    outcome=outcome,
                    note=rng.choice(TALK_NOTES) if reached else "",
                    next_step=rng.choice(NEXT_STEPS) if reached else "",
                    next_step_on=today + timedelta(days=rng.randint(2, 14)) if reached else None,
                )
                if reached and rng.random() < 0.5:
                    contact.outcome = Outcome.VISIT_INSIDE
                    contact.observations = rng.sample(
                        [
                            HomeObservation.RUBBISH,
                            HomeObservation.PESTS,
                            HomeObservation.MOULD,
                            HomeObservation.HOARDING,
                        ],
                        2,
                    )
                    contact.observation_note = rng.choice(OBSERVATION_NOTES)
                contacts.append(contact)
        elif level == Level.LESS:
            for index in range(rng.randint(1, 3)):
                contacts.append(
                    Contact(
                        household_id=household_id,
                        case=case,
                        occurred_at=now
                        - timedelta(days=rng.randint(3 + 25 * index, 25 + 25 * index)),
                        staff=staff,
                        channel=rng.choice([Channel.PHONE, Channel.DOOR_KNOCK]),
                        outcome=rng.choice(
                            [
                                Outcome.TALKED,
                                Outcome.TALKED_AT_DOOR,
                                Outcome.VISIT_INSIDE,
                                Outcome.NO_ANSWER,
                            ]
                        ),
                        note=rng.choice(TALK_NOTES),
                    )
                )
        elif rng.random() < 0.85:  # most households answer the phone
            contacts.append(
                Contact(
                    household_id=household_id,
                    case=case,
                    occurred_at=now - timedelta(days=rng.randint(2, 25)),
                    staff=officer,
                    channel=rng.choice([Channel.PHONE, Channel.SMS]),
                    outcome=Outcome.TALKED,
                    note="Aftalte dato for flyttefirmaets besøg.",
                )
            )
    for contact in contacts:
        contact.occurred_at = min(contact.occurred_at, now - timedelta(hours=1))
    return contacts


def _follow_ups(rng: random.Random, cases: list[Case], *, bridge_builder: User) -> list[Contact]:
    """The bridge-builder has visited most of the households that moved permanently."""
    moved = [c for c in cases if c.stage in (Stage.MOVED_PERMANENTLY, Stage.FOLLOW_UP)]
    now = timezone.now()
    return [
        Contact(
            household_id=case.household_id,
            case=case,
            occurred_at=max(case.stage_changed_at, now - timedelta(days=rng.randint(2, 12))),
            staff=bridge_builder,
            channel=rng.choice([Channel.DOOR_KNOCK, Channel.PHONE]),
            outcome=rng.choice([Outcome.VISIT_INSIDE, Outcome.TALKED]),
            note=rng.choice(FOLLOW_UP_NOTES),
        )
        for case in moved
        if rng.random() < 0.7
    ]


def _cafe(
    rng: random.Random, project: Project, cases: list[Case], *, caseworker: User, today: date
) -> list[Contact]:
    """Kaffen er Klar every Tuesday for the last eight weeks."""
    regulars = [c for c in cases if c.project_id == project.pk and _level(c) != Level.PARTICULARLY]
    last_tuesday = today - timedelta(days=(today.weekday() - 1) % 7 or 7)
    contacts = []
    for week in range(8):
        held_on = last_tuesday - timedelta(weeks=week)
        session = DropInSession.objects.create(
            estate=project.estate, held_on=held_on, place=PLACE, created_by=caseworker
        )
        for case in rng.sample(regulars, min(len(regulars), rng.randint(3, 8))):
            contacts.append(
                Contact(
                    household_id=case.household_id,
                    case=case,
                    occurred_at=_at(held_on, 10),
                    staff=caseworker,
                    channel=Channel.DROP_IN,
                    outcome=Outcome.TALKED,
                    help_topics=sorted(rng.sample(HelpTopic.values[:-1], rng.randint(1, 2))),
                    drop_in_session=session,
                )
            )
    return contacts


def _letters(rng: random.Random, cases: list[Case], *, officer: User, today: date) -> list[Contact]:
    """Offers of a temporary flat and reply forms; most answered, some overdue."""
    chosen = [
        c
        for c in cases
        if c.stage in (Stage.NOTIFIED, Stage.PACKING)
        or (c.project.kind != "renovation" and c.stage == Stage.IDENTIFIED)
    ]
    replies, contacts = [], []
    for case in rng.sample(chosen, min(30, len(chosen))):
        sent_on = today - timedelta(days=rng.randint(8, 40))
        due_on = sent_on + timedelta(days=14)
        answered = rng.random() < (0.4 if _level(case) == Level.PARTICULARLY else 0.8)
        replied_on = min(today, sent_on + timedelta(days=rng.randint(2, 16))) if answered else None
        subject = (
            "Tilbud om midlertidig bolig"
            if case.project.kind == "renovation"
            else "Svarblanket: ønsker til ny bolig"
        )
        replies.append(
            AwaitedReply(
                household_id=case.household_id,
                case=case,
                subject=subject,
                sent_via=InvitationChannel.LETTER,
                sent_on=sent_on,
                due_on=due_on,
                replied_on=replied_on,
                reply_note="Siger ja tak" if answered else "",
                created_by=officer,
            )
        )
        contacts.append(
            Contact(
                household_id=case.household_id,
                case=case,
                occurred_at=_at(sent_on, 12),
                staff=officer,
                channel=Channel.LETTER,
                outcome=Outcome.SENT,
                note=subject,
            )
        )
        if replied_on:
            contacts.append(
                Contact(
                    household_id=case.household_id,
                    case=case,
                    occurred_at=min(_at(replied_on, 12), timezone.now() - timedelta(hours=1)),
                    staff=officer,
                    channel=Channel.LETTER,
                    outcome=Outcome.REPLIED,
                    note=f"{subject}: Siger ja tak",
                )
            )
    AwaitedReply.objects.bulk_create(replies)
    return contacts


def _tips(rng: random.Random, cases: list[Case], *, caretaker: User, caseworker: User) -> None:
    """Tips about the hardest to reach in the caretaker's estate (the first project's)."""
    estate_id = cases[0].project.estate_id
    hard_to_reach = [
        c for c in cases if _level(c) == Level.PARTICULARLY and c.project.estate_id == estate_id
    ]
    tips = []
    for index, case in enumerate(rng.sample(hard_to_reach, min(12, len(hard_to_reach)))):
        from_caretaker = index < 9
        submitted_at = timezone.now() - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 8))
        tips.append(
            Tip(
                flat=case.household.flat,
                household_id=case.household_id,
                source=TipSource.CARETAKER if from_caretaker else TipSource.NEIGHBOUR,
                text=rng.choice(CARETAKER_TIPS if from_caretaker else NEIGHBOUR_TIPS),
                submitted_by=caretaker if from_caretaker else caseworker,
                submitted_at=submitted_at,
                handled_at=submitted_at + timedelta(days=2) if index % 3 == 0 else None,
                handled_by=caseworker if index % 3 == 0 else None,
            )
        )
    Tip.objects.bulk_create(tips)
