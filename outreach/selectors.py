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
