"""The personal calendar feed (iCalendar, RFC 5545): a user's planned visits (the next steps of
her contacts), the information meetings she holds, and the follow-up contacts due on her plans.

A phone's calendar is synced to somebody's cloud, so an event says only what kind of thing it
is, which case, and links back into the system: no name, no address, no note, no social data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Household
from outreach.models import Contact
from outreach.permissions import meetings_for_user

# What a feed looks back on (a calendar keeps what it has seen) and how far ahead.
PAST = timedelta(days=30)
AHEAD = timedelta(days=365)


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    path: str
    day: date | None = None
    starts_at: datetime | None = None


# More of what is due for a user, from the apps above outreach (referrals: the follow-up contacts
# due on her plans), added from their AppConfig.ready: each gives her events from `first` to
# `last` (dates) that she may still see, in one query.
CALENDAR_SOURCES: list[Callable[..., list[Event]]] = []


def calendar_source_add(source: Callable[..., list[Event]]) -> None:
    if source not in CALENDAR_SOURCES:
        CALENDAR_SOURCES.append(source)


def case_ref(case_id: int | None) -> str:
    return _("case #%(id)s") % {"id": case_id} if case_id else _("no case")


def calendar_events(*, user: User, today: date) -> list[Event]:
    """Everything due for `user` from a month ago to a year ahead that she may still see.
    Three queries, whatever their number."""
    first, last = today - PAST, today + AHEAD
    events: list[Event] = []
    visits = Contact.objects.filter(
        staff=user,
        next_step_on__range=(first, last),
        household__in=Household.objects.for_user(user),
    ).values_list("pk", "case_id", "household_id", "next_step_on")
    for pk, case_id, household_id, day in visits:
        path = (
            reverse("cases:detail", args=[case_id])
            if case_id
            else reverse("households:detail", args=[household_id])
        )
        summary = _("Planned visit") + f" · {case_ref(case_id)}"
        events.append(Event(uid=f"contact-{pk}", summary=summary, path=path, day=day))
    meetings = (
        meetings_for_user(user)
        .filter(created_by=user, held_at__date__range=(first, last))
        .values_list("pk", "held_at")
    )
    for pk, held_at in meetings:
        events.append(
            Event(
                uid=f"meeting-{pk}",
                summary=_("Information meeting"),
                path=reverse("outreach:meeting", args=[pk]),
                starts_at=held_at,
            )
        )
    for source in CALENDAR_SOURCES:
        events += source(user=user, first=first, last=last)
    return sorted(events, key=lambda e: (e.day or e.starts_at.date(), e.uid))  # type: ignore[union-attr]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets are folded (RFC 5545 3.1)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start = [], 0
    while start < len(data):
        size = 75 if start == 0 else 74
        end = min(start + size, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # not inside a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start = end
    return "\r\n ".join(parts)


def calendar_ics(events: list[Event], *, now: datetime, site_url: str = "") -> str:
    """The feed; its links go to `site_url` (the address the feed was fetched at), else
    SITE_URL. The events' UIDs stay on SITE_URL's host, so a calendar never sees them twice."""
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0] or "genhusning"
    site_url = (site_url or settings.SITE_URL).rstrip("/")
    stamp = now.astimezone(timezone.get_fixed_timezone(0)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//genhusning//kalender//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + _escape(_("genhusning")),
    ]
    for event in events:
        url = site_url + event.path
        lines += ["BEGIN:VEVENT", f"UID:{event.uid}@{host}", f"DTSTAMP:{stamp}"]
        if event.starts_at is not None:
            start = event.starts_at.astimezone(timezone.get_fixed_timezone(0))
            lines += [
                f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                f"DTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%SZ}",
            ]
        else:
            assert event.day is not None
            lines += [
                f"DTSTART;VALUE=DATE:{event.day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{event.day + timedelta(days=1):%Y%m%d}",
            ]
        lines += [
            "SUMMARY:" + _escape(event.summary),
            "DESCRIPTION:" + _escape(url),
            "URL:" + url,
            "CLASS:PRIVATE",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
