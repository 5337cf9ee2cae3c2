"""The app's settings for the scale bench: production-like (DEBUG off), served by gunicorn on
127.0.0.1 without collectstatic, plus one middleware that reports each request's server time
and query count in response headers (the runner reads them)."""

import warnings

from genhusning.settings import *  # noqa: F403
from genhusning.settings import MIDDLEWARE, STORAGES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MIDDLEWARE = ["bench.scale.middleware.ServerTimingMiddleware", *MIDDLEWARE]

# No collectstatic for the bench: WhiteNoise's warning about the missing folder is noise here.
warnings.filterwarnings("ignore", message="No directory at")
