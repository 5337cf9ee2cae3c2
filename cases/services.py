"""Every write to projects and cases: typed, keyword-only, under a transaction."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from cases.deadlines import RULES, Unit
from cases.models import (
    AssignmentRole,
    Case,
    CaseAssignment,
    DeadlineSettings,
    Project,
    StageChange,
)
from cases.selectors import assignable_staff
from cases.signals import (
    case_bridge_builder_assigned,
    case_stage_changed,
    cases_opened,
    household_facts_changed,
)
from cases.stages import MOVED, EndReason, Stage, can_undo, is_allowed
from core.outbox import outbox_sweep
from core.queue import enqueue_on_commit
from core.roles import Role
from core.versioning import ConflictError, update_versioned
from households.models import Household, Organisation

logger = logging.getLogger(__name__)

CASE_EDITABLE_FIELDS = (
    "next_step",
    "next_step_on",
    "move_out_on",
    "return_on",
    "temporary_flat",
    "permanent_flat",
)


@transaction.atomic
def case_open(*, household: Household, project: Project, by: User | None, note: str = "") -> Case:
    if household.flat.stairwell.estate_id != project.estate_id:
        raise ValidationError(_("The household does not live in the project's estate."))
    opened = cases_open(household_ids=[household.pk], project=project, by=by, note=note)
    if not opened:
        raise ValidationError(_("The household already has a case in the project."))
    return opened[0]


@transaction.atomic
def cases_open(
    *, household_ids: Iterable[int], project: Project, by: User | None, note: str = ""
) -> list[Case]:
    """Open a case per household in the project's estate without one in the project: the first
    stage, its history row, and what the apps above do for a new case (cases_opened: the
    practical-help checklist). A fixed number of queries, whatever the number of households;
    the project's row lock makes two runs at once open each case once."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    ids = list(
        Household.objects.filter(pk__in=household_ids, flat__stairwell__estate=project.estate_id)
        .exclude(cases__project=project)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [Case(household_id=pk, project=project, updated_by=by, stage_changed_at=now) for pk in ids]
    )
    StageChange.objects.bulk_create(
        [
            StageChange(
                case=case,
                from_stage="",
                to_stage=Stage.IDENTIFIED,
                changed_by=by,
                changed_at=now,
                note=note,
            )
            for case in cases
        ]
    )
    for case in cases:
        case.project = project  # the receivers read its kind without a query
    cases_opened.send(sender=Case, cases=cases)
    household_facts_changed.send(sender=Case, household_ids=ids)
    return cases


@transaction.atomic
def case_advance_stage(
    *,
    case: Case,
    to_stage: str,
    by: User | None,
    note: str = "",
    end_reason: str = "",
    expected_stage: str | None = None,
) -> Case:
    """Move the case to `to_stage` if the stage machine allows it, and record the change.

    `expected_stage` is the stage the user saw; if someone moved the case meanwhile, nothing
    is changed and ConflictError says where it is now.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_stage is not None and locked.stage != expected_stage:
        raise ConflictError(locked)
    if not is_allowed(locked.stage, to_stage):
        raise ValidationError(
            _("A case in the stage “%(from)s” cannot move to “%(to)s”.")
            % {
                "from": Stage(locked.stage).label,
                "to": Stage(to_stage).label if to_stage in Stage.values else to_stage,
            }
        )
    if to_stage == Stage.ENDED and end_reason not in EndReason.values:
        raise ValidationError(_("Choose why the case ends."))
    if to_stage != Stage.ENDED and end_reason:
        raise ValidationError(_("Only an ended case has a reason for ending."))
    if to_stage == Stage.MOVED_PERMANENTLY and locked.permanent_flat_id is None:
        # Without it the waterbed monitoring could not count where the household went.
        raise ValidationError(
            _("Record the new home (the permanent destination) before the case moves on.")
        )

    now = timezone.now()
    StageChange.objects.create(
        case=locked,
        from_stage=locked.stage,
        to_stage=to_stage,
        changed_by=by,
        changed_at=now,
        note=note.strip(),
    )
    locked.stage = to_stage
    locked.stage_changed_at = now
    if to_stage == Stage.ENDED:
        locked.end_reason = end_reason
    if to_stage == Stage.CLOSED:
        locked.closed_at = now
    locked.save(update_fields=["stage", "stage_changed_at", "end_reason", "closed_at"])
    case_stage_changed.send(sender=Case, case=locked, to_stage=to_stage, on=timezone.localdate(now))
    household_facts_changed.send(sender=Case, household_ids=[locked.household_id])
    return locked


@transaction.atomic
def case_undo_stage(*, case: Case, by: User) -> Case:
    """Take back the case's last stage move (a tap on the wrong button), as stages.can_undo allows.

    The move's row goes, as an undone contact does; the stage signal is sent again for the stage
    the case is back in, so what depends on the stage (flags) follows.
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    changes = list(locked.stage_changes.order_by("-changed_at", "-pk")[:2])
    now = timezone.now()
    last = changes[0] if changes else None
    if (
        last is None
        or last.to_stage != locked.stage
        or not can_undo(
            from_stage=last.from_stage,
            to_stage=last.to_stage,
            changed_by_id=last.changed_by_id,
            changed_at=last.changed_at,
            user_id=by.pk,
            now=now,
        )
    ):
        raise PermissionDenied(
            _("Only the person who moved the case can undo it, within ten minutes.")
        )
    locked.stage = last.from_stage
    locked.stage_changed_at = changes[1].changed_at if len(changes) > 1 else locked.opened_at
    last.delete()
    locked.save(update_fields=["stage", "stage_changed_at"])
    case_stage_changed.send(
        sender=Case, case=locked, to_stage=locked.stage, on=timezone.localdate(now), undone=True
    )
    household_facts_changed.send(sender=Case, household_ids=[locked.household_id])
    return locked


@transaction.atomic
def case_update(*, case: Case, by: User | None, expected_version: int, data: dict) -> Case:
    """Save the editable fields of a case unless someone else saved it since `expected_version`."""
    unknown = set(data) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    if "permanent_flat" in data and data["permanent_flat"] is None and case.stage in MOVED:
        raise ValidationError(
            {"permanent_flat": _("The household has moved permanently: its new home is needed.")}
        )
    household_flat_id = case.household.flat_id
    for field in ("temporary_flat", "permanent_flat"):
        flat = data.get(field)
        if flat is not None and flat.pk == household_flat_id:
            raise ValidationError({field: _("The household's own flat cannot be its new flat.")})
    update_versioned(case, expected_version=expected_version, values=data, by=by)
    if {"move_out_on", "return_on"} & set(data):  # the deadlines the scan counts to
        household_facts_changed.send(sender=Case, household_ids=[case.household_id])
    return case


@transaction.atomic
def case_assign_staff(*, case: Case, user: User, by: User | None) -> CaseAssignment:
    """Make `user` responsible for the case, give her access to it, and tell her by e-mail."""
    if not assignable_staff(case=case).filter(pk=user.pk).exists():
        raise ValidationError(_("This person cannot be assigned to the case."))
    is_bridge_builder = user.groups.filter(name=Role.BRIDGE_BUILDER).exists()
    assignment = CaseAssignment.objects.create(
        case=case,
        user=user,
        role=AssignmentRole.BRIDGE_BUILDER if is_bridge_builder else AssignmentRole.CASEWORKER,
        assigned_by=by,
    )
    assign_perm("cases.view_case", user, case)
    assign_perm("cases.change_case", user, case)
    if is_bridge_builder:
        case_bridge_builder_assigned.send(sender=Case, case=case, user=user)

    from cases.tasks import notify_case_assigned

    # If Redis is down the mail waits in the outbox (notified_at is NULL) for the sweep.
    enqueue_on_commit(notify_case_assigned, assignment.pk)
    return assignment


@transaction.atomic
def case_unassign_staff(*, case: Case, user: User) -> None:
    CaseAssignment.objects.filter(case=case, user=user).delete()
    remove_perm("cases.view_case", user, case)
    remove_perm("cases.change_case", user, case)


@transaction.atomic
def assignment_send_notification(*, assignment_id: int) -> bool:
    """E-mail the assignee a link to her new case (no names: the mail leaves the system).

    Sends at most once per assignment; returns whether a mail was sent.
    """
    assignment = (
        CaseAssignment.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=assignment_id, notified_at__isnull=True)
        .first()
    )
    if assignment is None or not assignment.user.email:
        return False
    link = settings.SITE_URL + reverse("cases:detail", args=[assignment.case_id])
    with translation.override(settings.LANGUAGE_CODE):
        send_mail(
            subject=_("You have been assigned a case in genhusning"),
            message=_("You have been assigned case #%(id)s.\n\nOpen it here: %(link)s\n")
            % {"id": assignment.case_id, "link": link},
            from_email=None,
            recipient_list=[assignment.user.email],
        )
    assignment.notified_at = timezone.now()
    assignment.save(update_fields=["notified_at"])
    return True


def assignment_notifications_sweep() -> int:
    """Send the assignment mails that were never sent (core/outbox.py)."""
    return outbox_sweep(
        CaseAssignment.objects.exclude(user__email=""),
        at_field="assigned_at",
        send=lambda pk: assignment_send_notification(assignment_id=pk),
        what="Assignment",
    )


DEADLINE_SETTING_FIELDS = (
    "renovation_notice_months",
    "termination_notice_months",
    "objection_weeks",
)


@transaction.atomic
def deadline_settings_save(
    *, organisation: Organisation, by: User | None, expected_version: int, data: dict
) -> DeadlineSettings:
    """The organisation's own periods (empty: the law's). Never shorter than the law's."""
    unknown = set(data) - set(DEADLINE_SETTING_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    errors = {}
    for rule in RULES:
        value = data.get(rule.setting) if rule.setting else None
        if value is not None and rule.minimum is not None and value < rule.minimum:
            errors[rule.setting] = _(
                "The law gives at least %(minimum)s %(unit)s; the organisation may give more, "
                "never less."
            ) % {"minimum": rule.minimum, "unit": Unit(rule.unit).label}
    if errors:
        raise ValidationError(errors)
    settings_row, _created = DeadlineSettings.objects.get_or_create(organisation=organisation)
    update_versioned(settings_row, expected_version=expected_version, values=data, by=by)
    return settings_row
