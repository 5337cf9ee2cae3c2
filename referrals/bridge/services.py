"""Every write of bridge-building after a permanent move (the follow-up plan, its contacts, its
bridge-builder, closing it) and of the communities for the rehoused.
"""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import AssignmentRole, Case
from cases.services import case_advance_stage, case_assign_staff, case_unassign_staff
from cases.stages import Stage
from core.roles import Role
from core.versioning import ConflictError
from households.models import Household, Organisation, OrganisationUserObjectPermission
from outreach.models import REACHED_OUTCOMES, Contact
from outreach.scan import flags_reevaluate_on_commit
from outreach.services import contact_record
from referrals.models import (
    ChecklistList,
    Community,
    CommunityMeeting,
    CommunityMembership,
    FollowUpPlan,
    FollowUpVisit,
)
from referrals.services import checklist_ensure

# ---------------------------------------------------------------------------------------------
# Bridge-building after a permanent move


def follow_up_visit_label(days: int) -> str:
    # Stored with the visit, so in the language of the data, not of whoever moved the case.
    with translation.override(settings.LANGUAGE_CODE):
        if days % 7 == 0 and days < 60:
            return _("After %(n)s weeks") % {"n": days // 7}
        return _("After %(n)s months") % {"n": round(days / 30.4)}


@transaction.atomic
def follow_up_plan_start(*, case: Case, on: datetime.date | None = None) -> FollowUpPlan:
    """Called when the case reaches 'moved permanently': the plan, its follow-up contacts at
    the default intervals, the bridge-builder assigned to the case, the new-area checklist.
    Idempotent: a case has one plan."""
    on = on or timezone.localdate()
    bridge_builder_id = (
        case.assignments.filter(role=AssignmentRole.BRIDGE_BUILDER)
        .values_list("user_id", flat=True)
        .first()
    )
    plan, created = FollowUpPlan.objects.get_or_create(
        case=case, defaults={"started_on": on, "bridge_builder_id": bridge_builder_id}
    )
    if created:
        FollowUpVisit.objects.bulk_create(
            FollowUpVisit(
                plan=plan,
                label=follow_up_visit_label(days),
                due_on=on + datetime.timedelta(days=days),
            )
            for days in settings.FOLLOW_UP_DAYS
        )
        checklist_ensure(case=case, section=ChecklistList.NEW_AREA)
    return plan


@transaction.atomic
def follow_up_contact_record(*, visit: FollowUpVisit, by: User, **contact: Any) -> Contact:
    """Record the follow-up contact in the household's contact log (outreach's contact_record,
    which takes the same keyword arguments). Reaching the household marks the visit done; the
    first done visit moves the case from "moved permanently" on to "follow-up"."""
    locked = (
        FollowUpVisit.objects.select_for_update(of=("self",))
        .select_related("plan__case__household")
        .get(pk=visit.pk)
    )
    plan = locked.plan
    if plan.closed_on is not None:
        raise ValidationError(_("The follow-up has been closed."))
    if locked.done_on is not None:
        raise ValidationError(_("This follow-up contact has already been recorded."))
    occurred_at = contact.get("occurred_at") or timezone.now()
    if timezone.localdate(occurred_at) < plan.started_on:
        raise ValidationError(_("A follow-up contact cannot be before the move."))
    case = plan.case
    recorded = contact_record(household=case.household, case=case, by=by, **contact)
    if recorded.outcome in REACHED_OUTCOMES:
        locked.done_on = timezone.localdate(recorded.occurred_at)
        locked.contact = recorded
        locked.save(update_fields=["done_on", "contact"])
        flags_reevaluate_on_commit(household_ids=[case.household_id])
        if case.stage == Stage.MOVED_PERMANENTLY:
            with translation.override(settings.LANGUAGE_CODE):
                note = _("First follow-up contact after the move")
            case_advance_stage(case=case, to_stage=Stage.FOLLOW_UP, by=by, note=note)
    return recorded


@transaction.atomic
def follow_up_plan_close(
    *, plan: FollowUpPlan, by: User, note: str, on: datetime.date | None = None
) -> FollowUpPlan:
    """Close the plan when the household has settled, and the case with it: from "follow-up"
    (or still "moved permanently") to "closed". A plan is closed once."""
    locked = (
        FollowUpPlan.objects.select_for_update(of=("self",)).select_related("case").get(pk=plan.pk)
    )
    if locked.closed_on is not None:
        raise ValidationError(_("The follow-up has already been closed."))
    if not note.strip():
        raise ValidationError({"closing_note": _("Write how the household has settled.")})
    locked.closed_on = on or timezone.localdate()
    if locked.closed_on < locked.started_on:
        raise ValidationError(_("The follow-up cannot end before it started."))
    locked.closing_note = note.strip()
    locked.save(update_fields=["closed_on", "closing_note"])
    case = locked.case
    if case.stage == Stage.MOVED_PERMANENTLY:
        case = case_advance_stage(case=case, to_stage=Stage.FOLLOW_UP, by=by)
    if case.stage == Stage.FOLLOW_UP:
        case_advance_stage(case=case, to_stage=Stage.CLOSED, by=by, note=locked.closing_note)
    flags_reevaluate_on_commit(household_ids=[case.household_id])
    return locked


@transaction.atomic
def follow_up_plan_bridge_builder_fill(*, case: Case, user: User) -> None:
    """A bridge-builder assigned to the case takes its open follow-up plan if it has none."""
    FollowUpPlan.objects.filter(
        case=case, bridge_builder__isnull=True, closed_on__isnull=True
    ).update(bridge_builder=user)


def bridge_builder_choices(*, case: Case) -> QuerySet[User]:
    """The active bridge-builders on the staff of the case's organisation."""
    staff = OrganisationUserObjectPermission.objects.filter(
        content_object_id=case.project.estate.organisation_id,
        permission__codename="staff_of_organisation",
    ).values("user_id")
    return (
        User.objects.filter(is_active=True, pk__in=staff, groups__name=Role.BRIDGE_BUILDER)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


@transaction.atomic
def follow_up_plan_assign(
    *, plan: FollowUpPlan, bridge_builder: User, by: User, expected_id: int | None
) -> FollowUpPlan:
    """Make `bridge_builder` the plan's bridge-builder: she is assigned to the case (access and
    an e-mail, cases.services.case_assign_staff); the one she replaces comes off the case.
    `expected_id` is the bridge-builder the manager saw; if it changed meanwhile, ConflictError."""
    locked = (
        FollowUpPlan.objects.select_for_update(of=("self",))
        .select_related("case__project__estate", "bridge_builder")
        .get(pk=plan.pk)
    )
    if locked.bridge_builder_id != expected_id:
        raise ConflictError(locked)
    if locked.closed_on is not None:
        raise ValidationError(_("The follow-up has been closed."))
    case = locked.case
    if not bridge_builder_choices(case=case).filter(pk=bridge_builder.pk).exists():
        raise ValidationError(_("This person cannot be the bridge-builder of the household."))
    if locked.bridge_builder_id == bridge_builder.pk:
        return locked
    previous = locked.bridge_builder
    if not case.assignments.filter(user=bridge_builder).exists():
        case_assign_staff(case=case, user=bridge_builder, by=by)
    if (
        previous is not None
        and case.assignments.filter(user=previous, role=AssignmentRole.BRIDGE_BUILDER).exists()
    ):
        case_unassign_staff(case=case, user=previous)
    locked.bridge_builder = bridge_builder
    locked.save(update_fields=["bridge_builder"])
    return locked


# ---------------------------------------------------------------------------------------------
# Communities for the rehoused


@transaction.atomic
def community_create(
    *, organisation: Organisation, name: str, area: str = "", description: str = ""
) -> Community:
    if not name.strip():
        raise ValidationError({"name": _("Give the community a name.")})
    if Community.objects.filter(organisation=organisation, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("There is already a community with this name.")})
    return Community.objects.create(
        organisation=organisation,
        name=name.strip(),
        area=area.strip(),
        description=description.strip(),
    )


@transaction.atomic
def community_member_add(
    *, community: Community, household: Household, on: datetime.date | None = None
) -> CommunityMembership:
    """Add the household (again, if it had left: the membership starts anew)."""
    if household.flat.stairwell.estate.organisation_id != community.organisation_id:
        raise ValidationError(_("The household belongs to another housing organisation."))
    on = on or timezone.localdate()
    membership, created = CommunityMembership.objects.select_for_update().get_or_create(
        community=community, household=household, defaults={"joined_on": on}
    )
    if not created:
        if membership.left_on is None:
            raise ValidationError(_("The household is already a member."))
        membership.joined_on, membership.left_on = on, None
        membership.save(update_fields=["joined_on", "left_on"])
    return membership


@transaction.atomic
def community_member_leave(
    *, membership: CommunityMembership, on: datetime.date | None = None
) -> CommunityMembership:
    on = on or timezone.localdate()
    locked = CommunityMembership.objects.select_for_update().get(pk=membership.pk)
    if locked.left_on is not None:
        raise ValidationError(_("The household has already left the community."))
    if on < locked.joined_on:
        raise ValidationError(_("A household cannot leave before it joined."))
    locked.left_on = on
    locked.save(update_fields=["left_on"])
    return locked


@transaction.atomic
def community_meeting_create(
    *, community: Community, starts_at: datetime.datetime, place: str, topic: str = ""
) -> CommunityMeeting:
    if not place.strip():
        raise ValidationError({"place": _("Write where the meeting is.")})
    return CommunityMeeting.objects.create(
        community=community, starts_at=starts_at, place=place.strip(), topic=topic.strip()
    )


@transaction.atomic
def community_attendance_set(
    *, meeting: CommunityMeeting, household: Household, attended: bool
) -> None:
    """Tick (or untick) that a member came. Only members of the community on the day count."""
    day = timezone.localdate(meeting.starts_at)
    is_member = (
        meeting.community.memberships.filter(household=household, joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .exists()
    )
    if not is_member:
        raise ValidationError(_("The household was not a member of the community that day."))
    if attended:
        meeting.attendees.add(household)
    else:
        meeting.attendees.remove(household)
