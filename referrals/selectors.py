"""Reads worth naming: consents with their status, referrals of a household, the checklist of a
case, and the coordination view (every intervention of a household in one place); the municipal
visitator's flats, households and referrals, and the access log for managers."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Case as Switch
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import AssignmentRole, Case, CaseAssignment, StageChange, StairwellSchedule
from cases.stages import Stage
from households.models import (
    AccessLog,
    EstateGroupObjectPermission,
    EstateUserObjectPermission,
    Flat,
    Household,
    OrganisationGroupObjectPermission,
    OrganisationUserObjectPermission,
    Resident,
    VulnerabilityAssessment,
)
from households.permissions import user_grants
from households.selectors import household_search, residents_prefetch
from outreach.models import Contact, Flag
from outreach.permissions import flags_for_user
from referrals.models import (
    OPEN_REFERRAL_STATUSES,
    ChecklistItem,
    ChecklistList,
    ChecklistStatus,
    Community,
    CommunityMeeting,
    CommunityMembership,
    Consent,
    DataCategory,
    FollowUpPlan,
    FollowUpVisit,
    Partner,
    PartnerGroupObjectPermission,
    PartnerUserObjectPermission,
    Referral,
    ReferralStatus,
)
from referrals.permissions import (
    communities_for_user,
    follow_up_plans_for_user,
    partners_for_user,
    referrals_for_user,
    visitator_scope_q,
)
from referrals.services import consented_categories

# --- consents, partners, referrals, checklist (helper: consent) --------------------------------


@dataclass(frozen=True)
class ConsentStatus:
    code: str  # valid, pending, expired, withdrawn, replaced
    label: str

    @property
    def counts(self) -> bool:
        return self.code == "valid"


def consent_status(consent: Consent, *, today: datetime.date | None = None) -> ConsentStatus:
    """What the consent means today, in words (needs withdrawal and replaced_by loaded)."""
    today = today or timezone.localdate()
    if hasattr(consent, "withdrawal"):
        when = timezone.localtime(consent.withdrawal.withdrawn_at)
        return ConsentStatus(
            "withdrawn", _("withdrawn on %(date)s") % {"date": date_format(when, "j. F Y")}
        )
    if hasattr(consent, "replaced_by"):
        return ConsentStatus("replaced", _("replaced"))
    if consent.given_on > today:
        return ConsentStatus(
            "pending",
            _("valid from %(date)s") % {"date": date_format(consent.given_on, "j. F Y")},
        )
    if consent.expires_on is not None and consent.expires_on < today:
        return ConsentStatus(
            "expired",
            _("expired on %(date)s") % {"date": date_format(consent.expires_on, "j. F Y")},
        )
    return ConsentStatus("valid", _("valid"))


def consent_related(consents: QuerySet[Consent]) -> QuerySet[Consent]:
    return consents.select_related(
        "resident",
        "partner",
        "witness",
        "recorded_by",
        "withdrawal__recorded_by",
        "replaced_by",
        "replaces",
    )


def household_consents(*, household: Household) -> list[tuple[Consent, ConsentStatus]]:
    """Every consent of the household, the ones that count first, then the newest (one query)."""
    today = timezone.localdate()
    rows = [
        (consent, consent_status(consent, today=today))
        for consent in consent_related(Consent.objects.filter(household=household)).order_by(
            "-given_on", "-pk"
        )
    ]
    rank = {"valid": 0, "pending": 1, "expired": 2, "withdrawn": 3, "replaced": 4}
    rows.sort(key=lambda row: rank[row[1].code])
    return rows


def partner_choices(*, user: User, household: Household) -> QuerySet[Partner]:
    """The active partners of the household's organisation that `user` may see."""
    return (
        partners_for_user(user)
        .filter(organisation_id=household.flat.stairwell.estate.organisation_id, active=True)
        .select_related("municipality")
        .order_by("kind", "name")
    )


def partner_list(*, user: User, kind: str = "") -> QuerySet[Partner]:
    partners = partners_for_user(user).select_related("municipality", "organisation")
    if kind:
        partners = partners.filter(kind=kind)
    return partners.order_by("organisation__name", "-active", "kind", "name")


def household_referrals(*, user: User, household: Household) -> QuerySet[Referral]:
    return (
        referrals_for_user(user)
        .filter(household=household)
        .select_related("partner", "resident")
        .order_by("-created_at", "-pk")
    )


def referral_history(*, referral: Referral) -> QuerySet:
    return referral.events.select_related("by").order_by("at", "pk")


def case_checklist(*, case: Case) -> list[ChecklistItem]:
    return list(case.checklist.select_related("updated_by").order_by("section", "pk"))


@dataclass(frozen=True)
class ChecklistProgress:
    done: int = 0
    not_needed: int = 0
    open: int = 0

    @property
    def total(self) -> int:
        return self.done + self.not_needed + self.open

    @property
    def settled(self) -> int:
        return self.done + self.not_needed


def progress_of(items: list[ChecklistItem]) -> ChecklistProgress:
    statuses = [item.status for item in items]
    return ChecklistProgress(
        statuses.count(ChecklistStatus.DONE),
        statuses.count(ChecklistStatus.NOT_NEEDED),
        statuses.count(ChecklistStatus.OPEN),
    )


def checklist_progress(*, case_ids) -> dict[int, ChecklistProgress]:
    """Per case: how many checklist items are done, not needed and still to do (one query)."""
    rows = (
        ChecklistItem.objects.filter(case_id__in=case_ids)
        .values("case_id")
        .annotate(
            done=Count("pk", filter=Q(status=ChecklistStatus.DONE)),
            not_needed=Count("pk", filter=Q(status=ChecklistStatus.NOT_NEEDED)),
            open=Count("pk", filter=Q(status=ChecklistStatus.OPEN)),
        )
    )
    return {
        row["case_id"]: ChecklistProgress(row["done"], row["not_needed"], row["open"])
        for row in rows
    }


@dataclass
class CaseInterventions:
    case: Case
    caseworkers: list[User] = field(default_factory=list)
    bridge_builders: list[User] = field(default_factory=list)
    checklist: ChecklistProgress = ChecklistProgress()
    plan: FollowUpPlan | None = None


@dataclass
class Coordination:
    """Every intervention of one household, as far as `user` may see them."""

    cases: list[CaseInterventions]
    referrals: list[Referral] | None  # None: she may not see referrals
    partners: list[Partner]
    flags: list[Flag] | None  # None: she may not see flags
    can_see_plans: bool
    today: datetime.date
    valid_consents: int | None = None  # None: she may not see consents

    @property
    def open_referrals(self) -> list[Referral]:
        return [r for r in self.referrals or [] if r.status in OPEN_REFERRAL_STATUSES]

    @property
    def quiet(self) -> bool:
        """No open referral, flag, checklist or follow-up plan."""
        return not (
            self.open_referrals
            or self.flags
            or any(row.checklist.total or row.plan for row in self.cases)
        )


def household_coordination(*, user: User, household: Household) -> Coordination:
    """A fixed number of queries, however many cases, referrals and flags the household has."""
    cases = list(
        Case.objects.for_user(user)
        .filter(household=household)
        .select_related("project")
        .order_by("-opened_at", "-pk")
    )
    by_case = {case.pk: CaseInterventions(case=case) for case in cases}
    if by_case:
        for assignment in CaseAssignment.objects.filter(case_id__in=by_case).select_related("user"):
            row = by_case[assignment.case_id]
            if assignment.role == AssignmentRole.BRIDGE_BUILDER:
                row.bridge_builders.append(assignment.user)
            else:
                row.caseworkers.append(assignment.user)
        if user.has_perm("referrals.view_checklistitem"):
            for case_id, progress in checklist_progress(case_ids=list(by_case)).items():
                by_case[case_id].checklist = progress
    can_see_plans = user.has_perm("referrals.view_followupplan")
    if can_see_plans and by_case:
        plans = (
            follow_up_plans_for_user(user)
            .filter(case_id__in=by_case)
            .select_related("bridge_builder")
            .annotate(next_due=Min("visits__due_on", filter=Q(visits__done_on__isnull=True)))
        )
        for plan in plans:
            by_case[plan.case_id].plan = plan
    referrals = None
    partners: list[Partner] = []
    if user.has_perm("referrals.view_referral"):
        referrals = list(household_referrals(user=user, household=household))
        seen: dict[int, Partner] = {}
        for referral in referrals:
            referral.is_open = referral.status in OPEN_REFERRAL_STATUSES  # type: ignore[attr-defined]
            if referral.is_open:  # type: ignore[attr-defined]
                seen.setdefault(referral.partner_id, referral.partner)
        partners = sorted(seen.values(), key=lambda partner: partner.name)
    flags = None
    if user.has_perm("outreach.view_flag"):
        flags = list(
            flags_for_user(user)
            .filter(household=household, resolved_at__isnull=True)
            .select_related("case__project")
            .order_by("kind")
        )
    valid_consents = None
    if user.has_perm("referrals.view_consent"):
        valid_consents = Consent.objects.valid().filter(household=household).count()
    return Coordination(
        valid_consents=valid_consents,
        cases=list(by_case.values()),
        referrals=referrals,
        partners=partners,
        flags=flags,
        can_see_plans=can_see_plans,
        today=timezone.localdate(),
    )


# --- visitator: the municipal visitator's pages and the managers' access log -------------------
#
# The visitator sees the affected flats of her municipality (flat level: address, schedule, the
# flat's state) and, per household, only what a valid consent covering her partner lets her see.
# "Her municipality" is the municipality of the partner she acts for, in the register of the
# partner's housing organisation: one organisation's flats are not shown through another's.


class FlatState(TextChoices):
    """What a flat is used for now, derived from the cases (never who lives there)."""

    OCCUPIED = "occupied", gettext_lazy("Occupied")
    TEMPORARILY_EMPTY = (
        "temporarily_empty",
        gettext_lazy("Empty – the household is temporarily rehoused"),
    )
    MOVED_OUT = "moved_out", gettext_lazy("Empty – moved out permanently")
    TEMPORARY_HOME = "temporary_home", gettext_lazy("In use as a temporary home")
    RETURNED = "returned", gettext_lazy("Returned")
    VACANT = "vacant", gettext_lazy("Empty")


# The flat's own household's case, by the stage it is in (a closed case: the stage before).
STAGE_FLAT_STATE = {
    Stage.IDENTIFIED: FlatState.OCCUPIED,
    Stage.NOTIFIED: FlatState.OCCUPIED,
    Stage.PACKING: FlatState.OCCUPIED,
    Stage.TEMPORARY: FlatState.TEMPORARILY_EMPTY,
    Stage.RETURN_NOTIFIED: FlatState.TEMPORARILY_EMPTY,
    Stage.PACKING_RETURN: FlatState.TEMPORARILY_EMPTY,
    Stage.RETURNED: FlatState.RETURNED,
    Stage.REESTABLISHED: FlatState.RETURNED,
    Stage.MOVED_PERMANENTLY: FlatState.MOVED_OUT,
    Stage.FOLLOW_UP: FlatState.MOVED_OUT,
    Stage.ENDED: FlatState.MOVED_OUT,
}
# A household lives in its temporary flat in these stages.
LIVING_IN_TEMPORARY_FLAT = (Stage.TEMPORARY, Stage.RETURN_NOTIFIED, Stage.PACKING_RETURN)


def visitator_schedules(*, partners: list[Partner]) -> list[StairwellSchedule]:
    """The stairwell schedules of the projects in her municipality (for the filters)."""
    return list(
        StairwellSchedule.objects.filter(visitator_scope_q(partners, "project__estate"))
        .select_related("project__estate", "stairwell")
        .order_by("project__estate__name", "stairwell__street", "stairwell__number", "project")
    )


@dataclass(frozen=True)
class FlatFilters:
    project: int | None = None
    estate: int | None = None
    stairwell: int | None = None


def visitator_flats(*, partners: list[Partner], filters: FlatFilters = FlatFilters()):
    """One row per affected flat and project: the flat, its stairwell's schedule dates and
    `state_code` (see flat_state). A fixed number of queries, however many flats."""
    # One filter() call, so that the annotations below use the same join to the schedules.
    condition = visitator_scope_q(partners, "stairwell__schedules__project__estate")
    if filters.project:
        condition &= Q(stairwell__schedules__project_id=filters.project)
    if filters.estate:
        condition &= Q(stairwell__estate_id=filters.estate)
    if filters.stairwell:
        condition &= Q(stairwell_id=filters.stairwell)
    own_case = Case.objects.filter(
        household__flat=OuterRef("pk"), project=OuterRef("project_id")
    ).order_by("-opened_at", "-pk")
    stage_before_closing = (
        StageChange.objects.filter(case=OuterRef("pk"))
        .exclude(to_stage=Stage.CLOSED)
        .order_by("-changed_at", "-pk")
        .values("to_stage")[:1]
    )
    own_case = own_case.annotate(
        flat_stage=Switch(
            When(stage=Stage.CLOSED, then=Subquery(stage_before_closing)), default=F("stage")
        )
    )
    return (
        Flat.objects.filter(condition)
        .annotate(
            project_id=F("stairwell__schedules__project_id"),
            project_name=F("stairwell__schedules__project__name"),
            notice_on=F("stairwell__schedules__notice_on"),
            packing_on=F("stairwell__schedules__packing_on"),
            move_out_on=F("stairwell__schedules__move_out_on"),
            return_on=F("stairwell__schedules__return_on"),
        )
        .annotate(
            own_stage=Subquery(own_case.values("flat_stage")[:1]),  # type: ignore[misc]
            temporary_home=Exists(
                Case.objects.filter(
                    temporary_flat=OuterRef("pk"), stage__in=LIVING_IN_TEMPORARY_FLAT
                )
            ),
            lived_in=Exists(Household.objects.current().filter(flat=OuterRef("pk"))),
        )
        .select_related("stairwell__estate")
        .order_by(
            "stairwell__estate__name",
            "stairwell__street",
            "stairwell__number",
            "stairwell__letter",
            "floor",
            "door",
            "project_name",
        )
    )


def flat_state(flat) -> FlatState:
    """The state of a row of visitator_flats."""
    if flat.temporary_home:
        return FlatState.TEMPORARY_HOME
    if flat.own_stage in STAGE_FLAT_STATE:
        return STAGE_FLAT_STATE[flat.own_stage]
    return FlatState.OCCUPIED if flat.lived_in else FlatState.VACANT


def visitator_consents(*, partners: list[Partner]) -> QuerySet[Consent]:
    """The consents valid today that cover one of her partners."""
    return Consent.objects.valid().for_partners(
        [partner.pk for partner in partners], {partner.kind for partner in partners}
    )


def visitator_households_in_scope(*, partners: list[Partner]) -> QuerySet[Household]:
    """Households with a case in a project of her municipality."""
    in_scope = Case.objects.filter(
        visitator_scope_q(partners, "project__estate"), household=OuterRef("pk")
    )
    return Household.objects.filter(Exists(in_scope))


def visitator_shared_households(*, partners: list[Partner]) -> QuerySet[Household]:
    """The households of her municipality with a valid consent covering her partner."""
    consenting = visitator_consents(partners=partners).values("household_id")
    return (
        visitator_households_in_scope(partners=partners)
        .filter(pk__in=consenting)
        .select_related("flat__stairwell__estate")
        .prefetch_related(residents_prefetch())
        .order_by("flat__stairwell__street", "flat__stairwell__number", "flat__floor", "flat__door")
    )


@dataclass(frozen=True)
class SharedScope:
    """What she may see of one household: the categories, and whose identity."""

    categories: frozenset[str] = frozenset()
    # None: every resident's identity (consent for the whole household); else these residents.
    identity_of: frozenset[int] | None = frozenset()

    def __bool__(self) -> bool:
        return bool(self.categories)

    def shows_resident(self, resident_id: int) -> bool:
        return DataCategory.IDENTITY in self.categories and (
            self.identity_of is None or resident_id in self.identity_of
        )


def shared_scope(by_resident: dict[int | None, set[str]]) -> SharedScope:
    """From consented_categories()[household]. Names and contact details are per resident where
    the consent is a resident's own; the rest is the household's, shared by any covering consent
    (as consent_check lets a resident's consent cover a referral about her)."""
    categories = frozenset().union(*by_resident.values()) if by_resident else frozenset()
    if DataCategory.IDENTITY in by_resident.get(None, set()):
        return SharedScope(categories, None)
    identity_of = frozenset(
        resident_id
        for resident_id, found in by_resident.items()
        if resident_id is not None and DataCategory.IDENTITY in found
    )
    return SharedScope(categories, identity_of)


def visitator_shared_scopes(
    *, partners: list[Partner], household_ids: list[int]
) -> dict[int, SharedScope]:
    found = consented_categories(household_ids=household_ids, partners=partners)
    return {
        household_id: shared_scope(found.get(household_id, {})) for household_id in household_ids
    }


def referral_shared_scope(referral: Referral) -> SharedScope:
    """What a referral shares with its partner today: the categories it shares that its consent
    still covers; nothing once that consent is withdrawn, expired or replaced."""
    if not referral.shared or referral.consent_id is None:
        return SharedScope()
    consent = Consent.objects.valid().filter(pk=referral.consent_id).first()
    if consent is None:
        return SharedScope()
    categories = frozenset(referral.shared) & frozenset(consent.categories)
    if consent.resident_id is not None:
        return SharedScope(categories, frozenset({consent.resident_id}))
    if referral.resident_id is not None:
        return SharedScope(categories, frozenset({referral.resident_id}))
    return SharedScope(categories, None)


CONTACTS_SHOWN = 50


@dataclass
class SharedData:
    """The household's data in the categories of `scope`, and nothing else."""

    scope: SharedScope
    residents: list[Resident] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    social_note: str | None = None
    assessment: VulnerabilityAssessment | None = None
    contacts: list[Contact] = field(default_factory=list)
    observations: list[Contact] = field(default_factory=list)
    more_contacts: bool = False

    @property
    def shown(self) -> frozenset[str]:
        return self.scope.categories

    def resident_ids(self) -> list[int]:
        return [resident.pk for resident in self.residents]


def shared_data(*, household: Household, scope: SharedScope, partners: list[Partner]) -> SharedData:
    """Reads only the categories in `scope` (at most one query each)."""
    data = SharedData(scope=scope)
    shown = scope.categories
    if DataCategory.IDENTITY in shown:
        data.residents = [r for r in household.residents.all() if scope.shows_resident(r.pk)]
    if DataCategory.HOUSING in shown:
        data.cases = list(
            Case.objects.filter(visitator_scope_q(partners, "project__estate"), household=household)
            .with_schedule()
            .select_related("project", "temporary_flat__stairwell", "permanent_flat__stairwell")
            .order_by("-opened_at", "-pk")
        )
    if DataCategory.SOCIAL in shown:
        data.social_note = household.social_note
    if DataCategory.VULNERABILITY in shown:
        data.assessment = household.assessments.order_by("-assessed_at", "-pk").first()
    if DataCategory.CONTACTS in shown:
        contacts = list(
            Contact.objects.filter(household=household)
            .only("occurred_at", "channel", "outcome", "met", "note", "household_id")
            .order_by("-occurred_at", "-pk")[: CONTACTS_SHOWN + 1]
        )
        data.contacts, data.more_contacts = (
            contacts[:CONTACTS_SHOWN],
            len(contacts) > CONTACTS_SHOWN,
        )
    if DataCategory.HOME in shown:
        data.observations = list(
            Contact.objects.filter(household=household)
            .filter(~Q(observations=[]) | ~Q(observation_note=""))
            .only("occurred_at", "observations", "observation_note", "household_id")
            .order_by("-occurred_at", "-pk")[:CONTACTS_SHOWN]
        )
    return data


def visitator_referrals(*, partners: list[Partner], status: str = "") -> QuerySet[Referral]:
    """The referrals sent to her partners, never drafts."""
    referrals = Referral.objects.filter(partner__in=[partner.pk for partner in partners]).exclude(
        status=ReferralStatus.DRAFT
    )
    if status == "open":
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif status == "closed":
        referrals = referrals.exclude(status__in=OPEN_REFERRAL_STATUSES)
    return referrals.select_related("household__flat__stairwell", "partner").order_by(
        "-status_changed_at", "-pk"
    )


# --- the access log, for managers ---


class AccessLogGrouping(TextChoices):
    ENTRIES = "", gettext_lazy("Every entry")
    HOUSEHOLDS = "husstande", gettext_lazy("One line per household")
    USERS = "medarbejdere", gettext_lazy("One line per user")


@dataclass(frozen=True)
class AccessLogFilters:
    user: int | None = None
    household: int | None = None
    q: str = ""
    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    group: str = AccessLogGrouping.ENTRIES


def _start_of(day: datetime.date) -> datetime.datetime:
    # A range on the column itself, so the (user, at) and (household, at) indexes serve it;
    # `at__date` would compute a date for every row.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def organisation_staff_ids(*, organisation_ids) -> set[int]:
    """Everyone who works for the organisations: in their estates, as staff, as managers, or
    acting for a partner in their register (the visitator). One query."""
    parts = [
        EstateUserObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        EstateGroupObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("group__user", flat=True),
        OrganisationUserObjectPermission.objects.filter(
            content_object_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        OrganisationGroupObjectPermission.objects.filter(
            content_object_id__in=organisation_ids
        ).values_list("group__user", flat=True),
        PartnerUserObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("user_id", flat=True),
        PartnerGroupObjectPermission.objects.filter(
            content_object__organisation_id__in=organisation_ids
        ).values_list("group__user", flat=True),
    ]
    rows = parts[0].union(*parts[1:])
    return {user_id for user_id in rows if user_id is not None}


@dataclass(frozen=True)
class AccessLogScope:
    """What a manager may read of the log; `everything` for a superuser."""

    organisation_ids: frozenset[int] = frozenset()
    staff_ids: frozenset[int] = frozenset()
    everything: bool = False


def access_log_scope(*, user: User) -> AccessLogScope:
    if user.is_superuser:
        return AccessLogScope(everything=True)
    organisation_ids = user_grants(user).managed_organisations
    if not organisation_ids:
        return AccessLogScope()
    staff_ids = organisation_staff_ids(organisation_ids=organisation_ids)
    return AccessLogScope(frozenset(organisation_ids), frozenset(staff_ids))


def access_log_staff(*, scope: AccessLogScope) -> QuerySet[User]:
    """The people whose entries she may filter by."""
    if scope.everything:
        staff = User.objects.filter(pk__in=AccessLog.objects.values("user_id"))
    else:
        staff = User.objects.filter(pk__in=scope.staff_ids)
    return staff.order_by("first_name", "last_name", "username")


def _access_log_rows(*, scope: AccessLogScope, filters: AccessLogFilters) -> QuerySet[AccessLog]:
    """Rows about a household: her organisations' households only; rows about no household (a
    flat list export, a login, a refused page): those of her organisations' staff."""
    entries = AccessLog.objects.all()
    if not scope.everything:
        households = Household.objects.filter(
            flat__stairwell__estate__organisation_id__in=scope.organisation_ids
        ).values("pk")
        entries = entries.filter(
            Q(household_id__in=households) | Q(household__isnull=True, user_id__in=scope.staff_ids)
        )
    if filters.user:
        entries = entries.filter(user_id=filters.user)
    if filters.household:
        entries = entries.filter(household_id=filters.household)
    if filters.q:
        # The few households that match first, then their rows through the (household, at)
        # index; a join from a million rows to the names would be the other way round.
        found = household_search(Household.objects.all(), filters.q).values("pk")
        entries = entries.filter(household_id__in=found)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.date_from:
        entries = entries.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        entries = entries.filter(at__lt=_start_of(filters.date_to + datetime.timedelta(days=1)))
    return entries


def access_log_entries(
    *, scope: AccessLogScope, filters: AccessLogFilters = AccessLogFilters()
) -> QuerySet[AccessLog]:
    """Newest first."""
    return (
        _access_log_rows(scope=scope, filters=filters)
        .select_related("user", "household__flat__stairwell", "resident")
        .order_by("-at", "-pk")
    )


@dataclass
class AccessLogLine:
    """One household (or one user) of the log, with how often and when first and last."""

    entries: int
    first: datetime.datetime
    last: datetime.datetime
    household_id: int | None = None
    household: Household | None = None
    user_id: int | None = None
    username: str = ""
    user: User | None = None


def access_log_summary(
    *, scope: AccessLogScope, filters: AccessLogFilters, by: str
) -> QuerySet[AccessLog]:
    """ "Which households did she see" (by households) or "who saw it" (by users), latest
    first: dicts with household_id or user_id and username, entries, first and last."""
    rows = _access_log_rows(scope=scope, filters=filters)
    if by == AccessLogGrouping.HOUSEHOLDS:
        keys: tuple[str, ...] = ("household_id",)
        rows = rows.filter(household__isnull=False)
    else:
        keys = ("user_id", "username")
    return (
        rows.values(*keys)
        .annotate(entries=Count("pk"), first=Min("at"), last=Max("at"))
        .order_by("-last", *keys)
    )


def access_log_lines(rows) -> list[AccessLogLine]:
    """The summary rows of one page, with their households or users: two queries at most."""
    lines = [AccessLogLine(**row) for row in rows]
    household_ids = {line.household_id for line in lines if line.household_id}
    households = (
        Household.objects.filter(pk__in=household_ids)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch())
    )
    by_household = {household.pk: household for household in households} if household_ids else {}
    user_ids = {line.user_id for line in lines if line.user_id}
    users = {user.pk: user for user in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    for line in lines:
        line.household = by_household.get(line.household_id or 0)
        line.user = users.get(line.user_id or 0)
    return lines


# --- bridge-building and communities (helper: bridge) -------------------------------------------

# A follow-up contact due within this many days is "due soon" on the bridge-builder's list.
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class FollowUpFilters:
    scope: str = "mine"  # "mine" or "all"
    closed: bool = False


@dataclass
class FollowUpRow:
    """One household in follow-up, as the bridge-builder's list shows it."""

    plan: FollowUpPlan
    checklist: ChecklistProgress
    today: datetime.date

    @property
    def next_due(self) -> datetime.date | None:
        return self.plan.next_due  # type: ignore[attr-defined]

    @property
    def urgency(self) -> str:
        """overdue (due before today), today, soon (within DUE_SOON_DAYS), later, or none."""
        if self.next_due is None:
            return "none"
        if self.next_due < self.today:
            return "overdue"
        if self.next_due == self.today:
            return "today"
        if self.next_due <= self.today + datetime.timedelta(days=DUE_SOON_DAYS):
            return "soon"
        return "later"

    @property
    def days_overdue(self) -> int:
        return (self.today - self.next_due).days if self.next_due else 0

    @property
    def days_left(self) -> int:
        return (self.next_due - self.today).days if self.next_due else 0


def _mine_q(user: User) -> Q:
    """Her plans: she is the plan's bridge-builder, or the plan has none and she is on the case."""
    on_case = CaseAssignment.objects.filter(case_id=OuterRef("case_id"), user=user)
    return Q(bridge_builder=user) | Q(bridge_builder__isnull=True) & Q(Exists(on_case))


def has_follow_up_plans(*, user: User) -> bool:
    return follow_up_plans_for_user(user).filter(_mine_q(user), closed_on__isnull=True).exists()


def follow_up_plans(*, user: User, filters: FollowUpFilters) -> QuerySet[FollowUpPlan]:
    """Open plans (or the closed ones), the next follow-up contact due first; each annotated
    with next_visit_id, next_due, next_label, due_count (contacts due today or earlier, not
    done) and last_contact_at (the household's latest contact of any kind)."""
    today = timezone.localdate()
    plans = follow_up_plans_for_user(user).filter(closed_on__isnull=not filters.closed)
    if filters.scope == "mine":
        plans = plans.filter(_mine_q(user))
    open_visits = FollowUpVisit.objects.filter(plan_id=OuterRef("pk"), done_on__isnull=True)
    next_visit = open_visits.order_by("due_on", "pk")
    contacts = Contact.objects.filter(household_id=OuterRef("case__household_id"))
    plans = plans.annotate(
        next_visit_id=Subquery(next_visit.values("pk")[:1]),
        next_due=Subquery(next_visit.values("due_on")[:1]),
        next_label=Subquery(next_visit.values("label")[:1]),
        due_count=Coalesce(
            Subquery(
                open_visits.filter(due_on__lte=today)
                .order_by()
                .values("plan_id")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
        last_contact_at=Subquery(contacts.order_by("-occurred_at").values("occurred_at")[:1]),
    )
    if filters.closed:
        ordered = plans.order_by("-closed_on", "-pk")
    else:
        ordered = plans.order_by(F("next_due").asc(nulls_last=True), "started_on", "pk")
    return ordered.select_related(
        "case__household__flat__stairwell",
        "case__permanent_flat__stairwell",
        "case__project",
        "bridge_builder",
    ).prefetch_related(residents_prefetch("case__household__residents"))


def new_area_progress(*, case_ids) -> dict[int, ChecklistProgress]:
    """Per case: the new-area checklist's done, not needed and open items (one query)."""
    rows = (
        ChecklistItem.objects.filter(case_id__in=case_ids, section=ChecklistList.NEW_AREA)
        .values("case_id")
        .annotate(
            done=Count("pk", filter=Q(status=ChecklistStatus.DONE)),
            not_needed=Count("pk", filter=Q(status=ChecklistStatus.NOT_NEEDED)),
            open=Count("pk", filter=Q(status=ChecklistStatus.OPEN)),
        )
    )
    return {
        row["case_id"]: ChecklistProgress(row["done"], row["not_needed"], row["open"])
        for row in rows
    }


def follow_up_rows(plans) -> list[FollowUpRow]:
    """The rows of a page of plans, with their checklist progress (one more query)."""
    plans = list(plans)
    progress = new_area_progress(case_ids=[plan.case_id for plan in plans])
    today = timezone.localdate()
    return [
        FollowUpRow(
            plan=plan, checklist=progress.get(plan.case_id, ChecklistProgress()), today=today
        )
        for plan in plans
    ]


def follow_up_visits(*, plan: FollowUpPlan) -> list[FollowUpVisit]:
    return list(plan.visits.select_related("contact__staff").order_by("due_on", "pk"))


def new_area_checklist(*, case: Case) -> list[ChecklistItem]:
    return list(
        case.checklist.filter(section=ChecklistList.NEW_AREA)
        .select_related("updated_by")
        .order_by("pk")
    )


def referrals_since(*, user: User, household: Household, since: datetime.date) -> list[Referral]:
    """The referrals of the household made since the follow-up started (local offers)."""
    return list(
        referrals_for_user(user)
        .filter(household=household, created_at__date__gte=since)
        .select_related("partner")
        .order_by("-created_at", "-pk")
    )


def household_communities(*, user: User, household: Household) -> list[CommunityMembership]:
    return list(
        CommunityMembership.objects.filter(
            household=household, left_on__isnull=True, community__in=communities_for_user(user)
        )
        .select_related("community")
        .order_by("community__name")
    )


# --- communities for the rehoused ---


def community_list(*, user: User) -> QuerySet[Community]:
    """Her organisations' communities, each with its number of members and next meeting."""
    members = CommunityMembership.objects.filter(community_id=OuterRef("pk"), left_on__isnull=True)
    upcoming = CommunityMeeting.objects.filter(
        community_id=OuterRef("pk"), starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return (
        communities_for_user(user)
        .select_related("organisation")
        .annotate(
            member_count=Coalesce(
                Subquery(
                    members.order_by().values("community_id").annotate(n=Count("pk")).values("n")
                ),
                0,
            ),
            next_meeting_at=Subquery(upcoming.values("starts_at")[:1]),
            next_meeting_place=Subquery(upcoming.values("place")[:1]),
        )
        .order_by("organisation__name", "name")
    )


@dataclass
class CommunityMembers:
    """The members she may see by name, and how many others there are."""

    visible: list[CommunityMembership]
    others: int
    former: list[CommunityMembership]


def _new_homes(path: str = "household__cases") -> Prefetch:
    """The household's permanent moves (`household.new_homes`), to show where it lives now."""
    moves = Case.objects.filter(permanent_flat__isnull=False).select_related(
        "permanent_flat__stairwell"
    )
    return Prefetch(path, queryset=moves.order_by("-pk"), to_attr="new_homes")


def community_members(*, user: User, community: Community) -> CommunityMembers:
    visible = Household.objects.for_user(user).filter(pk=OuterRef("household_id"))
    memberships = list(
        community.memberships.annotate(visible=Exists(visible))
        .select_related("household__flat__stairwell")
        .prefetch_related(residents_prefetch("household__residents"), _new_homes())
        .order_by("household__flat__stairwell__street", "household__flat__stairwell__number", "pk")
    )
    current = [m for m in memberships if m.left_on is None]
    return CommunityMembers(
        visible=[m for m in current if m.visible],  # type: ignore[attr-defined]
        others=sum(1 for m in current if not m.visible),  # type: ignore[attr-defined]
        former=[m for m in memberships if m.left_on is not None and m.visible],  # type: ignore[attr-defined]
    )


def community_meetings(*, community: Community) -> QuerySet[CommunityMeeting]:
    return community.meetings.annotate(came=Count("attendees")).order_by("-starts_at")


def community_household_search(
    *, user: User, community: Community, q: str, limit: int = 10
) -> list[Household]:
    """Households of the community's organisation she may see, matching `q`, not yet members."""
    if len(q.strip()) < 2:
        return []
    members = community.memberships.filter(left_on__isnull=True).values("household_id")
    households = (
        Household.objects.for_user(user)
        .filter(flat__stairwell__estate__organisation_id=community.organisation_id)
        .exclude(pk__in=members)
    )
    return list(
        household_search(households, q)
        .select_related("flat__stairwell")
        .prefetch_related(residents_prefetch(), _new_homes("cases"))
        .order_by(
            "flat__stairwell__street", "flat__stairwell__number", "flat__floor", "flat__door"
        )[:limit]
    )


def meeting_attendance(
    *, user: User, meeting: CommunityMeeting
) -> tuple[list[CommunityMembership], set[int], int]:
    """The members of the community on the meeting's day she may see, the households that
    came, and how many came in all."""
    day = timezone.localdate(meeting.starts_at)
    visible = Household.objects.for_user(user).filter(pk=OuterRef("household_id"))
    members = list(
        meeting.community.memberships.filter(joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .filter(Exists(visible))
        .select_related("household__flat__stairwell")
        .prefetch_related(residents_prefetch("household__residents"), _new_homes())
        .order_by("household__flat__stairwell__street", "household__flat__stairwell__number", "pk")
    )
    came = set(meeting.attendees.values_list("pk", flat=True))
    return members, came, len(came)
