"""Every write to households, residents, assessments and staff access."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from genhusning.roles import ROLE_PERMISSIONS
from genhusning.versioning import update_versioned
from households.models import (
    Estate,
    Household,
    Organisation,
    Resident,
    VulnerabilityAssessment,
    VulnerabilityFactor,
    VulnerabilityLevel,
)

HOUSEHOLD_EDITABLE_FIELDS = ("moved_in_on", "social_note")
RESIDENT_EDITABLE_FIELDS = (
    "first_name",
    "last_name",
    "birth_year",
    "phone",
    "email",
    "language",
    "interpreter_needed",
    "digital",
    "is_contact_person",
)


@transaction.atomic
def household_update(
    *, household: Household, by: User | None, expected_version: int, data: dict
) -> None:
    if set(data) - set(HOUSEHOLD_EDITABLE_FIELDS):
        raise ValueError(f"Not editable: {sorted(set(data) - set(HOUSEHOLD_EDITABLE_FIELDS))}")
    update_versioned(household, expected_version=expected_version, values=data, by=by)


def _one_contact_person(*, resident: Resident) -> None:
    if resident.is_contact_person:
        Resident.objects.filter(household=resident.household_id, is_contact_person=True).exclude(
            pk=resident.pk
        ).update(is_contact_person=False)


@transaction.atomic
def resident_add(*, household: Household, data: dict) -> Resident:
    if set(data) - set(RESIDENT_EDITABLE_FIELDS):
        raise ValueError("Not editable")
    if not household.residents.exists():
        data = {**data, "is_contact_person": True}
    resident = Resident.objects.create(household=household, **data)
    _one_contact_person(resident=resident)
    return resident


@transaction.atomic
def resident_update(*, resident: Resident, expected_version: int, data: dict) -> None:
    if set(data) - set(RESIDENT_EDITABLE_FIELDS):
        raise ValueError("Not editable")
    update_versioned(resident, expected_version=expected_version, values=data)
    _one_contact_person(resident=resident)


@transaction.atomic
def vulnerability_assess(
    *,
    household: Household,
    by: User | None,
    level: str,
    factors: list[str],
    note: str = "",
) -> VulnerabilityAssessment:
    """Record a new assessment; the old ones stay as history."""
    if level not in VulnerabilityLevel.values:
        raise ValidationError(_("Choose a level."))
    unknown = set(factors) - set(VulnerabilityFactor.values)
    if unknown:
        raise ValidationError(_("Unknown factor."))
    if level != VulnerabilityLevel.NONE and not factors:
        raise ValidationError(_("Choose at least one factor for a vulnerable household."))
    return VulnerabilityAssessment.objects.create(
        household=household,
        level=level,
        factors=sorted(set(factors)),
        note=note.strip(),
        assessed_by=by,
    )


@transaction.atomic
def estate_assign_staff(*, estate: Estate, user: User) -> None:
    """Let `user` work with the cases of `estate`; she becomes staff of its organisation."""
    assign_perm("households.work_in_estate", user, estate)
    assign_perm("households.staff_of_organisation", user, estate.organisation)


@transaction.atomic
def estate_unassign_staff(*, estate: Estate, user: User) -> None:
    remove_perm("households.work_in_estate", user, estate)


@transaction.atomic
def organisation_add_manager(*, organisation: Organisation, user: User) -> None:
    assign_perm("households.manage_organisation", user, organisation)
    assign_perm("households.staff_of_organisation", user, organisation)


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create a group per role with exactly the permissions of genhusning/roles.py."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    groups = []
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            wanted.append(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)
        groups.append(group)
    return groups
