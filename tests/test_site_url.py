"""Without SITE_URL, links (e-mails, the demo loader's login address) go to where `make demo`
serves: its HOST and PORT, not a fixed port 8000."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def site_url(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    environment.update(env)
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "genhusning.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_site_url_follows_the_port_and_host_of_make_demo():
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url(HOST="0.0.0.0", PORT="9000") == "http://0.0.0.0:9000"  # noqa: S104
    assert site_url(SITE_URL="https://genhusning.example.dk/", PORT="8123") == (
        "https://genhusning.example.dk"
    )
