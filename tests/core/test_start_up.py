"""What a process of the app does when it starts: a management command loads no PDF or
spreadsheet library (half a second each time), a web worker settles its collector."""

import os
import subprocess
import sys

from core import collector
from tests.conftest import ROOT, database_url_of_the_tests


def started(probe: str) -> str:
    """What `probe` writes, run in a new interpreter of the app (the tests' database)."""
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url_of_the_tests(),
            "SECRET_KEY": "x" * 50,
            "DJANGO_SETTINGS_MODULE": "genhusning.settings",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_a_management_command_starts_without_weasyprint_or_openpyxl(db):
    """Loaded when a PDF or a workbook is made: `manage.py migrate`, `backup`, a Celery beat
    start in about a second less CPU (issue 13)."""
    probe = (
        "import sys, django; django.setup();"
        "sys.stdout.write(repr(sorted({'weasyprint', 'openpyxl'} & set(sys.modules))))"
    )
    assert started(probe) == "[]"


def test_the_web_workers_settle_once_the_app_and_its_urls_are_loaded(db):
    """gunicorn (docker-compose.yml) and runserver import genhusning.wsgi in each worker."""
    probe = (
        "import gc, sys; import genhusning.wsgi; from django.urls import get_resolver;"
        "sys.stdout.write(repr((gc.get_threshold(), gc.get_freeze_count() > 0,"
        " get_resolver().url_patterns in gc.get_objects())))"
    )
    assert started(probe) == repr((collector.THRESHOLDS, True, False))
