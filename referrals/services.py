"""Every write to consents, referrals, checklists and follow-up plans, and the consent rule.

The rule (issue 4, DOMAIN.md): person-level data goes to a partner only under a consent that is
valid today (given, not expired, not withdrawn, not replaced), names that partner or its kind,
has the referral's purpose, covers every category shared, and was given by the resident the
referral is about or for the whole household.
"""

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cases.models import AssignmentRole, Case, ProjectKind
from cases.stages import Stage
from core.roles import Role
from core.versioning import ConflictError
from households.models import (
    Household,
    Organisation,
    OrganisationUserObjectPermission,
    Resident,
)
from outreach.models import REACHED_OUTCOMES, Contact
from outreach.scan import flags_reevaluate_on_commit
from outreach.services import contact_record
from referrals.models import (
    ChecklistItem,
    ChecklistKind,
    ChecklistList,
    ChecklistStatus,
    Community,
    CommunityMeeting,
    CommunityMembership,
    Consent,
    ConsentMethod,
    ConsentWithdrawal,
    DataCategory,
    FollowUpPlan,
    FollowUpVisit,
    Partner,
    Referral,
    ReferralEvent,
    ReferralStatus,
)

# ---------------------------------------------------------------------------------------------
# Consent


@dataclass(frozen=True)
class ConsentCheck:
    """Whether a consent covers a sharing, and if not, why (in the user's language)."""

    consent: Consent | None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.consent is not None


# The file types a scan of a signed consent may have, by their first bytes.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def evidence_validate(upload: UploadedFile) -> None:
    """PDF, JPEG or PNG (by name and content), no larger than EVIDENCE_MAX_BYTES."""
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in EVIDENCE_SIGNATURES:
        raise ValidationError(
            _("The evidence must be a PDF, JPEG or PNG file."), code="evidence_type"
        )
    if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is too large: at most %(mb)s MB.")
            % {"mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)},
            code="evidence_size",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise ValidationError(
            _("The file is not a real %(type)s file.") % {"type": suffix[1:].upper()},
            code="evidence_content",
        )


@transaction.atomic
def consent_record(
    *,
    household: Household,
    by: User,
    given_by: str,
    purpose: str,
    categories: list[str],
    method: str,
    given_on: datetime.date,
    resident: Resident | None = None,
    partner: Partner | None = None,
    partner_kind: str = "",
    witness: User | None = None,
    expires_on: datetime.date | None = None,
    evidence: UploadedFile | None = None,
    replaces: Consent | None = None,
) -> Consent:
    """A new consent. With `replaces`, the old one stops counting (its history stays)."""
    errors: dict[str, str] = {}
    if resident is not None and resident.household_id != household.pk:
        errors["resident"] = _("The resident does not live in this household.")
    if (partner is None) == (not partner_kind):
        errors["partner"] = _("Choose either one partner or a kind of partner.")
    if not categories:
        errors["categories"] = _("Choose what may be shared.")
    elif set(categories) - set(DataCategory.values):
        errors["categories"] = _("Unknown kind of data.")
    if method == ConsentMethod.ORAL and witness is None:
        errors["witness"] = _("An oral consent needs a member of staff as witness.")
    if given_on > timezone.localdate():
        errors["given_on"] = _("The date cannot be in the future.")
    if expires_on is not None and expires_on <= given_on:
        errors["expires_on"] = _("The consent must expire after the day it was given.")
    if replaces is not None:
        # The lock makes a second, simultaneous replacement wait and then see the first one.
        Consent.objects.select_for_update().filter(pk=replaces.pk).first()
        if replaces.household_id != household.pk:
            errors["replaces"] = _("Only a consent of the same household can be replaced.")
        elif Consent.objects.filter(replaces=replaces).exists():
            errors["replaces"] = _("This consent has already been replaced.")
    if evidence is not None:
        try:
            evidence_validate(evidence)
        except ValidationError as error:
            errors["evidence"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        household=household,
        resident=resident,
        given_by=given_by.strip(),
        partner=partner,
        partner_kind=partner_kind,
        purpose=purpose,
        categories=sorted(set(categories), key=DataCategory.values.index),
        method=method,
        witness=witness,
        given_on=given_on,
        expires_on=expires_on,
        replaces=replaces,
        recorded_by=by,
    )
    if evidence is not None:
        consent.evidence.save(evidence.name or "evidence", evidence, save=False)
    consent.save()
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, note: str = "") -> ConsentWithdrawal:
    """Effective at once: the next request no longer finds the consent valid."""
    if Consent.objects.filter(replaces=consent).exists():
        raise ValidationError(
            _("This consent has been replaced by a newer one; withdraw that one instead.")
        )
    withdrawal, created = ConsentWithdrawal.objects.get_or_create(
        consent=consent, defaults={"recorded_by": by, "note": note.strip()}
    )
    if not created:
        raise ValidationError(_("The consent has already been withdrawn."))
    return withdrawal


def consent_check(
    *,
    household: Household,
    partner: Partner,
    purpose: str,
    categories: list[str],
    resident: Resident | None = None,
    on: datetime.date | None = None,
) -> ConsentCheck:
    """The valid consent that covers sharing `categories` with `partner` for `purpose`, or why
    there is none. Looks at every consent of the household to give the precise reason."""
    on = on or timezone.localdate()
    needed = set(categories)
    candidates = list(
        Consent.objects.filter(household=household)
        .covering(partner)
        .select_related("withdrawal", "replaced_by", "partner")
        .order_by("-given_on", "-pk")
    )
    if not candidates:
        return ConsentCheck(
            None, _("There is no consent to share data with %(partner)s.") % {"partner": partner}
        )
    reasons = []
    for consent in candidates:
        reason = _consent_fails(consent, resident=resident, purpose=purpose, needed=needed, on=on)
        if not reason:
            return ConsentCheck(consent)
        reasons.append(reason)
    return ConsentCheck(None, reasons[0])


def _consent_fails(
    consent: Consent, *, resident: Resident | None, purpose: str, needed: set[str], on
) -> str:
    if hasattr(consent, "withdrawal"):
        return _("The consent was withdrawn on %(date)s.") % {
            "date": date_format(timezone.localtime(consent.withdrawal.withdrawn_at), "j. F Y")
        }
    if hasattr(consent, "replaced_by"):
        return _("The consent has been replaced by a newer one.")
    if consent.given_on > on:
        return _("The consent is only valid from %(date)s.") % {
            "date": date_format(consent.given_on, "j. F Y")
        }
    if consent.expires_on is not None and consent.expires_on < on:
        return _("The consent expired on %(date)s.") % {
            "date": date_format(consent.expires_on, "j. F Y")
        }
    if consent.resident_id is not None and (resident is None or consent.resident_id != resident.pk):
        return _(
            "The consent was given by one resident only; it covers a referral about that "
            "resident, not the whole household."
        )
    if consent.purpose != purpose:
        return _("The consent is for another purpose: %(purpose)s.") % {
            "purpose": consent.get_purpose_display().lower()
        }
    missing = needed - set(consent.categories)
    if missing:
        return _("The consent does not cover: %(categories)s.") % {
            "categories": ", ".join(
                str(DataCategory(category).label).lower()
                for category in DataCategory.values
                if category in missing
            )
        }
    return ""


def consented_categories(
    *, household_ids, partners, on=None
) -> dict[int, dict[int | None, set[str]]]:
    """What the valid consents let `partners` see (one query): per household, per resident
    (None: consent given for the whole household), the data categories."""
    found: dict[int, dict[int | None, set[str]]] = {}
    rows = (
        Consent.objects.valid(on)
        .filter(household_id__in=household_ids)
        .for_partners([partner.pk for partner in partners], {partner.kind for partner in partners})
        .values_list("household_id", "resident_id", "categories")
    )
    for household_id, resident_id, categories in rows:
        found.setdefault(household_id, {}).setdefault(resident_id, set()).update(categories)
    return found


# ---------------------------------------------------------------------------------------------
# The register of partners

PARTNER_EDITABLE_FIELDS = (
    "name",
    "kind",
    "municipality",
    "area",
    "contact_name",
    "phone",
    "email",
    "note",
    "active",
)


def partner_fingerprint(partner: Partner) -> str:
    """A short digest of what the edit form shows: changed by someone else if it differs."""
    values = "\x1f".join(
        str(getattr(partner, "municipality_id" if name == "municipality" else name))
        for name in PARTNER_EDITABLE_FIELDS
    )
    return hashlib.sha256(values.encode()).hexdigest()[:16]


@transaction.atomic
def partner_save(
    *, partner: Partner, data: dict, expected_fingerprint: str | None = None
) -> Partner:
    """Create (no pk) or update a partner. An update whose form was read before someone else
    saved the partner raises ConflictError with the partner as saved now."""
    if partner.pk is not None:
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        if expected_fingerprint not in (None, partner_fingerprint(current)):
            raise ConflictError(current)
        partner = current
    for name, value in data.items():
        setattr(partner, name, value)
    partner.full_clean()
    partner.save()
    return partner


# ---------------------------------------------------------------------------------------------
# Referrals

# Where a referral may go from each status. Withdrawing is possible until it is finished.
REFERRAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReferralStatus.DRAFT: (ReferralStatus.SENT, ReferralStatus.WITHDRAWN),
    ReferralStatus.SENT: (
        ReferralStatus.ACCEPTED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    ),
    ReferralStatus.ACCEPTED: (
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.DONE,
        ReferralStatus.WITHDRAWN,
    ),
    ReferralStatus.IN_PROGRESS: (ReferralStatus.DONE, ReferralStatus.WITHDRAWN),
    ReferralStatus.DONE: (),
    ReferralStatus.DECLINED: (),
    ReferralStatus.WITHDRAWN: (),
}


@transaction.atomic
def referral_create(
    *,
    household: Household,
    partner: Partner,
    reason: str,
    by: User,
    purpose: str,
    shared: list[str] | None = None,
    resident: Resident | None = None,
    case: Case | None = None,
    follow_up_on: datetime.date | None = None,
) -> Referral:
    errors = {}
    if resident is not None and resident.household_id != household.pk:
        errors["resident"] = _("The resident does not live in this household.")
    if case is not None and case.household_id != household.pk:
        errors["case"] = _("The case belongs to another household.")
    if not reason.strip():
        errors["reason"] = _("Write why the household is referred.")
    if set(shared or []) - set(DataCategory.values):
        errors["shared"] = _("Unknown kind of data.")
    if partner.organisation_id != household.flat.stairwell.estate.organisation_id:
        errors["partner"] = _("The partner is not in the register of the household's organisation.")
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        household=household,
        resident=resident,
        case=case,
        partner=partner,
        purpose=purpose,
        reason=reason.strip(),
        shared=sorted(set(shared or []), key=DataCategory.values.index),
        follow_up_on=follow_up_on,
        created_by=by,
        updated_by=by,
    )
    ReferralEvent.objects.create(referral=referral, to_status=ReferralStatus.DRAFT, by=by)
    return referral


@transaction.atomic
def referral_transition(
    *,
    referral: Referral,
    to_status: str,
    by: User,
    expected_status: str | None = None,
    note: str = "",
    outcome: str | None = None,
) -> Referral:
    """Move the referral on. Sending with person-level data needs a covering consent, which is
    checked here, under the row lock, at the moment of sending."""
    locked = Referral.objects.select_for_update().select_related("partner").get(pk=referral.pk)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(locked)
    if to_status not in REFERRAL_TRANSITIONS.get(locked.status, ()):
        raise ValidationError(
            _("A referral that is “%(from)s” cannot become “%(to)s”.")
            % {
                "from": ReferralStatus(locked.status).label,
                "to": ReferralStatus(to_status).label
                if to_status in ReferralStatus.values
                else to_status,
            }
        )
    fields = ["status", "status_changed_at", "version", "updated_by", "updated_at"]
    if to_status == ReferralStatus.SENT and locked.shared:
        check = consent_check(
            household=locked.household,
            partner=locked.partner,
            purpose=locked.purpose,
            categories=locked.shared,
            resident=locked.resident,
        )
        if not check:
            raise ValidationError(check.reason, code="consent_missing")
        locked.consent = check.consent
        fields.append("consent")
    if outcome is not None:
        locked.outcome = outcome.strip()
        fields.append("outcome")
    ReferralEvent.objects.create(
        referral=locked, from_status=locked.status, to_status=to_status, by=by, note=note.strip()
    )
    locked.status = to_status
    locked.status_changed_at = timezone.now()
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=fields)
    return locked


# ---------------------------------------------------------------------------------------------
# The practical-help checklist

PRACTICAL_DEFAULTS: dict[str, tuple[str, ...]] = {
    ProjectKind.RENOVATION_WITH_RETURN: (
        ChecklistKind.ADDRESS_CHANGE,
        ChecklistKind.ENERGY,
        ChecklistKind.INTERNET_TV,
        ChecklistKind.CONTAINERS,
        ChecklistKind.SOCIAL_CLEANING,
        ChecklistKind.MOVERS,
        ChecklistKind.KEYS,
    ),
    ProjectKind.TRANSFORMATION: (
        ChecklistKind.ADDRESS_CHANGE,
        ChecklistKind.ENERGY,
        ChecklistKind.BANK,
        ChecklistKind.INTERNET_TV,
        ChecklistKind.CONTAINERS,
        ChecklistKind.SOCIAL_CLEANING,
        ChecklistKind.MOVERS,
        ChecklistKind.KEYS,
        ChecklistKind.DAYCARE_SCHOOL,
    ),
}
PRACTICAL_DEFAULTS[ProjectKind.DEMOLITION] = PRACTICAL_DEFAULTS[ProjectKind.TRANSFORMATION]

NEW_AREA_DEFAULTS: tuple[str, ...] = (
    ChecklistKind.NEW_DAYCARE_SCHOOL,
    ChecklistKind.LEISURE,
    ChecklistKind.ASSOCIATIONS,
    ChecklistKind.LOCAL_GUIDE,
    ChecklistKind.GP,
    ChecklistKind.HOME_CARE,
)


def checklist_ensure(*, case: Case, section: str = ChecklistList.PRACTICAL) -> None:
    """Create the default items of `section` the case does not have yet (idempotent)."""
    kinds = (
        PRACTICAL_DEFAULTS[case.project.kind]
        if section == ChecklistList.PRACTICAL
        else NEW_AREA_DEFAULTS
    )
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(case=case, section=section, kind=kind) for kind in kinds],
        ignore_conflicts=True,
    )


@transaction.atomic
def checklist_set(
    *,
    item: ChecklistItem,
    status: str,
    by: User,
    helped_by: str | None = None,
    note: str | None = None,
    expected_status: str | None = None,
) -> ChecklistItem:
    """Set the status (and who helped, the note, when given). With `expected_status`, a change
    someone else made meanwhile is not overwritten: ConflictError with the item as saved."""
    if status not in ChecklistStatus.values:
        raise ValidationError(_("Unknown status."))
    locked = ChecklistItem.objects.select_for_update().get(pk=item.pk)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(locked)
    locked.status = status
    if helped_by is not None:
        locked.helped_by = helped_by.strip()
    if note is not None:
        locked.note = note.strip()
    locked.updated_by = by
    locked.save(update_fields=["status", "helped_by", "note", "updated_by", "updated_at"])
    return locked


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
        flags_reevaluate_on_commit(household_id=case.household_id)
        if case.stage == Stage.MOVED_PERMANENTLY:
            from cases.services import case_advance_stage  # cases.services imports this module

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
    from cases.services import case_advance_stage  # cases.services imports this module

    case = locked.case
    if case.stage == Stage.MOVED_PERMANENTLY:
        case = case_advance_stage(case=case, to_stage=Stage.FOLLOW_UP, by=by)
    if case.stage == Stage.FOLLOW_UP:
        case_advance_stage(case=case, to_stage=Stage.CLOSED, by=by, note=locked.closing_note)
    flags_reevaluate_on_commit(household_id=case.household_id)
    return locked


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
    from cases.services import case_assign_staff, case_unassign_staff  # they import this module

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
