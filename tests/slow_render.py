"""Imported by the job tests' worker (`celery worker --include tests.slow_render`): rendering a
report takes REPORT_TEST_DELAY seconds longer, so a test can kill the worker or stop Redis
while the real report task runs. Nothing else of the worker is changed."""

import os
import time

from reports import services

_render = services.report_render


def _slow_render(*, report, request=None) -> bytes:
    time.sleep(float(os.environ.get("REPORT_TEST_DELAY", "0")))
    return _render(report=report, request=request)


services.report_render = _slow_render
