"""The suite in several processes (pytest-xdist, `make test`), each with a test database of its
own, cloned from one made once.

- The controller process makes the test database (the migrations run once) in a thread of its
  own while the workers start and collect the tests; each worker waits for it before its first
  database test, clones it (CREATE DATABASE ... TEMPLATE) as test_<name>_gw0, _gw1... and drops
  its clone at the end; the controller drops the template after the workers are done.
  Without xdist (`pytest -p no:xdist`, `-n 0`) pytest-django makes the database as ever.
- Tests that share a real service run in one process, as one xdist group (`--dist loadgroup`):
  those with a real Celery worker process, the browser tests (one Chromium), the demo data tests
  (the demo data is loaded once). A guard fails a grouped test that lands in a second process.
- The Redis cache keys of each process carry its name, so no process reads another's keys.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shutil
import tempfile
import threading
import time
import traceback
import uuid
from pathlib import Path

import pytest
from xdist.scheduler import LoadScopeScheduling

# group name -> what puts a test in it (a marker, or a fixture it uses)
GROUPS = {
    "celery_worker": ("marker", "celery_worker"),
    "browser": ("marker", "browser"),
    "demo_data": ("fixture", "demo_data"),
    # slow (a pgserver started, a restore into it: half a minute): one process, beside the others
    "embedded_database": ("marker", "embedded_database"),
}


def worker_id(config: pytest.Config) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def is_controller(config: pytest.Config) -> bool:
    return worker_id(config) is None and config.pluginmanager.hasplugin("dsession")


def _run_dir(config: pytest.Config) -> Path:
    """A folder of this run, shared by the controller and its workers."""
    workerinput = getattr(config, "workerinput", None)
    run = workerinput["testrunuid"] if workerinput else config.option.testrunuid
    path = Path(tempfile.gettempdir()) / f"genhusning-pytest-{run}"
    path.mkdir(exist_ok=True)
    return path


# --- the groups and their guard ---


def pytest_itemcollected(item):
    for group in groups_of(item):
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_modifyitems(config, items):
    """In a worker: the groups of the tests, for the controller's scheduler. (xdist's own
    `--dist loadgroup` renames the tests `name@group`, which pytest 9.2's node ids ignore.)"""
    if worker_id(config) is None:
        return
    groups = {}
    for item in items:
        names = sorted(
            mark.args[0] if mark.args else mark.kwargs.get("name", "default")
            for mark in item.iter_markers("xdist_group")
        )
        if names:
            groups[item.nodeid] = "group:" + "_".join(names)
    path = _run_dir(config) / "groups.json"
    part = path.with_suffix(f".{worker_id(config)}")
    part.write_text(json.dumps(groups))
    part.replace(path)  # each worker collects the same tests: whichever is last is as good


# Tests that take long (2 s to 25 s each on 2 cores, as `make test` measured them), the
# longest first: handed out right after the groups, so that no process is left with one of
# them while the other idles at the end of the run. A node id, or the start of one (a whole
# module: a module-scoped fixture is set up once per process). The rest go in the order they
# were collected, the short tests without a database last.
LONG_TESTS = (
    "tests/test_permission_matrix.py::",  # every URL as each role: 10 s to 25 s a role
    "tests/privacy/test_sensitive_leaks.py::",  # every URL as two roles: 8 s, 11 s
    "tests/referrals/test_visitator_leaks.py::",  # every URL as her: 7 s; 3 s a consent
    "tests/test_error_pages.py::test_the_demo_server_",  # make demo's server started: 8 s
    "tests/test_backup_restore.py::",  # commands in processes of their own: 7 s, 7 s, 3 s
    "tests/households/test_access_log_chain.py::test_migrate_as_the_owner_",  # migrate: 4 s
    "tests/test_security_headers.py::test_check_deploy_",  # check --deploy in a process: 4 s
    "tests/test_concurrency.py::",  # threads that wait for each other: 3 s each
    "tests/outreach/test_scan_performance.py::",  # 2,000 households: 3 s
    "tests/households/test_imports.py::test_it_imports_a_file_of_5000_rows",  # 3 s
    "tests/test_deployment.py::",  # the production command in a process: 3 s
)


class GroupScheduling(LoadScopeScheduling):
    """xdist's load-by-scope, where a scope is a test alone or the group it is in. The groups
    are handed out first, the biggest first (as xdist's own), then LONG_TESTS, then the other
    tests in the order they were collected (tests/shared_data.py orders them)."""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        self._groups: dict[str, str] | None = None

    def _split_scope(self, nodeid: str) -> str:
        if self._groups is None:
            self._groups = json.loads((_run_dir(self.config) / "groups.json").read_text())
        return self._groups.get(nodeid, nodeid)

    def schedule(self) -> None:
        """xdist's LoadScopeScheduling.schedule, in the order of the class's docstring."""
        if self.collection is not None or not self._check_nodes_have_same_collection():
            super().schedule()  # more nodes later, or collections that differ: as xdist does
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        scopes: dict[str, dict[str, bool]] = {}
        for nodeid in self.collection:
            scopes.setdefault(self._split_scope(nodeid), {})[nodeid] = False

        def order(scope: str) -> tuple[int, int]:
            if scope.startswith("group:"):
                return (0, -len(scopes[scope]))
            for rank, prefix in enumerate(LONG_TESTS):
                if scope.startswith(prefix):
                    return (1, rank)
            return (2, 0)

        for scope in sorted(scopes, key=order):  # stable: else in the collection's order
            self.workqueue[scope] = scopes[scope]
        for _ in range(len(self.nodes) - len(self.workqueue)):  # more processes than work
            unused, _assigned = self.assigned_work.popitem()
            unused.shutdown()
        for node in self.nodes:
            self._assign_work_unit(node)
        for node in self.nodes:
            self._reschedule(node)  # at least two units each (xdist #277)
        if not self.workqueue:
            for node in self.nodes:
                node.shutdown()


def groups_of(item: pytest.Item) -> list[str]:
    found = []
    for group, (kind, name) in GROUPS.items():
        if (kind == "marker" and item.get_closest_marker(name)) or (
            kind == "fixture" and name in getattr(item, "fixturenames", ())
        ):
            found.append(group)
    return found


def guard_the_group(item: pytest.Item) -> None:
    """A test of a group runs in the process that ran the group's first test, or fails."""
    me = worker_id(item.config)
    if me is None:
        return
    for mark in item.iter_markers("xdist_group"):
        group = mark.args[0] if mark.args else mark.kwargs.get("name", "default")
        claim = _run_dir(item.config) / f"group-{group}"
        with contextlib.suppress(FileExistsError), claim.open("x") as file:
            file.write(me)
        owner = claim.read_text()
        if owner != me:
            pytest.fail(
                f"The xdist group {group!r} runs in {owner} and here in {me}: run the suite with "
                "`--dist loadgroup` (make test does), or its tests share a service they must not"
            )


# --- one test database, cloned per worker ---


TEMPLATE_READY, TEMPLATE_FAILED = "template.ready", "template.failed"


def start_the_run(config: pytest.Config) -> None:
    """In the controller, before the workers start (xdist's own pytest_sessionstart is last):
    the migrations run in a thread while the workers start and collect (a third of a fresh
    run's first quarter minute; tests/parallel.py's docstring)."""
    if config.option.testrunuid is None:
        config.option.testrunuid = uuid.uuid4().hex  # xdist hands it to the workers
    _run_dir(config)
    thread = threading.Thread(
        target=make_template_database, args=(config,), name="test-database", daemon=True
    )
    config._genhusning_template_thread = thread  # type: ignore[attr-defined]
    thread.start()


def end_the_run(config: pytest.Config) -> None:
    thread = getattr(config, "_genhusning_template_thread", None)
    if thread is not None:
        thread.join()
    drop_template_database(config)
    shutil.rmtree(_run_dir(config), ignore_errors=True)


def make_template_database(config: pytest.Config) -> None:
    """The test database, migrated, for the workers to clone; then a file says it is there
    (or why it is not)."""
    from django.db import connections
    from django.test.utils import setup_databases
    from pytest_django.plugin import blocking_manager_key

    run_dir = _run_dir(config)
    try:
        with config.stash[blocking_manager_key].unblock():
            config._genhusning_template = setup_databases(  # type: ignore[attr-defined]
                verbosity=config.option.verbose, interactive=False, aliases={"default"}
            )
            for connection in connections.all():
                connection.close()
                connection.inc_thread_sharing()  # the main thread drops the database at the end
    except BaseException:
        (run_dir / TEMPLATE_FAILED).write_text(traceback.format_exc())
        raise
    (run_dir / TEMPLATE_READY).touch()


def _wait_for_the_template(config: pytest.Config, timeout: float = 900) -> None:
    run_dir, deadline = _run_dir(config), time.monotonic() + timeout
    while not (run_dir / TEMPLATE_READY).exists():
        failed = run_dir / TEMPLATE_FAILED
        if failed.exists():
            raise RuntimeError(
                f"The controller could not make the test database:\n{failed.read_text()}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"The controller made no test database in {timeout:.0f} s")
        time.sleep(0.05)


def drop_template_database(config: pytest.Config) -> None:
    from django.test.utils import teardown_databases
    from pytest_django.plugin import blocking_manager_key

    old_config = getattr(config, "_genhusning_template", None)
    if old_config is None:
        return
    with config.stash[blocking_manager_key].unblock():
        teardown_databases(old_config, verbosity=config.option.verbose)


@contextlib.contextmanager
def _lock(path: Path):
    with path.open("w") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)


def clone_template_database(config: pytest.Config) -> list:
    """In a worker: its own copy of the controller's test database (as Django's own parallel
    runner clones, django/db/backends/postgresql/creation.py). Returns what
    django.test.utils.teardown_databases takes to drop it."""
    from django.conf import settings
    from django.db import connections

    me = worker_id(config)
    connection = connections["default"]
    test_name = connection.creation._get_test_db_name()  # test_<name>_<worker> (pytest-django)
    template = test_name.removesuffix(f"_{me}")
    quote = connection.ops.quote_name
    old_name = connection.settings_dict["NAME"]
    _wait_for_the_template(config)
    with _lock(_run_dir(config) / "clone.lock"), connection.creation._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(test_name)}")
        cursor.execute(f"CREATE DATABASE {quote(test_name)} TEMPLATE {quote(template)}")
    connection.close()
    settings.DATABASES["default"]["NAME"] = test_name
    connection.settings_dict["NAME"] = test_name
    for alias in connections:
        mirror = connections[alias].settings_dict.get("TEST", {}).get("MIRROR")
        if mirror == "default":
            connections[alias].close()
            connections[alias].creation.set_as_test_mirror(connection.settings_dict)
    connection.ensure_connection()
    return [(connection, old_name, True)]


def prefix_the_cache_keys(config: pytest.Config) -> None:
    from django.conf import settings

    me = worker_id(config)
    if me:
        for cache in settings.CACHES.values():
            cache["KEY_PREFIX"] = f"{cache.get('KEY_PREFIX', '')}pytest-{me}"
