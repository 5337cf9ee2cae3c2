"""Guardian's permission rows go with the object, and a revoked permission counts on the very
next request (guardian and households.permissions.user_grants cache on the user object, which
lives for one request)."""

from django.apps import apps
from django.contrib.auth.models import Group, User
from django.urls import reverse
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import (
    clean_orphan_obj_perms,
    get_group_obj_perms_model,
    get_user_obj_perms_model,
)

from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from households.models import EstateGroupObjectPermission, EstateUserObjectPermission
from privacy.classification import APPS
from privacy.services import resident_erase


def direct_permission_models():
    return [
        model
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model.__name__.endswith(("UserObjectPermission", "GroupObjectPermission"))
    ]


def test_every_model_that_gets_object_permissions_has_direct_foreign_key_tables(db):
    granted = {
        model._meta.get_field("content_object").related_model
        for model in direct_permission_models()
    }
    # the models whose own permissions are granted per object (Meta.permissions of ours, and
    # view_case), by the services and the cast
    for model in granted:
        assert get_user_obj_perms_model(model) is not UserObjectPermission, model
        assert get_group_obj_perms_model(model) is not GroupObjectPermission, model
    assert {model.__name__ for model in granted} == {
        "Organisation",
        "Estate",
        "Project",
        "Case",
        "Partner",
    }


def generic_rows() -> int:
    return UserObjectPermission.objects.count() + GroupObjectPermission.objects.count()


def test_no_service_grants_through_guardians_generic_tables(subject):
    """The cast and the leak test's data are made through the services (estates, cases,
    consents, referrals, follow-up): every grant landed in a direct table."""
    assert EstateUserObjectPermission.objects.exists()
    assert generic_rows() == 0


def test_deleting_a_case_a_household_a_user_and_a_group_leaves_no_permission_row(cast):
    group = Group.objects.create(name="team-vest")
    estate = cast.case_a1.project.estate
    assign_perm("households.work_in_estate", group, estate)
    assign_perm("cases.view_case", group, cast.case_a2)
    assign_perm("cases.view_case", cast.caseworker_a2, cast.case_a2)
    assign_perm("cases.view_case", cast.caseworker_a2, cast.case_a1)
    assert generic_rows() == 0  # everything went to the direct tables

    case = cast.case_a2
    for contact in case.contacts.all():
        contact.delete()
    case.delete()
    assert not CaseUserObjectPermission.objects.filter(content_object_id=case.pk).exists()
    assert not CaseGroupObjectPermission.objects.filter(content_object_id=case.pk).exists()

    household = cast.case_a1.household
    for resident in household.residents.all():  # the household goes with its last resident
        resident_erase(resident=resident, by=cast.manager_a)
    assert not Case.objects.filter(pk=cast.case_a1.pk).exists()
    assert not CaseUserObjectPermission.objects.filter(content_object_id=cast.case_a1.pk).exists()

    user = cast.caseworker_a1
    assert EstateUserObjectPermission.objects.filter(user=user).exists()
    user.delete()
    assert not EstateUserObjectPermission.objects.filter(user_id=user.pk).exists()

    group.delete()
    assert not EstateGroupObjectPermission.objects.filter(group_id=group.pk).exists()
    for model in direct_permission_models():
        owner = "user" if "User" in model.__name__ else "group"
        assert not model.objects.filter(**{f"{owner}__isnull": True}).exists(), model
    assert clean_orphan_obj_perms() == 0
    assert generic_rows() == 0


def test_a_revoked_group_permission_counts_on_the_next_request(client, cast):
    worker = User.objects.create_user("vikar")
    worker.groups.add(*cast.caseworker_a1.groups.all())
    team = Group.objects.create(name="team-vest")
    worker.groups.add(team)
    assign_perm("households.work_in_estate", team, cast.case_a1.project.estate)
    client.force_login(worker)
    url = reverse("cases:detail", args=[cast.case_a1.pk])
    assert client.get(url).status_code == 200
    remove_perm("households.work_in_estate", team, cast.case_a1.project.estate)
    assert client.get(url).status_code == 404


def test_a_revoked_case_permission_and_a_removed_role_count_on_the_next_request(client, cast):
    client.force_login(cast.caseworker_a2)
    url = reverse("cases:detail", args=[cast.case_a1.pk])
    assign_perm("cases.view_case", cast.caseworker_a2, cast.case_a1)
    assert client.get(url).status_code == 200
    remove_perm("cases.view_case", cast.caseworker_a2, cast.case_a1)
    assert client.get(url).status_code == 404
    client.force_login(cast.caseworker_a1)
    assert client.get(url).status_code == 200
    cast.caseworker_a1.groups.clear()  # the role goes: the model permission with it
    assert client.get(url).status_code in (403, 404)
