"""Reads worth naming in outreach."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.utils import timezone

from cases.models import Case
from core.paging import in_key_order, keyed_page
from households.models import (
    Estate,
    Flat,
    Household,
    Stairwell,
    VulnerabilityAssessment,
    household_name_text,
)
from households.permissions import (
    estate_access_q,
    household_access_parts,
    household_access_q,
    sees_whole_estate,
)
from households.selectors import (
    household_name_of,
    household_search,
    resident_names,
    residents_prefetch,
    stairwell_search,
)
from outreach.models import (
    AwaitedReply,
    Channel,
    Contact,
    DropInSession,
    Flag,
    FlagKind,
    HelpTopic,
    Invitation,
    Meeting,
    Tip,
)
from outreach.permissions import (
    awaited_replies_for_user,
    flags_for_user,
    meetings_for_user,
    open_flags_of_household,
    tip_estates_for_user,
    tips_for_user,
)


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


def _summary_aggregates() -> dict:
    """The counts of a ContactSummary, over a household's contacts."""
    return {
        "attempts": Count("pk"),
        "unanswered": Count("pk", filter=Q(reached=False)),
        "door_knocks": Count("pk", filter=Q(channel=Channel.DOOR_KNOCK)),
        "first_at": Min("occurred_at"),
        "last_at": Max("occurred_at"),
        "last_reached_at": Max("occurred_at", filter=Q(reached=True)),
    }


def contact_summaries(*, household_ids) -> dict[int, ContactSummary]:
    """A summary per household, for any number of households, in two queries."""
    contacts = Contact.objects.filter(household_id__in=household_ids)
    aggregates = _summary_aggregates()
    counts = contacts.values("household_id").annotate(**aggregates)
    latest = {
        contact.household_id: contact
        for contact in contacts.select_related("staff")
        .order_by("household_id", "-occurred_at", "-pk")
        .distinct("household_id")
    }
    return {
        row["household_id"]: ContactSummary(
            **{name: row[name] for name in aggregates}, last=latest.get(row["household_id"])
        )
        for row in counts
    }


def contact_summary(*, household: Household) -> ContactSummary:
    return contact_summaries(household_ids=[household.pk]).get(household.pk, ContactSummary())


def household_contacts(*, household: Household) -> QuerySet[Contact]:
    return household.contacts.select_related("staff", "case__project", "meeting", "drop_in_session")


def household_newest_contacts(
    *, household: Household, count: int
) -> tuple[list[Contact], ContactSummary]:
    """The household's `count` newest contacts and its summary, in one query: the summary's
    counts as window aggregates over all its contacts (computed before the LIMIT), on each row;
    the newest row is the summary's latest."""
    whole = {name: Window(aggregate) for name, aggregate in _summary_aggregates().items()}
    # Only the staff: a log's item (contact_item.html) shows no case, meeting or drop-in.
    contacts = list(household.contacts.select_related("staff").annotate(**whole)[:count])
    if not contacts:
        return [], ContactSummary()
    newest = contacts[0]
    summary = ContactSummary(**{name: getattr(newest, name) for name in whole}, last=newest)
    return contacts, summary


def case_household_open_flags(kind: str) -> QuerySet[Flag]:
    """The open flags of a case's household (OuterRef("household")), of `kind` or "any": the
    caseload's "has flag" filter (cases.selectors.CaseloadFlagFilter)."""
    flags = Flag.objects.filter(household=OuterRef("household"), resolved_at__isnull=True)
    return flags if kind == "any" else flags.filter(kind=kind)


def open_flags(*, household_ids) -> dict[int, list[Flag]]:
    """Open flags per household, for lists (one query)."""
    flags: dict[int, list[Flag]] = {}
    for flag in Flag.objects.filter(
        household_id__in=household_ids, resolved_at__isnull=True
    ).order_by("kind"):
        flags.setdefault(flag.household_id, []).append(flag)
    return flags


# --- door-knock rounds ---


# The usual order of doors on a Danish landing: left, middle, right.
DOOR_ORDER = {"tv": 0, "mf": 1, "th": 2}


@dataclass
class RoundCard:
    """One flat of a door-knock round: who lives there, how hard we have tried, what is open."""

    flat: Flat
    household: Household | None
    case: Case | None
    summary: ContactSummary
    flags: list[Flag]


@dataclass
class RoundFloor:
    floor: int | None
    cards: list[RoundCard]


@dataclass
class RoundStairwell:
    stairwell: Stairwell
    floors: list[RoundFloor]


def _walking_order(flat: Flat) -> tuple:
    """Ground floor first, up the stairs, then basements; doors left to right."""
    floor = flat.floor
    door = flat.door.lower().rstrip(".")
    return (
        flat.stairwell.street,
        flat.stairwell.number,
        flat.stairwell.letter,
        floor is None,
        floor is not None and floor < 0,
        abs(floor or 0),
        DOOR_ORDER.get(door, 9),
        door.zfill(4),
    )


def round_cards(*, user: User, flats: QuerySet[Flat]) -> list[RoundCard]:
    """A card per flat (already filtered to what `user` may see) in walking order.

    A fixed number of queries, whatever the number of flats.
    """
    flat_list = sorted(flats.select_related("stairwell__estate"), key=_walking_order)
    latest_level = VulnerabilityAssessment.objects.filter(household=OuterRef("pk")).order_by(
        "-assessed_at", "-pk"
    )
    households = {
        household.flat_id: household
        for household in Household.objects.for_user(user)
        .current()
        .filter(flat__in=[flat.pk for flat in flat_list])
        .annotate(vulnerability=Subquery(latest_level.values("level")[:1]))
        .prefetch_related(residents_prefetch("residents"))
    }
    household_ids = [household.pk for household in households.values()]
    cases: dict[int, Case] = {}
    for case in (
        Case.objects.for_user(user)
        .open()
        .filter(household_id__in=household_ids)
        .select_related("project")
        .order_by("household_id", "-opened_at")
    ):
        cases.setdefault(case.household_id, case)
    summaries = contact_summaries(household_ids=household_ids)
    flags = open_flags(household_ids=household_ids) if user.has_perm("outreach.view_flag") else {}
    cards = []
    for flat in flat_list:
        household = households.get(flat.pk)
        pk = household.pk if household else None
        cards.append(
            RoundCard(
                flat=flat,
                household=household,
                case=cases.get(pk) if pk else None,
                summary=summaries.get(pk, ContactSummary()) if pk else ContactSummary(),
                flags=flags.get(pk, []) if pk else [],
            )
        )
    return cards


def round_by_floor(cards: list[RoundCard]) -> list[RoundStairwell]:
    """Cards (in walking order) grouped by stairwell, then floor."""
    stairwells: list[RoundStairwell] = []
    for card in cards:
        if not stairwells or stairwells[-1].stairwell.pk != card.flat.stairwell_id:
            stairwells.append(RoundStairwell(stairwell=card.flat.stairwell, floors=[]))
        floors = stairwells[-1].floors
        if not floors or floors[-1].floor != card.flat.floor:
            floors.append(RoundFloor(floor=card.flat.floor, cards=[]))
        floors[-1].cards.append(card)
    return stairwells


def round_card(*, user: User, household: Household) -> RoundCard:
    return round_cards(user=user, flats=Flat.objects.filter(pk=household.flat_id))[0]


@dataclass
class StairwellChoice:
    stairwell: Stairwell
    households: int
    mine: int
    open_flags: int


@dataclass
class EstateChoice:
    estate: Estate
    stairwells: int
    households: int
    mine: int
    open_flags: int


# Up to this many stairwells in all, the round's index lists every one (grouped by estate);
# more, and she chooses the estate first, or searches.
ROUND_ALL_AT_ONCE = 60
ROUND_PAGE = 50  # an estate's stairwells a page
ROUND_FOUND = 30  # a search's stairwells shown
ROUND_MINE = 20  # her own stairwells on the index


def _round_households(user: User) -> QuerySet[Household]:
    return Household.objects.for_user(user).current()


def round_estate_choices(*, user: User) -> list[EstateChoice]:
    """The estates where `user` can knock on doors (a stairwell with a current household she may
    see), by name, with their stairwells, households, hers and open flags counted by the
    database: four queries (three for a user who sees households only through their estates),
    whatever the number of stairwells."""
    # The rule's two ways in apart (household_access_parts), each through its own indexes: the
    # households of the estates she sees whole, and those she sees otherwise (through a case) in
    # other estates. Asked as one, the rule was asked of each of the 50,000 households.
    through_estates, beyond = household_access_parts(user)
    parts = [Household.objects.current().filter(through_estates)]
    if beyond is not None:
        parts.append(Household.objects.current().filter(beyond).exclude(through_estates))
    mine = _my_households(user)
    rows = {
        row["flat__stairwell__estate_id"]: row
        for households in parts
        for row in households.order_by()
        .annotate(flags_of_household=open_flags_of_household(user))
        .values("flat__stairwell__estate_id")
        .annotate(
            stairwells=Count("flat__stairwell_id", distinct=True),
            n=Count("pk"),
            mine=Count("pk", filter=Q(pk__in=mine)),
            open_flags=Sum("flags_of_household"),
        )
    }
    return [
        EstateChoice(
            estate=estate,
            stairwells=rows[estate.pk]["stairwells"],
            households=rows[estate.pk]["n"],
            mine=rows[estate.pk]["mine"],
            open_flags=rows[estate.pk]["open_flags"],
        )
        for estate in Estate.objects.filter(pk__in=list(rows)).order_by("name", "pk")
    ]


def round_estate(*, user: User, pk: str) -> Estate | None:
    """The estate, if `user` can knock on a door in it (a current household she may see)."""
    if not pk.isdigit():
        return None
    households = _round_households(user).filter(flat__stairwell__estate_id=int(pk))
    return Estate.objects.filter(pk=int(pk)).filter(Exists(households)).first()


def round_stairwells(
    *,
    user: User,
    estate: Estate | None = None,
    q: str = "",
    mine_only: bool = False,
    mine_first: bool = False,
) -> QuerySet[Stairwell]:
    """The stairwells where `user` can knock on doors (a current household she may see), by
    estate and address: of one estate, matching a search (street, house number, estate), with
    a household of her open cases (`mine_only`), or those first (`mine_first`)."""
    households = _round_households(user)
    if estate is not None:
        households = households.filter(flat__stairwell__estate=estate)
    mine = households.filter(pk__in=_my_households(user))
    if mine_only:
        households = mine
    if estate is not None:
        # The estate's households first, then their stairwells (a third of the time of
        # asking each stairwell whether it has one).
        stairwells = Stairwell.objects.filter(
            estate=estate, pk__in=households.values("flat__stairwell_id")
        )
    else:
        stairwells = Stairwell.objects.filter(
            Exists(households.filter(flat__stairwell=OuterRef("pk")))
        )
    if q:
        stairwells = stairwell_search(stairwells, q)
    order = ["estate__name", "estate_id", "street", "number", "letter"]
    if mine_first and not mine_only:
        stairwells = stairwells.annotate(
            is_mine=Exists(mine.filter(flat__stairwell=OuterRef("pk")))
        )
        order.insert(0, "-is_mine")
    return stairwells.select_related("estate").order_by(*order)


def round_stairwell_counts(*, user: User, stairwells: list[Stairwell]) -> list[StairwellChoice]:
    """`stairwells` (a page's) with their current households she may see, hers and open flags:
    one query, over those stairwells only."""
    households = _round_households(user).filter(
        flat__stairwell_id__in=[stairwell.pk for stairwell in stairwells]
    )
    counts = {
        row["flat__stairwell_id"]: row
        for row in households.order_by()
        .annotate(flags_of_household=open_flags_of_household(user))
        .values("flat__stairwell_id")
        .annotate(
            n=Count("pk"),
            mine=Count("pk", filter=Q(pk__in=_my_households(user))),
            open_flags=Sum("flags_of_household"),
        )
    }
    return [
        StairwellChoice(
            stairwell=stairwell,
            households=counts.get(stairwell.pk, {}).get("n", 0),
            mine=counts.get(stairwell.pk, {}).get("mine", 0),
            open_flags=counts.get(stairwell.pk, {}).get("open_flags", 0),
        )
        for stairwell in stairwells
    ]


def by_estate(choices: list[StairwellChoice]) -> list[tuple[Estate, list[StairwellChoice]]]:
    """Choices in estate order, grouped under their estate."""
    grouped: dict[int, tuple[Estate, list[StairwellChoice]]] = {}
    for choice in choices:
        estate = choice.stairwell.estate
        grouped.setdefault(estate.pk, (estate, []))[1].append(choice)
    return list(grouped.values())


# --- flags ---


@dataclass(frozen=True)
class FlagFilters:
    scope: str = "all"  # "mine" (my cases), "estates" (the estates I work in) or "all"
    kind: str = ""
    project: int | None = None
    resolved: bool = False


def _my_households(user: User) -> QuerySet:
    return Case.objects.open().filter(assignments__user=user).values("household_id")


def flag_list(*, user: User, filters: FlagFilters) -> QuerySet[Flag]:
    """The flags `user` may see, filtered; safety concerns first, then the newest."""
    flags = flags_for_user(user).filter(resolved_at__isnull=not filters.resolved)
    if filters.scope == "mine":
        flags = flags.filter(household_id__in=_my_households(user))
    elif filters.scope == "estates":
        flags = flags.filter(estate_access_q(user, "household__flat__stairwell__estate"))
    if filters.kind:
        flags = flags.filter(kind=filters.kind)
    if filters.project:
        flags = flags.filter(
            household_id__in=Case.objects.filter(project_id=filters.project).values("household_id")
        )
    if filters.resolved:
        ordered = flags.order_by("-resolved_at", "-pk")
    else:
        safety_first = DbCase(When(kind=FlagKind.SAFETY_CONCERN, then=0), default=1)
        ordered = flags.order_by(safety_first, "-raised_at", "-pk")
    return flag_rows(ordered)


def flag_rows(flags: QuerySet[Flag]) -> QuerySet[Flag]:
    """What a list of flags shows: the household, its residents, the case's project."""
    return flags.select_related(
        "household__flat__stairwell", "case__project", "resolved_by"
    ).prefetch_related(residents_prefetch("household__residents"))


# What a flag's item shows of what it joins (outreach_flags.flag_item_html), besides the flag's
# own columns: the household's flat and address, who resolved it; the case by its id alone.
FLAG_ITEM_RELATED_FIELDS = (
    "household__flat__floor",
    "household__flat__door",
    "household__flat__stairwell__street",
    "household__flat__stairwell__number",
    "household__flat__stairwell__letter",
    "resolved_by__first_name",
    "resolved_by__last_name",
    "resolved_by__username",
)


def flag_page(flags: QuerySet[Flag], number, per_page: int) -> Page:
    """One page of `flags` (flag_list): the visible flags are filtered, counted and sorted
    alone, in one query of their keys (core.paging.keyed_page), without the household, flat and
    project joined to each of them; only the page's rows are read with those (one query more,
    thousands of joined rows fewer), with the columns an item shows and the household's name
    (`household_name`) from a column of the same query (households.selectors.resident_names)
    instead of a prefetch of the residents."""
    page = keyed_page(flags, number, per_page)
    ids = list(page.object_list)
    own = [field.name for field in Flag._meta.concrete_fields]
    rows = (
        Flag.objects.filter(pk__in=ids)
        .order_by()  # the page's order is the keys'
        .select_related("household__flat__stairwell", "resolved_by")
        .only(*own, *FLAG_ITEM_RELATED_FIELDS)
        .annotate(resident_rows=resident_names())
    )
    read = list(rows) if ids else []
    for flag in read:
        name = household_name_text(*household_name_of(flag.resident_rows))
        flag.household_name = name  # type: ignore[attr-defined]  # for flag_item_html
    page.object_list = in_key_order(read, ids)
    return page


def household_open_flags(*, user: User, household: Household) -> QuerySet[Flag]:
    return (
        flags_for_user(user, household_id=household.pk)
        .filter(resolved_at__isnull=True)
        .order_by("kind")
    )


def my_open_flag_count(*, user: User) -> int:
    """Open flags on the households of my open cases (for the navigation)."""
    return (
        flags_for_user(user)
        .filter(resolved_at__isnull=True, household_id__in=_my_households(user))
        .count()
    )


# --- shared by meetings, café, tips and letters ---

_BY_ADDRESS = (
    "flat__stairwell__street",
    "flat__stairwell__number",
    "flat__stairwell__letter",
    "flat__floor",
)


def _by_address(to_household: str = "") -> list:
    """Street, house number, floor, then the doors as on the landing: tv, mf, th, the rest."""
    prefix = f"{to_household}__" if to_household else ""
    door = f"{prefix}flat__door"
    landing = DbCase(
        *(When(**{f"{door}__iexact": name}, then=Value(rank)) for name, rank in DOOR_ORDER.items()),
        default=Value(len(DOOR_ORDER)),
    )
    return [*(f"{prefix}{field}" for field in _BY_ADDRESS), landing, door]


def start_of_today() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


# --- information meetings ---


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

    @property
    def listed(self) -> int:
        """Households on the meeting's list: the invited and the walk-ins."""
        return self.invited + self.walk_ins


def attendance_counts(*, meeting: Meeting) -> AttendanceCounts:
    counts = Invitation.objects.filter(meeting=meeting).aggregate(
        n_invited=Count("pk", filter=Q(invited=True)),
        n_attended=Count("pk", filter=Q(invited=True, attended=True)),
        n_walk_ins=Count("pk", filter=Q(invited=False)),
    )
    return AttendanceCounts(
        invited=counts["n_invited"], attended=counts["n_attended"], walk_ins=counts["n_walk_ins"]
    )


# A meeting's list, on its page and at the door, a page at a time: a meeting of ~50 households
# fits on one page (no page links), one of an estate of thousands is not thousands of rows.
INVITATIONS_PER_PAGE = 50

# The meeting page's filter of its list: who came, who was invited and did not come.
INVITATION_SHOWN = {"came": Q(attended=True), "absent": Q(invited=True, attended=False)}


def meeting_invitation_page(
    *, meeting: Meeting, q: str = "", show: str = "", number=1, per_page: int | None = None
) -> Page:
    """Page `number` of the meeting's list at the door and on its page (invited households and
    walk-ins, by address), of the households matching `q`; `show` "came" (attended) or "absent"
    (invited, did not come): those alone. The same three queries for 5 invitations or 5,000.

    The list's keys come first, all of them in order, and the page is cut from them: a meeting
    invites one estate's households at most, thousands of numbers, sorted in full in some ms
    (2,720 invitations: 11 ms). Asked for only a page of them (LIMIT), PostgreSQL walks every
    household of every estate in address order to find the meeting's first 50 (80 ms). Then
    the page's rows are read with their households, flats and residents.
    """
    invitations = household_search(meeting.invitations.all(), q, to_household="household")
    if show in INVITATION_SHOWN:
        invitations = invitations.filter(INVITATION_SHOWN[show])
    keys: list = list(
        invitations.order_by(*_by_address("household"), "pk").values_list("pk", flat=True)
    )
    page = Paginator(keys, per_page or INVITATIONS_PER_PAGE).get_page(number)
    ids = list(page.object_list)
    rows = (
        Invitation.objects.filter(pk__in=ids)
        .select_related("household__flat__stairwell")
        .prefetch_related(residents_prefetch("household__residents"))
    )
    page.object_list = in_key_order(rows if ids else (), ids)
    return page


def _estate_households(*, user, estate: Estate) -> QuerySet[Household]:
    """The current households of `estate` that `user` may see. She who works in the estate sees
    them all (households.permissions.sees_whole_estate), and the query leaves out the rule of
    visibility, whose OR over every project's cases made PostgreSQL join every household of
    every estate: the walk-ins of "ja" at 50,000 households, 223 ms to 20 ms."""
    households = Household.objects.current().filter(flat__stairwell__estate_id=estate.pk)
    if sees_whole_estate(user, estate):
        return households
    return households.filter(household_access_q(user))


def walk_in_candidates(*, meeting: Meeting, user, q: str, limit: int = 8) -> list[Household]:
    """Households of the project's estate, not on the meeting's list, matching the search."""
    if len(q.strip()) < 2:
        return []
    households = _estate_households(user=user, estate=meeting.project.estate).exclude(
        invitations__meeting=meeting
    )
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch("residents"))
        .order_by(*_by_address())[:limit]
    )


def attendance_household(*, meeting: Meeting, user, household_id: int) -> Household | None:
    """A household that can be marked at this meeting: on its list, or one of its estate."""
    listed = Invitation.objects.filter(meeting=meeting).values("household_id")
    estate = _estate_households(user=user, estate=meeting.project.estate).values("pk")
    return (
        Household.objects.filter(Q(pk__in=listed) | Q(pk__in=estate))
        .filter(pk=household_id)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch("residents"))
        .first()
    )


def household_invitations(*, user, household: Household) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(household=household, meeting__in=meetings_for_user(user))
        .select_related("meeting__project")
        .order_by("-meeting__held_at")
    )


# --- the drop-in café ---


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
        .prefetch_related(residents_prefetch("household__residents"))
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
    households = _estate_households(user=user, estate=session.estate)
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch("residents"))
        .order_by(*_by_address())[:limit]
    )


def drop_in_household(*, session: DropInSession, user, household_id: int) -> Household | None:
    return (
        _estate_households(user=user, estate=session.estate)
        .filter(pk=household_id)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch("residents"))
        .first()
    )


# --- tips ---


def tip_flats(*, user) -> QuerySet[Flat]:
    """The flats `user` may pass on tips about, by estate and address."""
    return (
        Flat.objects.filter(stairwell__estate__in=tip_estates_for_user(user))
        .select_related("stairwell__estate")
        .order_by(
            "stairwell__estate__name",
            "stairwell__estate_id",
            "stairwell__street",
            "stairwell__number",
            "stairwell__letter",
            "floor",
            "door",
        )
    )


def tip_list(*, user) -> QuerySet[Tip]:
    """The tips of `user`'s estates: not yet seen first, then the newest."""
    return (
        tips_for_user(user)
        .select_related("flat__stairwell__estate", "household", "submitted_by", "handled_by")
        .prefetch_related(residents_prefetch("household__residents"))
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


# --- letters awaiting reply ---


def open_letters(*, user, project_id: int | None = None) -> QuerySet[AwaitedReply]:
    """Letters still awaiting a reply, the most overdue first."""
    letters = awaited_replies_for_user(user).filter(replied_on__isnull=True)
    if project_id:
        letters = letters.filter(
            household_id__in=Case.objects.filter(project_id=project_id).values("household_id")
        )
    return (
        letters.select_related("household__flat__stairwell", "case__project")
        .prefetch_related(residents_prefetch("household__residents"))
        .order_by("due_on", "pk")
    )


def household_letters(*, user, household: Household) -> QuerySet[AwaitedReply]:
    """Open letters first (by due date), then the answered ones, newest first."""
    return (
        awaited_replies_for_user(user)
        .filter(household=household)
        .order_by(F("replied_on").desc(nulls_first=True), "due_on", "-pk")
    )


def days_overdue(due_on: date, today: date | None = None) -> int:
    return ((today or timezone.localdate()) - due_on).days
