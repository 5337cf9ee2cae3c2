"""Lockout (django-axes): wrong passwords for one username from one address lock that pair out."""

from datetime import timedelta

import time_machine
from django.test import RequestFactory
from django.urls import reverse

from households.audit import client_ip
from tests.factories import PASSWORD

HOME_IP = "10.1.1.1"
OTHER_IP = "10.2.2.2"


def attempt(client, username: str, password: str, ip: str = HOME_IP):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_five_wrong_passwords_lock_the_username_from_that_address(client, cast, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = attempt(client, "caseworker_a1", "forkert-forkert")
        assert response.status_code == 200
        assert "Brugernavn eller adgangskode er forkert" in response.content.decode()
    locked = attempt(client, "caseworker_a1", "forkert-forkert")
    assert locked.status_code == 429
    # Now even the right password is refused from here, and no session is made.
    response = attempt(client, "caseworker_a1", PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Login midlertidigt spærret" in text
    assert "Adgangskoden var forkert 5 gange i træk" in text
    assert "spærret i 15 minutter" in text
    assert "_auth_user_id" not in client.session


def test_the_lockout_does_not_reach_another_address_or_another_user(client, cast):
    for _ in range(5):
        attempt(client, "caseworker_a1", "forkert-forkert")
    assert attempt(client, "caseworker_a1", PASSWORD).status_code == 429
    assert attempt(client, "caseworker_a1", PASSWORD, ip=OTHER_IP).status_code == 302
    client.post(reverse("logout"))
    assert attempt(client, "caseworker_a2", PASSWORD).status_code == 302


def test_the_lockout_ends_fifteen_minutes_after_the_last_try(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        for _ in range(5):
            attempt(client, "caseworker_a1", "forkert-forkert")
        clock.shift(timedelta(minutes=16))
        assert attempt(client, "caseworker_a1", PASSWORD).status_code == 302


def test_trying_on_while_locked_out_keeps_the_lock(client, cast):
    with time_machine.travel("2026-11-23 09:00 +01:00", tick=False) as clock:
        for _ in range(5):
            attempt(client, "caseworker_a1", "forkert-forkert")
        clock.shift(timedelta(minutes=10))
        assert attempt(client, "caseworker_a1", "gæt-nummer-seks").status_code == 429
        clock.shift(timedelta(minutes=10))  # 20 minutes after the fifth, 10 after the last
        assert attempt(client, "caseworker_a1", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert attempt(client, "caseworker_a1", PASSWORD).status_code == 302


def test_a_right_password_before_the_limit_starts_the_count_again(client, cast):
    for _ in range(4):
        attempt(client, "caseworker_a1", "forkert-forkert")
    assert attempt(client, "caseworker_a1", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert attempt(client, "caseworker_a1", "forkert-forkert").status_code == 200


def test_the_limit_is_configurable(client, cast, settings):
    settings.AXES_FAILURE_LIMIT = 2
    attempt(client, "caseworker_a1", "forkert-forkert")
    assert attempt(client, "caseworker_a1", "forkert-forkert").status_code == 429


def test_the_admin_login_is_locked_out_too(client, cast):
    for _ in range(5):
        client.post(
            reverse("admin:login"),
            {"username": "caseworker_a1", "password": "forkert-forkert"},
            REMOTE_ADDR=HOME_IP,
        )
    assert attempt(client, "caseworker_a1", PASSWORD).status_code == 429


def test_behind_the_proxy_the_lockout_takes_the_address_the_proxy_saw(settings):
    """The lockout and the access log agree on who the client is (one client_ip)."""
    assert settings.AXES_CLIENT_IP_CALLABLE == "households.audit.client_ip"
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the first entry is whatever the client sent
