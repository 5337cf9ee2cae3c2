"""The PostgreSQL the app starts for itself when no DATABASE_URL is given (pgserver).

The server runs from a data folder in the project and stops when the last process that
uses it exits. It listens only on a Unix socket, so it never clashes with another server.
"""

import logging
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
