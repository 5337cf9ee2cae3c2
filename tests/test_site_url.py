"""Without SITE_URL, links (e-mails, the demo loader's login address) go to where `make demo`
serves: its HOST and PORT, not a fixed port 8000."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# In a fresh process: the settings module run anew in each environment given, SITE_URL of each.
SITE_URLS = """
import json, os, runpy, sys
base, urls = dict(os.environ), []
for env in json.loads(sys.argv[1]):
    os.environ.clear()
    os.environ.update(base, **env)
    urls.append(runpy.run_module("genhusning.settings")["SITE_URL"])
print(json.dumps(urls))
"""


def site_urls(*envs: dict[str, str]) -> list[str]:
    """settings.SITE_URL in each environment (one process, not one each: a second apiece)."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT")}
    result = subprocess.run(
        [sys.executable, "-c", SITE_URLS, json.dumps(envs)],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "genhusning.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_site_url_follows_the_port_and_host_of_make_demo():
    assert site_urls(
        {},
        {"PORT": "8123"},
        {"HOST": "0.0.0.0", "PORT": "9000"},  # noqa: S104
        {"SITE_URL": "https://genhusning.example.dk/", "PORT": "8123"},
    ) == [
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8123",
        "http://0.0.0.0:9000",
        "https://genhusning.example.dk",
    ]
