"""Deadlines of the rental law, as data: the kinds of letter a rehousing sends, the legal rules
with their source, and the day an answer to each letter is due.

This is the one place a legal period is counted. The letters (``outreach.letters``) ask
``reply_due_on`` for the due date of a letter that expects an answer, and
``termination_text_problems`` before a termination goes out; the offers ask ``reply_due_on``
and ``temporary_flat_needs_agreement``.

Every rule below names its paragraph of almenlejeloven (lov om leje af almene boliger, LBK nr.
928 af 4. september 2019 with later amendments), a link, the day it was last checked, the law's
period and how the last day is found. An organisation may give its tenants more time than the
law (``cases.DeadlineSettings``), never less. The rules marked ``to_confirm`` are our reading
where the law is silent; the organisation's lawyer confirms them (the rules page says so).

Days:
    working day  Monday to Friday and not a Danish public holiday (the ``holidays`` package:
                 New Year's Day, Maundy Thursday, Good Friday, Easter, Ascension, Whit Monday,
                 Christmas). Constitution Day, Christmas Eve and New Year's Eve are not public
                 holidays in Danish law and are working days here.
    moving day   the first working day of a month that is not the day before a public holiday
                 (almenlejeloven § 88, stk. 1); Sundays count as holidays there, but a Saturday
                 is never a working day, so this changes nothing.
    a month      the same day number of the later month, or its last day if it is shorter
                 (31 January + 1 month = 28/29 February).
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

import holidays
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from cases.models import DeadlineSettings, Project


class LetterKind(models.TextChoices):
    NOTICE = "notice", _("Notice of the renovation")
    TERMINATION = "termination", _("Termination")
    OFFER = "offer", _("Offer of a replacement flat")
    AGREEMENT = "agreement", _("Rehousing agreement")
    MEETING = "meeting", _("Invitation to an information meeting")
    REMINDER = "reminder", _("Reminder")
    WELCOME_HOME = "welcome_home", _("Welcome home")
    FOLLOW_UP = "follow_up", _("Follow-up visit")


# --- The rules -------------------------------------------------------------------------------

LAW_URL = "https://www.retsinformation.dk/eli/lta/2019/928"
CHECKED_ON = date(2026, 12, 6)


class RuleKey(models.TextChoices):
    RENOVATION_NOTICE = "renovation_notice", _("Notice of works that need temporary rehousing")
    TERMINATION_NOTICE = "termination_notice", _("Notice of termination (demolition, conversion)")
    OBJECTION = "objection", _("The tenant's objection to a termination")
    OFFER_REPLY = "offer_reply", _("Reply to an offer of a replacement flat")
    TEMPORARY_FLAT_MUNICIPALITY = (
        "temporary_flat_municipality",
        _("A temporary flat lies in the municipality"),
    )


class Unit(models.TextChoices):
    DAYS = "days", _("days")
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")


@dataclass(frozen=True)
class Rule:
    key: str
    source: str  # the paragraph, as lawyers cite it (not translated)
    url: str
    checked_on: date
    default: int | None  # the law's period in `unit`; None: no period (a condition)
    unit: str
    end_day: Promise  # how the last day is found, in words
    setting: str = ""  # the DeadlineSettings field an organisation overrides it with
    minimum: int | None = None  # the organisation may not go below (the law's period)
    to_confirm: Promise | None = None  # our reading where the law is silent

    @property
    def title(self) -> str:
        return str(RuleKey(self.key).label)

    @property
    def unit_label(self) -> str:
        return str(Unit(self.unit).label) if self.unit else ""


RULES: tuple[Rule, ...] = (
    Rule(
        key=RuleKey.RENOVATION_NOTICE,
        source="Almenlejeloven § 33, stk. 2, jf. § 86 a, stk. 2",
        url=LAW_URL,
        checked_on=CHECKED_ON,
        default=3,
        unit=Unit.MONTHS,
        end_day=_(
            "The works may start when the period has run from the day the notice reached the "
            "tenant; on a weekend or public holiday, the next working day."
        ),
        setting="renovation_notice_months",
        minimum=3,
        to_confirm=_(
            "The law gives no rule for a last day on a weekend or holiday; we move it to the "
            "next working day. To be confirmed by the organisation's lawyer, as is the 3 months "
            "for works that make the flat uninhabitable."
        ),
    ),
    Rule(
        key=RuleKey.TERMINATION_NOTICE,
        source="Almenlejeloven § 85, stk. 1, nr. 1, og § 88, stk. 1",
        url=LAW_URL,
        checked_on=CHECKED_ON,
        default=3,
        unit=Unit.MONTHS,
        end_day=_(
            "The tenancy ends on a moving day: the first working day of a month that is not the "
            "day before a public holiday, at least the period after the termination reached "
            "the tenant."
        ),
        setting="termination_notice_months",
        minimum=3,
    ),
    Rule(
        key=RuleKey.OBJECTION,
        source="Almenlejeloven § 89, stk. 2",
        url=LAW_URL,
        checked_on=CHECKED_ON,
        default=6,
        unit=Unit.WEEKS,
        end_day=_(
            "Counted from the day the termination reached the tenant; on a weekend or public "
            "holiday, the next working day. The termination must state its reason and this "
            "right (§ 89, stk. 1), or it is void."
        ),
        setting="objection_weeks",
        minimum=6,
        to_confirm=_(
            "The move of a last day on a weekend or holiday to the next working day is our "
            "reading. To be confirmed by the organisation's lawyer."
        ),
    ),
    Rule(
        key=RuleKey.OFFER_REPLY,
        source="Almenlejeloven § 86, stk. 2",
        url=LAW_URL,
        checked_on=CHECKED_ON,
        default=None,
        unit=Unit.DAYS,
        end_day=_(
            "The project's reply time in days from the day the offer is sent; on a weekend or "
            "public holiday, the next working day. Set on each project."
        ),
        to_confirm=_(
            "The law asks for an offer without undue delay but sets no reply time; the "
            "project's is the organisation's own. To be confirmed by the organisation's lawyer."
        ),
    ),
    Rule(
        key=RuleKey.TEMPORARY_FLAT_MUNICIPALITY,
        source="Almenlejeloven § 86 a, stk. 1",
        url=LAW_URL,
        checked_on=CHECKED_ON,
        default=None,
        unit="",
        end_day=_(
            "A temporary flat in another municipality is offered only with the tenant's "
            "agreement; the offer records who registered it and when."
        ),
    ),
)
RULES_BY_KEY = {rule.key: rule for rule in RULES}


# --- Days ------------------------------------------------------------------------------------


@cache
def _danish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DK", years=year))


def is_public_holiday(day: date) -> bool:
    return day in _danish_holidays(day.year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_public_holiday(day)


def next_working_day(day: date) -> date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _moving_day_of(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day) or _is_holiday_or_sunday(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day


def _is_holiday_or_sunday(day: date) -> bool:
    return day.weekday() == 6 or is_public_holiday(day)


def moving_day_on_or_after(day: date) -> date:
    """The first moving day (almenlejeloven § 88, stk. 1) on or after `day`."""
    this_month = _moving_day_of(day.year, day.month)
    if this_month >= day:
        return this_month
    following = add_months(day.replace(day=1), 1)
    return _moving_day_of(following.year, following.month)


# --- The periods, with the organisation's own values -----------------------------------------


def _settings_for(organisation_id: int | None) -> "DeadlineSettings | None":
    from cases.models import DeadlineSettings

    if organisation_id is None:
        return None
    return DeadlineSettings.objects.filter(organisation_id=organisation_id).first()


def period_for(key: str, settings: "DeadlineSettings | None") -> int:
    """The rule's period for the organisation: its own value, else the law's."""
    rule = RULES_BY_KEY[key]
    own = getattr(settings, rule.setting, None) if settings is not None and rule.setting else None
    if own is not None:
        return own
    if rule.default is None:
        raise ValueError(f"The rule {key} has no period of its own")
    return rule.default


def renovation_notice_ends_on(*, received_on: date, organisation_id: int | None = None) -> date:
    """The first day works that need temporary rehousing may start after the notice."""
    months = period_for(RuleKey.RENOVATION_NOTICE, _settings_for(organisation_id))
    return next_working_day(add_months(received_on, months))


def termination_ends_on(*, received_on: date, organisation_id: int | None = None) -> date:
    """The moving day the tenancy ends on after a termination that reached the tenant then."""
    months = period_for(RuleKey.TERMINATION_NOTICE, _settings_for(organisation_id))
    return moving_day_on_or_after(add_months(received_on, months))


def objection_due_on(*, received_on: date, organisation_id: int | None = None) -> date:
    """The last day the tenant may object in writing to a termination."""
    weeks = period_for(RuleKey.OBJECTION, _settings_for(organisation_id))
    return next_working_day(received_on + timedelta(weeks=weeks))


def offer_reply_due_on(*, sent_on: date, reply_days: int) -> date:
    return next_working_day(sent_on + timedelta(days=reply_days))


def reply_due_on(kind: str, sent_on: date, project: "Project") -> date | None:
    """The day an answer to a letter of this kind is due, or None when it expects no answer.

    An offer and a rehousing agreement are answered within the project's reply time. A
    termination awaits no answer: the tenant's silence accepts it; her objection period is
    ``objection_due_on``.
    """
    if kind in (LetterKind.OFFER, LetterKind.AGREEMENT):
        return offer_reply_due_on(sent_on=sent_on, reply_days=project.reply_days)
    return None


def temporary_flat_needs_agreement(
    *, home_municipality_id: int | None, flat_municipality_id: int | None
) -> bool:
    """Whether offering the temporary flat needs the tenant's agreement (§ 86 a, stk. 1)."""
    return home_municipality_id != flat_municipality_id


# --- The text of a termination ---------------------------------------------------------------

# A termination must state its reason and the tenant's right to object (§ 89, stk. 1), or it is
# void. The Danish text is the one that counts, so it is checked for Danish wording: the reason
# by one of REASON_WORDS, the right to object by "indsigelse" together with the period.
REASON_WORDS = ("opsigelsesgrund", "begrundelse", "grunden til opsigelsen", "opsiges fordi")
OBJECTION_WORD = "indsigelse"
OBJECTION_PERIOD_WORDS = ("6 uger", "seks uger", "objection_due_on", "indsigelsesfrist")


def termination_text_problems(text: str) -> list[str]:
    """What a termination letter's Danish text lacks before it may be sent (empty when nothing).

    A phrase check, not a legal review: the text must name the reason (one of REASON_WORDS,
    e.g. "Opsigelsesgrund: ejendommen skal nedrives") and the right to object
    ("indsigelse" and the period: "6 uger", "seks uger", the deadline's placeholder or
    "indsigelsesfrist").
    """
    flat = " ".join(text.lower().split())
    problems = []
    if not any(word in flat for word in REASON_WORDS):
        problems.append(
            str(
                _(
                    "The termination does not state its reason (almenlejeloven § 89, stk. 1). "
                    "Write it, e.g. “Opsigelsesgrund: …”."
                )
            )
        )
    if OBJECTION_WORD not in flat or not any(word in flat for word in OBJECTION_PERIOD_WORDS):
        problems.append(
            str(
                _(
                    "The termination does not tell the tenant of her right to object within 6 "
                    "weeks (almenlejeloven § 89, stk. 2). Write that she may make a written "
                    "“indsigelse” within 6 weeks."
                )
            )
        )
    return problems
