"""Every write of a project's life from the app: set it up, schedule it, open and distribute its
cases, close it. Typed, keyword-only, under a transaction."""

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cases.logistics.models import HOLDING_STATUSES, Offer, RehousingKind
from cases.models import (
    SCHEDULE_DATE_FIELDS,
    AssignmentRole,
    Case,
    CaseAssignment,
    CaseUserObjectPermission,
    DistributionNotice,
    Project,
    ScheduleChange,
    StairwellSchedule,
    schedule_date_label,
)
from cases.planning.selectors import (
    households_without_case,
    open_cases_without_caseworker,
    project_caseworkers,
)
from cases.services import cases_open
from cases.signals import household_facts_changed
from cases.stages import Stage
from core.once import once_bind, once_claim
from core.outbox import outbox_sweep
from core.queue import enqueue_on_commit
from core.versioning import update_versioned
from households.models import Estate, Household, Stairwell

logger = logging.getLogger(__name__)

PROJECT_EDITABLE_FIELDS = (  # in the order of the form (planning.forms.ProjectForm)
    "kind",
    "name",
    "number",
    "lbf_number",
    "starts_on",
    "ends_on",
    "required_offers",
    "reply_days",
    "description",
)


def _check_stairwells(*, estate: Estate, stairwells: Iterable[Stairwell]) -> list[Stairwell]:
    chosen = list(stairwells)
    if not chosen:
        raise ValidationError({"stairwells": _("Choose the stairwells the project affects.")})
    foreign = [str(stairwell) for stairwell in chosen if stairwell.estate_id != estate.pk]
    if foreign:
        raise ValidationError(
            {
                "stairwells": _("Not in the estate %(estate)s: %(stairwells)s.")
                % {"estate": estate.name, "stairwells": ", ".join(foreign)}
            }
        )
    return chosen


@transaction.atomic
def project_create(
    *,
    estate: Estate,
    by: User | None,
    data: dict,
    stairwells: Iterable[Stairwell],
    once_key: uuid.UUID | None = None,
    then: Iterable[Callable[[Project], None]] = (),
) -> Project:
    """A new project on the estate, affecting the chosen stairwells (all of the estate's).
    A form posted twice (its one-time key) makes one project: AlreadySaved the second time.
    `then`: the saves of the form's other sections (planning/sections.py), in this transaction."""
    unknown = set(data) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    chosen = _check_stairwells(estate=estate, stairwells=stairwells)
    once_claim(key=once_key, model=Project)
    project = Project(estate=estate, updated_by=by, **data)
    project.full_clean(exclude=["stairwells"])
    project.save()
    project.stairwells.set(chosen)
    for save in then:
        save(project)
    once_bind(key=once_key, saved=project)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    by: User | None,
    expected_version: int,
    data: dict,
    stairwells: Iterable[Stairwell],
    then: Iterable[Callable[[Project], None]] = (),
) -> Project:
    """Save the project's fields and stairwells unless someone saved it since `expected_version`,
    then the form's other sections (`then`, planning/sections.py), all in one transaction.

    A stairwell whose households already have a case in the project stays affected.
    """
    unknown = set(data) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if project.closed_at is not None:
        raise ValidationError(_("The project is closed and can no longer be changed."))
    chosen = _check_stairwells(estate=project.estate, stairwells=stairwells)
    kept = set(
        Case.objects.filter(project=project)
        .exclude(household__flat__stairwell__in=chosen)
        .values_list("household__flat__stairwell", flat=True)
    )
    if kept:
        names = ", ".join(str(s) for s in Stairwell.objects.filter(pk__in=kept))
        raise ValidationError(
            {
                "stairwells": _("These stairwells have cases in the project and stay: %(names)s.")
                % {"names": names}
            }
        )
    candidate = Project(pk=project.pk, estate=project.estate, **data)
    candidate.full_clean(exclude=["stairwells"], validate_unique=False)
    update_versioned(project, expected_version=expected_version, values=data, by=by)
    project.stairwells.set(chosen)
    # A stairwell no longer affected loses its schedule row.
    project.schedules.exclude(stairwell__in=chosen).delete()
    for save in then:
        save(project)
    return project


# --- the stairwell schedule ---------------------------------------------------------------------

ORDER_MESSAGES = {
    "packing_on": gettext_lazy("Packing must not be before the notice."),
    "move_out_on": gettext_lazy("The move-out must not be before packing."),
    "return_on": gettext_lazy("The return must not be before the move-out."),
}

Dates = dict[str, date | None]


def schedule_fields(project: Project) -> tuple[str, ...]:
    """The dates a stairwell of the project has: a return only if households come home."""
    if project.expects_return:
        return SCHEDULE_DATE_FIELDS
    return SCHEDULE_DATE_FIELDS[:3]


def check_schedule_row(dates: Dates) -> list[tuple[str, str]]:
    """(field, message) for each date before the one it follows (the database agrees)."""
    errors = []
    previous: tuple[str, date] | None = None
    for name in SCHEDULE_DATE_FIELDS:
        value = dates.get(name)
        if value is None:
            continue
        if previous is not None and value < previous[1]:
            errors.append((name, str(ORDER_MESSAGES[name])))
        previous = (name, value)
    return errors


@dataclass(frozen=True)
class DateChange:
    stairwell: Stairwell
    field: str
    old: date | None
    new: date | None

    @property
    def label(self) -> str:
        return schedule_date_label(self.field)


def schedule_current(*, project: Project) -> dict[int, Dates]:
    """The saved dates per affected stairwell (None where there is no row or no date)."""
    saved = {
        row["stairwell_id"]: row
        for row in StairwellSchedule.objects.filter(project=project).values(
            "stairwell_id", *SCHEDULE_DATE_FIELDS
        )
    }
    return {
        stairwell_id: {name: saved.get(stairwell_id, {}).get(name) for name in SCHEDULE_DATE_FIELDS}
        for stairwell_id in project.stairwells.values_list("pk", flat=True)
    }


def schedule_changes(*, project: Project, proposed: dict[int, Dates]) -> list[DateChange]:
    """What `proposed` changes of the saved schedule, stairwell by stairwell in address order.
    A stairwell not affected by the project is refused (ValidationError)."""
    current = schedule_current(project=project)
    unknown = set(proposed) - set(current)
    if unknown:
        raise ValidationError(_("A stairwell is not one of the project's stairwells."))
    stairwells = Stairwell.objects.in_bulk(list(proposed))
    changes = []
    for stairwell in sorted(stairwells.values(), key=lambda s: (s.street, s.number, s.letter)):
        dates = proposed[stairwell.pk]
        if check_schedule_row({**current[stairwell.pk], **dates}):
            raise ValidationError(
                _("The dates of %(stairwell)s are not in order.") % {"stairwell": stairwell}
            )
        for name in schedule_fields(project):
            if name in dates and dates[name] != current[stairwell.pk][name]:
                changes.append(
                    DateChange(stairwell, name, current[stairwell.pk][name], dates[name])
                )
    return changes


def _write_schedule(*, project: Project, changes: list[DateChange]) -> None:
    by_stairwell: dict[int, dict[str, date | None]] = defaultdict(dict)
    for change in changes:
        by_stairwell[change.stairwell.pk][change.field] = change.new
    existing = {
        row.stairwell_id: row
        for row in StairwellSchedule.objects.select_for_update().filter(
            project=project, stairwell_id__in=list(by_stairwell)
        )
    }
    new_rows: list[StairwellSchedule] = []
    changed_rows: list[StairwellSchedule] = []
    for stairwell_id, values in by_stairwell.items():
        row = existing.get(stairwell_id) or StairwellSchedule(
            project=project, stairwell_id=stairwell_id
        )
        for name, value in values.items():
            setattr(row, name, value)
        (changed_rows if row.pk else new_rows).append(row)
    StairwellSchedule.objects.bulk_create(new_rows)
    StairwellSchedule.objects.bulk_update(changed_rows, list(SCHEDULE_DATE_FIELDS))


def touched_household_ids(*, project: Project, changes: list[DateChange]) -> list[int]:
    """The households with an open case in the project in a stairwell whose dates change."""
    stairwells = {change.stairwell.pk for change in changes}
    return sorted(
        Case.objects.open()
        .filter(project=project, household__flat__stairwell__in=stairwells)
        .values_list("household_id", flat=True)
    )


@transaction.atomic
def schedule_apply(
    *, project: Project, proposed: dict[int, Dates], by: User | None, reason: str = ""
) -> list[DateChange]:
    """Save the proposed dates, a history row per changed date, and tell the apps above
    (household_facts_changed: outreach re-evaluates the flags of the touched households when
    the change commits).

    Changing a date already set needs a reason; filling an empty one does not. Applying the
    same dates again changes nothing (and writes no history).
    """
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one change at a time
    if project.closed_at is not None:
        raise ValidationError(_("The project is closed and can no longer be changed."))
    changes = schedule_changes(project=project, proposed=proposed)
    if not changes:
        return []
    reason = reason.strip()
    if not reason and any(change.old is not None for change in changes):
        raise ValidationError({"reason": _("Write why the dates change.")})
    _write_schedule(project=project, changes=changes)
    now = timezone.now()
    ScheduleChange.objects.bulk_create(
        [
            ScheduleChange(
                project=project,
                stairwell=change.stairwell,
                field=change.field,
                old_date=change.old,
                new_date=change.new,
                changed_by=by,
                changed_at=now,
                reason=reason[:300],
            )
            for change in changes
        ]
    )
    household_ids = touched_household_ids(project=project, changes=changes)
    household_facts_changed.send(sender=Project, household_ids=household_ids)
    return changes


# --- what a change touches, before it is applied ------------------------------------------------

# What the apps above cases know of the touched households, passed in from their
# AppConfig.ready (outreach). An effect is called with the household ids inside a savepoint,
# once with the saved schedule and once with the proposed one, and returns a set of facts (the
# open flags as (household id, kind label)); the preview shows what only the proposed one has
# (appears) and what only the saved one has (goes). A letters source returns the letters
# already sent to those households ({"household_id", "subject", "sent_on"}).
SCHEDULE_EFFECTS: dict[str, Callable[[list[int]], set]] = {}
SENT_LETTERS: list[Callable[[list[int]], list[dict]]] = []


def schedule_effect_add(name: str, effect: Callable[[list[int]], set]) -> None:
    SCHEDULE_EFFECTS[name] = effect


def sent_letters_source_add(source: Callable[[list[int]], list[dict]]) -> None:
    if source not in SENT_LETTERS:
        SENT_LETTERS.append(source)


@dataclass
class TouchedCase:
    case: Case
    dates: list[DateChange]  # the changes that reach the household (not overridden by the case)


@dataclass
class OfferClash:
    offer: Offer
    reason: str


@dataclass
class SchedulePreview:
    changes: list[DateChange]
    cases: list[TouchedCase] = field(default_factory=list)
    households_without_case: int = 0
    offers: list[OfferClash] = field(default_factory=list)
    # name of the effect -> (appears, goes)
    effects: dict[str, tuple[set, set]] = field(default_factory=dict)
    letters: list[dict] = field(default_factory=list)


OWN_DATES = {"move_out_on": "move_out_on", "return_on": "return_on"}  # the case's own override


def _offer_clash(offer: Offer, dates: Dates) -> str:
    """Why the offer's held period no longer fits the household's new dates ("" if it does)."""
    move_out, back = dates.get("move_out_on"), dates.get("return_on")
    flat = offer.pool_flat
    if move_out is not None and move_out < offer.holds_from:
        return _("The flat is held from %(day)s; the household moves out %(new)s.") % {
            "day": offer.holds_from.strftime("%d.%m.%Y"),
            "new": move_out.strftime("%d.%m.%Y"),
        }
    if offer.kind == RehousingKind.TEMPORARY and back is not None:
        if offer.holds_until is not None and back > offer.holds_until:
            return _("The flat is held until %(day)s; the household returns %(new)s.") % {
                "day": offer.holds_until.strftime("%d.%m.%Y"),
                "new": back.strftime("%d.%m.%Y"),
            }
        if flat.available_to is not None and back > flat.available_to:
            return _("The flat is available until %(day)s; the household returns %(new)s.") % {
                "day": flat.available_to.strftime("%d.%m.%Y"),
                "new": back.strftime("%d.%m.%Y"),
            }
    return ""


def schedule_preview(*, project: Project, proposed: dict[int, Dates]) -> SchedulePreview:
    """What applying `proposed` would touch: the households whose dates move, the offers whose
    held period no longer fits, and each effect of the apps above (flags, letters). Nothing is
    saved: the effects are measured in a savepoint that is rolled back."""
    changes = schedule_changes(project=project, proposed=proposed)
    preview = SchedulePreview(changes=changes)
    if not changes:
        return preview
    new_dates = schedule_current(project=project)
    for change in changes:
        new_dates[change.stairwell.pk][change.field] = change.new
    stairwells = {change.stairwell.pk for change in changes}
    cases = list(
        Case.objects.open()
        .filter(project=project, household__flat__stairwell__in=stairwells)
        .select_related("household__flat__stairwell")
        .prefetch_related("household__residents")
        .order_by(
            "household__flat__stairwell__street",
            "household__flat__stairwell__number",
            "household__flat__floor",
            "household__flat__door",
        )
    )
    for case in cases:
        stairwell_id = case.household.flat.stairwell_id
        reaching = [
            change
            for change in changes
            if change.stairwell.pk == stairwell_id
            and getattr(case, OWN_DATES.get(change.field, ""), None) is None
        ]
        if reaching:
            preview.cases.append(TouchedCase(case, reaching))
    preview.households_without_case = (
        Household.objects.current()
        .filter(flat__stairwell__in=stairwells)
        .exclude(cases__project=project)
        .count()
    )
    by_case = {touched.case.pk: touched.case for touched in preview.cases}
    offers = Offer.objects.filter(
        case_id__in=list(by_case), status__in=HOLDING_STATUSES
    ).select_related("pool_flat__flat__stairwell")
    for offer in offers:
        case = by_case[offer.case_id]
        dates = dict(new_dates[case.household.flat.stairwell_id])
        dates["move_out_on"] = case.move_out_on or dates.get("move_out_on")
        dates["return_on"] = case.return_on or dates.get("return_on")
        reason = _offer_clash(offer, dates)
        if reason:
            preview.offers.append(OfferClash(offer, reason))
    household_ids = sorted(touched.case.household_id for touched in preview.cases)
    preview.letters = [letter for source in SENT_LETTERS for letter in source(household_ids)]
    if household_ids and SCHEDULE_EFFECTS:
        with transaction.atomic():
            savepoint = transaction.savepoint()
            before = {name: effect(household_ids) for name, effect in SCHEDULE_EFFECTS.items()}
            _write_schedule(project=project, changes=changes)
            after = {name: effect(household_ids) for name, effect in SCHEDULE_EFFECTS.items()}
            transaction.savepoint_rollback(savepoint)
        preview.effects = {
            name: (after[name] - before[name], before[name] - after[name]) for name in before
        }
    return preview


# --- opening the cases --------------------------------------------------------------------------


@transaction.atomic
def project_open_cases(*, project: Project, by: User | None) -> int:
    """A case for every household of the affected stairwells without one (cases_open: the first
    stage, its history and checklist, in a fixed number of queries). Running it again opens
    only what is missing. Returns how many were opened."""
    if project.closed_at is not None:
        raise ValidationError(_("The project is closed and can no longer be changed."))
    missing = households_without_case(project=project).values_list("pk", flat=True)
    return len(cases_open(household_ids=missing, project=project, by=by))


# --- distributing the cases ---------------------------------------------------------------------


def distribution_counts(*, project: Project, plan: dict[int, User]) -> dict[User, int]:
    """How many cases each person would get: the open cases of her stairwells without a
    caseworker."""
    free = dict(
        open_cases_without_caseworker(project=project)
        .filter(household__flat__stairwell__in=list(plan))
        .values_list("household__flat__stairwell")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[User, int] = defaultdict(int)
    for stairwell_id, user in plan.items():
        counts[user] += free.get(stairwell_id, 0)
    return dict(counts)


@transaction.atomic
def project_distribute(*, project: Project, plan: dict[int, User], by: User | None) -> int:
    """Give each person the open cases of her stairwells that have no caseworker yet: the
    assignment and the access to the case, in a fixed number of queries. Cases that already
    have a caseworker keep her. Returns how many cases were assigned.

    No mail per case (a stairwell is dozens of them): each person gets one notice (a
    DistributionNotice, mailed on commit, or by the sweep) naming her stairwells and how many
    cases of each she got.
    """
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if project.closed_at is not None:
        raise ValidationError(_("The project is closed and can no longer be changed."))
    allowed = set(project_caseworkers(project=project).values_list("pk", flat=True))
    if any(user.pk not in allowed for user in plan.values()):
        raise ValidationError(_("This person cannot be assigned to the case."))
    affected = set(project.stairwells.values_list("pk", flat=True))
    if set(plan) - affected:
        raise ValidationError(_("A stairwell is not one of the project's stairwells."))
    now = timezone.now()
    rows = list(
        open_cases_without_caseworker(project=project)
        .filter(household__flat__stairwell__in=list(plan))
        .values_list("pk", "household__flat__stairwell")
    )
    pairs = [(case_id, plan[stairwell_id]) for case_id, stairwell_id in rows]
    CaseAssignment.objects.bulk_create(
        [
            CaseAssignment(
                case_id=case_id,
                user=user,
                role=AssignmentRole.CASEWORKER,
                assigned_by=by,
                assigned_at=now,
                notified_at=now,
            )
            for case_id, user in pairs
        ],
        ignore_conflicts=True,
    )
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="cases", codename__in=["view_case", "change_case"]
        )
    )
    CaseUserObjectPermission.objects.bulk_create(
        [
            CaseUserObjectPermission(user=user, permission=permission, content_object_id=case_id)
            for case_id, user in pairs
            for permission in permissions
        ],
        ignore_conflicts=True,
    )
    _distribution_notices_create(project=project, plan=plan, rows=rows, by=by, at=now)
    return len(pairs)


def _distribution_notices_create(
    *, project: Project, plan: dict[int, User], rows: list[tuple[int, int]], by, at
) -> None:
    """One notice per person who got cases: her stairwells (address order) and their counts."""
    given: dict[int, int] = defaultdict(int)  # stairwell id -> cases given
    for _case_id, stairwell_id in rows:
        given[stairwell_id] += 1
    shares: dict[int, list] = defaultdict(list)  # user id -> [[stairwell id, address, count]]
    for stairwell in Stairwell.objects.filter(pk__in=list(given)).order_by(
        "street", "number", "letter"
    ):
        shares[plan[stairwell.pk].pk].append([stairwell.pk, str(stairwell), given[stairwell.pk]])
    notices = DistributionNotice.objects.bulk_create(
        DistributionNotice(project=project, user_id=user_id, by=by, at=at, stairwells=stairwells)
        for user_id, stairwells in shares.items()
    )
    from cases.tasks import notify_distribution

    for notice in notices:
        # If Redis is down the mail waits in the outbox (notified_at is NULL) for the sweep.
        enqueue_on_commit(notify_distribution, notice.pk)


@transaction.atomic
def distribution_send_notification(*, notice_id: int) -> bool:
    """Mail her the stairwells she was given and how many cases of each, with a link to her
    cases; nothing about a resident. At most once; returns whether a mail was sent."""
    notice = (
        DistributionNotice.objects.select_for_update(of=("self",))
        .select_related("project", "user", "by")
        .filter(pk=notice_id, notified_at__isnull=True)
        .first()
    )
    if notice is None or not notice.user.email or not notice.total:
        return False
    context = {
        "notice": notice,
        "link": settings.SITE_URL + reverse("cases:caseload") + "?scope=mine",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("You have been given cases in genhusning")
        body = render_to_string("cases/planning/distribution_email.txt", context)
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[notice.user.email])
    notice.notified_at = timezone.now()
    notice.save(update_fields=["notified_at"])
    return True


def distribution_notifications_sweep() -> int:
    """Send the distribution mails that were never sent (core/outbox.py)."""
    return outbox_sweep(
        DistributionNotice.objects.exclude(user__email=""),
        at_field="at",
        send=lambda pk: distribution_send_notification(notice_id=pk),
        what="Distribution",
    )


# --- closing ------------------------------------------------------------------------------------


@transaction.atomic
def project_close(*, project: Project, by: User | None) -> Project:
    """Close the project when every case of it is closed: it is read-only from now on, and the
    retention period of its households counts from today (privacy.services)."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.closed_at is not None:
        raise ValidationError(_("The project is already closed."))
    not_closed = Case.objects.filter(project=locked).exclude(stage=Stage.CLOSED).count()
    if not_closed:
        raise ValidationError(
            ngettext(
                "%(count)s case is not closed yet.",
                "%(count)s cases are not closed yet.",
                not_closed,
            )
            % {"count": not_closed}
        )
    locked.closed_at = timezone.now()
    locked.closed_by = by
    locked.save(update_fields=["closed_at", "closed_by"])
    project.closed_at, project.closed_by = locked.closed_at, by
    return locked
