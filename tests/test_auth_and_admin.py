from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from tests.conftest import Cast
from tests.factories import PASSWORD, make_totp_device, totp_code


def test_it_logs_in_and_out(client, cast):
    response = client.post(reverse("login"), {"username": "caseworker_a1", "password": PASSWORD})
    assert response.status_code == 302
    device = make_totp_device(cast.caseworker_a1)
    response = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert response.status_code == 302
    assert client.get(reverse("cases:caseload")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("cases:caseload")).status_code == 302


def test_it_says_in_danish_when_the_password_is_wrong(client, cast):
    response = client.post(reverse("login"), {"username": "caseworker_a1", "password": "forkert"})
    assert response.status_code == 200
    assert "Brugernavn eller adgangskode er forkert" in response.content.decode()


def test_it_mails_a_password_reset_link_and_the_link_works(client, cast):
    cast.caseworker_a1.email = "maja@example.dk"
    cast.caseworker_a1.save()
    client.post(reverse("password_reset"), {"email": "maja@example.dk"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/konto/reset/" in line)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "en lang og sjov adgangskode"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert User.objects.get(pk=cast.caseworker_a1.pk).check_password(new_password)


def test_it_sends_no_mail_for_an_unknown_address(client, db):
    client.post(reverse("password_reset"), {"email": "ingen@example.dk"})
    assert mail.outbox == []


def test_sessions_end_after_thirty_idle_minutes(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        clock.shift(timedelta(minutes=29))
        assert (
            client.get(reverse("cases:caseload")).status_code == 200
        )  # activity restarts the clock
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("cases:caseload")).status_code == 200
        clock.shift(timedelta(minutes=31))
        response = client.get(reverse("cases:caseload"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def our_models():
    for label in ("households", "cases", "outreach", "referrals"):
        for model in apps.get_app_config(label).get_models():
            if not issubclass(model, UserObjectPermissionBase | GroupObjectPermissionBase):
                yield model


@pytest.mark.parametrize("model", list(our_models()), ids=lambda m: m.__name__)
def test_the_admin_has_every_model_and_opens_its_list(admin_client, model):
    assert admin.site.is_registered(model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_the_permission_backend_reads_what_django_reads_in_one_query(
    cast, django_assert_num_queries
):
    """accounts.backends.PermissionBackend: the same sets as Django's ModelBackend, own and
    through the groups, for every role (and a permission given to a user herself)."""
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import Permission

    cast.caretaker_a1.user_permissions.add(Permission.objects.get(codename="view_flag"))
    for field in Cast.__dataclass_fields__:
        user = getattr(cast, field)
        if not isinstance(user, User):
            continue
        ours, django_s = User.objects.get(pk=user.pk), User.objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            held = ours.get_all_permissions()
        assert held == ModelBackend().get_all_permissions(django_s), field
        assert ours.get_user_permissions() == ModelBackend().get_user_permissions(django_s)
        assert ours.get_group_permissions() == ModelBackend().get_group_permissions(django_s)
    assert "outreach.view_flag" in User.objects.get(pk=cast.caretaker_a1.pk).get_all_permissions()


def test_the_permission_backend_gives_an_inactive_user_nothing(cast):
    user = User.objects.get(pk=cast.manager_a.pk)
    user.is_active = False
    assert user.get_all_permissions() == set()
    assert not user.has_perm("cases.view_case")
