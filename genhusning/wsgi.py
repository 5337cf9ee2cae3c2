import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genhusning.settings")

application = get_wsgi_application()

# The URL patterns (and with them every view module) loaded now, before the process settles:
# they live as long as it does (core/collector.py).
get_resolver().url_patterns  # noqa: B018

from core import collector  # noqa: E402 - after Django's set-up

collector.settle()
