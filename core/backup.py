"""Backup and restore (README, "Backup and restore").

A backup is one folder, `genhusning-<UTC time>/`, holding

- `database.dump`: the database in PostgreSQL's custom format (`pg_dump --format=custom`);
- `files/<storage>/…`: the private files (every file-system storage of settings.STORAGES but
  the static files and the unused default: the consents' evidence, the reports);
- `manifest.json`: the SHA-256 of every file above, and the row count of every table.

The row counts and the dump come from one snapshot: the counts are taken in a read-only
repeatable-read transaction whose snapshot pg_dump is given (`--snapshot`). A backup is written
to a hidden `.partial` folder and renamed when complete, so a folder named `genhusning-…` is
always whole; `keep` deletes all but the newest so many.

A restore first checks every checksum (nothing is touched if one fails), refuses a database
that has tables unless told to wipe it, restores the dump in one transaction, replaces the
private files, checks every table's row count against the manifest, and grants the
application's role its rights again (core/database_roles.py).
"""

import hashlib
import json
import os
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction
from django.utils import timezone

from core.database_roles import app_role_grant

PREFIX = "genhusning-"
DUMP = "database.dump"
FILES = "files"
MANIFEST = "manifest.json"
SKIPPED_STORAGES = {"staticfiles", "default"}  # built from the code; nothing is stored in default


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why, in plain words."""


@dataclass(frozen=True)
class Restored:
    tables: int
    rows: int
    files: int


def pg_program(name: str) -> str:
    """pg_dump or pg_restore: from PG_BIN_DIR, else the pgserver package's, else the PATH."""
    if settings.PG_BIN_DIR:
        return str(Path(settings.PG_BIN_DIR) / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            from pgserver._commands import POSTGRES_BIN_PATH
        except ImportError:
            return name
    return str(POSTGRES_BIN_PATH / name)


def _pg_environment(using: str) -> dict[str, str]:
    """libpq's variables for the connection `using` (a TCP host or the embedded server's socket)."""
    db = connections[using].settings_dict
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host") or ""
    variables = {
        "PGHOST": host,
        "PGPORT": str(db.get("PORT") or ""),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
        "PGDATABASE": db["NAME"],
    }
    return {**os.environ, **{key: value for key, value in variables.items() if value}}


def _run(using: str, *command: str) -> None:
    result = subprocess.run(  # noqa: S603 (our own programs, no shell)
        command, env=_pg_environment(using), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def private_storages() -> dict[str, Path]:
    found = {}
    for name in settings.STORAGES:
        storage = storages[name]
        if name not in SKIPPED_STORAGES and isinstance(storage, FileSystemStorage):
            found[name] = Path(storage.location)
    return found


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(using: str) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        return [row[0] for row in cursor.fetchall()]


def table_counts(using: str) -> dict[str, int]:
    """The row count of every table of the schema (one query per table)."""
    counts = {}
    with connections[using].cursor() as cursor:
        for table in _tables(using):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (names from pg_tables)
            counts[table] = cursor.fetchone()[0]
    return counts


def backup_make(*, target: Path, keep: int | None = None, using: str = "owner") -> Path:
    """Write one complete backup folder into `target`; return it."""
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    final = target / f"{PREFIX}{stamp}"
    work = target / f".{PREFIX}{stamp}.partial"
    if final.exists():
        raise BackupError(f"{final} exists already")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        manifest = _dump_and_count(using, work / DUMP)
        for name, location in private_storages().items():
            if location.is_dir():
                shutil.copytree(location, work / FILES / name)
        manifest["storages"] = sorted(private_storages())
        manifest["files"] = {
            path.relative_to(work).as_posix(): sha256_of(path)
            for path in sorted(work.rglob("*"))
            if path.is_file()
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
        work.rename(final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if keep is not None:
        backups_prune(target=target, keep=keep)
    return final


def _dump_and_count(using: str, dump: Path) -> dict:
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        counts = table_counts(using)
        _run(
            using,
            pg_program("pg_dump"),
            "--format=custom",
            "--no-owner",
            "--no-privileges",  # rights are granted anew after a restore
            f"--snapshot={snapshot}",
            f"--file={dump}",
        )
    return {
        "format": 1,
        "made_at": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
        "server_version": server_version,
        "tables": counts,
    }


def backups_prune(*, target: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups in `target` (and any left half-made)."""
    complete = sorted(path for path in target.glob(f"{PREFIX}*") if (path / MANIFEST).is_file())
    gone = complete[: max(len(complete) - keep, 0)]
    gone += list(target.glob(f".{PREFIX}*.partial"))
    for path in gone:
        shutil.rmtree(path)
    return gone


def backup_verify(source: Path) -> dict:
    """The manifest, once every file it names is there with its checksum; else BackupError."""
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{source} is no backup: it has no {MANIFEST}")
    manifest = json.loads(manifest_path.read_text())
    for name, expected in manifest["files"].items():
        path = source / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup")
        if sha256_of(path) != expected:
            raise BackupError(f"{name} does not match its checksum: the backup is damaged")
    if DUMP not in manifest["files"]:
        raise BackupError(f"the backup has no {DUMP}")
    return manifest


def backup_restore(*, source: Path, wipe: bool = False, using: str = "owner") -> Restored:
    manifest = backup_verify(source)
    storages_now = private_storages()
    if not wipe:
        if _tables(using):
            raise BackupError(
                "the database has tables: restore into an empty database, or give --wipe"
            )
        for location in storages_now.values():
            if location.is_dir() and any(location.iterdir()):
                raise BackupError(f"{location} is not empty: give --wipe to replace its files")
    connection = connections[using]
    if wipe:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connection.close()  # the restore's own transaction must not wait for ours
    _run(
        using,
        pg_program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        f"--dbname={connection.settings_dict['NAME']}",
        str(source / DUMP),
    )
    restored_files = 0
    for name in manifest.get("storages", []):
        if name not in storages_now:
            raise BackupError(f"the backup has files of a storage this set-up lacks: {name}")
        location = storages_now[name]
        shutil.rmtree(location, ignore_errors=True)
        location.parent.mkdir(parents=True, exist_ok=True)
        saved = source / FILES / name
        if saved.is_dir():
            shutil.copytree(saved, location)
            restored_files += sum(1 for path in saved.rglob("*") if path.is_file())
        else:
            location.mkdir()
    counts = table_counts(using)
    wrong = {
        table: (expected, counts.get(table))
        for table, expected in manifest["tables"].items()
        if counts.get(table) != expected
    }
    if wrong:
        raise BackupError(f"row counts differ from the backup's (expected, found): {wrong}")
    app_role_grant(using)
    return Restored(tables=len(counts), rows=sum(counts.values()), files=restored_files)
