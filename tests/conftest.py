"""The cast: two organisations, three estates, and a user per role.

Organisation A has estates A1 and A2; organisation B has estate B1.
The caseworker of A1 sees A1's cases only; the manager of A sees A1 and A2; nobody in A sees B1.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from cases.models import Case, ProjectKind
from genhusning.roles import Role
from households.models import VulnerabilityFactor, VulnerabilityLevel
from households.services import estate_assign_staff, organisation_add_manager
from tests import factories


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # The manifest storage needs collectstatic; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A deliberately slow hash makes every login cost a third of a second; tests need no such cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]


@dataclass
class Cast:
    caseworker_a1: User
    caseworker_a2: User
    bridge_builder_a: User
    rehousing_officer_a1: User
    manager_a: User
    manager_b: User
    caseworker_b1: User
    visitator: User
    caretaker_a1: User
    case_a1: Case
    case_a2: Case
    case_b1: Case


# Strings planted in each case's data; a response that must not show the case must contain none.
MARKERS = {
    "case_a1": ("Agnete Markørsen", "SOCIAL-NOTE-A1-7731", "Markørvej"),
    "case_a2": ("Bodil Markørdatter", "SOCIAL-NOTE-A2-7732", "Skjultvej"),
    "case_b1": ("Carl Markørby", "SOCIAL-NOTE-B1-7733", "Fjernvej"),
}


@pytest.fixture
def cast(db) -> Cast:
    org_a = factories.make_organisation("Boligselskabet A")
    org_b = factories.make_organisation("Boligselskabet B")
    estate_a1 = factories.make_estate(org_a, "Vestergården")
    estate_a2 = factories.make_estate(org_a, "Nordparken")
    estate_b1 = factories.make_estate(
        org_b, "Fjordbo", municipality=factories.make_municipality("Køge", "259")
    )

    cases = {}
    for key, estate, kind in (
        ("case_a1", estate_a1, ProjectKind.RENOVATION_WITH_RETURN),
        ("case_a2", estate_a2, ProjectKind.TRANSFORMATION),
        ("case_b1", estate_b1, ProjectKind.RENOVATION_WITH_RETURN),
    ):
        name, note, street = MARKERS[key]
        project = factories.make_project(estate, kind=kind)
        flat = factories.make_flat(factories.make_stairwell(estate, street=street, number=3))
        household = factories.make_household(flat, name, social_note=note)
        factories.assess(
            household,
            VulnerabilityLevel.PARTICULARLY,
            [VulnerabilityFactor.ADDICTION],
            note=f"ASSESSMENT-{note}",
        )
        cases[key] = factories.make_case(project, household, next_step="Besøg igen")

    users = {
        "caseworker_a1": factories.make_user(
            "caseworker_a1", Role.CASEWORKER, first_name="Maja", last_name="Holm"
        ),
        "caseworker_a2": factories.make_user("caseworker_a2", Role.CASEWORKER),
        "bridge_builder_a": factories.make_user("bridge_builder_a", Role.BRIDGE_BUILDER),
        "rehousing_officer_a1": factories.make_user("rehousing_officer_a1", Role.REHOUSING_OFFICER),
        "manager_a": factories.make_user("manager_a", Role.MANAGER),
        "manager_b": factories.make_user("manager_b", Role.MANAGER),
        "caseworker_b1": factories.make_user("caseworker_b1", Role.CASEWORKER),
        "visitator": factories.make_user("visitator", Role.VISITATOR),
        "caretaker_a1": factories.make_user("caretaker_a1", Role.CARETAKER),
    }
    estate_assign_staff(estate=estate_a1, user=users["caseworker_a1"])
    estate_assign_staff(estate=estate_a2, user=users["caseworker_a2"])
    estate_assign_staff(estate=estate_a1, user=users["rehousing_officer_a1"])
    estate_assign_staff(estate=estate_b1, user=users["caseworker_b1"])
    # The bridge-builder works in no estate: she sees only the cases she is assigned to.
    from guardian.shortcuts import assign_perm

    assign_perm("households.staff_of_organisation", users["bridge_builder_a"], org_a)
    organisation_add_manager(organisation=org_a, user=users["manager_a"])
    organisation_add_manager(organisation=org_b, user=users["manager_b"])
    return Cast(**users, **cases)
