"""core/collector.py: the app's long-running processes keep the collector off what they hold."""

import gc
import os
import subprocess
import sys

from core import collector
from tests.conftest import ROOT, database_url_of_the_tests


def test_a_settled_process_collects_rarely_and_never_walks_what_it_held():
    held = object.__new__(type("Held", (), {}))  # tracked by the collector, alive here
    collector.settle()
    assert gc.get_threshold() == collector.THRESHOLDS
    assert gc.get_freeze_count() > 0
    assert held not in gc.get_objects()  # frozen: out of every generation the collector walks


def test_thresholds_raised_puts_them_back():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        with collector.thresholds_raised():
            assert gc.get_threshold() == collector.THRESHOLDS
        assert gc.get_threshold() == (700, 10, 10)
    finally:
        gc.set_threshold(*before)


def test_the_web_workers_settle_once_the_app_and_its_urls_are_loaded(db):
    """gunicorn (docker-compose.yml) and runserver import genhusning.wsgi in each worker."""
    probe = (
        "import gc, sys; import genhusning.wsgi; from django.urls import get_resolver;"
        "sys.stdout.write(repr((gc.get_threshold(), gc.get_freeze_count() > 0,"
        " get_resolver().url_patterns in gc.get_objects())))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url_of_the_tests(), "SECRET_KEY": "x" * 50},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == repr((collector.THRESHOLDS, True, False))
