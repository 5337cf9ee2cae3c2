"""Python's cyclic garbage collector in the app's long-running processes (issues 13 and 19).

A Django process holds a few hundred thousand objects from its start to its end: the modules,
the app registry, the URL patterns, the compiled templates. With Python's default thresholds
(700, 10, 10) the collector walks all of them in a full collection every few requests, for
nothing: on the scale bench a manager's caseload spent ~30 of its ~75 ms of CPU in the
collector. So each process, once started (`settle`), puts what it holds out of the collector's
sight (gc.freeze) and collects young objects every 100,000 allocations instead of every 700.
Reference counting still frees almost everything at once; only cycles wait a little longer.

Used by the web workers (genhusning/wsgi.py), the Celery worker processes
(genhusning/celery.py), `migrate` (which renders some ten thousand short-lived model classes)
and the test processes (tests/conftest.py).
"""

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

THRESHOLDS = (100_000, 50, 100)


def settle() -> None:
    """After the process's start-up: what exists now lives to the end, out of the collector's
    sight; the collector runs on new objects, rarely."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)


@contextmanager
def thresholds_raised() -> Iterator[None]:
    """THRESHOLDS for a while (a command in a process that is not settled), then as before."""
    before = gc.get_threshold()
    gc.set_threshold(*THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


_lock = threading.Lock()
_pauses = {"pauses": 0, "resume": False}


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while a big piece of work runs (a PDF: WeasyPrint's styles and boxes).

    A render builds hundreds of thousands of small objects (styles, boxes, lines) that all live
    until the PDF is written. The collector would walk them, and the whole process, again and
    again for nothing: a fifth of the 300-household report's CPU time went to it. Reference
    counting still frees what it can; the rest is collected once the collector is back on.
    Nested or concurrent renders (threads) turn it back on when the last one ends, and only if
    it was on before.
    """
    with _lock:
        if _pauses["pauses"] == 0:
            _pauses["resume"] = gc.isenabled()
            gc.disable()
        _pauses["pauses"] += 1
    try:
        yield
    finally:
        with _lock:
            _pauses["pauses"] -= 1
            if _pauses["pauses"] == 0 and _pauses["resume"]:
                gc.enable()
