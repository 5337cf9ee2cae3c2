"""The error pages are Danish and lead back, in the demo too (which runs without DEBUG)."""

import http.client
import os
import re
import subprocess
import time

import pytest
from django.urls import reverse

from tests.conftest import ROOT, database_url_of_the_tests
from tests.test_deployment import free_port


@pytest.fixture
def production(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False
    return client


def test_404_is_danish_with_a_way_back(production, cast):
    production.force_login(cast.caseworker_a1)
    response = production.get("/findes-ikke/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Siden findes ikke" in body and "Gå til forsiden" in body
    assert f'href="{reverse("home")}"' in body


def test_403_is_danish_with_a_way_back(production, cast):
    production.force_login(cast.caseworker_a1)
    response = production.get(reverse("team:index"))  # a manager's page
    assert response.status_code == 403
    body = response.content.decode()
    assert "Ingen adgang" in body and "Gå til forsiden" in body


@pytest.mark.urls("tests.error_urls")
def test_a_lost_session_save_gives_the_danish_400_page(production, cast):
    production.force_login(cast.caseworker_a1)
    response = production.get("/mister-sessionen/")
    assert response.status_code == 400
    body = response.content.decode()
    assert "Forespørgslen kunne ikke behandles" in body
    assert "Bad Request (400)" not in body
    assert 'href="/"' in body and reverse("login") in body


def test_a_form_sent_without_a_valid_csrf_token_gets_the_danish_403_page(production, cast):
    """An expired form (the CSRF token no longer matches: another tab logged out) is refused
    by Django's CSRF view, which renders templates/403_csrf.html, not its English page."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the CSRF cookie, and then a form without its token
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Formularen var udløbet" in body and "Intet er gemt" in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body
    assert 'href="/"' in body and reverse("login") in body


@pytest.mark.urls("tests.error_urls")
def test_500_is_danish_with_a_way_back(production, cast):
    production.force_login(cast.caseworker_a1)
    response = production.get("/gaar-i-stykker/")
    assert response.status_code == 500
    assert "Der skete en fejl" in response.content.decode()
    assert 'href="/"' in response.content.decode()


def _demo_server_command(port: int) -> tuple[dict[str, str], list[str]]:
    """The Makefile's DEMO_SERVER line, with its variables filled in."""
    makefile = (ROOT / "Makefile").read_text()
    line = re.search(r"^DEMO_SERVER = (.+)$", makefile, re.MULTILINE).group(1)
    line = line.replace("$(BIN)", str(ROOT / ".venv" / "bin"))
    line = line.replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
    words = line.split()
    env = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    return env, [word for word in words if not re.match(r"^[A-Z_]+=", word)]


@pytest.mark.django_db(transaction=True)
def test_the_demo_server_shows_the_danish_404_page_and_its_styles_not_the_debug_page(cast):
    port = free_port()
    demo_env, command = _demo_server_command(port)
    assert "DEBUG" not in demo_env and "--insecure" in command
    env = {
        **{key: value for key, value in os.environ.items() if key != "DEBUG"},
        **demo_env,
        "DATABASE_URL": database_url_of_the_tests(),
        "SECRET_KEY": "test-demo-secret",
    }
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def get(path: str) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = get("/findes-ikke/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no demo server"
                time.sleep(0.3)
        assert status == 404
        assert "Siden findes ikke" in body
        for debug_page in ("DEBUG = True", "Page not found", "URLconf"):
            assert debug_page not in body
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", reverse("login"), body="username=x", headers=form)
        refused = connection.getresponse()
        body = refused.read().decode(errors="replace")
        assert refused.status == 403 and "Formularen var udløbet" in body  # no CSRF token
        assert "CSRF verification failed" not in body
        status, css = get("/static/css/app.css")
        assert status == 200 and "error-page" in css
    finally:
        server.terminate()
        server.wait(timeout=20)
