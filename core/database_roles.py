"""The application's database role, when it is not the owner (the compose set-up).

Migrations run as the owner role (settings.DATABASES["owner"]); the application connects as a
role of its own, which owns nothing: it cannot ALTER a table, disable a trigger or drop
anything. After every `migrate` (and every restore) the owner grants it what the app needs:
read and write on every table, but on an append-only table (the access log) only SELECT and
INSERT. Which tables are append-only is told by the apps at start-up (`append_only`).
"""

from django.conf import settings
from django.db import connections
from psycopg import sql

APPEND_ONLY_TABLES: set[str] = set()


def append_only(table: str) -> None:
    """Called by the app that owns `table` (HouseholdsConfig.ready for the access log)."""
    APPEND_ONLY_TABLES.add(table)


def app_role(using: str) -> str | None:
    """The application's role, if the connection `using` is another role (the owner)."""
    app = settings.DATABASES["default"].get("USER") or ""
    owner = connections[using].settings_dict.get("USER") or ""
    return app if app and app != owner else None


def app_role_grant(using: str, role: str | None = None) -> str | None:
    """Give the application's role exactly its rights on every table; the role's name, if any."""
    role = role or app_role(using)
    if role is None:
        return None
    name = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            name
        ),
        sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
    ]
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {} FROM {}").format(
            sql.Identifier(table), name
        )
        for table in sorted(APPEND_ONLY_TABLES)
    ]
    with connections[using].cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return role


def grant_after_migrate(sender, using: str, **kwargs) -> None:
    """post_migrate (sent once per app; the grant runs once, when core's turn comes)."""
    if sender.label == "core":
        app_role_grant(using)
