import base64
from io import BytesIO
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import CodeForm, FirstCodeForm
from accounts.services import (
    second_factor_check,
    totp_device_confirmed,
    totp_device_for_enrolment,
    totp_enrolment_confirm,
)
from core.http import AuthedRequest


def _next_url(request: AuthedRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url != reverse("home") else url


def _qr_svg(device: TOTPDevice) -> str:
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    out = BytesIO()
    image.save(out)
    # Made here from the device's own URL: no user-supplied markup.
    return mark_safe(out.getvalue().decode())  # noqa: S308


def _secret_for_typing(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _second_factor_given(request: AuthedRequest, device) -> None:
    """Verified from here on, under a new session key: a key seen before the code (on a shared
    screen, in a proxy log) must not become a verified session."""
    otp_login(request, device)
    request.session.cycle_key()


@require_http_methods(["GET", "POST"])
def otp_verify(request: AuthedRequest) -> HttpResponse:
    """After the password: a code from the authenticator app, or one of the backup codes."""
    next_url = _next_url(request)
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if totp_device_confirmed(request.user) is None:
        return redirect(_with_next("accounts:otp_enrol", next_url))
    backup = request.GET.get("backup") == "1"
    form = CodeForm(request.POST or None, backup=backup)
    if request.method == "POST" and form.is_valid():
        check = second_factor_check(user=request.user, code=form.cleaned_data["code"])
        if check.device is not None:
            _second_factor_given(request, check.device)
            if check.device.persistent_id.startswith("otp_static."):
                left = check.device.token_set.count()  # type: ignore[attr-defined]
                messages.warning(
                    request,
                    _("You used a backup code; %(left)d are left. Each code works only once.")
                    % {"left": left},
                )
            return redirect(next_url)
        if check.wait_until is not None:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait until %(time)s and try again.")
                % {"time": time_format(timezone.localtime(check.wait_until), "H:i:s")},
            )
        else:
            form.add_error("code", _("The code is wrong or has expired. Try again."))
    context = {"form": form, "next": next_url, "backup": backup}
    return render(request, "accounts/otp_verify.html", context)


@require_http_methods(["GET", "POST"])
def otp_enrol(request: AuthedRequest) -> HttpResponse:
    """The first login: add genhusning to an authenticator app, confirm it, get backup codes."""
    next_url = _next_url(request)
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    if totp_device_confirmed(request.user) is not None:
        return redirect(_with_next("accounts:otp_verify", next_url))
    device = totp_device_for_enrolment(request.user)
    if device is None:
        days = {"days": settings.OTP_ENROLMENT_DAYS}
        return render(request, "accounts/otp_enrol_closed.html", days, status=403)
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_enrolment_confirm(
            user=request.user, device=device, code=form.cleaned_data["code"]
        )
        if codes is not None:
            device.refresh_from_db()
            _second_factor_given(request, device)
            # Shown on this response only: they are not stored anywhere we could show them again.
            return render(
                request, "accounts/otp_backup_codes.html", {"codes": codes, "next": next_url}
            )
        form.add_error(
            "code", _("The code does not match. Check the time on your phone and try again.")
        )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": _qr_svg(device),
        "config_url": device.config_url,  # otpauth://: opens the app when on the same phone
        "secret": _secret_for_typing(device),
    }
    return render(request, "accounts/otp_enrol.html", context)


def lockout(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer to a locked-out username + IP address (AXES_LOCKOUT_CALLABLE)."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/lockout.html", context, status=429)
