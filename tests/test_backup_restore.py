"""Backup and restore (core/backup.py), run exactly as the README says, in another process, on
the real PostgreSQL: a backup, a database that changed (rows added, a file changed, one
removed, one added) and a restore give back the same row count in every table and
byte-identical private files; a damaged backup is refused before anything is touched."""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection

from core.backup import table_counts
from households.models import AccessLog
from outreach.models import Contact
from outreach.services import contact_record
from tests.conftest import database_url_of_the_tests

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def readme_commands() -> dict[str, list[str]]:
    """The README's commands for the embedded database: `manage.py backup` and `restore`."""
    commands = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        if line.startswith(".venv/bin/python manage.py backup "):
            commands["backup"] = shlex.split(line.split("#")[0])
        if line.startswith(".venv/bin/python manage.py restore "):
            commands["restore"] = shlex.split(line.split("#")[0])
    assert set(commands) == {"backup", "restore"}, "the README lost its backup commands"
    return commands


def run(argv: list[str], media: Path) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_of_the_tests(),
        "MEDIA_ROOT": str(media),
        "SECRET_KEY": "test-only",
    }
    return subprocess.run(
        [sys.executable, *argv[1:]],  # the README's .venv/bin/python is this interpreter
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def files_of(media: Path) -> dict[str, bytes]:
    return {
        path.relative_to(media).as_posix(): path.read_bytes()
        for path in sorted(media.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def media(tmp_path) -> Path:
    """Private files as the app keeps them: evidence and reports under MEDIA_ROOT."""
    media = tmp_path / "media"
    (media / "private" / "evidence" / "2026" / "12").mkdir(parents=True)
    (media / "private-reports" / "reports").mkdir(parents=True)
    (media / "private" / "evidence" / "2026" / "12" / "samtykke.pdf").write_bytes(
        b"%PDF-1.4\n" + os.urandom(50_000)
    )
    (media / "private" / "evidence" / "2026" / "12" / "scan æøå.jpg").write_bytes(os.urandom(3_000))
    (media / "private-reports" / "reports" / "status.pdf").write_bytes(os.urandom(20_000))
    return media


def test_a_backup_restores_every_row_and_every_private_file(cast, media, tmp_path):
    household = cast.case_a1.household
    contact_record(household=household, by=cast.caseworker_a1, channel="phone", outcome="talked")
    AccessLog.objects.create(username="x", action="view", what="case page")
    commands, backups = readme_commands(), tmp_path / "backups"

    backup_argv = [*commands["backup"][:-1], str(backups)]
    made = run(backup_argv, media)
    assert made.returncode == 0, made.stderr
    (folder,) = backups.glob("genhusning-*")
    assert made.stdout.strip() == str(folder)
    counts, files = table_counts("default"), files_of(media)
    assert counts["households_accesslog"] == 1 and counts["outreach_contact"] == 1

    # After the backup: more rows, a file changed, one removed, one added.
    contact_record(household=household, by=cast.caseworker_a1, channel="sms", outcome="sent")
    AccessLog.objects.create(username="y", action="view", what="case page")
    (media / "private-reports" / "reports" / "status.pdf").write_bytes(b"changed")
    (media / "private" / "evidence" / "2026" / "12" / "scan æøå.jpg").unlink()
    (media / "private" / "evidence" / "new.pdf").write_bytes(b"%PDF new")
    connection.close()

    restore_argv = [*commands["restore"][:-2], str(folder), "--wipe"]
    assert commands["restore"][-1] == "--wipe"
    restored = run(restore_argv, media)
    assert restored.returncode == 0, restored.stderr
    assert table_counts("default") == counts
    assert files_of(media) == files
    assert Contact.objects.get().channel == "phone"
    # The restored access log is still one unbroken chain, and new rows go on from it.
    AccessLog.objects.create(username="z", action="view", what="case page")
    checked = run([".venv/bin/python", "manage.py", "verify_access_log", "--no-mail"], media)
    assert checked.returncode == 0, checked.stderr
    assert "2 rows" in checked.stdout


def test_a_damaged_backup_or_a_database_with_tables_is_refused(cast, media, tmp_path):
    backups = tmp_path / "backups"
    assert run([".venv/bin/python", "manage.py", "backup", str(backups)], media).returncode == 0
    (folder,) = backups.glob("genhusning-*")
    counts = table_counts("default")
    connection.close()

    refused = run([".venv/bin/python", "manage.py", "restore", str(folder)], media)
    assert refused.returncode == 1 and "the database has tables" in refused.stderr

    damaged = folder / "files" / "evidence" / "evidence" / "2026" / "12" / "samtykke.pdf"
    data = damaged.read_bytes()  # random bytes: its last may be any, "!" too (1 run in 256)
    damaged.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))
    refused = run([".venv/bin/python", "manage.py", "restore", str(folder), "--wipe"], media)
    assert refused.returncode == 1
    assert "files/evidence/evidence/2026/12/samtykke.pdf does not match its checksum" in (
        refused.stderr
    )
    assert table_counts("default") == counts  # nothing was touched


def test_it_keeps_the_newest_backups_only(cast, media, tmp_path):
    backups = tmp_path / "backups"
    for old in ("genhusning-20260101-013000", "genhusning-20260102-013000"):
        (backups / old).mkdir(parents=True)
        (backups / old / "manifest.json").write_text("{}")
    (backups / ".genhusning-20260103-013000.partial").mkdir()  # a backup that broke off
    made = run([".venv/bin/python", "manage.py", "backup", str(backups), "--keep", "2"], media)
    assert made.returncode == 0, made.stderr
    assert sorted(path.name for path in backups.iterdir()) == [
        "genhusning-20260102-013000",
        Path(made.stdout.strip()).name,
    ]


# --- the embedded database (pgserver, no DATABASE_URL): the README's commands there too ---

COUNT_TABLES = (
    "import json; from core.backup import table_counts; "
    "print('COUNTS', json.dumps(table_counts('default')))"
)
ADD_ROWS = (
    "from households.models import AccessLog; from django.contrib.auth.models import User; "
    "User.objects.create(username='{name}'); "
    "AccessLog.objects.create(username='{name}', action='view', what='case page')"
)


VERIFY_ACCESS_LOG = (
    "from django.core.management import call_command; "
    "call_command('verify_access_log', '--no-mail')"
)


def counts_embedded(media: Path, data_dir: Path, *, before: str) -> dict[str, int]:
    """Every table's row count, after the code `before` ran (in the same process)."""
    out = run_embedded(
        [".venv/bin/python", "manage.py", "shell", "-c", f"{before}; {COUNT_TABLES}"],
        media,
        data_dir,
    )
    return counts_in(out)


def counts_in(out: subprocess.CompletedProcess) -> dict[str, int]:
    (line,) = [line for line in out.stdout.splitlines() if line.startswith("COUNTS ")]
    return json.loads(line.removeprefix("COUNTS "))


def run_embedded(argv: list[str], media: Path, data_dir: Path) -> subprocess.CompletedProcess:
    """A manage.py command as `make demo` runs it: no DATABASE_URL, so the app starts its own
    PostgreSQL (pgserver) in `data_dir`; pg_dump and pg_restore are the pgserver package's."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "MIGRATION_DATABASE_URL", "SECRET_KEY", "PG_BIN_DIR")
    }
    environment |= {"EMBEDDED_DATABASE_DIR": str(data_dir), "MEDIA_ROOT": str(media)}
    result = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, (argv, result.stderr[-3000:])
    return result


@pytest.mark.embedded_database
def test_backup_and_restore_on_the_embedded_database(media, tmp_path):
    """The README's two commands against a pgserver-started database: the same row count in
    every table and byte-identical private files after a change and a restore; the restored
    access-log chain verifies.

    The server is started here and stays up between the commands, as under `make demo`'s
    runserver: each command finds it running. Its tables come from migrating from zero (half a
    minute), or, when the test database is itself on an embedded server (`make test` without
    DATABASE_URL, which migrated it there), from a backup of the test database restored into
    the new, empty database with the README's command. (Not from another server's: pg_dump
    keeps column options that PostgreSQL 16 may not know.)"""
    import pgserver

    from core.backup import pg_program

    assert "pgserver" in pg_program("pg_dump")  # no PG_BIN_DIR: the package's own programs
    data_dir, commands, backups = tmp_path / "pgdata", readme_commands(), tmp_path / "backups"
    manage = [".venv/bin/python", "manage.py"]

    server = pgserver.get_server(data_dir)
    try:
        if settings.EMBEDDED_DATABASE:
            # The rows of ADD_ROWS go into the test database before the seed is made, so the
            # seed brings them along and no process starts only to add them; the counts are
            # the test database's, which the restore below has to give back.
            User.objects.create(username="before")
            AccessLog.objects.create(username="before", action="view", what="case page")
            counts = table_counts("default")
            seed_media, seeds = tmp_path / "seed-media", tmp_path / "seeds"
            seed_media.mkdir()
            seeded = run([*commands["backup"][:-1], str(seeds)], seed_media)
            assert seeded.returncode == 0, seeded.stderr
            (seed,) = seeds.glob("genhusning-*")
            # Into an empty database, so without --wipe.
            run_embedded([*commands["restore"][:-2], str(seed)], seed_media, data_dir)
        else:
            run_embedded([*manage, "migrate", "--noinput"], media, data_dir)
            counts = counts_embedded(media, data_dir, before=ADD_ROWS.format(name="before"))
        files = files_of(media)

        made = run_embedded([*commands["backup"][:-1], str(backups)], media, data_dir)
        (folder,) = backups.glob("genhusning-*")
        assert made.stdout.strip() == str(folder)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["tables"]["households_accesslog"] == 1 == counts["households_accesslog"]

        # After the backup: more rows, a file changed, one removed, one added.
        run_embedded([*manage, "shell", "-c", ADD_ROWS.format(name="after")], media, data_dir)
        (media / "private-reports" / "reports" / "status.pdf").write_bytes(b"changed")
        (media / "private" / "evidence" / "2026" / "12" / "scan æøå.jpg").unlink()
        (media / "private" / "evidence" / "new.pdf").write_bytes(b"%PDF new")

        run_embedded([*commands["restore"][:-2], str(folder), "--wipe"], media, data_dir)
        checked = run_embedded(
            [*manage, "shell", "-c", f"{COUNT_TABLES}; {VERIFY_ACCESS_LOG}"], media, data_dir
        )
        assert counts_in(checked) == counts
        assert files_of(media) == files
        assert "The access log is intact: 1 rows" in checked.stdout
    finally:
        server.cleanup()  # stops it: the commands have exited
