"""Sessions: a new key at login, gone at logout and when the account is deactivated, and ended
after 30 idle minutes or 12 hours in all."""

from datetime import timedelta

import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.models import UserSession
from accounts.services import user_deactivate
from accounts.sessions import SessionStore
from tests.factories import PASSWORD, make_totp_device, totp_code


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def use_key(client, key: str) -> None:
    client.cookies[settings.SESSION_COOKIE_NAME] = key


def assert_sent_to_login(response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_login_gives_the_session_a_new_key(client, cast):
    before = client.session  # e.g. planted by someone who wants to ride on her login
    before["planted"] = "yes"
    before.save()
    old_key = before.session_key
    client.post(reverse("login"), {"username": "caseworker_a1", "password": PASSWORD})
    new_key = session_key(client)
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert UserSession.objects.get(session_id=new_key).user == cast.caseworker_a1
    client.post(
        reverse("accounts:otp_verify"), {"code": totp_code(make_totp_device(cast.caseworker_a1))}
    )
    assert client.get(reverse("cases:caseload")).status_code == 200
    use_key(client, old_key)
    assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_logout_ends_the_session_for_good(client, cast):
    client.force_login(cast.caseworker_a1)
    key = session_key(client)
    assert client.get(reverse("cases:caseload")).status_code == 200
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_id=key).exists()
    use_key(client, key)  # the old cookie, e.g. copied from her phone, opens nothing
    assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_deactivating_a_user_ends_all_her_sessions(client, cast, django_user_model):
    from django.test import Client

    phone, laptop, colleague = Client(), Client(), Client()
    phone.force_login(cast.caseworker_a1)
    laptop.force_login(cast.caseworker_a1)
    colleague.force_login(cast.caseworker_a2)
    assert UserSession.objects.filter(user=cast.caseworker_a1).count() == 2

    user_deactivate(user=cast.caseworker_a1)

    assert not UserSession.objects.filter(user=cast.caseworker_a1).exists()
    for key in (session_key(phone), session_key(laptop)):
        assert not Session.objects.filter(session_key=key).exists()
    assert_sent_to_login(phone.get(reverse("cases:caseload")))
    assert_sent_to_login(laptop.get(reverse("cases:caseload")))
    assert colleague.get(reverse("cases:caseload")).status_code == 200
    assert not User.objects.get(pk=cast.caseworker_a1.pk).is_active


def test_a_password_change_gives_a_new_key_that_deactivation_still_ends(client, cast):
    client.force_login(cast.caseworker_a1)
    old_key = session_key(client)
    new_password = "en lang sætning om trappeopgangen"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    new_key = session_key(client)
    assert new_key != old_key
    assert list(
        UserSession.objects.filter(user=cast.caseworker_a1).values_list("session_id", flat=True)
    ) == [new_key]
    assert client.get(reverse("cases:caseload")).status_code == 200  # still verified
    user_deactivate(user=cast.caseworker_a1)
    assert not Session.objects.filter(session_key=new_key).exists()


def test_deactivating_a_user_in_the_admin_ends_her_sessions(client, admin_client, cast):
    client.force_login(cast.caseworker_a1)
    user = cast.caseworker_a1
    url = reverse("admin:auth_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("password", "is_active", "groups", "user_permissions")
    }
    data["date_joined_0"], data["date_joined_1"] = user.date_joined.strftime(
        "%Y-%m-%d %H:%M:%S"
    ).split()
    data["groups"] = list(user.groups.values_list("pk", flat=True))
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not User.objects.get(pk=user.pk).is_active
    assert_sent_to_login(client.get(reverse("cases:caseload")))
    assert not UserSession.objects.filter(user=user).exists()


def test_an_idle_session_ends_after_thirty_minutes(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        clock.shift(timedelta(minutes=29))
        assert client.get(reverse("cases:caseload")).status_code == 200
        clock.shift(timedelta(minutes=31))
        assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_an_active_session_ends_twelve_hours_after_the_login(client, cast):
    with time_machine.travel("2026-11-23 07:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        for _ in range(35):  # a busy day: a page every 20 minutes, never idle
            clock.shift(timedelta(minutes=20))
            assert client.get(reverse("password_change")).status_code == 200
        clock.shift(timedelta(minutes=19))  # 11:59 after the login
        assert client.get(reverse("password_change")).status_code == 200
        key = session_key(client)
        clock.shift(timedelta(minutes=1))
        response = client.get(reverse("cases:caseload"))
        assert_sent_to_login(response)
        assert not Session.objects.filter(session_key=key).exists()
        page = client.get(response["Location"])
        assert "Du er blevet logget ud af sikkerhedshensyn" in page.content.decode()


def test_the_absolute_limit_is_configurable(client, cast, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    with time_machine.travel("2026-11-23 07:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        for minutes in (20, 20, 19):
            clock.shift(timedelta(minutes=minutes))
            assert client.get(reverse("cases:caseload")).status_code == 200
        clock.shift(timedelta(minutes=1))
        assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_the_absolute_limit_counts_from_the_password_not_the_code(client, cast, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    device = make_totp_device(cast.caseworker_a1)
    with time_machine.travel("2026-11-23 07:00 +01:00", tick=False) as clock:
        client.post(reverse("login"), {"username": "caseworker_a1", "password": PASSWORD})
        clock.shift(timedelta(minutes=25))
        client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
        clock.shift(timedelta(minutes=25))
        assert client.get(reverse("cases:caseload")).status_code == 200
        clock.shift(timedelta(minutes=10))
        assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_an_unchanged_session_is_written_again_only_after_a_minute(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        key = session_key(client)
        written = Session.objects.get(session_key=key).expire_date
        clock.shift(timedelta(seconds=50))
        assert client.get(reverse("password_change")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == written  # no UPDATE
        clock.shift(timedelta(seconds=20))
        assert client.get(reverse("password_change")).status_code == 200
        assert Session.objects.get(session_key=key).expire_date == written + timedelta(seconds=70)


def test_a_changed_session_is_written_at_once(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        key = session_key(client)
        clock.shift(timedelta(seconds=10))
        store = SessionStore(key)
        store["seen"] = True
        store.save()
        assert Session.objects.get(session_key=key).expire_date == timezone.now() + timedelta(
            minutes=30
        )
        assert SessionStore(key)["seen"] is True


def test_the_idle_timeout_counts_from_the_last_write_at_most_a_minute_early(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        clock.shift(timedelta(seconds=59))
        assert client.get(reverse("cases:caseload")).status_code == 200  # not written
        clock.shift(timedelta(minutes=29, seconds=1))  # 30 minutes after the login's write
        assert_sent_to_login(client.get(reverse("cases:caseload")))


def test_a_fragment_asked_for_after_the_session_ended_sends_the_page_to_the_login(client, cast):
    """A door knocked (htmx) after 30 idle minutes: the whole page goes to the login page and
    comes back to the round after it, instead of the login page taking the door's card's place
    (a redirect htmx follows). Nothing is recorded. Without htmx: the login page as ever."""
    household = cast.case_a1.household
    knock = reverse("outreach:round_knock", args=[household.pk])
    round_page = f"/opsoegning/runde/{household.flat.stairwell_id}/"
    data = {"outcome": "no_answer", "once_key": "5b0f3c9e-0d7a-4a8e-9a43-1c1f3a0c2b11"}
    htmx = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{round_page}"}
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        client.force_login(cast.caseworker_a1)
        clock.shift(timedelta(minutes=31))
        response = client.post(knock, data, headers=htmx)
        assert response.status_code == 200
        assert response.content == b""
        assert (
            response["HX-Redirect"]
            == f"{reverse('login')}?next=%2Fopsoegning%2Frunde%2F{household.flat.stairwell_id}%2F"
        )
        assert not household.contacts.exists()
        # another site's address is not where she is sent back to
        elsewhere = {**htmx, "HX-Current-URL": "https://evil.example/phish"}
        assert client.post(knock, data, headers=elsewhere)["HX-Redirect"] == reverse("login")
        assert_sent_to_login(client.post(knock, data))
