"""A view that breaks with personal data in its error, for tests/test_security_headers.py."""

from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.urls import include, path


def breaks(request):
    raise RuntimeError("Agnete Markørsen SOCIAL-NOTE-A1-7731 could not be shown")


def loses_its_session(request):
    """The session's row is gone before the response saves it (a database restarted without
    it, or another tab logged out): Django cannot save the session and answers 400."""
    Session.objects.filter(session_key=request.session.session_key).delete()
    request.session["touched"] = True
    return HttpResponse("saved?")


urlpatterns = [
    path("gaar-i-stykker/", breaks),
    path("mister-sessionen/", loses_its_session),
    path("", include("genhusning.urls")),
]
