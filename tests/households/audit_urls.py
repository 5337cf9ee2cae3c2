"""Views that fail after writing the access log, for tests/households/test_audit.py."""

from django.db import transaction
from django.http import HttpRequest
from django.urls import include, path

from households.audit import log_access
from households.models import AccessAction


class RenderFailed(Exception):
    pass


def fails_after_logging(request: HttpRequest, pk: int):
    log_access(request, what="case page", action=AccessAction.PRINT, households=[pk])
    raise RenderFailed("the PDF could not be rendered")


def rolls_back_after_logging(request: HttpRequest, pk: int):
    with transaction.atomic():
        log_access(request, what="case page", households=[pk])
        raise RenderFailed("something after the log failed; the transaction rolls back")


urlpatterns = [
    path("fejler/<int:pk>/", fails_after_logging),
    path("ruller-tilbage/<int:pk>/", rolls_back_after_logging),
    path("", include("genhusning.urls")),
]
