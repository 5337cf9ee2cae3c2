"""Two-factor login: every user gives a code from an authenticator app (or a backup code)
after her password, and sees nothing else until she has."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession
from accounts.services import backup_codes_replace
from tests.conftest import MARKERS
from tests.factories import PASSWORD, make_totp_device, totp_code


def password_login(client, username: str, **extra):
    response = client.post(
        reverse("login") + extra.pop("query", ""), {"username": username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


def code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def assert_no_markers(response) -> None:
    text = response.content.decode()
    for marker in (marker for markers in MARKERS.values() for marker in markers):
        assert marker not in text


def test_it_sends_a_user_without_her_code_to_the_code_page_from_every_page(client, cast):
    make_totp_device(cast.caseworker_a1)
    client.force_login(cast.caseworker_a1, otp_verified=False)
    for url in (
        reverse("cases:caseload"),
        reverse("cases:detail", args=[cast.case_a1.pk]),
        reverse("households:detail", args=[cast.case_a1.household_id]),
        reverse("password_change"),
        reverse("home"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp_verify")), url
        assert_no_markers(response)
    response = client.post(reverse("cases:stage", args=[cast.case_a1.pk]), {"to": "notified"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_verify")


def test_it_remembers_the_page_she_asked_for(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    case_url = reverse("cases:detail", args=[cast.case_a1.pk])
    response = password_login(client, "caseworker_a1", query=f"?next={case_url}")
    response = client.get(response["Location"])
    assert (
        response["Location"]
        == f"{reverse('accounts:otp_verify')}?next=%2Fsager%2F{cast.case_a1.pk}%2F"
    )
    response = client.post(response["Location"], {"code": code_for(device), "next": case_url})
    assert response["Location"] == case_url
    assert client.get(case_url).status_code == 200


def test_it_does_not_send_her_away_to_another_site_after_the_code(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    response = client.post(
        reverse("accounts:otp_verify"),
        {"code": code_for(device), "next": "https://evil.example/phish"},
    )
    assert response["Location"] == reverse("home")


def test_an_htmx_fragment_sends_the_whole_page_to_the_code_page(client, cast):
    make_totp_device(cast.manager_a)
    client.force_login(cast.manager_a, otp_verified=False)
    response = client.get(
        reverse("outreach:flag_count"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/sager/"},
    )
    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Redirect"] == f"{reverse('accounts:otp_verify')}?next=%2Fsager%2F"


def test_the_admin_waits_for_the_code_too(client, db):
    admin = User.objects.create_superuser("root", password=PASSWORD)
    make_totp_device(admin)
    client.force_login(admin, otp_verified=False)
    for url in (reverse("admin:index"), reverse("admin:auth_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:otp_verify")), url
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_the_code_page_and_logout_work_before_the_code(client, cast):
    make_totp_device(cast.caseworker_a1)
    client.force_login(cast.caseworker_a1, otp_verified=False)
    page = client.get(reverse("accounts:otp_verify"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Indtast din kode" in text
    assert reverse("cases:caseload") not in text  # no menu before the second factor
    assert page["Cache-Control"].startswith("max-age=0")
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("accounts:otp_verify"))["Location"].startswith(reverse("login"))


def test_a_first_login_sets_up_the_app_and_shows_ten_backup_codes_once(client, cast):
    password_login(client, "caseworker_a1")
    response = client.get(reverse("cases:caseload"), follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('accounts:otp_enrol')}?next=%2Fsager%2F"
    text = response.content.decode()
    assert "Sæt to-trins-login op" in text
    assert "<svg" in text and "<path" in text  # the QR code, inline
    assert "http" not in text.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # nothing fetched from elsewhere
    device = TOTPDevice.objects.get(user=cast.caseworker_a1)
    assert not device.confirmed
    secret = response.context["secret"]
    assert secret.replace(" ", "") in device.config_url
    assert secret in text
    # A reload shows the same key: the one she may have scanned already.
    assert client.get(reverse("accounts:otp_enrol")).context["secret"] == secret

    wrong = client.post(reverse("accounts:otp_enrol"), {"code": "000000", "next": "/sager/"})
    assert wrong.status_code == 200
    assert "Koden passer ikke" in wrong.content.decode()
    assert client.get(reverse("cases:caseload")).status_code == 302

    with time_machine.travel(timedelta(seconds=2)):  # past the throttle of the wrong code
        done = client.post(
            reverse("accounts:otp_enrol"), {"code": code_for(device), "next": "/sager/"}
        )
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 == len(set(codes))
    text = done.content.decode()
    assert all(code in text for code in codes)
    assert "Dine reservekoder" in text
    device.refresh_from_db()
    assert device.confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=cast.caseworker_a1).values_list("token", flat=True)
    ) == sorted(codes)
    assert client.get(reverse("cases:caseload")).status_code == 200
    # Shown once: the enrolment page now only leads on.
    again = client.get(reverse("accounts:otp_enrol"))
    assert again.status_code == 302
    assert not any(code in again.content.decode() for code in codes)


def test_with_an_app_set_up_the_login_asks_for_its_code(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    response = client.get(reverse("cases:caseload"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_verify"))
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_a_wrong_code_is_refused_in_danish(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    wrong = "123456" if code_for(device) != "123456" else "654321"
    response = client.post(reverse("accounts:otp_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "Koden er forkert eller udløbet" in response.content.decode()
    assert client.get(reverse("cases:caseload")).status_code == 302


def test_a_code_works_only_once(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    with time_machine.travel("2026-11-23 09:00:05 +01:00", tick=False):
        code = code_for(device)
        password_login(client, "caseworker_a1")
        assert client.post(reverse("accounts:otp_verify"), {"code": code}).status_code == 302
        client.post(reverse("logout"))
        password_login(client, "caseworker_a1")
        response = client.post(reverse("accounts:otp_verify"), {"code": code})
        assert response.status_code == 200  # someone who saw it over her shoulder cannot
        assert client.get(reverse("cases:caseload")).status_code == 302


def test_wrong_codes_make_her_wait_longer_and_longer(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    with time_machine.travel("2026-11-23 09:00:05 +01:00", tick=False) as clock:
        password_login(client, "caseworker_a1")
        for _ in range(3):
            client.post(reverse("accounts:otp_verify"), {"code": "000001"})
            clock.shift(timedelta(seconds=0.3))
        device.refresh_from_db()
        assert device.throttling_failure_count == 1  # the tries while she waited did not count
        clock.shift(timedelta(seconds=1))
        client.post(reverse("accounts:otp_verify"), {"code": "000001"})
        # Now 2 seconds: even the right code is refused until then.
        response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
        assert "For mange forkerte koder" in response.content.decode()
        assert client.get(reverse("cases:caseload")).status_code == 302
        clock.shift(timedelta(seconds=2))
        response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
        assert response.status_code == 302
        assert client.get(reverse("cases:caseload")).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_backup_code_logs_in_once_and_never_again(client, cast):
    make_totp_device(cast.caseworker_a1)
    codes = backup_codes_replace(user=cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cases:caseload")
    assert "der er 9 tilbage" in response.content.decode()
    client.post(reverse("logout"))

    password_login(client, "caseworker_a1")
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "Koden er forkert eller udløbet" in response.content.decode()
    assert client.get(reverse("cases:caseload")).status_code == 302
    with time_machine.travel(timedelta(seconds=2)):
        assert client.post(reverse("accounts:otp_verify"), {"code": codes[1]}).status_code == 302
    assert client.get(reverse("cases:caseload")).status_code == 200


def test_deleting_her_device_ends_her_sessions(client, cast):
    client.force_login(cast.caseworker_a1)
    assert client.get(reverse("cases:caseload")).status_code == 200
    TOTPDevice.objects.filter(user=cast.caseworker_a1).delete()  # the admin resets a lost phone
    response = client.get(reverse("cases:caseload"))
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["visitator", "caretaker_a1", "bridge_builder_a", "manager_a"])
def test_every_role_needs_the_second_factor(client, cast, role):
    user = getattr(cast, role)
    make_totp_device(user)
    password_login(client, user.username)
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("accounts:otp_verify"))
    client.post(reverse("accounts:otp_verify"), {"code": totp_code(make_totp_device(user))})
    response = client.get(reverse("home"))
    assert not response.get("Location", "").startswith("/konto/")


def test_the_set_up_with_the_password_alone_is_open_only_for_a_week(client, cast, settings):
    settings.OTP_ENROLMENT_DAYS = 7
    with time_machine.travel(timedelta(days=7, hours=1)):
        password_login(client, "caseworker_a1")
        response = client.get(reverse("cases:caseload"), follow=True)
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:otp_enrol"))
        assert response.status_code == 403
        text = response.content.decode()
        assert "Tiden til at sætte to-trins-login op er udløbet" in text
        assert "Bed din administrator" in text
        assert "<svg" not in text
        # No key was made that she could scan, and no code can confirm one.
        assert not TOTPDevice.objects.filter(user=cast.caseworker_a1).exists()
        posted = client.post(reverse("accounts:otp_enrol"), {"code": "123456"})
        assert posted.status_code == 403
        assert not TOTPDevice.objects.filter(user=cast.caseworker_a1).exists()
        assert client.get(reverse("cases:caseload")).status_code == 302


def test_a_key_shown_in_the_first_week_cannot_be_confirmed_after_it(client, cast, settings):
    settings.OTP_ENROLMENT_DAYS = 7
    password_login(client, "caseworker_a1")
    assert client.get(reverse("accounts:otp_enrol")).status_code == 200
    device = TOTPDevice.objects.get(user=cast.caseworker_a1, confirmed=False)
    with time_machine.travel(timedelta(days=8)):
        password_login(client, "caseworker_a1")
        response = client.post(reverse("accounts:otp_enrol"), {"code": code_for(device)})
        assert response.status_code == 403
        device.refresh_from_db()
        assert not device.confirmed


def test_the_admin_reset_ends_her_sessions_and_opens_a_new_week(client, admin_client, cast):
    old = make_totp_device(cast.caseworker_a1)
    backup_codes_replace(user=cast.caseworker_a1)
    with time_machine.travel(timedelta(days=30)) as clock:
        client.force_login(cast.caseworker_a1)
        assert client.get(reverse("cases:caseload")).status_code == 200

        admin_client.force_login(User.objects.get(username="admin"))
        response = admin_client.post(
            reverse("admin:auth_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [cast.caseworker_a1.pk]},
            follow=True,
        )
        assert "To-trins-login blev nulstillet for 1 bruger" in response.content.decode()
        assert LogEntry.objects.filter(
            object_id=str(cast.caseworker_a1.pk), change_message="Reset two-factor login"
        ).exists()
        assert not TOTPDevice.objects.filter(pk=old.pk).exists()
        assert not StaticToken.objects.filter(device__user=cast.caseworker_a1).exists()
        assert client.get(reverse("cases:caseload"))["Location"].startswith(reverse("login"))

        password_login(client, "caseworker_a1")
        page = client.get(reverse("accounts:otp_enrol"))
        assert page.status_code == 200
        device = TOTPDevice.objects.get(user=cast.caseworker_a1, confirmed=False)
        assert page.context["secret"].replace(" ", "") in device.config_url

        clock.shift(timedelta(days=8))
        password_login(client, "caseworker_a1")
        assert client.get(reverse("accounts:otp_enrol")).status_code == 403


def test_the_reset_is_refused_to_staff_who_may_not_change_users(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    staff = User.objects.create_user("viewer", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [cast.caseworker_a1.pk]},
    )
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_session_gets_a_new_key_when_the_code_is_given(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    before_code = client.session.session_key
    response = client.post(reverse("accounts:otp_verify"), {"code": code_for(device)})
    assert response.status_code == 302
    after_code = client.session.session_key
    assert after_code != before_code
    assert not Session.objects.filter(session_key=before_code).exists()
    assert UserSession.objects.filter(session_id=after_code, user=cast.caseworker_a1).exists()
    assert client.get(reverse("cases:caseload")).status_code == 200
    client.cookies["sessionid"] = before_code  # the key from before the code opens nothing
    assert client.get(reverse("cases:caseload")).status_code == 302


def test_the_code_field_brings_the_number_keypad_and_a_backup_code_the_keyboard(client, cast):
    device = make_totp_device(cast.caseworker_a1)
    password_login(client, "caseworker_a1")
    body = client.get(reverse("accounts:otp_verify")).content.decode()
    field = re.search(r'<input[^>]*name="code"[^>]*>', body).group(0)
    for attribute in ('inputmode="numeric"', 'autocomplete="one-time-code"', 'pattern="[0-9 ]*"'):
        assert attribute in field
    # one word for the codes on every page: reservekoder, as the set-up page hands them out
    assert "?backup=1" in body and "Brug en reservekode" in body
    assert "backupkode" not in body.lower()
    body = client.get(reverse("accounts:otp_verify") + "?backup=1").content.decode()
    field = re.search(r'<input[^>]*name="code"[^>]*>', body).group(0)
    assert "inputmode" not in field and 'autocomplete="one-time-code"' in field
    assert "Reservekode" in body and "backupkode" not in body.lower()
    backup = backup_codes_replace(user=cast.caseworker_a1)[0]
    response = client.post(reverse("accounts:otp_verify") + "?backup=1", {"code": backup})
    assert response.status_code == 302 and device.pk
