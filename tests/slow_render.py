"""Imported by the job tests' worker (`celery worker --include tests.slow_render`): the first
report rendered in a test takes REPORT_TEST_DELAY seconds longer, so the test can kill the worker
or stop Redis while the real report task runs. The test's token file (REPORT_TEST_DELAY_TOKEN)
marks that first render: it is taken (removed) before the wait, so a second attempt, in this
worker or one started after it, renders at its own speed. Nothing else of the worker is changed."""

import os
import time

from reports import services

_render = services.report_render


def _slow_render(*, report, request=None) -> bytes:
    try:
        os.remove(os.environ["REPORT_TEST_DELAY_TOKEN"])
    except (KeyError, FileNotFoundError):
        pass  # no token (not set, or ""), or taken: not the test's first render
    else:
        time.sleep(float(os.environ.get("REPORT_TEST_DELAY", "0")))
    return _render(report=report, request=request)


services.report_render = _slow_render
