"""The flag scan: which households have gone quiet, in a fixed number of queries.

Each rule is one query over the open cases (cases.stages.OPEN_STAGES), filtered by the
project's thresholds (FlagThresholds, or DEFAULT_THRESHOLDS without a row). A household is a
candidate for a kind when one of its open cases matches; the flag points at that case (the most
recently opened one if several match). Per kind the scan then raises a flag for each candidate
without an open one and resolves the open flags of households that are no longer candidates.

The rules (every date is Copenhagen time; "today" is the day of the scan):

MISSED_MEETINGS
    Count the meetings of the case's project already held that the household was invited to
    and did not attend, since the last meeting of the project it attended (attending resets
    the count; a walk-in counts as attending). Flag when the count is at least
    `missed_meetings`.
NO_REPLY
    A letter awaiting the household's reply is unanswered and its due date is before today.
    Resolved when every overdue letter is answered.
NO_CONTACT
    The next deadline of the case is at most `deadline_window_days` days away (or passed at
    most OVERDUE_GRACE_DAYS days ago), and the household has not been reached for at least
    `no_contact_days` days, counted from the latest of: its last reached contact, the opening
    of the case. The next deadline by stage: identified or notified, the stairwell's packing
    date (else the move-out date); packing, the move-out date; temporarily rehoused, return
    notified, packing for return, the return date. The case's own move-out and return dates
    override the stairwell schedule's. No deadline, no flag.
PACKING_NOT_STARTED
    The case is identified or notified and its move-out date is at most `packing_window_days`
    days away (or passed at most OVERDUE_GRACE_DAYS days ago).
FOLLOW_UP_DUE
    A follow-up contact of the case's open follow-up plan (referrals.FollowUpPlan, started when
    the case moved permanently) is due today or earlier and not done. Resolved when every due
    contact is done (recording it marks it done) or the plan is closed.
OFFERS_REFUSED
    The household has refused at least the project's number of suitable offers
    (Project.required_offers, when above 0: every offer made is of a flat that met her hard
    needs, cases/logistics/matching.py) and has no offer awaiting her reply or accepted. The
    case page proposes the next step (a final offer letter, a manager's review); nothing is
    done by itself. Resolved when a new offer is made or accepted.

The same rules run for given households as soon as their facts change (a stage, a case's
dates, a schedule, a contact, an attendance, a letter or its reply): flags_reevaluate_on_commit,
called by outreach's services and, for the apps below outreach, by the receiver of
cases.signals.household_facts_changed. The nightly scan stays the safety net.

A flag resolved by a person (resolved_by set) is not raised again for the household and kind
until there is new evidence after that resolution: a meeting missed after it (while the count
above still holds), a letter that fell due on or after its day, for NO_CONTACT silence counted
from the resolution, for PACKING_NOT_STARTED a change of stage, for FOLLOW_UP_DUE a follow-up
contact that fell due after its day, for OFFERS_REFUSED a refusal after its day.
Flags raised by people (SAFETY_CONCERN) are never touched.
"""

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case as CaseWhen
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import BaseExpression
from django.db.models.functions import Coalesce, Greatest, TruncDate
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext, pgettext

from cases.logistics.models import HOLDING_STATUSES, Offer
from cases.logistics.selectors import with_offers_refused
from cases.models import Case, CaseQuerySet, Project
from cases.stages import Stage
from core.db import BULK_WRITE_ROWS, analyze, count_of
from core.jobs import job_claim, job_heartbeat, job_is_busy, job_mine
from households.models import Estate, Flat, Household, Stairwell
from outreach.models import (
    DEFAULT_THRESHOLDS,
    SCANNED_KINDS,
    AwaitedReply,
    Contact,
    Flag,
    FlagDigest,
    FlagKind,
    FlagThresholds,
    Invitation,
    ScanRun,
    ScanStatus,
)

logger = logging.getLogger(__name__)

OVERDUE_GRACE_DAYS = 30
BEFORE_PACKING = (Stage.IDENTIFIED, Stage.NOTIFIED)
AWAY = (Stage.TEMPORARY, Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN)

# Advisory locks (two int4 keys: a namespace and the lock). Only one full scan at a time; the
# scan and the re-evaluation of single households never write flags at the same time.
LOCK_NAMESPACE = 0x67686E73
SCAN_LOCK = 1
WRITE_LOCK = 2
NIGHTLY_LOCK = 3

# The nightly scan's night starts at the beat's first try (genhusning/settings.py: the beat
# sends it every hour from 02:30 to 08:30, and the first that finds no run of the night queues
# one).
NIGHTLY_SCAN_AT = time(2, 30)


# FOLLOW_UP_DUE reads the follow-up contacts after a permanent move, which referrals keeps
# (FollowUpVisit: plan, label, due_on, done_on, contact). referrals is above outreach: it passes
# their queryset in from ReferralsConfig.ready.
FOLLOW_UP_VISITS: list[Callable[[], QuerySet]] = []


def follow_up_visits_source_add(source: Callable[[], QuerySet]) -> None:
    if source not in FOLLOW_UP_VISITS:
        FOLLOW_UP_VISITS.append(source)


def follow_up_visits() -> QuerySet:
    if not FOLLOW_UP_VISITS:
        raise ImproperlyConfigured("The flag scan needs referrals' follow-up contacts.")
    return FOLLOW_UP_VISITS[0]()


class ScanBusy(Exception):
    """Another full scan holds the scan lock."""


@dataclass
class ScanResult:
    households_scanned: int = 0
    raised: dict[str, int] = field(default_factory=dict)
    resolved: dict[str, int] = field(default_factory=dict)
    # The same numbers per housing organisation (of the case's project), so a manager sees
    # her own: {organisation id: {"households": n, "raised": {kind: n}, "resolved": {kind: n}}}.
    by_organisation: dict[int | None, dict] = field(default_factory=dict)

    def count(self, organisation_id: int | None, what: str, kind: str, n: int = 1) -> None:
        part = self.by_organisation.setdefault(
            organisation_id, {"households": 0, "raised": {}, "resolved": {}}
        )
        part[what][kind] = part[what].get(kind, 0) + n


# --- SQL building blocks ---


def _threshold(name: str) -> Func:
    """The project's threshold, else the default. The default is written into the SQL, not
    sent as a parameter: each parameter is a $n of its own (server-side binding), and
    PostgreSQL would not know a GROUP BY's COALESCE(…, $12) for the SELECT's COALESCE(…, $5)."""
    default = int(DEFAULT_THRESHOLDS[name])  # our constant: nothing a user typed
    return Func(
        F(f"project__flag_thresholds__{name}"),
        template=f"COALESCE(%(expressions)s, {default})",
        output_field=IntegerField(),
    )


def _latest(queryset: QuerySet, field_name: str) -> Subquery:
    return Subquery(queryset.order_by(f"-{field_name}").values(field_name)[:1])


def _days_between(later, earlier) -> Func:
    """date - date is a number of days in PostgreSQL."""
    return Func(
        later, earlier, template="(%(expressions)s)", arg_joiner=" - ", output_field=IntegerField()
    )


def _plus_days(day, days) -> Func:
    return Func(day, days, template="(%(expressions)s)", arg_joiner=" + ", output_field=DateField())


def _day(value: date) -> Value:
    return Value(value, output_field=DateField())


def _manual_resolution(kind: str) -> Subquery:
    """When a person last resolved a flag of this kind for the household."""
    by_person = Flag.objects.filter(
        household_id=OuterRef("household_id"), kind=kind, resolved_by__isnull=False
    )
    return _latest(by_person, "resolved_at")


def _last_reached() -> Subquery:
    return _latest(
        Contact.objects.filter(household_id=OuterRef("household_id"), reached=True), "occurred_at"
    )


def _in_window(field_name: str, today: date, window: str) -> Q:
    return Q(
        **{
            f"{field_name}__gte": today - timedelta(days=OVERDUE_GRACE_DAYS),
            f"{field_name}__lte": _plus_days(_day(today), F(window)),
        }
    )


def _iso_day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        # The project's time zone (a scan runs in the worker, with no other active): read once,
        # not through timezone.localdate's per-call lookup (20,000 flags in a full scan).
        value = value.astimezone(timezone.get_default_timezone()).date()
    return value.isoformat()


def _and_more(reason: str, more: str, count: int) -> str:
    """The reason, and when there are more of the same: "… and 2 other letters"."""
    return f"{reason} {more % {'count': count}}" if count else reason


def _dmy(iso_day: str) -> str:
    value = date.fromisoformat(iso_day)
    return f"{value.day}.{value.month}.{value.year}"


# --- the stored facts and wording as SQL ---
# A full scan raises ~27,000 flags at 50,000 households: their facts (Flag.reason_data) and
# Danish wording (Flag.reason) are computed by the INSERT itself from the candidates' columns
# (`c.<column>`), not in Python row by row. Each piece is SQL text and its parameters; the
# words are the same msgids as the *_reason functions, which word a flag when it is shown
# (test_scan checks that both agree).

# Each kind's reason, worded once: in SQL by the scan's INSERT (the *_stored functions) and in
# Python for the reader's language (the *_reason functions).
REASON_MISSED_MEETINGS = gettext_noop("Missed %(missed)s of %(invited)s meetings (latest %(day)s)")
REASON_NO_REPLY = gettext_noop("No reply to “%(subject)s” (due %(day)s)")
REASON_NO_CONTACT = gettext_noop("Not reached for %(days)s days; %(deadline)s %(day)s")
REASON_PACKING_NOT_STARTED = gettext_noop(
    "Move-out %(day)s; packing has not started (stage: %(stage)s)"
)
REASON_FOLLOW_UP_DUE = gettext_noop("Follow-up contact “%(label)s” was due %(day)s")
REASON_OFFERS_REFUSED = gettext_noop(
    "Refused %(refused)s offers, the project's %(required)s (latest %(day)s): decide the next step"
)

Sql = tuple[str, list]
Stored = tuple[dict[str, Sql], Sql]  # the facts by key, and the reason

_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def _sql_join(parts: Iterable[Sql], separator: str) -> Sql:
    parts = list(parts)
    return separator.join(text for text, _ in parts), [p for _, params in parts for p in params]


def _sql_literal(text: str) -> Sql:
    return "%s::text", [text]


def _sql_str(column: str) -> Sql:
    return f"{column}::text", []


def _sql_template(template: str, **values: Sql) -> Sql:
    """A Python %-template ("Missed %(missed)s of …") as SQL text: its literal parts as
    parameters, its placeholders as the given SQL."""
    parts: list[Sql] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > position:
            parts.append(_sql_literal(template[position : match.start()]))
        parts.append(_sql_literal("%") if match.group(0) == "%%" else values[match.group(1)])
        position = match.end()
    if position < len(template):
        parts.append(_sql_literal(template[position:]))
    text, params = _sql_join(parts, ", ")
    return f"concat({text})", params


def _sql_choice(column: str, labels: dict[str, str]) -> Sql:
    whens = _sql_join(
        (("WHEN %s THEN %s::text", [value, label]) for value, label in labels.items()), " "
    )
    return f"CASE {column} {whens[0]} ELSE {column} END", whens[1]


def _sql_local_day(column: str) -> Sql:
    """The day of a timestamp in the project's time zone (as _iso_day)."""
    return f"({column} AT TIME ZONE %s)::date", [settings.TIME_ZONE]


def _sql_iso(day: Sql) -> Sql:
    return f"to_char({day[0]}, 'YYYY-MM-DD')", day[1]


def _sql_dmy(day: Sql) -> Sql:
    """As _dmy: 7.3.2026."""
    return f"to_char({day[0]}, 'FMDD.FMMM.YYYY')", day[1]


def _sql_and_more(reason: Sql, more: tuple[str, str], count: Sql) -> Sql:
    """As _and_more, the plural chosen as ngettext does for Danish and English (one, other)."""
    one, other = (
        _sql_template(ngettext(*more, n), count=(f"{count[0]}::text", count[1])) for n in (1, 2)
    )
    return _sql_join(
        [
            ("concat(", []),
            reason,
            (f", CASE WHEN {count[0]} = 0 THEN '' WHEN {count[0]} = 1 THEN ' ' || ", count[1]),
            one,
            (" ELSE ' ' || ", []),
            other,
            (" END)", []),
        ],
        "",
    )


# --- the rules: one query each, and the facts a flag's reason is told from ---
# A flag keeps the facts (Flag.reason_data) and is worded when shown, in the reader's language
# (flag_reason_text); Flag.reason keeps the Danish wording for the admin and the mails.


def _missed_meetings(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    """One aggregate over the household's invitations to the project's held meetings (a join
    and GROUP BY per case, not six subqueries per case). Each invitation of a held meeting is
    attended or missed (a walk-in is attended); newest first, attended first on the same
    minute, the missed ones before the first attended are the missed "in a row"."""
    invitation = "household__invitations"
    held = Q(
        **{
            f"{invitation}__meeting__project_id": F("project_id"),
            f"{invitation}__meeting__held_at__lt": now,
        }
    )
    missed = held & Q(**{f"{invitation}__invited": True, f"{invitation}__attended": False})
    newest_first = ArrayAgg(
        f"{invitation}__attended",
        filter=held,
        order_by=(f"-{invitation}__meeting__held_at", f"-{invitation}__attended"),
    )
    return (
        cases.annotate(
            threshold=_threshold("missed_meetings"),
            missed_total=Count(f"{invitation}__pk", filter=missed),
            invited_total=Count(
                f"{invitation}__pk", filter=held & Q(**{f"{invitation}__invited": True})
            ),
            last_missed_at=Max(f"{invitation}__meeting__held_at", filter=missed),
            missed_in_a_row=Coalesce(
                Func(
                    newest_first,
                    Value(True),
                    function="array_position",
                    output_field=IntegerField(),
                )
                - 1,
                F("missed_total"),
            ),
            manual_at=_manual_resolution(FlagKind.MISSED_MEETINGS),
        )
        .filter(missed_in_a_row__gte=F("threshold"))
        .filter(Q(manual_at__isnull=True) | Q(last_missed_at__gt=F("manual_at")))
        .values(
            "household_id", "pk", "opened_at", "last_missed_at", "missed_total", "invited_total"
        )
    )


def _missed_meetings_stored() -> Stored:
    day = _sql_local_day("c.last_missed_at")
    facts = {
        "missed": ("c.missed_total", []),
        "invited": ("c.invited_total", []),
        "day": _sql_iso(day),
    }
    reason = _sql_template(
        _(REASON_MISSED_MEETINGS),
        missed=_sql_str("c.missed_total"),
        invited=_sql_str("c.invited_total"),
        day=_sql_dmy(day),
    )
    return facts, reason


def _missed_meetings_reason(facts: dict) -> str:
    return _(REASON_MISSED_MEETINGS) % {
        "missed": facts["missed"],
        "invited": facts["invited"],
        "day": _dmy(facts["day"]),
    }


def _no_reply(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    overdue = AwaitedReply.objects.filter(
        household_id=OuterRef("household_id"), replied_on__isnull=True, due_on__lt=today
    )
    oldest = overdue.order_by("due_on", "pk")
    return (
        cases.annotate(manual_on=TruncDate(_manual_resolution(FlagKind.NO_REPLY)))
        .filter(Exists(overdue))
        .filter(
            Q(manual_on__isnull=True) | Exists(overdue.filter(due_on__gte=OuterRef("manual_on")))
        )
        .annotate(
            subject=Subquery(oldest.values("subject")[:1]),
            due_on=Subquery(oldest.values("due_on")[:1]),
            overdue=count_of(overdue),
        )
        .values("household_id", "pk", "opened_at", "subject", "due_on", "overdue")
    )


def _no_reply_stored() -> Stored:
    subject = (
        "CASE WHEN char_length(c.subject) <= 80 THEN c.subject"
        " ELSE left(c.subject, 79) || %s::text END",
        ["…"],
    )
    others: Sql = ("(c.overdue - 1)", [])
    facts = {"subject": subject, "day": _sql_iso(("c.due_on", [])), "others": others}
    reason = _sql_template(
        _(REASON_NO_REPLY),
        subject=subject,
        day=_sql_dmy(("c.due_on", [])),
    )
    more = ("and %(count)s other letter", "and %(count)s other letters")
    return facts, _sql_and_more(reason, more, others)


def _no_reply_reason(facts: dict) -> str:
    reason = _(REASON_NO_REPLY) % {
        "subject": facts["subject"],
        "day": _dmy(facts["day"]),
    }
    others = facts["others"]
    more = ngettext("and %(count)s other letter", "and %(count)s other letters", others)
    return _and_more(reason, more, others)


def _next_deadline(cases: CaseQuerySet) -> CaseQuerySet:
    """Annotate the next deadline of the schedule by stage, and which deadline it is."""
    return cases.with_schedule().annotate(
        deadline=CaseWhen(
            When(
                stage__in=BEFORE_PACKING,
                then=Coalesce("schedule_packing_on", "effective_move_out_on"),
            ),
            When(stage=Stage.PACKING, then=F("effective_move_out_on")),
            When(stage__in=AWAY, then=F("effective_return_on")),
            output_field=DateField(),
        ),
        deadline_kind=CaseWhen(
            When(
                stage__in=BEFORE_PACKING, schedule_packing_on__isnull=False, then=Value("packing")
            ),
            When(stage__in=(*BEFORE_PACKING, Stage.PACKING), then=Value("move_out")),
            When(stage__in=AWAY, then=Value("return")),
            default=Value(""),
        ),
    )


def _no_contact(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    return (
        _next_deadline(cases)
        .annotate(window=_threshold("deadline_window_days"))
        .filter(_in_window("deadline", today, "window"))
        .annotate(
            threshold=_threshold("no_contact_days"),
            # PostgreSQL's GREATEST skips NULLs: never reached, never resolved.
            silent_since=Greatest(
                _last_reached(), F("opened_at"), _manual_resolution(FlagKind.NO_CONTACT)
            ),
            silent_days=_days_between(_day(today), TruncDate("silent_since")),
        )
        .filter(silent_days__gte=F("threshold"))
        .values("household_id", "pk", "opened_at", "silent_days", "deadline", "deadline_kind")
    )


def _deadline_label(kind: str) -> str:
    return {
        "packing": pgettext("flag deadline", "packing"),
        "move_out": pgettext("flag deadline", "move-out"),
        "return": pgettext("flag deadline", "return"),
    }[kind]


def _no_contact_stored() -> Stored:
    facts = {
        "days": ("c.silent_days", []),
        "deadline": ("c.deadline_kind", []),
        "day": _sql_iso(("c.deadline", [])),
    }
    labels = {kind: _deadline_label(kind) for kind in ("packing", "move_out", "return")}
    reason = _sql_template(
        _(REASON_NO_CONTACT),
        days=_sql_str("c.silent_days"),
        deadline=_sql_choice("c.deadline_kind", labels),
        day=_sql_dmy(("c.deadline", [])),
    )
    return facts, reason


def _no_contact_reason(facts: dict) -> str:
    return _(REASON_NO_CONTACT) % {
        "days": facts["days"],
        "deadline": _deadline_label(facts["deadline"]),
        "day": _dmy(facts["day"]),
    }


def _packing_not_started(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    return (
        cases.filter(stage__in=BEFORE_PACKING)
        .with_schedule()
        .annotate(
            window=_threshold("packing_window_days"),
            manual_at=_manual_resolution(FlagKind.PACKING_NOT_STARTED),
        )
        .filter(_in_window("effective_move_out_on", today, "window"))
        .filter(Q(manual_at__isnull=True) | Q(manual_at__lt=F("stage_changed_at")))
        .values("household_id", "pk", "opened_at", "effective_move_out_on", "stage")
    )


def _packing_not_started_stored() -> Stored:
    day: Sql = ("c.effective_move_out_on", [])
    facts = {"day": _sql_iso(day), "stage": ("c.stage", [])}
    reason = _sql_template(
        _(REASON_PACKING_NOT_STARTED),
        day=_sql_dmy(day),
        stage=_sql_choice("c.stage", {stage.value: str(stage.label) for stage in Stage}),
    )
    return facts, reason


def _packing_not_started_reason(facts: dict) -> str:
    return _(REASON_PACKING_NOT_STARTED) % {
        "day": _dmy(facts["day"]),
        "stage": Stage(facts["stage"]).label,
    }


def _follow_up_due(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    due = follow_up_visits().filter(
        plan__case_id=OuterRef("pk"),
        plan__closed_on__isnull=True,
        done_on__isnull=True,
        due_on__lte=today,
    )
    oldest = due.order_by("due_on", "pk")
    return (
        cases.annotate(manual_on=TruncDate(_manual_resolution(FlagKind.FOLLOW_UP_DUE)))
        .filter(Exists(due))
        .filter(Q(manual_on__isnull=True) | Exists(due.filter(due_on__gt=OuterRef("manual_on"))))
        .annotate(
            label=Subquery(oldest.values("label")[:1]),
            due_on=Subquery(oldest.values("due_on")[:1]),
            due_count=count_of(due),
        )
        .values("household_id", "pk", "opened_at", "label", "due_on", "due_count")
    )


def _follow_up_due_stored() -> Stored:
    others: Sql = ("(c.due_count - 1)", [])
    facts = {"label": ("c.label", []), "day": _sql_iso(("c.due_on", [])), "others": others}
    reason = _sql_template(
        _(REASON_FOLLOW_UP_DUE),
        label=("c.label", []),
        day=_sql_dmy(("c.due_on", [])),
    )
    more = ("and %(count)s more is due", "and %(count)s more are due")
    return facts, _sql_and_more(reason, more, others)


def _follow_up_due_reason(facts: dict) -> str:
    reason = _(REASON_FOLLOW_UP_DUE) % {
        "label": facts["label"],
        "day": _dmy(facts["day"]),
    }
    others = facts["others"]
    more = ngettext("and %(count)s more is due", "and %(count)s more are due", others)
    return _and_more(reason, more, others)


def _offers_refused(cases: CaseQuerySet, today: date, now: datetime) -> QuerySet:
    return (
        with_offers_refused(cases)
        .annotate(manual_on=TruncDate(_manual_resolution(FlagKind.OFFERS_REFUSED)))
        .filter(Q(manual_on__isnull=True) | Q(last_refused_on__gt=F("manual_on")))
        .annotate(required_offers=F("project__required_offers"))
        .values(
            "household_id", "pk", "opened_at", "refused_count", "required_offers", "last_refused_on"
        )
    )


def _offers_refused_stored() -> Stored:
    facts = {
        "refused": ("c.refused_count", []),
        "required": ("c.required_offers", []),
        "day": _sql_iso(("c.last_refused_on", [])),
    }
    reason = _sql_template(
        _(REASON_OFFERS_REFUSED),
        refused=_sql_str("c.refused_count"),
        required=_sql_str("c.required_offers"),
        day=_sql_dmy(("c.last_refused_on", [])),
    )
    return facts, reason


def _offers_refused_reason(facts: dict) -> str:
    return _(REASON_OFFERS_REFUSED) % {
        "refused": facts["refused"],
        "required": facts["required"],
        "day": _dmy(facts["day"]),
    }


def safety_concern_facts(occurred_at: datetime) -> dict:
    return {"day": _iso_day(occurred_at)}


def _safety_concern_reason(facts: dict) -> str:
    return _("Safety concern at a contact on %(day)s.") % {"day": _dmy(facts["day"])}


# --- why a flag went away (one UPDATE per kind chooses the text per flag) ---


def _reached_since_raised() -> Exists:
    return Exists(
        Contact.objects.filter(
            household_id=OuterRef("household_id"),
            reached=True,
            created_at__gte=OuterRef("raised_at"),
        )
    )


def _resolutions(kind: str) -> list[tuple[Q | BaseExpression, str]]:
    """(condition, text) pairs in order, the last one unconditional. Only the kind's own are
    built (building every kind's querysets for each kind was most of a household's
    re-evaluation after a save)."""
    open_case = Case.objects.open().filter(household_id=OuterRef("household_id"))
    no_open_case = (~Exists(open_case), _("Resolved automatically: the household has no open case"))
    specific: list[tuple[Q | BaseExpression, str]]
    if kind == FlagKind.MISSED_MEETINGS:
        specific = [
            (
                Exists(
                    Invitation.objects.filter(
                        household_id=OuterRef("household_id"),
                        attended=True,
                        attendance_recorded_at__gte=OuterRef("raised_at"),
                    )
                ),
                _("Resolved automatically: the household came to a meeting"),
            ),
            (Q(), _("Resolved automatically: now below the project's threshold")),
        ]
    elif kind == FlagKind.NO_REPLY:
        specific = [(Q(), _("Resolved automatically: the letters have been answered"))]
    elif kind == FlagKind.NO_CONTACT:
        specific = [
            (_reached_since_raised(), _("Resolved automatically: the household has been reached")),
            (Q(), _("Resolved automatically: no deadline is near any more")),
        ]
    elif kind == FlagKind.PACKING_NOT_STARTED:
        specific = [
            (
                ~Exists(open_case.filter(stage__in=BEFORE_PACKING)),
                _("Resolved automatically: the case has moved on to packing"),
            ),
            (Q(), _("Resolved automatically: the move-out is no longer near")),
        ]
    elif kind == FlagKind.FOLLOW_UP_DUE:
        specific = [
            (
                Exists(
                    follow_up_visits().filter(
                        plan__case__household_id=OuterRef("household_id"),
                        contact__created_at__gte=OuterRef("raised_at"),
                    )
                ),
                _("Resolved automatically: the follow-up contact has been made"),
            ),
            (Q(), _("Resolved automatically: the follow-up is no longer due")),
        ]
    elif kind == FlagKind.OFFERS_REFUSED:
        specific = [
            (
                Exists(
                    Offer.objects.filter(
                        case__household_id=OuterRef("household_id"),
                        status__in=HOLDING_STATUSES,
                    )
                ),
                _("Resolved automatically: a new offer awaits her reply or is accepted"),
            ),
            (Q(), _("Resolved automatically: no longer refused the project's offers")),
        ]
    else:
        raise KeyError(kind)
    return [no_open_case, *specific]


def _resolution_expression(kind: str) -> CaseWhen:
    *conditional, (_always, default) = _resolutions(kind)
    return CaseWhen(
        *(When(condition, then=Value(text)) for condition, text in conditional),
        default=Value(default),
    )


# Per kind: the candidates (one query), and the facts and wording stored with a new flag.
Rule = tuple[Callable[[CaseQuerySet, date, datetime], QuerySet], Callable[[], Stored]]

RULES: dict[str, Rule] = {
    FlagKind.MISSED_MEETINGS: (_missed_meetings, _missed_meetings_stored),
    FlagKind.NO_REPLY: (_no_reply, _no_reply_stored),
    FlagKind.NO_CONTACT: (_no_contact, _no_contact_stored),
    FlagKind.PACKING_NOT_STARTED: (_packing_not_started, _packing_not_started_stored),
    FlagKind.FOLLOW_UP_DUE: (_follow_up_due, _follow_up_due_stored),
    FlagKind.OFFERS_REFUSED: (_offers_refused, _offers_refused_stored),
}
assert set(RULES) == set(SCANNED_KINDS), "every scanned kind needs a rule"

REASONS: dict[str, Callable[[dict], str]] = {
    FlagKind.MISSED_MEETINGS: _missed_meetings_reason,
    FlagKind.NO_REPLY: _no_reply_reason,
    FlagKind.NO_CONTACT: _no_contact_reason,
    FlagKind.PACKING_NOT_STARTED: _packing_not_started_reason,
    FlagKind.FOLLOW_UP_DUE: _follow_up_due_reason,
    FlagKind.SAFETY_CONCERN: _safety_concern_reason,
    FlagKind.OFFERS_REFUSED: _offers_refused_reason,
}


def flag_reason_text(flag: Flag) -> str:
    """The flag's reason in the active language, told from its facts (else the stored text)."""
    reason = REASONS.get(flag.kind)
    if reason is None or not flag.reason_data:
        return flag.reason
    try:
        return reason(flag.reason_data)
    except (KeyError, ValueError, TypeError):  # facts of an older shape: the words as stored
        return flag.reason


def flag_reason_danish(kind: str, facts: dict) -> str:
    """The reason to store: in Danish, whatever the language of the request or the process."""
    with translation.override(settings.LANGUAGE_CODE):
        return REASONS[kind](facts)[:300]


# --- the scan ---


def _lock(*, full_scan: bool) -> None:
    """Serialise flag writers. A second full scan gives up at once (ScanBusy); the scan and the
    re-evaluation of a household wait briefly for each other (lock_timeout)."""
    statement_timeout, lock_timeout = ("120s", "30s") if full_scan else ("10s", "10s")
    with connection.cursor() as cursor:
        # A plan gone bad on stale statistics must fail the scan, not hang it for hours.
        # No JIT for the rules' queries (as in production, docker-compose.yml): on a server that
        # has it on, compiling them took longer than running them (3 of 4 s of a full scan).
        # A full scan's commit does not wait for its WAL to reach the disk (26,000 new flags
        # took 0.5-1 s to flush): the flags are derived, and the run is recorded as succeeded
        # only by a later, synchronous commit (_finish), whose flush covers this one. A crash in
        # between leaves the run unfinished, and the dispatcher runs it again.
        cursor.execute(
            "SELECT set_config('statement_timeout', %s, true),"
            " set_config('lock_timeout', %s, true), set_config('jit', 'off', true),"
            " set_config('synchronous_commit',"
            " CASE WHEN %s THEN 'off' ELSE current_setting('synchronous_commit') END, true),"
            # The missed-meetings rule sorts ~150,000 invitations at 50,000 households: in
            # memory, not in temporary files (the server's default work_mem is 4 MB).
            " set_config('work_mem', CASE WHEN %s THEN '64MB' ELSE current_setting('work_mem')"
            " END, true)",
            [statement_timeout, lock_timeout, full_scan, full_scan],
        )
        if full_scan:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, SCAN_LOCK])
            if not cursor.fetchone()[0]:
                raise ScanBusy
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, WRITE_LOCK])


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _kind_write(
    kind: str, candidates: QuerySet, flags: QuerySet, stored: Stored, now: datetime
) -> list[tuple[str, int | None, int]]:
    """One statement per kind raises and resolves its flags: the candidates (one per household,
    on her most recently opened matching case) are materialised once; a candidate without an
    open flag of the kind gets one, its facts and Danish wording computed by the INSERT; an
    open flag whose household is no candidate any more is resolved with the reason why. The
    partial unique index one_open_flag_per_kind has the last word (ON CONFLICT DO NOTHING).
    Returns ("raised" or "resolved", organisation id, count) rows."""
    candidates_sql, candidates_params = candidates.order_by().query.sql_with_params()
    gone = flags.filter(kind=kind).annotate(
        resolution_text=_resolution_expression(kind),
        organisation_id=F("case__project__estate__organisation_id"),
    )
    gone_sql, gone_params = gone.values(
        "pk", "household_id", "resolution_text", "organisation_id"
    ).query.sql_with_params()
    facts, reason = stored
    facts_sql = _sql_join(
        ((f"%s::text, {value}", [key, *params]) for key, (value, params) in facts.items()), ", "
    )
    flag, case, project, estate = (_table(m) for m in (Flag, Case, Project, Estate))
    household, flat_table, stairwell = (_table(m) for m in (Household, Flat, Stairwell))
    sql = (
        # The ORM's SQL and the models' tables; every value is a parameter.
        f"WITH c AS MATERIALIZED (SELECT DISTINCT ON (household_id) * FROM ({candidates_sql}) r"  # noqa: S608
        " ORDER BY household_id, opened_at DESC, pk DESC),"
        f" new AS (INSERT INTO {flag} (household_id, case_id, kind, reason, reason_data,"
        f" raised_at, resolution, estate_id) SELECT c.household_id, c.pk, %s,"
        f" left({reason[0]}, 300), jsonb_build_object({facts_sql[0]}), %s, '',"
        # the household's estate, which the flag keeps (Flag.estate; the database would set it)
        f" (SELECT s.estate_id FROM {household} h JOIN {flat_table} f ON f.id = h.flat_id"
        f" JOIN {stairwell} s ON s.id = f.stairwell_id WHERE h.id = c.household_id)"
        f" FROM c WHERE c.household_id NOT IN"
        f" (SELECT household_id FROM {flag} WHERE kind = %s AND resolved_at IS NULL)"
        " ON CONFLICT DO NOTHING RETURNING case_id),"
        f" gone AS MATERIALIZED (SELECT * FROM ({gone_sql}) g WHERE g.household_id NOT IN"
        " (SELECT household_id FROM c)),"
        f" resolved AS (UPDATE {flag} f SET resolved_at = %s, resolved_by_id = NULL,"
        " resolution = gone.resolution_text FROM gone WHERE f.id = gone.pk AND"
        " f.resolved_at IS NULL RETURNING gone.organisation_id)"
        f" SELECT 'raised', e.organisation_id, count(*) FROM new JOIN {case} k ON k.id ="
        f" new.case_id JOIN {project} p ON p.id = k.project_id JOIN {estate} e ON e.id ="
        " p.estate_id GROUP BY e.organisation_id"
        " UNION ALL SELECT 'resolved', organisation_id, count(*) FROM resolved GROUP BY"
        " organisation_id"
    )
    params = [
        *candidates_params,
        kind,
        *reason[1],
        *facts_sql[1],
        now,
        kind,
        *gone_params,
        now,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _households_scanned(cases: CaseQuerySet) -> dict[int | None, int]:
    """The households with an open case, per organisation and in all (the key None)."""
    rows = cases.order_by().values(
        "household_id", organisation_id=F("project__estate__organisation_id")
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT organisation_id, GROUPING(organisation_id), count(DISTINCT household_id)"  # noqa: S608 (the ORM's SQL)
            f" FROM ({sql}) c GROUP BY GROUPING SETS ((organisation_id), ())",
            params,
        )
        return {None if whole else organisation: n for organisation, whole, n in cursor}


@transaction.atomic
def flags_evaluate(
    *, household_ids: Iterable[int] | None = None, today: date | None = None
) -> ScanResult:
    """Raise and resolve the scanned flags of every household, or of these households only.

    A fixed number of queries whatever the number of households: timeouts and locks (3), the
    households, and one statement per scanned kind that raises and resolves its flags
    (_kind_write). `today` is the day the rules count from (the current one by default).
    Raises ScanBusy when another full scan is running. Idempotent: a second run changes
    nothing.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    ids = None if household_ids is None else sorted(set(household_ids))
    if ids == []:
        return ScanResult()
    _lock(full_scan=ids is None)

    cases = Case.objects.open()
    flags = Flag.objects.filter(kind__in=SCANNED_KINDS, resolved_at__isnull=True).order_by()
    if ids is not None:
        cases = cases.filter(household_id__in=ids)
        flags = flags.filter(household_id__in=ids)
    scanned = _households_scanned(cases)
    result = ScanResult(households_scanned=scanned.pop(None, 0))
    for organisation_id, households in scanned.items():
        result.by_organisation[organisation_id] = {
            "households": households,
            "raised": {},
            "resolved": {},
        }
    with translation.override(settings.LANGUAGE_CODE):  # the stored wording is Danish
        for kind, (candidates, stored) in RULES.items():
            changes = _kind_write(kind, candidates(cases, today, now), flags, stored(), now)
            for what, organisation_id, count in changes:
                totals = result.raised if what == "raised" else result.resolved
                totals[kind] = totals.get(kind, 0) + count
                result.count(organisation_id, what, kind, count)
    return result


class _Reevaluation:
    """The households one transaction changed, re-evaluated once when it commits."""

    def __init__(self) -> None:
        self.household_ids: set[int] = set()

    def __call__(self) -> None:
        try:
            flags_evaluate(household_ids=self.household_ids)
        except DatabaseError:
            logger.warning(
                "Flags of households %s not re-evaluated; the nightly scan will",
                sorted(self.household_ids),
            )


def _ids(household_ids: Iterable[int] | QuerySet) -> set[int]:
    whole_rows = isinstance(household_ids, QuerySet) and not household_ids._fields  # type: ignore[attr-defined]
    if whole_rows and household_ids.model is Household:  # type: ignore[union-attr]
        household_ids = household_ids.values_list("pk", flat=True)  # type: ignore[union-attr]
    return {int(pk) for pk in household_ids}


def flags_reevaluate_on_commit(
    *, household_ids: Iterable[int] | QuerySet = (), household_id: int | None = None
) -> None:
    """Once the current transaction commits, run the scan's rules for these households (ids,
    or a queryset of households or of their ids), so flags follow the work: a flag is raised
    when a stage, a date or a schedule calls for it, and goes when its cause went away (she
    was reached, came, replied). One evaluation per transaction, whatever the number of calls
    and households; not a recorded run. The nightly scan stays the safety net."""
    ids = _ids(household_ids)
    if household_id is not None:
        ids.add(household_id)
    if not ids:
        return
    connection = transaction.get_connection()
    open_savepoints = set(connection.savepoint_ids)
    for savepoints, callback, _robust in connection.run_on_commit:
        # One registered in a block that encloses this one commits (or not) with it.
        if isinstance(callback, _Reevaluation) and set(savepoints) <= open_savepoints:
            callback.household_ids |= ids
            return
    reevaluation = _Reevaluation()
    reevaluation.household_ids = ids
    transaction.on_commit(reevaluation, robust=True)


# --- recorded runs ---


def scan_run_queue(*, triggered_by: User | None = None) -> ScanRun:
    return ScanRun.objects.create(status=ScanStatus.QUEUED, triggered_by=triggered_by)


def nightly_scan_queue(*, now: datetime | None = None) -> ScanRun | None:
    """Queue tonight's scan, or None if the night has one already (queued, running or
    succeeded; the dispatcher of core/jobs.py sees it through).

    The beat sends the nightly scan every hour of the morning, and each send asks here: a send
    that never reached Redis (the beat advances its schedule all the same), a beat that was
    down, or one whose schedule file was lost, is made up by the next hour's; a second send (a
    beat killed before it saved its schedule sends again on restart, a message redelivered
    after its worker died) queues nothing. "Kør nu" does not count: it is not the night's."""
    local = timezone.localtime(now or timezone.now())
    night = local.replace(
        hour=NIGHTLY_SCAN_AT.hour, minute=NIGHTLY_SCAN_AT.minute, second=0, microsecond=0
    )
    if night > local:
        night -= timedelta(days=1)
    with transaction.atomic():
        with connection.cursor() as cursor:  # two sends at once: the second waits, then sees
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, NIGHTLY_LOCK])
        tonight = ScanRun.objects.filter(
            triggered_by__isnull=True,
            queued_at__gte=night,
            status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING, ScanStatus.SUCCEEDED],
        )
        if tonight.exists():
            return None
        return scan_run_queue()


def _finish(run: ScanRun, attempt: int, **values) -> ScanRun:
    """Record the end of this attempt of the run, as long as the run is still this attempt's:
    one whose heartbeat went silent was taken back by the dispatcher and may be a newer
    attempt's in another worker by now, whose end is that attempt's to record."""
    values["finished_at"] = timezone.now()
    try:
        written = job_mine(ScanRun, run.pk, attempt).update(**values)
    except DatabaseError:
        logger.exception("Could not record the end of flag scan %s", run.pk)
        return run
    if not written:
        logger.warning("Flag scan %s attempt %s: its end was not recorded", run.pk, attempt)
        return run
    for name, value in values.items():
        setattr(run, name, value)
    return run


def scan_run_claim(*, run: ScanRun, retry_of: int | None = None) -> int | None:
    """Start the recorded run in this worker: its attempt number, or None when another worker
    has it, it is finished, or it has had all its attempts (core/jobs.py `job_claim`; a task's
    retry names the attempt that failed, `retry_of`)."""
    attempt = job_claim(ScanRun, run.pk, retry_of=retry_of)
    if attempt is not None:
        job_mine(ScanRun, run.pk, attempt).update(
            started_at=timezone.now(), finished_at=None, error=""
        )
    run.refresh_from_db()
    return attempt


def flag_scan_run(
    *, triggered_by: User | None = None, run: ScanRun | None = None, attempt: int | None = None
) -> ScanRun:
    """Run the full scan and record it: a new ScanRun, or `run` (queued, or failed and retried).

    `run` is claimed here (`scan_run_claim`) unless the caller has claimed it as `attempt`
    (the task, whose retry names the attempt). A run that another worker has already finished
    or is running is left alone (a task delivered twice: one of them starts it). While it
    runs, its heartbeat tells the dispatcher it is alive. A second scan while one runs is
    recorded as skipped with the reason. Any other error is recorded and raised again.
    """
    if run is None:
        now = timezone.now()
        run = ScanRun.objects.create(
            status=ScanStatus.RUNNING,
            triggered_by=triggered_by,
            started_at=now,
            attempts=1,
            heartbeat_at=now,
        )
        attempt = 1
    elif attempt is None:
        attempt = scan_run_claim(run=run)
        if attempt is None:
            return run
    try:
        with job_heartbeat(ScanRun, run.pk, attempt):
            result = flags_evaluate()
    except ScanBusy:
        with translation.override(settings.LANGUAGE_CODE):
            message = _("Another scan was running at the same time.")
        return _finish(run, attempt, status=ScanStatus.SKIPPED, error=message)
    except Exception as exc:
        _finish(run, attempt, status=ScanStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    if sum(result.raised.values()) + sum(result.resolved.values()) >= BULK_WRITE_ROWS:
        analyze(Flag)  # the flags page plans with today's count of open flags, not yesterday's
    return _finish(
        run,
        attempt,
        status=ScanStatus.SUCCEEDED,
        households_scanned=result.households_scanned,
        raised=result.raised,
        resolved=result.resolved,
        by_organisation=result.by_organisation,
        error="",
    )


def flag_scan_request(*, by: User) -> ScanRun:
    """Queue a scan for a worker now ("run now"). If the queue cannot be reached, the run is
    recorded as failed with the reason at once. Call outside a transaction: the worker must
    find the run committed."""
    from core.queue import enqueue_job_now
    from outreach.tasks import flag_scan

    run = scan_run_queue(triggered_by=by)
    if not enqueue_job_now(flag_scan, ScanRun, run.pk):
        with translation.override(settings.LANGUAGE_CODE):
            message = _("The job queue did not answer, so the scan was not started.")
        ScanRun.objects.filter(pk=run.pk, status=ScanStatus.QUEUED).update(
            status=ScanStatus.FAILED, finished_at=timezone.now(), error=message
        )
    run.refresh_from_db()
    return run


def project_thresholds(*, project: Project) -> dict[str, int]:
    """The thresholds the scan uses for the project: its own, or the defaults."""
    own = FlagThresholds.objects.filter(project=project).values(*DEFAULT_THRESHOLDS).first()
    return own or dict(DEFAULT_THRESHOLDS)


def scan_runs_recent(*, limit: int = 30) -> QuerySet[ScanRun]:
    return ScanRun.objects.select_related("triggered_by").order_by("-queued_at", "-pk")[:limit]


def scan_run_active() -> ScanRun | None:
    """A scan a worker runs now, or is about to (core/jobs.py `job_is_busy`): a run whose worker
    died, or whose message Redis lost, never blocks "run now"."""
    candidates = ScanRun.objects.filter(
        status__in=[ScanStatus.QUEUED, ScanStatus.RUNNING]
    ).order_by("-queued_at")[:5]
    return next((run for run in candidates if job_is_busy(run)), None)


def last_successful_scan() -> ScanRun | None:
    return ScanRun.objects.filter(status=ScanStatus.SUCCEEDED).order_by("-finished_at").first()


def is_active(run: ScanRun, *, now: datetime | None = None) -> bool:
    """Queued or running, and not given up on."""
    return run.status in (ScanStatus.QUEUED, ScanStatus.RUNNING) and job_is_busy(run, now=now)


# --- the morning digest ---

# A digest covers the flags raised from one cut-off to the next (the nightly scan runs before).
DIGEST_CUTOFF = time(6, 0)


def _digest_recipients() -> QuerySet[User]:
    can_view_flags = Q(codename="view_flag", content_type__app_label="outreach")
    from django.contrib.auth.models import Permission

    permission = Permission.objects.filter(can_view_flags)
    return (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(groups__permissions__in=permission) | Q(user_permissions__in=permission))
        .distinct()
        .order_by("pk")
    )


def _flags_link() -> str:
    try:
        path = reverse("outreach:flags")
    except NoReverseMatch:  # the flags page is not there yet: the caseload shows flags too
        path = reverse("home")
    return settings.SITE_URL + path


@transaction.atomic
def _digest_send(*, user: User, today: date, until: datetime) -> bool:
    last = FlagDigest.objects.filter(user=user, sent_on__lt=today).order_by("-sent_on").first()
    since = (
        timezone.make_aware(datetime.combine(last.sent_on, DIGEST_CUTOFF))
        if last
        else until - timedelta(days=1)
    )
    counts = dict(
        Flag.objects.filter(
            household__in=Household.objects.for_user(user),
            raised_at__gte=since,
            raised_at__lt=until,
            resolved_at__isnull=True,
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = sum(counts.values())
    if not total:
        return False
    try:
        with transaction.atomic():
            FlagDigest.objects.create(user=user, sent_on=today, flag_count=total)
    except IntegrityError:  # already sent today
        return False
    with translation.override(settings.LANGUAGE_CODE):
        lines = [
            f"- {FlagKind(kind).label}: {counts[kind]}"
            for kind in FlagKind.values
            if kind in counts
        ]
        send_mail(
            subject=_("New flags in genhusning"),
            message=ngettext(
                "Since the last digest, %(count)s new flag was raised on the households you"
                " work with:\n\n%(lines)s\n\nSee it here: %(link)s\n",
                "Since the last digest, %(count)s new flags were raised on the households you"
                " work with:\n\n%(lines)s\n\nSee them here: %(link)s\n",
                total,
            )
            % {"count": total, "lines": "\n".join(lines), "link": _flags_link()},
            from_email=None,
            recipient_list=[user.email],
        )
    return True


def flag_digests_send(*, today: date | None = None) -> int:
    """E-mail each member of staff the number of new flags per kind on the households she can
    see (no names, no addresses: the mail leaves the system). At most once per person per day;
    a mail that fails is rolled back and sent by the next run. Returns how many were sent."""
    today = today or timezone.localdate()
    until = timezone.make_aware(datetime.combine(today, DIGEST_CUTOFF))
    return sum(_digest_send(user=user, today=today, until=until) for user in _digest_recipients())
