from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.services import session_is_past_absolute_limit

# Reachable after the password but before the second factor.
SECOND_FACTOR_EXEMPT = {"accounts:otp_verify", "accounts:otp_enrol", "logout", "set_language"}


class AbsoluteSessionTimeoutMiddleware:
    """Log out a session SESSION_ABSOLUTE_HOURS after its login, however active it has been.

    Before LoginRequiredMiddleware: the request then goes on anonymously and meets the login page.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # In process_view, not __call__: the message store exists only from here on.
        if request.user.is_authenticated and session_is_past_absolute_limit(request):
            logout(request)
            messages.info(request, _("You have been logged out for safety. Please log in again."))


def _whole_page_to(url: str, htmx, field: str = "next") -> HttpResponse:
    """For a fragment htmx asked for: the whole page goes to `url` (not the fragment's target),
    and from there back to the page the fragment belongs to (not to the fragment's URL)."""
    next_path = htmx.current_url_abs_path or ""  # None for another site's address
    if next_path and next_path != "/":
        url += "?" + urlencode({field: next_path})
    return HttpResponseClientRedirect(url)


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's, but a fragment htmx asks for after the session has ended (30 idle minutes, 12
    hours, a logout in another tab) sends the whole page to the login page, and from there back
    to the page. A redirect that htmx follows would put the login page where the fragment goes
    (a door's card in the round), and lead after the login to the fragment's own URL."""

    def handle_no_permission(  # type: ignore[override]  # htmx: a 200 with HX-Redirect
        self, request: HttpRequest, view_func
    ) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if not htmx:
            return super().handle_no_permission(request, view_func)
        url = resolve_url(self.get_login_url(view_func))
        return _whole_page_to(url, htmx, self.get_redirect_field_name(view_func))


class SecondFactorRequiredMiddleware:
    """A user who has given her password but not yet a code sees only the code pages and logout.

    Instead of django_otp's OTPMiddleware, which loads the device on every request (a query
    more on every page) to notice a device deleted meanwhile: deleting a confirmed device ends
    the user's sessions (accounts/signals.py), so the session's own word is enough.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            verified = bool(request.session.get(DEVICE_ID_SESSION_KEY))
            # The name django_otp's own middleware gives it.
            user.is_verified = lambda: verified  # type: ignore[union-attr,attr-defined]
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[attr-defined]
            return None
        if not getattr(view_func, "login_required", True):
            return None  # the login page, password reset, the health check
        match = request.resolver_match
        if match is not None and match.view_name in SECOND_FACTOR_EXEMPT:
            return None
        url = reverse("accounts:otp_verify")
        if htmx := getattr(request, "htmx", None):
            return _whole_page_to(url, htmx)
        next_path = request.get_full_path() if request.method == "GET" else ""
        if next_path and next_path != "/":
            url += "?" + urlencode({"next": next_path})
        return redirect(url)
