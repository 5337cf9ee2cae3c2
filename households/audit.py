"""The access log: every view and export of person-level data, every login, logout, failed
login and refused page, written in one place."""

import ipaddress
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext_noop

from core.exports import Cell, table_response
from households.models import AccessAction, AccessLog

# A second connection to the same database (settings.DATABASES): rows written through it
# commit at once, whatever happens to the transaction of the request.
AUDIT_DATABASE = "audit"


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
        "path": request.get_full_path()[:500],
        "ip": client_ip(request),
    }
    rows = [AccessLog(household_id=household_id, **common) for household_id in households]
    rows += [
        AccessLog(household_id=household_id, resident_id=resident_id, **common)
        for household_id, resident_id in residents
    ]
    if not rows:
        rows = [AccessLog(**common)]
    database = AUDIT_DATABASE if _inside_a_transaction() else DEFAULT_DB_ALIAS
    AccessLog.objects.using(database).bulk_create(rows)


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
