"""How a test worker waits for the database that the controller migrates (tests/parallel.py)."""

import shutil
import threading
import uuid
from types import SimpleNamespace

import pytest

from tests import parallel


@pytest.fixture
def worker_config():
    config = SimpleNamespace(workerinput={"workerid": "gw9", "testrunuid": uuid.uuid4().hex})
    yield config
    shutil.rmtree(parallel._run_dir(config), ignore_errors=True)


def test_a_worker_waits_until_the_controller_has_made_the_test_database(worker_config):
    ready = parallel._run_dir(worker_config) / parallel.TEMPLATE_READY
    timer = threading.Timer(0.3, ready.touch)
    timer.start()
    parallel._wait_for_the_template(worker_config, timeout=10)
    assert ready.exists()
    timer.join()


def test_a_worker_fails_with_the_controllers_error_when_it_could_not_be_made(worker_config):
    failed = parallel._run_dir(worker_config) / parallel.TEMPLATE_FAILED
    failed.write_text("Traceback (most recent call last):\nOperationalError: connection refused\n")
    with pytest.raises(RuntimeError, match=r"could not make the test database(.|\n)*refused"):
        parallel._wait_for_the_template(worker_config, timeout=10)


def test_a_worker_gives_up_when_the_controller_never_says(worker_config):
    with pytest.raises(RuntimeError, match="made no test database in 0 s"):
        parallel._wait_for_the_template(worker_config, timeout=0.2)
