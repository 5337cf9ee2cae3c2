"""The outreach pages, one module a part; what several of them need is here."""

from django.utils.http import url_has_allowed_host_and_scheme

from core.http import AuthedRequest


def next_url(request: AuthedRequest, default: str) -> str:
    """Where to go back to after a plain form post: a local `next`, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default
