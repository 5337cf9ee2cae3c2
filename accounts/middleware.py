from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
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
        htmx = getattr(request, "htmx", None)
        if htmx:  # back to the page the fragment belongs to, not to the fragment
            next_path = htmx.current_url_abs_path or ""
        else:
            next_path = request.get_full_path() if request.method == "GET" else ""
        url = reverse("accounts:otp_verify")
        if next_path and next_path != "/":
            url += "?" + urlencode({"next": next_path})
        if htmx:
            return HttpResponseClientRedirect(url)  # the whole page, not the fragment's target
        return redirect(url)
