"""The access log: every view and export of person-level data, written in one place."""

from collections.abc import Iterable

from django.http import HttpRequest

from households.models import AccessAction, AccessLog


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: behind the proxy of docker-compose, gunicorn sets it from the
    # forwarded header it trusts; a client-supplied header is never taken on its own word.
    return request.META.get("REMOTE_ADDR") or None


def log_access(
    request: HttpRequest,
    *,
    what: str,
    action: str = AccessAction.VIEW,
    households: Iterable[int] = (),
    residents: Iterable[tuple[int, int]] = (),
) -> None:
    """One row per household in `households` and per (household id, resident id) in `residents`.

    `what` names the page or file (no personal data in it: it is shown to managers).
    """
    user = request.user
    common = {
        "user_id": user.pk,
        "username": user.get_username(),
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
    AccessLog.objects.bulk_create(rows)
