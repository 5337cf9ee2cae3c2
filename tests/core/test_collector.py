"""core/collector.py: the app's long-running processes keep the collector off what they hold."""

import gc

from core import collector


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
