"""The role groups (core/roles.py) after households.services.roles_sync, which runs after every
migrate and every flush of a transactional test."""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType

from core.roles import ROLE_PERMISSIONS, Role
from households.services import roles_sync

pytestmark = pytest.mark.django_db


def permissions_of(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_each_role_group_gets_exactly_the_permissions_of_its_role():
    manager = Group.objects.get(name=Role.MANAGER)
    manager.permissions.add(Permission.objects.get(codename="delete_user"))
    manager.permissions.remove(Permission.objects.get(codename="view_case"))

    groups = roles_sync()

    assert {group.name for group in groups} == set(ROLE_PERMISSIONS)
    for group in groups:
        assert permissions_of(group) == set(ROLE_PERMISSIONS[group.name])
    assert "auth.delete_user" not in permissions_of(manager)


def test_a_codename_of_another_app_is_not_taken_for_the_named_one(monkeypatch):
    Permission.objects.create(
        codename="add_tip", name="A namesake", content_type=ContentType.objects.get_for_model(User)
    )
    monkeypatch.setattr(
        "households.services.ROLE_PERMISSIONS", {Role.CARETAKER: ("outreach.add_tip",)}
    )

    (caretaker,) = roles_sync()

    assert permissions_of(caretaker) == {"outreach.add_tip"}


def test_an_unknown_permission_stops_the_sync(monkeypatch):
    monkeypatch.setattr(
        "households.services.ROLE_PERMISSIONS", {Role.CARETAKER: ("outreach.no_such_thing",)}
    )
    with pytest.raises(Permission.DoesNotExist, match=r"outreach\.no_such_thing"):
        roles_sync()
