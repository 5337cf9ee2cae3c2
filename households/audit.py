"""The access log: every view and export of person-level data, every login, logout, failed
login and refused page, written in one place."""

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.timezone import localtime
from django.utils.translation import gettext, gettext_noop, override

from core.exports import Cell, table_response
from core.roles import Role
from households.models import AccessAction, AccessLog

# A second connection to the same database (settings.DATABASES): rows written through it
# commit at once, whatever happens to the transaction of the request.
AUDIT_DATABASE = "audit"

logger = logging.getLogger(__name__)


def _valid_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person's browser.

    Behind TRUSTED_PROXY_COUNT proxies (the TLS proxy in front of gunicorn), REMOTE_ADDR is the
    nearest proxy's; each proxy appends the address it saw to X-Forwarded-For, so the client is
    the entry that many places from the right. Entries further left are the client's own word
    and never taken.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry
        ]
        if len(forwarded) >= proxies and (ip := _valid_ip(forwarded[-proxies])):
            return ip
    return _valid_ip(request.META.get("REMOTE_ADDR"))


def _inside_a_transaction() -> bool:
    # A test case wraps each test in atomic blocks of its own (marked `_from_testcase`, which
    # Django itself uses for durable blocks); only the application's blocks can roll back a row.
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def logged_path(request: HttpRequest) -> str:
    """The page's path and the numbers of its query (ids, a page); any other value, a search's
    words above all, is left out as "…": it may name a resident, and no erasure reaches this
    table."""
    query = "&".join(
        f"{quote(key)}={value if value.isdigit() or not value else '…'}"
        for key, values in request.GET.lists()
        for value in values
    )
    return f"{request.path}?{query}" if query else request.path


def log_access(
    request: HttpRequest,
    *,
    what: str,
    action: str = AccessAction.VIEW,
    households: Iterable[int] = (),
    residents: Iterable[tuple[int, int]] = (),
    user=None,
    username: str | None = None,
) -> None:
    """One row per household in `households` and per (household id, resident id) in `residents`.

    `what` names the page or file (no personal data in it: it is shown to managers). `user`
    defaults to the request's; `username` to the user's (for a failed login: the name tried).
    The row is written even when the view fails afterwards: in autocommit it is committed at
    once; inside a transaction it goes through a connection of its own, so a rollback of the
    request's work does not take the row with it.
    """
    if user is None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    common = {
        "user_id": user.pk if user is not None else None,
        "username": (username if username is not None else user.get_username() if user else "")[
            :150
        ],
        "action": action,
        "what": what[:200],
        "path": logged_path(request)[:500],
        "ip": client_ip(request),
    }
    database = AUDIT_DATABASE if _inside_a_transaction() else DEFAULT_DB_ALIAS
    households = list(households)
    if len(households) > MANY_ROWS and not residents:
        _log_many(database, common, households)
        return
    rows = [AccessLog(household_id=household_id, **common) for household_id in households]
    rows += [
        AccessLog(household_id=household_id, resident_id=resident_id, **common)
        for household_id, resident_id in residents
    ]
    if len(rows) > 1:
        AccessLog.objects.using(database).bulk_create(rows)
    else:  # a page's one row: one INSERT (bulk_create puts even one row between BEGIN, COMMIT)
        (rows[0] if rows else AccessLog(**common)).save(using=database, force_insert=True)


MANY_ROWS = 200  # an export of thousands of households: one statement, no model instances


def _log_many(database: str, common: dict, households: list[int]) -> None:
    """The rows of one export in one INSERT from an array of ids (the chain trigger numbers
    and hashes each row as for bulk_create; the rows share the moment of the export)."""
    columns = ", ".join(common)
    values = ", ".join("%s::inet" if name == "ip" else "%s" for name in common)
    sql = (
        f"INSERT INTO {AccessLog._meta.db_table} (at, {columns}, household_id, hash) "  # noqa: S608
        f"SELECT %s, {values}, household_id, '' "
        "FROM unnest(%s::bigint[]) WITH ORDINALITY AS ids(household_id, n) ORDER BY n"
    )
    params = [timezone.now(), *common.values(), households]
    with connections[database].cursor() as cursor:
        cursor.execute(sql, params)


# --- list exports (core/exports.py writes the file; every export is logged here first) ---


def export_table(
    request: HttpRequest,
    *,
    fmt: str,
    filename: str,
    what: str,
    headers: Sequence[Cell],
    rows: Iterable[Sequence[Cell]],
    households: Iterable[int] = (),
) -> HttpResponse | StreamingHttpResponse:
    """Log the export (one row per household in the file) and answer the file.

    The log is written before the file: `households` is read first, by the query the rows
    come from (evaluated rows, or the ids of the same queryset); `rows` may then be a generator
    that the file reads as it is written (constant memory for a long list).
    """
    log_access(request, what=what, action=AccessAction.EXPORT, households=sorted(set(households)))
    return table_response(fmt=fmt, filename=filename, headers=headers, rows=rows)


# --- logins, logouts and failed logins (connected in HouseholdsConfig.ready) ---


def _over_http(request: HttpRequest | None) -> bool:
    # The test client's force_login() and login() build a bare HttpRequest that never came
    # over HTTP; every real login comes through the login page.
    return request is not None and "REQUEST_METHOD" in request.META


def on_logged_in(sender, request, user, **kwargs) -> None:
    if _over_http(request):
        log_access(request, what=gettext_noop("login"), action=AccessAction.LOGIN, user=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None and _over_http(request):
        log_access(request, what=gettext_noop("logout"), action=AccessAction.LOGOUT, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    """The name that was tried, never the password (Django has already masked it anyway)."""
    if not _over_http(request):
        return
    User = get_user_model()
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    account = User._default_manager.filter(**{User.USERNAME_FIELD: tried}).first()
    log_access(
        request,
        what=gettext_noop("failed login"),
        action=AccessAction.LOGIN_FAILED,
        user=account,
        username=tried,
    )


# --- refused pages ---


class AccessDeniedLogMiddleware:
    """Logs every 403 and 404 that a view's access gate raises for a logged-in user: someone
    trying ids that are not hers shows up in the log. A URL that matches no page is no
    refusal and is not logged (the resolver raises that before any view runs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, Http404 | PermissionDenied) and request.user.is_authenticated:
            log_access(request, what=gettext_noop("refused page"), action=AccessAction.DENIED)


# --- the hash chain (migration 0010 writes it; this checks it) ---

# The first row whose hash is not the SHA-256 of its content and the previous row's hash, or
# whose number does not follow the previous one (a row taken out). One pass, in the database,
# with the same function the insert trigger uses.
_FIRST_BREAK = """
    SELECT id FROM (
        SELECT entry.id, entry.seq, entry.hash,
               households_accesslog_hash(coalesce(lag(entry.hash) OVER chain, ''), entry)
                   AS expected,
               coalesce(lag(entry.seq) OVER chain, 0) AS previous_seq
        FROM households_accesslog AS entry
        WINDOW chain AS (ORDER BY entry.seq)
    ) AS checked
    WHERE hash <> expected OR seq <> previous_seq + 1
    ORDER BY seq
    LIMIT 1
"""


@dataclass(frozen=True)
class ChainCheck:
    rows: int
    head: str  # the last row's hash: a copy kept elsewhere anchors everything before it
    broken: AccessLog | None  # the first row that does not follow from the one before

    @property
    def intact(self) -> bool:
        return self.broken is None


def access_log_verify() -> ChainCheck:
    with connection.cursor() as cursor:
        cursor.execute(_FIRST_BREAK)
        found = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), (SELECT hash FROM households_accesslog ORDER BY seq DESC LIMIT 1)"
            " FROM households_accesslog"
        )
        rows, head = cursor.fetchone()
    broken = AccessLog.objects.filter(pk=found[0]).first() if found else None
    return ChainCheck(rows=rows, head=head or "", broken=broken)


def describe_break(broken: AccessLog) -> str:
    """The row named for the report: its id, number in the chain and time (no personal data)."""
    return gettext(
        "Access log row id %(id)s (number %(seq)s in the chain, %(at)s) does not match its "
        "hash: it, or the row before it, was changed or removed outside the application."
    ) % {"id": broken.pk, "seq": broken.seq, "at": f"{localtime(broken.at):%d.%m.%Y %H:%M:%S}"}


def access_log_verify_and_report() -> ChainCheck:
    """The nightly check: when the chain is broken, every manager (and settings.MANAGERS) gets
    an e-mail naming the first broken row."""
    check = access_log_verify()
    if check.broken is None:
        logger.info("Access log chain intact: %s rows, head %s", check.rows, check.head)
        return check
    logger.error("Access log chain broken: row id %s", check.broken.pk)
    managers = (
        get_user_model()
        ._default_manager.filter(groups__name=Role.MANAGER, is_active=True)
        .exclude(email="")
    )
    recipients = sorted({user.email for user in managers} | {e for _n, e in settings.MANAGERS})
    if recipients:
        with override(settings.LANGUAGE_CODE):
            send_mail(
                subject=gettext("genhusning: the access log has been changed"),
                message=describe_break(check.broken)
                + "\n\n"
                + gettext(
                    "Tell the data protection officer. Keep the database and its backups as "
                    "they are; compare with the last backup to see what was changed."
                ),
                from_email=None,
                recipient_list=recipients,
            )
    return check
