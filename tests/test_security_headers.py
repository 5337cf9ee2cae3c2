"""Response headers (CSP, no caching, framing, sniffing, referrer), templates without inline
script or style, a 500 page that tells nothing, and `check --deploy` clean in production."""

import os
import re
import subprocess
import sys

import pytest
from django.urls import reverse

from tests.conftest import MARKERS, ROOT

TEMPLATES = ROOT / "templates"


# Rendered by WeasyPrint into a PDF, never served to a browser: CSP does not apply.
# Rendered by WeasyPrint (core/pdf.py), never served to a browser: the CSP does not apply.
def is_pdf_template(name: str) -> bool:
    return "pdf" in name.rsplit("/", 1)[-1]


def csp_directives(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: set(values) for name, *values in parts}


def test_every_page_has_a_strict_content_security_policy(client, cast):
    client.force_login(cast.caseworker_a1)
    response = client.get(reverse("cases:detail", args=[cast.case_a1.pk]))
    policy = csp_directives(response)
    assert policy["default-src"] == {"'self'"}
    assert policy["script-src"] == {"'self'"}
    assert policy["style-src"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'none'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'none'"}
    assert policy["form-action"] == {"'self'"}
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.parametrize("who", ["caseworker_a1", None])
def test_pages_are_never_cached_and_never_framed(client, cast, who):
    if who:
        client.force_login(getattr(cast, who))
        url = reverse("households:detail", args=[cast.case_a1.household_id])
    else:
        url = reverse("login")
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in response


def test_htmx_fragments_and_refusals_are_not_cached_either(client, cast):
    client.force_login(cast.caseworker_a1)
    fragment = client.get(reverse("cases:caseload"), headers={"HX-Request": "true"})
    refused = client.get(reverse("households:detail", args=[cast.case_b1.household_id]))
    assert refused.status_code == 404
    for response in (fragment, refused):
        assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "name", ["cases:caseload_csv", "cases:caseload_xlsx", "reports:case_summary"]
)
def test_downloads_are_not_cached_either(client, cast, name):
    """Streamed CSV, XLSX and PDF: no view says no-store itself, the middleware does."""
    client.force_login(cast.caseworker_a1)
    if name == "reports:case_summary":  # printed by a form post
        response = client.post(reverse(name, args=[cast.case_a1.pk]))
    else:
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"].split(", ")


def test_static_files_stay_cacheable(client, settings, db):
    settings.WHITENOISE_USE_FINDERS = True
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def template_files():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if not is_pdf_template(name):
            yield name, path.read_text()


def test_no_template_has_inline_script_event_handlers_or_styles():
    offences = []
    for name, text in template_files():
        for pattern, what in (
            (r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
            (r"\son[a-z]+\s*=", "inline event handler"),
            (r"\sstyle\s*=", "style attribute"),
            (r"<style", "<style> element"),
            (r"javascript:", "javascript: URL"),
        ):
            offences += [f"{name}: {what}" for _ in re.finditer(pattern, text, re.IGNORECASE)]
    assert offences == []


def test_htmx_is_told_to_add_no_inline_styles_and_run_no_scripts():
    base = (TEMPLATES / "base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    assert '"allowScriptTags": false' in base
    assert '"allowEval": false' in base


@pytest.mark.urls("tests.error_urls")
def test_the_500_page_shows_no_traceback_and_no_personal_data(client, cast, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(cast.caseworker_a1)
    response = client.get("/gaar-i-stykker/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Der skete en fejl" in body
    for leak in (*MARKERS["case_a1"], "Traceback", "RuntimeError", "error_urls", "SECRET_KEY"):
        assert leak not in body
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "pr0duction-" + "k3y-" * 12 + "Zq9!xV7#mW2&",
    "ALLOWED_HOSTS": "genhusning.example.dk",
    "CSRF_TRUSTED_ORIGINS": "https://genhusning.example.dk",
    "BEHIND_TLS_PROXY": "1",
    "STATIC_MANIFEST": "1",
}


def test_check_deploy_is_clean_with_the_production_settings():
    env = {
        key: value
        for key, value in os.environ.items()
        # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never)
        if key
        not in {
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "SECURE_COOKIES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(PRODUCTION)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
