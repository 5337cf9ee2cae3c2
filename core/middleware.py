"""Response headers that Django has no setting for."""

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Nothing the app renders is kept by a browser or a proxy: almost every page shows
    personal data, and a shared computer's back button must not bring it back after logout.
    The one place that says so, for pages, htmx fragments, refusals and every download (CSV,
    XLSX, PDF, the evidence of a consent); no view sets it itself. Static files never reach
    this (WhiteNoise answers them earlier) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)
        return response
