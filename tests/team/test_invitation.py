"""Inviting a colleague: an account without a password, a Danish mail with a one-time link that
expires, her password through the link, then the two-factor set-up of every first login."""

import re
from datetime import timedelta

import time_machine
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Case
from core.roles import Role
from households.models import AccessAction, AccessLog
from team.models import Invitation
from tests.conftest import MARKERS

NEW_PASSWORD = "min lange nye adgangssætning"


def invite(client, cast, **fields):
    organisation = cast.case_a1.project.estate.organisation
    client.force_login(cast.manager_a)
    data = {
        "first_name": "Sofie",
        "last_name": "Lund",
        "email": "Sofie.Lund@Example.dk",
        "role": Role.CASEWORKER,
        "estates": [cast.case_a2.project.estate_id],
        **fields,
    }
    return client.post(reverse("team:invite", args=[organisation.pk]), data)


def link_in(message) -> str:
    return re.search(r"https?://\S+/konto/invitation/\S+/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_a_manager_invites_a_colleague_who_sets_her_password_through_the_link(client, cast):
    response = invite(client, cast)
    assert response.status_code == 302
    user = User.objects.get(email="Sofie.Lund@example.dk")
    assert user.username == "sofie.lund@example.dk"
    assert not user.has_usable_password()
    assert user.groups.get().name == Role.CASEWORKER
    assert list(Case.objects.for_user(user)) == [cast.case_a2]
    invitation = Invitation.objects.get(user=user)
    assert (invitation.invited_by, invitation.sent_at is not None) == (cast.manager_a, True)
    entry = AccessLog.objects.get(action=AccessAction.STAFF)
    assert entry.user == cast.manager_a

    [message] = mail.outbox
    assert message.to == ["Sofie.Lund@example.dk"]
    assert message.subject == "Du er inviteret til genhusning"
    assert "Hej Sofie" in message.body and "sofie.lund@example.dk" in message.body
    assert "to-trins-login" in message.body
    for marker in (marker for markers in MARKERS.values() for marker in markers):
        assert marker not in message.body  # nothing about a resident leaves in the mail

    client.logout()
    response = client.get(path_of(link_in(message)))
    assert response.status_code == 302  # the token goes into the session, out of the address
    assert response["Location"].endswith("/set-password/")
    page = client.get(response["Location"])
    assert "sofie.lund@example.dk" in page.content.decode()
    short = client.post(response["Location"], {"new_password1": "kort", "new_password2": "kort"})
    assert short.status_code == 200 and "for kort" in short.content.decode()
    done = client.post(
        response["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("login")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert Invitation.objects.get(user=user).accepted_at is not None

    # The link works once.
    again = client.get(path_of(link_in(message)), follow=True)
    assert "ikke længere gyldigt" in again.content.decode()

    # Her first login leads to the set-up of the app, and then to exactly her cases.
    client.post(reverse("login"), {"username": "sofie.lund@example.dk", "password": NEW_PASSWORD})
    enrol = client.get(reverse("accounts:otp_enrol"))
    assert enrol.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    confirmed = client.post(reverse("accounts:otp_enrol"), {"code": f"{totp.token():06d}"})
    assert confirmed.status_code == 200 and len(confirmed.context["codes"]) == 10
    caseload = client.get(reverse("cases:caseload") + "?scope=all")
    assert [case.pk for case in caseload.context["page"].object_list] == [cast.case_a2.pk]


def test_the_link_expires_after_the_invitations_days(client, cast, settings):
    settings.INVITATION_DAYS = 3
    with time_machine.travel(timezone.now(), tick=False) as clock:
        invite(client, cast)
        link = path_of(link_in(mail.outbox[0]))
        client.logout()
        clock.shift(timedelta(days=3, minutes=1))
        response = client.get(link, follow=True)
        assert "ikke længere gyldigt" in response.content.decode()
        assert not User.objects.get(email__iexact="sofie.lund@example.dk").has_usable_password()

        # The manager sends it again: a new link, valid from now.
        client.force_login(cast.manager_a)
        user = User.objects.get(email__iexact="sofie.lund@example.dk")
        organisation = cast.case_a1.project.estate.organisation
        team = client.get(reverse("team:team", args=[organisation.pk])).content.decode()
        assert "Invitationen er udløbet" in team
        client.post(reverse("team:invitation_resend", args=[organisation.pk, user.pk]))
        assert len(mail.outbox) == 2
        client.logout()
        response = client.get(path_of(link_in(mail.outbox[1])))
        assert response.status_code == 302


def test_she_has_the_whole_enrolment_time_from_the_day_she_sets_her_password(
    client, cast, settings
):
    settings.INVITATION_DAYS = 10
    settings.OTP_ENROLMENT_DAYS = 7
    with time_machine.travel(timezone.now(), tick=False) as clock:
        invite(client, cast)
        client.logout()
        clock.shift(timedelta(days=6))
        set_password = client.get(path_of(link_in(mail.outbox[0])))["Location"]
        client.post(set_password, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
        clock.shift(timedelta(days=5))  # 11 days after the invitation, 5 after her password
        client.post(
            reverse("login"), {"username": "sofie.lund@example.dk", "password": NEW_PASSWORD}
        )
        assert client.get(reverse("accounts:otp_enrol")).status_code == 200


def test_a_deactivated_invitee_cannot_use_her_link(client, cast):
    invite(client, cast)
    user = User.objects.get(email__iexact="sofie.lund@example.dk")
    user.is_active = False
    user.save()
    client.logout()
    response = client.get(path_of(link_in(mail.outbox[0])), follow=True)
    assert "ikke længere gyldigt" in response.content.decode()


def test_an_address_already_in_use_is_refused_in_danish(client, cast):
    cast.caseworker_b1.email = "optaget@example.dk"
    cast.caseworker_b1.save()
    response = invite(client, cast, email="OPTAGET@example.dk")
    assert response.status_code == 400
    assert "har allerede denne e-mailadresse" in response.content.decode()
    assert User.objects.filter(email__iexact="optaget@example.dk").count() == 1
    assert mail.outbox == []


def test_a_mail_server_that_refuses_keeps_the_invitation_for_sending_again(client, cast, settings):
    # A real SMTP client against a port where no mail server listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    response = invite(client, cast)
    assert response.status_code == 302
    invitation = Invitation.objects.get(user__email__iexact="sofie.lund@example.dk")
    assert invitation.sent_at is None
    page = client.get(response["Location"]).content.decode()
    assert "kunne ikke sendes" in page and "Invitationen er ikke sendt" in page
