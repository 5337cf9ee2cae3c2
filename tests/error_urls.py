"""A view that breaks with personal data in its error, for tests/test_security_headers.py."""

from django.urls import include, path


def breaks(request):
    raise RuntimeError("Agnete Markørsen SOCIAL-NOTE-A1-7731 could not be shown")


urlpatterns = [path("gaar-i-stykker/", breaks), path("", include("genhusning.urls"))]
