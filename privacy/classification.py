"""Every field of every model of ours, classified: not personal, ordinary personal, or sensitive.

Sensitive means GDPR art. 9 or art. 10-like, or social data the product keeps to the social
team: health, addiction, the state of the home, vulnerability, social notes, tips, the reasons
for a referral, consent evidence. Ordinary personal means it is about an identifiable person
(a resident, or a member of staff) without being sensitive.

tests/test_classification.py fails when a field is missing here or named here but gone. The
classification drives the retention's anonymisation and the erasure (privacy/services.py), the
leak test of the rehousing officer and the visitator (tests/privacy/test_sensitive_leaks.py),
what a report must pseudonymise (`fields_to_pseudonymise`), and docs/records-of-processing.md.
"""

from enum import StrEnum

from django.apps import apps
from django.db import models


class Level(StrEnum):
    NONE = "none"
    PERSONAL = "personal"
    SENSITIVE = "sensitive"


N, P, S = Level.NONE, Level.PERSONAL, Level.SENSITIVE

# The apps whose models must be classified (auth for the staff's own accounts).
APPS = ("core", "households", "cases", "outreach", "referrals", "accounts", "team")
EXTRA_MODELS = (
    "auth.User",
    "auth.Group",
    "auth.Permission",
    "sessions.Session",
    # The second factor (django-otp) and the lockout's record of attempts (django-axes).
    "otp_totp.TOTPDevice",
    "otp_static.StaticDevice",
    "otp_static.StaticToken",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
)

# Guardian's direct foreign-key permission tables: who may work with what (staff data).
_PERMISSION_ROW = {"id": N, "permission": N, "user": P, "content_object": N}
_GROUP_PERMISSION_ROW = {"id": N, "permission": N, "group": N, "content_object": N}

CLASSIFICATION: dict[str, dict[str, Level]] = {
    # --- places and buildings: no personal data ---
    "households.Municipality": {"id": N, "code": N, "name": N},
    "households.Organisation": {"id": N, "name": N, "waterbed_threshold": N},
    "households.Estate": {
        "id": N, "organisation": N, "municipality": N, "number": N, "name": N, "area": N,
    },
    "households.Stairwell": {
        "id": N, "estate": N, "street": N, "number": N, "letter": N, "postcode": N, "city": N,
    },
    # The rent is about the household's economy once the flat is hers: ordinary personal data,
    # shown to those who see rents (rehousing officer, manager), never to the visitator.
    "households.Flat": {
        "id": N, "stairwell": N, "floor": N, "door": N, "rooms": N, "area_m2": N,
        "tenancy_number": N, "net_rent": P, "aconto": P, "version": N,
    },
    # --- households and residents ---
    "households.Household": {
        "id": N, "flat": P, "moved_in_on": P, "moved_out_on": P, "social_note": S,
        "reach_channel": P, "reach_time": P, "go_between_kind": P, "go_between_name": P,
        "go_between_phone": P, "reach_language": P, "reach_interpreter": P,
        "version": N, "created_at": N, "updated_at": N, "updated_by": P, "anonymised_at": N,
    },
    "households.Resident": {
        "id": N, "household": P, "first_name": P, "last_name": P, "birth_year": P,
        "phone": P, "email": P, "language": P, "interpreter_needed": P, "digital": P,
        "is_contact_person": P, "version": N,
    },
    # The level is shown to logistics (so movers are told to take care); the factors and the
    # note are the health and social reasons behind it.
    "households.VulnerabilityAssessment": {
        "id": N, "household": P, "level": P, "factors": S, "note": S, "assessed_by": P,
        "assessed_at": P,
    },
    # Ids only (no foreign-key constraint); `path` may carry a search term someone typed.
    "households.AccessLog": {
        "id": N, "at": P, "user": P, "username": P, "action": P, "household": P,
        "resident": P, "what": N, "path": P, "ip": P, "seq": N, "hash": N,
    },
    # The tenant list as uploaded (names, phones, e-mails) until it is applied; then only counts.
    "households.TenantImport": {
        "id": N, "organisation": N, "uploaded_by": P, "uploaded_at": N, "file_kind": N,
        "content": P, "sha256": N, "seen_versions": N, "status": N, "applied_by": P,
        "applied_at": N, "counts": N,
    },
    "households.DuplicateDismissal": {
        "id": N, "household_low": P, "household_high": P, "by": P, "at": N,
    },
    # Ids of the rows moved from the merged-away household: no names.
    "households.HouseholdMerge": {
        "id": N, "kept": P, "removed_id": P, "by": P, "at": N, "moved": P,
    },
    "households.OrganisationUserObjectPermission": _PERMISSION_ROW,
    "households.OrganisationGroupObjectPermission": _GROUP_PERMISSION_ROW,
    "households.EstateUserObjectPermission": _PERMISSION_ROW,
    "households.EstateGroupObjectPermission": _GROUP_PERMISSION_ROW,
    # --- projects and cases ---
    "cases.Project": {
        "id": N, "estate": N, "name": N, "kind": N, "starts_on": N, "ends_on": N,
        "description": N, "required_offers": N, "number": N, "lbf_number": N,
        "reply_days": N, "stairwells": N, "created_at": N, "updated_at": N, "updated_by": P,
        "version": N, "closed_at": N, "closed_by": P,
    },
    "cases.ScheduleChange": {
        "id": N, "project": N, "stairwell": N, "field": N, "old_date": N, "new_date": N,
        "changed_by": P, "changed_at": N, "reason": N,
    },
    # One person's share of a distribution: stairwell addresses and counts, no resident.
    "cases.DistributionNotice": {
        "id": N, "project": N, "user": P, "by": P, "at": P, "stairwells": N, "notified_at": N,
    },
    "cases.StairwellSchedule": {
        "id": N, "project": N, "stairwell": N, "notice_on": N, "packing_on": N,
        "move_out_on": N, "return_on": N,
    },
    "cases.Case": {
        "id": N, "household": P, "project": N, "stage": P, "end_reason": P,
        "stage_changed_at": P, "next_step": P, "next_step_on": P, "move_out_on": P,
        "return_on": P, "temporary_flat": P, "permanent_flat": P, "staff": P, "opened_at": P,
        "closed_at": P, "updated_at": N, "updated_by": P, "version": N,
    },
    "cases.StageChange": {
        "id": N, "case": P, "from_stage": P, "to_stage": P, "changed_by": P, "changed_at": P,
        "note": P,
    },
    "cases.CaseAssignment": {
        "id": N, "case": P, "user": P, "role": N, "assigned_at": N, "assigned_by": P,
        "notified_at": N,
    },
    "cases.ProjectUserObjectPermission": _PERMISSION_ROW,
    "cases.ProjectGroupObjectPermission": _GROUP_PERMISSION_ROW,
    "cases.CaseUserObjectPermission": _PERMISSION_ROW,
    "cases.CaseGroupObjectPermission": _GROUP_PERMISSION_ROW,
    "cases.PoolFlat": {
        "id": N, "organisation": N, "flat": N, "kind": N, "rent": N, "project_rent": N,
        "has_lift": N,
        "step_free": N, "pets_allowed": N, "available_from": N, "available_to": N, "note": N,
        "is_active": N, "created_at": N, "updated_at": N, "updated_by": P, "version": N,
    },
    # Step-free access and "cannot climb stairs" are the need, which logistics must see to
    # find a flat; the diagnosis behind them is in the vulnerability factors (sensitive).
    "cases.HousingNeed": {
        "id": N, "case": P, "kind": P, "rooms": P, "step_free": P, "ground_floor_or_lift": P,
        "pets": P, "rent_limit": P, "wished_areas": P, "school_area": P, "family_area": P,
        "note": P, "updated_at": N, "updated_by": P, "version": N,
    },
    "cases.Offer": {
        "id": N, "case": P, "pool_flat": P, "kind": P, "holds_from": P, "holds_until": P,
        "sent_via": P, "sent_on": P, "reply_due_on": P, "status": P, "replied_on": P,
        "refusal_reason": P, "note": P, "awaited_reply": P,
        "other_municipality_agreed_at": P, "other_municipality_agreed_by": P,
        "created_at": N, "created_by": P, "updated_by": P, "version": N,
    },
    # An organisation's own legal periods: no one's data but who last changed them.
    "cases.DeadlineSettings": {
        "id": N, "organisation": N, "renovation_notice_months": N,
        "termination_notice_months": N, "objection_weeks": N, "updated_at": N,
        "updated_by": P, "version": N,
    },
    "cases.Move": {
        "id": N, "case": P, "kind": P, "from_flat": P, "to_flat": P, "moves_on": P,
        "starts_at": P, "status": P, "movers": N, "movers_booked": P, "paid_by_project": P,
        "keys_handed_over": P, "keys_returned": P, "electricity_reading": P,
        "water_reading": P, "heat_reading": P, "note": P, "created_by": P, "updated_at": N,
        "updated_by": P, "version": N,
    },
    # The rehousing economy (cases/economy/): what was paid for a household's rehousing. The
    # amounts and kinds are about her (the art. 15 copy lists them); the receipt may name her;
    # the internal note is the staff's, withheld from her copy.
    "cases.Expense": {
        "id": N, "case": P, "kind": P, "amount": P, "spent_on": P, "supplier": P,
        "storage_until": P, "note": P, "receipt": P, "corrects": P, "entered_by": P,
        "entered_at": N, "approved_by": P, "approved_at": N, "updated_at": N, "updated_by": P,
        "version": N,
    },
    "cases.BudgetLine": {
        "id": N, "project": N, "category": N, "amount": N, "updated_at": N, "updated_by": P,
        "version": N,
    },
    # A report ordered for the worker: the file of a named report names residents and flags.
    "cases.ReportJob": {
        "id": N, "kind": N, "target_id": N, "named": N, "ordered_by": P, "ordered_at": N,
        "language": N, "status": N, "progress": N, "started_at": N, "finished_at": N,
        "file": S, "household_ids": P, "title": N, "error": N,
        "attempts": N, "sent_at": N, "heartbeat_at": N, "own_copy": N,
        "options": N,
    },
    # --- outreach ---
    "outreach.DropInSession": {
        "id": N, "estate": N, "name": N, "held_on": N, "place": N, "created_by": P,
    },
    "outreach.Meeting": {
        "id": N, "project": N, "held_at": N, "place": N, "topic": N, "stairwells": N,
        "created_by": P,
    },
    "outreach.Invitation": {
        "id": N, "meeting": P, "household": P, "invited": P, "sent_via": P, "sent_on": P,
        "attended": P, "attendance_recorded_at": P, "attendance_recorded_by": P,
    },
    # The working log is shared with logistics; what was seen inside the home is not.
    "outreach.Contact": {
        "id": N, "household": P, "case": P, "occurred_at": P, "staff": P, "channel": P,
        "outcome": P, "reached": P, "met": P, "note": P, "observations": S,
        "observation_note": S, "help_topics": P, "next_step": P, "next_step_on": P,
        "drop_in_session": P, "meeting": P, "created_at": N,
    },
    # What a caretaker or neighbour tells about someone, and who told it (a third party).
    "outreach.Tip": {
        "id": N, "flat": P, "household": P, "source": S, "text": S, "submitted_by": S,
        "submitted_at": P, "handled_at": P, "handled_by": P,
    },
    "outreach.AwaitedReply": {
        "id": N, "household": P, "case": P, "subject": P, "sent_via": P, "sent_on": P,
        "due_on": P, "replied_on": P, "reply_note": P, "created_by": P,
    },
    "outreach.Flag": {
        "id": N, "household": P, "case": P, "kind": P, "reason": P, "reason_data": P,
        "raised_at": P, "resolved_at": P, "resolved_by": P, "resolution": P,
        "estate": N,  # the household's estate, kept by the database (for lists' filters)
    },
    "outreach.FlagThresholds": {
        "id": N, "project": N, "missed_meetings": N, "no_contact_days": N,
        "deadline_window_days": N, "packing_window_days": N, "follow_up_days": N,
    },
    # Counts per organisation, no household named.
    "outreach.ScanRun": {
        "id": N, "status": N, "triggered_by": P, "queued_at": N, "started_at": N,
        "finished_at": N, "households_scanned": N, "raised": N, "resolved": N,
        "by_organisation": N, "error": N,
        "attempts": N, "sent_at": N, "heartbeat_at": N,
    },
    "outreach.FlagDigest": {"id": N, "user": P, "sent_on": N, "flag_count": N},
    # Only the hash of the secret is kept; the feed itself carries no names or notes.
    "outreach.CalendarFeed": {
        "id": N, "user": P, "token_hash": N, "created_at": N, "last_fetched_at": P,
    },
    # Letters (outreach/letters/): the templates are the organisation's texts, no one's data;
    # a letter and its PDF name the household, its address and what it was told or offered.
    "outreach.LetterTemplate": {
        "id": N, "organisation": N, "kind": N, "name": N, "active": N, "created_by": P,
        "created_at": N, "updated_at": N, "version": N,
    },
    "outreach.LetterTemplateVersion": {
        "id": N, "template": N, "language": N, "number": N, "subject": N, "body": N,
        "translates": N, "created_by": P, "created_at": N,
    },
    "outreach.Letter": {
        "id": N, "household": P, "case": P, "offer": P, "template_version": P, "language": P,
        "subject": P, "body_rendered": P, "danish_template_version": P, "danish_subject": P,
        "danish_body_rendered": P, "recipient_address": P, "pdf": P, "sent_via": P,
        "sent_on": P, "received_on": P, "awaited_reply": P, "batch": P, "created_by": P,
        "created_at": N,
    },
    # The merged PDF of a batch names every household of the stairwell or project.
    "outreach.LetterBatch": {
        "id": N, "project": N, "stairwell": N, "template": N, "created_by": P, "created_at": N,
        "status": N, "progress": N, "started_at": N, "finished_at": N, "letter_count": N,
        "pdf": P, "error": N, "attempts": N, "sent_at": N, "heartbeat_at": N,
    },
    "outreach.StaffContact": {"id": N, "user": P, "phone": P},
    # --- referrals, consent, bridge-building ---
    "referrals.Partner": {
        "id": N, "name": N, "kind": N, "municipality": N, "area": N, "organisation": N,
        "contact_name": P, "phone": P, "email": P, "note": N, "active": N,
    },
    "referrals.PartnerUserObjectPermission": _PERMISSION_ROW,
    "referrals.PartnerGroupObjectPermission": _GROUP_PERMISSION_ROW,
    # The consent and its signed scan are evidence about what may be shared of sensitive data.
    "referrals.Consent": {
        "id": N, "household": P, "resident": P, "given_by": P, "partner": P,
        "partner_kind": P, "purpose": P, "categories": S, "method": P, "witness": P,
        "given_on": P, "expires_on": P, "evidence": S, "replaces": P, "recorded_by": P,
        "recorded_at": P,
    },
    "referrals.ConsentWithdrawal": {
        "id": N, "consent": P, "withdrawn_at": P, "recorded_by": P, "note": P,
    },
    # Being referred to home care, housing support or the family department tells of health
    # and social circumstances.
    "referrals.Referral": {
        "id": N, "household": P, "resident": P, "case": P, "partner": S, "purpose": P,
        "reason": S, "shared": P, "consent": P, "status": P, "status_changed_at": P,
        "follow_up_on": P, "outcome": S, "created_by": P, "created_at": P, "version": N,
        "updated_at": N, "updated_by": P,
    },
    "referrals.ReferralEvent": {
        "id": N, "referral": P, "from_status": P, "to_status": P, "at": P, "by": P, "note": S,
    },
    "referrals.ChecklistItem": {
        "id": N, "case": P, "section": P, "kind": P, "status": P, "helped_by": P, "note": P,
        "updated_at": N, "updated_by": P,
    },
    "referrals.FollowUpPlan": {
        "id": N, "case": P, "bridge_builder": P, "started_on": P, "closed_on": P,
        "closing_note": S,
    },
    "referrals.FollowUpVisit": {
        "id": N, "plan": P, "label": N, "due_on": P, "done_on": P, "contact": P,
    },
    "referrals.Community": {
        "id": N, "organisation": N, "name": N, "area": N, "description": N, "members": P,
    },
    "referrals.CommunityMembership": {
        "id": N, "community": P, "household": P, "joined_on": P, "left_on": P,
    },
    "referrals.CommunityMeeting": {
        "id": N, "community": N, "starts_at": N, "place": N, "topic": N, "attendees": P,
    },
    # --- the staff's accounts ---
    "auth.User": {
        "id": N, "password": P, "last_login": P, "is_superuser": N, "username": P,
        "first_name": P, "last_name": P, "email": P, "is_staff": N, "is_active": N,
        "date_joined": P, "groups": P, "user_permissions": P,
    },
    "auth.Group": {"id": N, "name": N, "permissions": N},
    "auth.Permission": {"id": N, "name": N, "content_type": N, "codename": N},
    "sessions.Session": {"session_key": N, "session_data": P, "expire_date": N},
    # A form's one-time key and the row its save made (core/once.py): no personal data.
    "core.OnceKey": {"key": N, "content_type": N, "object_id": N, "used_at": N},
    "accounts.UserSession": {"session": N, "user": P, "logged_in_at": P},
    # --- the team: invitations of new staff, handovers of a departing colleague's work ---
    "team.Invitation": {
        "id": N, "user": P, "organisation": N, "invited_by": P, "invited_at": P, "sent_at": P,
        "accepted_at": P,
    },
    # Staff and counts; the items name cases, plans, letters and meetings by id only.
    "team.Handover": {
        "id": N, "organisation": N, "from_user": P, "to_user": P, "by": P, "at": P,
        "deactivated": P, "counts": N, "notified_at": N,
    },
    "team.HandoverItem": {"id": N, "handover": P, "kind": N, "object_id": P},
    # The TOTP secret and the backup codes are credentials of the staff member.
    "otp_totp.TOTPDevice": {
        "id": N, "user": P, "name": N, "confirmed": N, "throttling_failure_timestamp": P,
        "throttling_failure_count": N, "created_at": P, "last_used_at": P, "key": P, "step": N,
        "t0": N, "digits": N, "tolerance": N, "drift": N, "last_t": N,
    },
    "otp_static.StaticDevice": {
        "id": N, "user": P, "name": N, "confirmed": N, "throttling_failure_timestamp": P,
        "throttling_failure_count": N, "created_at": P, "last_used_at": P,
    },
    "otp_static.StaticToken": {"id": N, "device": P, "token": P},
    # Failed logins: the name tried and the address it came from (the password never).
    "axes.AccessAttempt": {
        "id": N, "user_agent": P, "ip_address": P, "username": P, "http_accept": N,
        "path_info": N, "attempt_time": P, "get_data": P, "post_data": P,
        "failures_since_start": N,
    },
    "axes.AccessAttemptExpiration": {"access_attempt": N, "expires_at": N},
    "axes.AccessFailureLog": {
        "id": N, "user_agent": P, "ip_address": P, "username": P, "http_accept": N,
        "path_info": N, "attempt_time": P, "locked_out": N,
    },
    "axes.AccessLog": {
        "id": N, "user_agent": P, "ip_address": P, "username": P, "http_accept": N,
        "path_info": N, "attempt_time": P, "logout_time": P, "session_hash": P,
    },
}  # fmt: skip


def classified_models() -> list[type[models.Model]]:
    """Our models: every model of APPS, and EXTRA_MODELS."""
    found = [model for app in APPS for model in apps.get_app_config(app).get_models()]
    return found + [apps.get_model(label) for label in EXTRA_MODELS]


def model_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a row of `model` holds: its columns and its many-to-many fields."""
    return [*model._meta.concrete_fields, *model._meta.many_to_many]  # type: ignore[list-item]


def level_of(model: type[models.Model], field_name: str) -> Level:
    return CLASSIFICATION[model._meta.label][field_name]


def fields_at(model: type[models.Model], *levels: Level) -> list[models.Field]:
    table = CLASSIFICATION[model._meta.label]
    return [field for field in model_fields(model) if table[field.name] in levels]


def holds_personal_data(model: type[models.Model]) -> bool:
    return any(level != N for level in CLASSIFICATION[model._meta.label].values())


def sensitive_fields(model: type[models.Model]) -> list[models.Field]:
    return fields_at(model, S)


def is_free_text(field: models.Field) -> bool:
    """Typed text (a name, a note, an e-mail), not a choice from a list."""
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def fields_to_pseudonymise(model: type[models.Model]) -> list[str]:
    """What a report must not print as it is: personal free text, and every sensitive field.

    A report that needs to tell rows apart prints a stable token instead (e.g. the row's id).
    """
    return [
        field.name
        for field in fields_at(model, P, S)
        if field.is_relation is False and (is_free_text(field) or level_of(model, field.name) == S)
    ]


def anonymised_values(model: type[models.Model]) -> dict[str, object]:
    """Column -> value that the retention writes into a row it keeps.

    Removed: every sensitive column and every personal free-text or JSON column (names,
    contact details, notes). Kept for statistics: dates, numbers, yes/no and choices of
    ordinary personal data (the stage history, counts, the flat, the vulnerability level).
    Relations are left alone: a row points where it pointed.
    """
    values: dict[str, object] = {}
    for field in fields_at(model, P, S):
        if field.is_relation or field.many_to_many or isinstance(field, models.GeneratedField):
            continue
        sensitive = level_of(model, field.name) == S
        if not (sensitive or is_free_text(field) or isinstance(field, models.JSONField)):
            continue
        if isinstance(field, models.FileField):
            continue  # files are deleted by the service, not blanked here
        if field.null:
            values[field.attname] = None
        elif isinstance(field, models.JSONField):
            values[field.attname] = {}
        elif hasattr(field, "base_field"):  # ArrayField
            values[field.attname] = []
        elif isinstance(field, models.BooleanField):
            values[field.attname] = False
        elif isinstance(field, models.CharField | models.TextField):
            values[field.attname] = ""
        else:
            raise TypeError(f"{model._meta.label}.{field.name}: no anonymised value for it")
    return values
