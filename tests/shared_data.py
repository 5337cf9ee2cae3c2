"""Data built once per test process and shared by the tests that ask for it (the cast, the demo
data), as Django's TestCase shares what setUpTestData makes.

The data is made inside an outer transaction that stays open while consecutive tests ask for
the same data; each test's own transaction (pytest-django's `db`) is a savepoint inside it and
is rolled back after the test, so a test that writes still leaves nothing behind. Before a test
that wants other data, none, or real commits (`transaction=True`, a live server, a worker
process), the outer transaction is rolled back, and the data is built again when next asked
for. A test with a fixture that stops or moves the clock (time-machine), or whose clock is
moved before its database is set up, gets data of its own, made at its time, as before; so
does a test marked `own_data`.

Which test wants which data is known from its fixtures: `cast` (tests/conftest.py) and
`demo_data`. The Python objects handed to a test are deep copies, so one test's changes to
them never reach the next.

So that the data is built as seldom as possible, `order_by_data_wanted` runs the tests that
want the same data one after another (pytest_collection_modifyitems, tests/conftest.py).
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine

# The fixture that asks for shared data -> its kind. The builders are registered by name.
FIXTURE_KIND = {"cast": "cast", "demo_data": "demo"}

# Fixtures through which a test reaches the database at all (directly or through `db`).
DATABASE_FIXTURES = {"django_db_setup", "django_db_blocker"}


def _transactional(item: pytest.Item) -> bool:
    """As pytest-django decides (pytest_django/fixtures.py, _django_db_helper)."""
    names = item.fixturenames  # type: ignore[attr-defined]
    if {"transactional_db", "live_server", "django_db_reset_sequences"} & set(names):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is None:
        return False
    return bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))


def _moves_the_clock(item: pytest.Item) -> bool:
    """Whether one of the test's fixtures stops or moves the clock (uses time-machine)."""
    for name, definitions in item._fixtureinfo.name2fixturedefs.items():  # type: ignore[attr-defined]
        if name == "time_machine":
            return True
        for definition in definitions:
            code = getattr(definition.func, "__code__", None)
            if code is not None and "time_machine" in code.co_names:
                return True
    return False


def kind_wanted(item: pytest.Item) -> str | None:
    """The shared data this test may run inside, judged before any of its fixtures is set up."""
    if item.get_closest_marker("own_data") or _transactional(item) or _moves_the_clock(item):
        return None
    kinds = {FIXTURE_KIND[name] for name in item.fixturenames if name in FIXTURE_KIND}  # type: ignore[attr-defined]
    return kinds.pop() if len(kinds) == 1 else None


def uses_database(item: pytest.Item) -> bool:
    names = set(item.fixturenames)  # type: ignore[attr-defined]
    return bool(names & DATABASE_FIXTURES) or item.get_closest_marker("django_db") is not None


def _django_order(item: pytest.Item) -> int:
    """pytest-django's order (its pytest_collection_modifyitems, run before ours): tests in a
    transaction first, then those that commit (they empty the tables after them), then those
    without a database. Kept: a test that commits must not run before one that expects the
    migrated tables as they were."""
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    if _transactional(item):
        return 1
    return 0 if marker is not None or "db" in names else 2


def _has_module_fixture(item: pytest.Item) -> bool:
    """Whether the test uses a fixture of the suite set up once per module (or class, or
    package): pytest tears it down when the next test is of another module, and sets it up
    again if the module comes back. (Plugins' fixtures, such as pytest-django's autouse one of
    class scope that does nothing outside unittest classes, have no base id.)"""
    info = getattr(item, "_fixtureinfo", None)
    return info is not None and any(
        definition.baseid and definition.scope in ("module", "class", "package")
        for definitions in info.name2fixturedefs.values()
        for definition in definitions
    )


KIND_ORDER = {"cast": 0, "demo": 1, None: 2}


def order_by_data_wanted(items: list[pytest.Item]) -> None:
    """Reorder the tests, in place, so that those that want the same shared data run one after
    another: in pytest-django's order (above), the tests that want the cast first, then those
    that want the demo data, then the rest, each in the order they were collected. A module with
    a fixture of module scope is kept together, at the place of its first test (its own tests
    sorted the same way). The order depends on the tests alone, so every xdist worker collects
    the same."""
    position = {id(item): index for index, item in enumerate(items)}
    key_of = {
        id(item): (_django_order(item), KIND_ORDER[kind_wanted(item)], position[id(item)])
        for item in items
    }
    # a module kept together: (its block, its place) -> its tests
    kept: dict[tuple[int, str], list[pytest.Item]] = {}
    for item in items:
        if _has_module_fixture(item):
            kept.setdefault((_django_order(item), item.nodeid.split("::")[0]), []).append(item)
    in_kept = {id(item): tests for tests in kept.values() for item in tests}

    def key(item: pytest.Item) -> tuple:
        tests = in_kept.get(id(item), [item])
        return (min(key_of[id(test)] for test in tests), key_of[id(item)])

    items.sort(key=key)


@dataclass
class SharedData:
    builders: dict[str, Callable[[], Any]] = field(default_factory=dict)
    kind: str | None = None
    value: Any = None
    item: pytest.Item | None = None  # the test whose transaction sits inside the outer one
    builds: Counter = field(default_factory=Counter)
    _atomic: Any = None
    _blocker: Any = None

    def builder(self, kind: str):
        def register(function: Callable[[], Any]) -> Callable[[], Any]:
            self.builders[kind] = function
            return function

        return register

    def before_test(self, item: pytest.Item) -> None:
        """Before any fixture of the test: end the outer transaction if the test wants other data
        (module- and session-scoped fixtures that use the database must not see it)."""
        if self.kind is not None and uses_database(item) and kind_wanted(item) != self.kind:
            self.close()

    def before_test_transaction(self, request: pytest.FixtureRequest) -> None:
        """Just before the test's own transaction begins (pytest-django's _django_db_helper)."""
        from django.db import connections

        item = request.node
        kind = kind_wanted(item)
        if kind is not None and time_machine.escape_hatch.is_travelling():
            kind = None  # made at the test's own time, in the test's own transaction
        if kind != self.kind:
            self.close()
        self.item = None
        if kind is None:
            return
        if self.kind is None:
            if any(connection.in_atomic_block for connection in connections.all()):
                return  # a wider fixture holds a transaction of its own: build in the test's
            request.getfixturevalue("_shared_data_session")  # ends it before the database goes
            self._open(kind, request.getfixturevalue("django_db_blocker"))
        self.item = item

    def get(self, request: pytest.FixtureRequest, kind: str) -> Any | None:
        """A copy of the shared data for this test, or None: the test builds its own."""
        if self.kind != kind or self.item is not request.node:
            return None
        if time_machine.escape_hatch.is_travelling():
            pytest.fail(
                f"The clock was moved after the shared {kind} was chosen for this test: ask for "
                f"the clock's fixture before `{kind}`, or mark the test `own_data`."
            )
        return copy.deepcopy(self.value)

    def _open(self, kind: str, blocker) -> None:
        from django.db import transaction
        from django.test import override_settings

        self._blocker = blocker
        with blocker.unblock():
            atomic = transaction.atomic()
            # Marked as a test case's block, as Django marks its own: durable blocks inside
            # work, and the access log writes through its own connection only inside the
            # application's transactions (households/audit.py).
            atomic._from_testcase = True  # type: ignore[attr-defined]
            atomic.__enter__()
            self._atomic = atomic
            try:
                with override_settings(
                    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
                ):
                    value = self.builders[kind]()
            except BaseException:
                self.close()
                raise
        self.kind, self.value = kind, value
        self.builds[kind] += 1

    def close(self) -> None:
        if self._atomic is None:
            return
        from django.db import transaction

        atomic, self._atomic = self._atomic, None
        self.kind = self.value = self.item = None
        with self._blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


SHARED = SharedData()


@pytest.fixture(scope="session")
def _shared_data_session(django_db_setup):
    """Ends the outer transaction before the test database is dropped."""
    yield SHARED
    SHARED.close()


def builds_line() -> str:
    return ", ".join(f"{kind} {n} times" for kind, n in sorted(SHARED.builds.items()))
