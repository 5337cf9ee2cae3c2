"""Every write in outreach: typed, keyword-only, under a transaction.

Every touch of a household ends up in its contact log (a knock, a call, a visit to the café,
coming to a meeting, a reply to a letter), so "when was she last reached" has one answer.
"""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, Project
from core.once import once_bind, once_claim
from core.versioning import update_versioned
from households.models import Estate, Flat, Household, Stairwell
from households.permissions import can_view_social_data
from outreach.models import (
    REACHED_OUTCOMES,
    AwaitedReply,
    CalendarFeed,
    Channel,
    Contact,
    DropInSession,
    Flag,
    FlagKind,
    FlagThresholds,
    HelpTopic,
    HomeObservation,
    Invitation,
    InvitationChannel,
    Meeting,
    Outcome,
    Tip,
    TipSource,
)
from outreach.scan import flag_reason_danish, flags_reevaluate_on_commit, safety_concern_facts

UNDO_MINUTES = 10
# A contact "now" on a phone whose clock runs a little ahead is not in the future.
CLOCK_SLACK = timedelta(minutes=5)
MIN_RESOLUTION_LENGTH = 3


LETTER_CHANNELS: dict[str, str] = {
    InvitationChannel.EMAIL: Channel.EMAIL,
    InvitationChannel.SMS: Channel.SMS,
}


def _open_case(household: Household) -> Case | None:
    return household.cases.open().order_by("-opened_at").first()


def _when(day: date) -> datetime:
    """A past day's events are logged at noon that day; today's at the moment of recording."""
    if day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


@transaction.atomic
def contact_record(
    *,
    household: Household,
    by: User | None,
    channel: str,
    outcome: str,
    case: Case | None = None,
    occurred_at: datetime | None = None,
    met: str = "",
    note: str = "",
    observations: Iterable[str] = (),
    observation_note: str = "",
    help_topics: Iterable[str] = (),
    next_step: str = "",
    next_step_on: date | None = None,
    drop_in_session: DropInSession | None = None,
    meeting: Meeting | None = None,
    once_key: UUID | None = None,
) -> Contact:
    """Log one attempt or contact. A next step given here becomes the case's next step."""
    once_claim(key=once_key, model=Contact)
    observations, help_topics = sorted(set(observations)), sorted(set(help_topics))
    if channel not in Channel.values or outcome not in Outcome.values:
        raise ValidationError(_("Choose a channel and an outcome."))
    if set(observations) - set(HomeObservation.values) or set(help_topics) - set(HelpTopic.values):
        raise ValidationError(_("Unknown choice."))
    if (observations or observation_note.strip()) and not (by is None or can_view_social_data(by)):
        raise PermissionDenied("Only the social team records observations about the home.")
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + CLOCK_SLACK:
        raise ValidationError(_("A contact cannot be in the future."))
    if case is not None and case.household_id != household.pk:
        raise ValueError("The case is not this household's")
    case = case or _open_case(household)

    contact = Contact.objects.create(
        household=household,
        case=case,
        occurred_at=occurred_at,
        staff=by,
        channel=channel,
        outcome=outcome,
        met=met.strip(),
        note=note.strip(),
        observations=observations,
        observation_note=observation_note.strip(),
        help_topics=help_topics,
        next_step=next_step.strip(),
        next_step_on=next_step_on,
        drop_in_session=drop_in_session,
        meeting=meeting,
    )
    if outcome in REACHED_OUTCOMES:
        flags_reevaluate_on_commit(household_id=household.pk)
    if case is not None and (next_step.strip() or next_step_on):
        locked = Case.objects.select_for_update().get(pk=case.pk)
        update_versioned(
            locked,
            expected_version=locked.version,
            values={"next_step": next_step.strip(), "next_step_on": next_step_on},
            by=by,
        )
    if outcome == Outcome.SAFETY_CONCERN:
        facts = safety_concern_facts(occurred_at)
        flag_raise(
            household=household,
            case=case,
            kind=FlagKind.SAFETY_CONCERN,
            reason=flag_reason_danish(FlagKind.SAFETY_CONCERN, facts),
            reason_data=facts,
        )
    once_bind(key=once_key, saved=contact)
    return contact


@transaction.atomic
def contact_undo(*, contact: Contact, by: User) -> None:
    """Take back a contact just recorded by mistake (a tap on the wrong flat)."""
    if contact.staff_id != by.pk or contact.created_at < timezone.now() - timedelta(
        minutes=UNDO_MINUTES
    ):
        raise PermissionDenied(
            _("Only the person who recorded it can undo it, within ten minutes.")
        )
    contact.delete()


@transaction.atomic
def tip_submit(
    *, flat: Flat, by: User | None, source: str, text: str, once_key: UUID | None = None
) -> Tip:
    once_claim(key=once_key, model=Tip)
    if source not in TipSource.values:
        raise ValidationError(_("Choose who the tip is from."))
    if not text.strip():
        raise ValidationError(_("Write the tip."))
    household = flat.households.current().first()
    tip = Tip.objects.create(
        flat=flat, household=household, source=source, text=text.strip(), submitted_by=by
    )
    once_bind(key=once_key, saved=tip)
    return tip


@transaction.atomic
def tip_mark_handled(*, tip: Tip, by: User) -> None:
    Tip.objects.filter(pk=tip.pk, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=by
    )


@transaction.atomic
def meeting_create(
    *,
    project: Project,
    by: User | None,
    held_at: datetime,
    place: str,
    topic: str,
    stairwells: Iterable[Stairwell] = (),
    sent_via: str = "",
    sent_on: date | None = None,
    once_key: UUID | None = None,
) -> Meeting:
    once_claim(key=once_key, model=Meeting)
    meeting = Meeting.objects.create(
        project=project, held_at=held_at, place=place, topic=topic, created_by=by
    )
    meeting_invite_stairwells(
        meeting=meeting, stairwells=stairwells, sent_via=sent_via, sent_on=sent_on
    )
    once_bind(key=once_key, saved=meeting)
    return meeting


@transaction.atomic
def meeting_invite_stairwells(
    *,
    meeting: Meeting,
    stairwells: Iterable[Stairwell],
    sent_via: str = "",
    sent_on: date | None = None,
) -> int:
    """Invite every current household of these stairwells; earlier invitations stay as they are."""
    stairwells = list(stairwells)
    if any(stairwell.estate_id != meeting.project.estate_id for stairwell in stairwells):
        raise ValidationError(_("Only stairwells of the project's estate can be invited."))
    if sent_via and sent_via not in InvitationChannel.values:
        raise ValidationError(_("Unknown way of sending."))
    meeting.stairwells.add(*stairwells)
    households = Household.objects.current().filter(flat__stairwell__in=stairwells)
    created = Invitation.objects.bulk_create(
        [
            Invitation(meeting=meeting, household=h, sent_via=sent_via, sent_on=sent_on)
            for h in households
        ],
        ignore_conflicts=True,
    )
    # A walk-in who is now invited too counts as invited from here on.
    Invitation.objects.filter(meeting=meeting, household__in=households, invited=False).update(
        invited=True
    )
    return len(created)


@transaction.atomic
def attendance_mark(
    *,
    meeting: Meeting,
    household: Household,
    by: User | None,
    attended: bool = True,
    once_key: UUID | None = None,
) -> Invitation:
    """Record at the door that a household came (a walk-in is added on the spot), or undo it.

    The key keeps a tap that reaches the server twice (or a retry after the undo) from
    changing the attendance again.
    """
    once_claim(key=once_key, model=Invitation)
    invitation = (
        Invitation.objects.select_for_update().filter(meeting=meeting, household=household).first()
    )
    if invitation is None:
        if not attended:
            raise ValidationError(_("The household was not on the list."))
        invitation = Invitation(meeting=meeting, household=household, invited=False)
    if not attended:
        flags_reevaluate_on_commit(household_id=household.pk)  # may count as missed again
    if not attended and not invitation.invited:
        once_bind(key=once_key, saved=invitation)
        invitation.delete()  # a walk-in registered by mistake
        Contact.objects.filter(meeting=meeting, household=household).delete()
        return invitation
    invitation.attended = attended
    invitation.attendance_recorded_at = timezone.now()
    invitation.attendance_recorded_by = by
    invitation.save()
    if attended:
        if not Contact.objects.filter(meeting=meeting, household=household).exists():
            contact_record(
                household=household,
                by=by,
                channel=Channel.INFO_MEETING,
                outcome=Outcome.TALKED,
                occurred_at=min(meeting.held_at, timezone.now()),
                note=meeting.topic,
                meeting=meeting,
            )
    else:
        Contact.objects.filter(meeting=meeting, household=household).delete()
    once_bind(key=once_key, saved=invitation)
    return invitation


@transaction.atomic
def drop_in_session_create(
    *,
    estate: Estate,
    by: User | None,
    held_on: date,
    place: str,
    name: str = "",
    once_key: UUID | None = None,
) -> DropInSession:
    once_claim(key=once_key, model=DropInSession)
    session = DropInSession.objects.create(
        estate=estate, held_on=held_on, place=place, name=name or "Kaffen er Klar", created_by=by
    )
    once_bind(key=once_key, saved=session)
    return session


@transaction.atomic
def drop_in_visit_record(
    *,
    session: DropInSession,
    household: Household,
    by: User | None,
    help_topics: Iterable[str] = (),
    note: str = "",
    once_key: UUID | None = None,
) -> Contact:
    """Register who came to the café and what they needed help with (once per session)."""
    once_claim(key=once_key, model=Contact)
    existing = Contact.objects.filter(drop_in_session=session, household=household).first()
    if existing is not None:
        existing.help_topics = sorted(set(existing.help_topics) | set(help_topics))
        existing.note = "\n".join(part for part in (existing.note, note.strip()) if part)
        existing.save(update_fields=["help_topics", "note"])
        once_bind(key=once_key, saved=existing)
        return existing
    visit = contact_record(
        household=household,
        by=by,
        channel=Channel.DROP_IN,
        outcome=Outcome.TALKED,
        occurred_at=_when(session.held_on),
        help_topics=help_topics,
        note=note,
        drop_in_session=session,
    )
    once_bind(key=once_key, saved=visit)
    return visit


@transaction.atomic
def awaited_reply_record(
    *,
    household: Household,
    by: User | None,
    subject: str,
    sent_via: str,
    due_on: date,
    sent_on: date | None = None,
    case: Case | None = None,
    once_key: UUID | None = None,
) -> AwaitedReply:
    """A letter or form sent that expects an answer; it is logged as an attempt as well."""
    once_claim(key=once_key, model=AwaitedReply)
    sent_on = sent_on or timezone.localdate()
    if due_on < sent_on:
        raise ValidationError(_("The reply cannot be due before the letter is sent."))
    case = case or _open_case(household)
    reply = AwaitedReply.objects.create(
        household=household,
        case=case,
        subject=subject.strip(),
        sent_via=sent_via,
        sent_on=sent_on,
        due_on=due_on,
        created_by=by,
    )
    contact_record(
        household=household,
        by=by,
        case=case,
        channel=LETTER_CHANNELS.get(sent_via, Channel.LETTER),
        outcome=Outcome.SENT,
        occurred_at=_when(sent_on),
        note=subject.strip(),
    )
    once_bind(key=once_key, saved=reply)
    return reply


@transaction.atomic
def awaited_reply_mark_replied(
    *, reply: AwaitedReply, by: User | None, replied_on: date | None = None, note: str = ""
) -> None:
    replied_on = replied_on or timezone.localdate()
    if replied_on < reply.sent_on:
        raise ValidationError(_("The reply cannot come before the letter was sent."))
    if replied_on > timezone.localdate():
        raise ValidationError(_("The reply cannot be in the future."))
    updated = AwaitedReply.objects.filter(pk=reply.pk, replied_on__isnull=True).update(
        replied_on=replied_on, reply_note=note.strip()
    )
    if updated:
        contact_record(
            household=reply.household,
            by=by,
            case=reply.case,
            channel=Channel.LETTER,
            outcome=Outcome.REPLIED,
            occurred_at=_when(replied_on),
            note=": ".join(part for part in (reply.subject, note.strip()) if part),
        )


def awaited_reply_withdraw(*, reply: AwaitedReply) -> None:
    """Nothing awaits an answer any more (an offer withdrawn); the sent letter stays in the
    contact log."""
    AwaitedReply.objects.filter(pk=reply.pk).delete()


def flag_raise(
    *,
    household: Household,
    kind: str,
    reason: str,
    case: Case | None = None,
    reason_data: dict | None = None,
) -> Flag:
    """Raise a flag unless one of this kind is already open for the household."""
    flag, _created = Flag.objects.get_or_create(
        household=household,
        kind=kind,
        resolved_at=None,
        defaults={"case": case, "reason": reason[:300], "reason_data": reason_data or {}},
    )
    return flag


@transaction.atomic
def flag_resolve(*, flag: Flag, by: User, resolution: str) -> None:
    resolution = resolution.strip()
    if len(resolution) < MIN_RESOLUTION_LENGTH:
        raise ValidationError(_("Write in a few words how the flag was resolved."))
    updated = Flag.objects.filter(pk=flag.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by, resolution=resolution[:300]
    )
    if not updated:
        raise ValidationError(_("The flag was already resolved."))


@transaction.atomic
def thresholds_update(*, project: Project, values: dict) -> FlagThresholds:
    thresholds, _created = FlagThresholds.objects.get_or_create(project=project)
    for name, value in values.items():
        setattr(thresholds, name, value)
    thresholds.full_clean()
    thresholds.save()
    return thresholds


# --- The personal calendar feed -------------------------------------------------------------


def calendar_token_hash(token: str) -> str:
    # The token carries 256 random bits, so a plain hash is enough (no slow password hash).
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, user: User) -> str:
    """A new secret token for the user's feed (the old URL stops working); returns the token,
    which is not stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": calendar_token_hash(token), "created_at": timezone.now()}
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
