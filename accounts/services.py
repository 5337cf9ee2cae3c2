"""Logins: the second factor, the sessions a user holds, deactivation."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import UserSession

# When the session was logged in, as a POSIX timestamp: the absolute timeout counts from it.
LOGIN_AT_SESSION_KEY = "genhusning_login_at"


# --- sessions ----------------------------------------------------------------------------------


def session_login_record(*, request: HttpRequest, user: User) -> None:
    """Called at every login, after Django has given the session a new key."""
    request.session[LOGIN_AT_SESSION_KEY] = int(timezone.now().timestamp())
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.update_or_create(
        session_id=request.session.session_key, defaults={"user": user}
    )


def session_is_past_absolute_limit(request: HttpRequest) -> bool:
    login_at = request.session.get(LOGIN_AT_SESSION_KEY)
    if not isinstance(login_at, int):
        return True  # a session from before the limit existed: log in again
    age = timezone.now().timestamp() - login_at
    return age >= settings.SESSION_ABSOLUTE_HOURS * 60 * 60


def sessions_end_for_user(user_id: int) -> int:
    """Delete every session the user logged in with; her next request meets the login page."""
    keys = UserSession.objects.filter(user_id=user_id).values("session_id")
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()  # UserSession cascades
    return deleted


@transaction.atomic
def user_deactivate(*, user: User) -> None:
    """Take a user's access away now: she can no longer log in and her open sessions end.

    The sessions are ended by the receiver of the user's post_save (accounts/signals.py), so that
    a deactivation in the admin does the same.
    """
    user.is_active = False
    user.save(update_fields=["is_active"])


# --- the second factor ---------------------------------------------------------------------------


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_for_enrolment(user: User) -> TOTPDevice | None:
    """The unconfirmed device the enrolment page shows, the same one on every reload; None once
    the time to set one up is over (OTP_ENROLMENT_DAYS after the account's creation or after
    the last reset, which leaves a fresh unconfirmed device)."""
    opened_since = timezone.now() - timedelta(days=settings.OTP_ENROLMENT_DAYS)
    device = (
        TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gte=opened_since)
        .order_by("pk")
        .first()
    )
    if device is None and user.date_joined >= opened_since:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


@transaction.atomic
def second_factor_reset(*, user: User) -> None:
    """A lost or new phone: her app and backup codes stop working, the sessions verified with
    them end, and she may set up a new app with her password for OTP_ENROLMENT_DAYS."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions_end_for_user(user.pk)
    TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def second_factor_enrolment_open(*, user: User) -> None:
    """Let a user without an app set one up for OTP_ENROLMENT_DAYS from now: an invited
    colleague who sets her password days after the invitation still has the whole time."""
    if totp_device_confirmed(user) is not None:
        return
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | StaticDevice | None  # the device that accepted the code
    wait_until: datetime | None = None  # too many wrong codes: no try before then


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _verify(device: TOTPDevice | StaticDevice, code: str) -> CodeCheck:
    # Locks the device row: two concurrent tries cannot both use one code or dodge the throttle.
    device = type(device).objects.select_for_update().get(pk=device.pk)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(None, wait_until=(details or {}).get("locked_until"))
    if device.verify_token(code):
        return CodeCheck(device)
    return CodeCheck(None)


@transaction.atomic
def totp_enrolment_confirm(*, user: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the new device with its first code; return the new backup codes, shown once."""
    check = _verify(device, _normalised(code))
    if check.device is None:
        return None
    device = check.device
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


@transaction.atomic
def second_factor_check(*, user: User, code: str) -> CodeCheck:
    """Six digits go to the authenticator app's device, anything else to the backup codes
    (each works once). Only the device asked is throttled by a wrong code."""
    code = _normalised(code)
    device: TOTPDevice | StaticDevice | None
    if code.isdigit() and len(code) == 6:
        device = totp_device_confirmed(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not code:
        return CodeCheck(None)
    return _verify(device, code)
