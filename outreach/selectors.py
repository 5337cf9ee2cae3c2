"""Reads worth naming in outreach."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q, QuerySet

from households.models import Household
from outreach.models import Channel, Contact, Flag


@dataclass(frozen=True)
class ContactSummary:
    """How hard we have tried: "knocked 6 times since March, never answered"."""

    attempts: int = 0
    unanswered: int = 0
    door_knocks: int = 0
    first_at: datetime | None = None
    last_at: datetime | None = None
    last_reached_at: datetime | None = None
    last: Contact | None = None


def contact_summaries(*, household_ids) -> dict[int, ContactSummary]:
    """A summary per household, for any number of households, in two queries."""
    contacts = Contact.objects.filter(household_id__in=household_ids)
    counts = contacts.values("household_id").annotate(
        attempts=Count("pk"),
        unanswered=Count("pk", filter=Q(reached=False)),
        door_knocks=Count("pk", filter=Q(channel=Channel.DOOR_KNOCK)),
        first_at=Min("occurred_at"),
        last_at=Max("occurred_at"),
        last_reached_at=Max("occurred_at", filter=Q(reached=True)),
    )
    latest = {
        contact.household_id: contact
        for contact in contacts.select_related("staff")
        .order_by("household_id", "-occurred_at", "-pk")
        .distinct("household_id")
    }
    return {
        row["household_id"]: ContactSummary(
            attempts=row["attempts"],
            unanswered=row["unanswered"],
            door_knocks=row["door_knocks"],
            first_at=row["first_at"],
            last_at=row["last_at"],
            last_reached_at=row["last_reached_at"],
            last=latest.get(row["household_id"]),
        )
        for row in counts
    }


def contact_summary(*, household: Household) -> ContactSummary:
    return contact_summaries(household_ids=[household.pk]).get(household.pk, ContactSummary())


def household_contacts(*, household: Household) -> QuerySet[Contact]:
    return household.contacts.select_related("staff", "case__project", "meeting", "drop_in_session")


def open_flags(*, household_ids) -> dict[int, list[Flag]]:
    """Open flags per household, for lists (one query)."""
    flags: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(
        household_id__in=household_ids, resolved_at__isnull=True
    ).order_by("kind"):
        flags.setdefault(flag.household_id, []).append(flag)
    return flags


# --- door-knock rounds ---

# --- flags ---

# --- meetings, café, tips and letters ---
# Names that other sections import too are re-imported here, so this part stands on its own.
import re  # noqa: E402
from datetime import date, time  # noqa: E402

from django.db.models import Exists, F, OuterRef, Prefetch  # noqa: E402, F811
from django.utils import timezone  # noqa: E402

from cases.models import Case  # noqa: E402
from households.models import Estate, Flat, Resident  # noqa: E402, F811
from households.permissions import estate_access_q, user_grants  # noqa: E402, F811
from outreach.models import (  # noqa: E402
    AwaitedReply,
    DropInSession,
    HelpTopic,
    Invitation,
    Meeting,
    Tip,
)
from outreach.permissions import (  # noqa: E402
    awaited_replies_for_user,
    meetings_for_user,
    tips_for_user,
)

_FLOOR = re.compile(r"^(\d{1,2})\.$")
_HOUSE_NUMBER = re.compile(r"^(\d{1,4})([a-zA-Z])$")
_FLOOR_WORDS = {"st": 0, "st.": 0, "kl": -1, "kl.": -1}


def household_search_q(term: str, *, to_household: str = "") -> Q:
    """One search word against the residents' names and the flat's address.

    "Egevej 12, 2. tv" is read as street, house number, floor and door. `to_household` is the
    lookup from the searched model to the household ("" when searching households).
    """
    prefix = f"{to_household}__" if to_household else ""
    term = term.strip(",")
    names = Resident.objects.filter(household=OuterRef(to_household or "pk")).filter(
        Q(first_name__icontains=term) | Q(last_name__icontains=term)
    )
    match = Q(Exists(names)) | Q(**{f"{prefix}flat__stairwell__street__icontains": term})
    if term.isdigit():
        match |= Q(**{f"{prefix}flat__stairwell__number": int(term)})
    elif found := _HOUSE_NUMBER.match(term):
        match |= Q(
            **{
                f"{prefix}flat__stairwell__number": int(found[1]),
                f"{prefix}flat__stairwell__letter": found[2].upper(),
            }
        )
    elif found := _FLOOR.match(term):
        match |= Q(**{f"{prefix}flat__floor": int(found[1])})
    elif term.lower() in _FLOOR_WORDS:
        match |= Q(**{f"{prefix}flat__floor": _FLOOR_WORDS[term.lower()]})
    elif len(term) <= 3:
        match |= Q(**{f"{prefix}flat__door__iexact": term})
    return match


def household_search(queryset: QuerySet, q: str, *, to_household: str = "") -> QuerySet:
    """Every word of `q` must match (names or address)."""
    for term in q.split()[:6]:
        if term.strip(","):
            queryset = queryset.filter(household_search_q(term, to_household=to_household))
    return queryset


def _residents_prefetch(path: str) -> Prefetch:
    return Prefetch(path, queryset=Resident.objects.order_by("-is_contact_person", "pk"))


_BY_ADDRESS = (
    "flat__stairwell__street",
    "flat__stairwell__number",
    "flat__stairwell__letter",
    "flat__floor",
    "flat__door",
)


def _by_address(to_household: str = "") -> list[str]:
    prefix = f"{to_household}__" if to_household else ""
    return [f"{prefix}{field}" for field in _BY_ADDRESS]


def start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


# Information meetings


def meetings_with_counts(meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
    """Invited, attended (of the invited) and walk-ins per meeting, in the same query."""
    return meetings.select_related("project__estate").annotate(
        invited_count=Count("invitations", filter=Q(invitations__invited=True)),
        attended_count=Count(
            "invitations", filter=Q(invitations__invited=True, invitations__attended=True)
        ),
        walk_in_count=Count("invitations", filter=Q(invitations__invited=False)),
    )


@dataclass(frozen=True)
class AttendanceCounts:
    invited: int = 0
    attended: int = 0
    walk_ins: int = 0

    @property
    def rate(self) -> int | None:
        """Percent of the invited who came."""
        return round(100 * self.attended / self.invited) if self.invited else None


def attendance_counts(*, meeting: Meeting) -> AttendanceCounts:
    counts = Invitation.objects.filter(meeting=meeting).aggregate(
        n_invited=Count("pk", filter=Q(invited=True)),
        n_attended=Count("pk", filter=Q(invited=True, attended=True)),
        n_walk_ins=Count("pk", filter=Q(invited=False)),
    )
    return AttendanceCounts(
        invited=counts["n_invited"], attended=counts["n_attended"], walk_ins=counts["n_walk_ins"]
    )


def meeting_invitations(*, meeting: Meeting, q: str = "") -> QuerySet[Invitation]:
    """The meeting's list at the door: invited households and walk-ins, by address."""
    invitations = household_search(meeting.invitations.all(), q, to_household="household")
    return (
        invitations.select_related("household__flat__stairwell")
        .prefetch_related(_residents_prefetch("household__residents"))
        .order_by(*_by_address("household"), "pk")
    )


def _estate_households(*, user, estate_id: int) -> QuerySet[Household]:
    return Household.objects.for_user(user).current().filter(flat__stairwell__estate_id=estate_id)


def walk_in_candidates(*, meeting: Meeting, user, q: str, limit: int = 8) -> list[Household]:
    """Households of the project's estate, not on the meeting's list, matching the search."""
    if len(q.strip()) < 2:
        return []
    households = _estate_households(user=user, estate_id=meeting.project.estate_id).exclude(
        invitations__meeting=meeting
    )
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(_residents_prefetch("residents"))
        .order_by(*_by_address())[:limit]
    )


def attendance_household(*, meeting: Meeting, user, household_id: int) -> Household | None:
    """A household that can be marked at this meeting: on its list, or one of its estate."""
    listed = Invitation.objects.filter(meeting=meeting).values("household_id")
    estate = _estate_households(user=user, estate_id=meeting.project.estate_id).values("pk")
    return (
        Household.objects.filter(Q(pk__in=listed) | Q(pk__in=estate))
        .filter(pk=household_id)
        .select_related("flat__stairwell")
        .prefetch_related(_residents_prefetch("residents"))
        .first()
    )


def household_invitations(*, user, household: Household) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(household=household, meeting__in=meetings_for_user(user))
        .select_related("meeting__project")
        .order_by("-meeting__held_at")
    )


# The drop-in café


def drop_in_estates(*, user) -> QuerySet[Estate]:
    """The estates `user` works in, where she can hold a café."""
    return Estate.objects.filter(
        pk__in=Household.objects.filter(estate_access_q(user, "flat__stairwell__estate")).values(
            "flat__stairwell__estate_id"
        )
    ).order_by("name")


def drop_in_visits(*, session: DropInSession) -> list[Contact]:
    """Who came, the latest first; each visit with `topic_labels` (what they needed help with)."""
    visits = list(
        session.visits.select_related("household__flat__stairwell", "staff")
        .prefetch_related(_residents_prefetch("household__residents"))
        .order_by("-created_at", "-pk")
    )
    labels = dict(HelpTopic.choices)
    for visit in visits:
        visit.topic_labels = [labels.get(topic, topic) for topic in visit.help_topics]  # type: ignore[attr-defined]
    return visits


def help_topic_counts(visits) -> list[tuple[str, int]]:
    """How many visitors needed help with each topic, in the order of the topics."""
    counts: dict[str, int] = {}
    for visit in visits:
        for topic in visit.help_topics:
            counts[topic] = counts.get(topic, 0) + 1
    return [(str(label), counts[value]) for value, label in HelpTopic.choices if value in counts]


def drop_in_candidates(*, session: DropInSession, user, q: str, limit: int = 8) -> list[Household]:
    if len(q.strip()) < 2:
        return []
    households = _estate_households(user=user, estate_id=session.estate_id)
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(_residents_prefetch("residents"))
        .order_by(*_by_address())[:limit]
    )


def drop_in_household(*, session: DropInSession, user, household_id: int) -> Household | None:
    return (
        _estate_households(user=user, estate_id=session.estate_id)
        .filter(pk=household_id)
        .select_related("flat__stairwell")
        .prefetch_related(_residents_prefetch("residents"))
        .first()
    )


# Tips


def tip_flats(*, user) -> QuerySet[Flat]:
    """The flats `user` may pass on tips about, by estate and address.

    The rule of permissions.tip_estates_for_user, applied to flats: that function builds
    `pk__organisation_id__in` on Estate and raises FieldError for everyone but superusers.
    """
    if not user.has_perm("outreach.add_tip"):
        return Flat.objects.none()
    flats = Flat.objects.all()
    if not user.is_superuser:
        flats = flats.filter(
            Q(stairwell__estate_id__in=user_grants(user).tip_estates)
            | estate_access_q(user, "stairwell__estate")
        )
    return flats.select_related("stairwell__estate").order_by(
        "stairwell__estate__name",
        "stairwell__estate_id",
        "stairwell__street",
        "stairwell__number",
        "stairwell__letter",
        "floor",
        "door",
    )


def tip_list(*, user) -> QuerySet[Tip]:
    """The tips of `user`'s estates: not yet seen first, then the newest."""
    return (
        tips_for_user(user)
        .select_related("flat__stairwell__estate", "household", "submitted_by", "handled_by")
        .prefetch_related(_residents_prefetch("household__residents"))
        .order_by(F("handled_at").desc(nulls_first=True), "-submitted_at", "-pk")
    )


def household_tips(*, user, household: Household) -> QuerySet[Tip]:
    """Tips about the household's flat, while it lives there."""
    return (
        tips_for_user(user)
        .filter(flat=household.flat_id)
        .filter(Q(household=household) | Q(household__isnull=True))
        .select_related("submitted_by", "handled_by")
        .order_by(F("handled_at").desc(nulls_first=True), "-submitted_at", "-pk")
    )


# Letters awaiting reply


def open_letters(*, user, project_id: int | None = None) -> QuerySet[AwaitedReply]:
    """Letters still awaiting a reply, the most overdue first."""
    letters = awaited_replies_for_user(user).filter(replied_on__isnull=True)
    if project_id:
        letters = letters.filter(
            household_id__in=Case.objects.filter(project_id=project_id).values("household_id")
        )
    return (
        letters.select_related("household__flat__stairwell", "case__project")
        .prefetch_related(_residents_prefetch("household__residents"))
        .order_by("due_on", "pk")
    )


def household_letters(*, user, household: Household) -> QuerySet[AwaitedReply]:
    """Open letters first (by due date), then the answered ones, newest first."""
    return (
        awaited_replies_for_user(user)
        .filter(household=household)
        .select_related("created_by")
        .order_by(F("replied_on").desc(nulls_first=True), "due_on", "-pk")
    )


def days_overdue(due_on: date, today: date | None = None) -> int:
    return ((today or timezone.localdate()) - due_on).days
