"""The municipal visitator's reads: the affected flats of her municipality (flat level: address,
schedule, the flat's state), the households whose valid consent covers her partner, only what
that consent lets her see, and the referrals sent to her partner.

"Her municipality" is the municipality of the partner she acts for, in the register of the
partner's housing organisation: one organisation's flats are not shown through another's.
"""

from dataclasses import dataclass, field

from django.db.models import Case as Switch
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, TextChoices, When
from django.utils.translation import gettext_lazy

from cases.models import Case, StageChange, StairwellSchedule
from cases.stages import Stage
from households.models import Flat, Household, Resident, VulnerabilityAssessment
from households.selectors import residents_prefetch
from outreach.models import Contact
from referrals.consents.selectors import consented_categories
from referrals.models import (
    OPEN_REFERRAL_STATUSES,
    Consent,
    DataCategory,
    Partner,
    Referral,
    ReferralStatus,
)
from referrals.visitator.permissions import visitator_scope_q


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
