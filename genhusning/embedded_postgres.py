"""The PostgreSQL the app starts for itself when no DATABASE_URL is given (pgserver).

The server runs from a data folder in the project and stops when the last process that
uses it exits. It listens only on a Unix socket, so it never clashes with another server.
`make clean-db` stops it first (`python -m genhusning.embedded_postgres stop <folder>`).
"""

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path, *, database: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import pgserver

        server = pgserver.get_server(data_dir)
    if not database.isidentifier():
        raise ValueError(f"Not a plain database name: {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        logger.info("Creating database %s in %s", database, data_dir)
        server.psql(f'CREATE DATABASE "{database}";')
    return server.get_uri(database)


def embedded_server_stop(data_dir: Path) -> bool:
    """Stop the server running on the data folder, if one is (pg_ctl of the pgserver package,
    fast: the sessions of a running `make demo` are ended). True if one was stopped.

    pg_ctl runs as the folder's owner: pgserver started as root runs PostgreSQL as its own
    user, and pg_ctl refuses root."""
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as above
        from pgserver._commands import POSTGRES_BIN_PATH  # as core/backup.py's pg_program
    pg_ctl = str(POSTGRES_BIN_PATH / "pg_ctl")
    owner = data_dir.stat().st_uid
    user = owner if os.geteuid() != owner else None
    status = subprocess.run(  # noqa: S603 (the package's own program, a folder path)
        [pg_ctl, "status", "-D", str(data_dir)],
        user=user,
        capture_output=True,
        check=False,
    )
    if status.returncode != 0:  # 3: a postmaster.pid left by a server that is gone
        return False
    subprocess.run(  # noqa: S603
        [pg_ctl, "stop", "-D", str(data_dir), "--mode", "fast", "--wait", "--timeout", "60"],
        user=user,
        capture_output=True,
        check=True,
    )
    return True


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "stop":
        sys.exit("usage: python -m genhusning.embedded_postgres stop <data folder>")
    if embedded_server_stop(Path(sys.argv[2])):
        print(f"Stopped the PostgreSQL server of {sys.argv[2]}")
