"""Backup and restore (core/backup.py), run exactly as the README says, in another process, on
the real PostgreSQL: a backup, a database that changed (rows added, a file changed, one
removed, one added) and a restore give back the same row count in every table and
byte-identical private files; a damaged backup is refused before anything is touched."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
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
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
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
