import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genhusning.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    """Load at a worker's start what its first request would load otherwise: the URL
    configuration (it imports every view module), both languages' translations and the base
    template every page extends (compiled once a process by the cached loader). Without
    this, each new gunicorn worker's first request took ten times a warm one (~640,000 Python
    calls instead of ~70,000 on the flags page at scale): the slow outliers of a page's p95.
    Then the process settles: what it loaded lives as long as it does (core/collector.py)."""
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils import translation

    from core import collector

    get_resolver().reverse_dict  # noqa: B018 - builds the resolver's tables, importing the views
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("genhusning")
    get_template("base.html")
    collector.settle()


_warm_up()
