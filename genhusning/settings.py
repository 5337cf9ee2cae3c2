"""Settings, read from environment variables (see .env.example).

Without DATABASE_URL the app starts its own PostgreSQL (pgserver) in .pgdata/;
without REDIS_URL Celery runs tasks eagerly in the calling process.
"""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

DATABASE_URL = env("DATABASE_URL")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE:
    from genhusning.embedded_postgres import embedded_database_url

    # EMBEDDED_DATABASE_DIR: another data folder (tests/test_backup_restore.py starts its own).
    DATABASE_URL = embedded_database_url(
        Path(env("EMBEDDED_DATABASE_DIR", str(BASE_DIR / ".pgdata"))), database="genhusning"
    )

# A web worker keeps its connection for ten minutes (checked before each request): a new one
# costs the next request 8-14 ms at scale, the connection and PostgreSQL's new process reading
# its catalogue again (bench/README.md). Not Django's development server (`make demo`): it
# serves each request in a thread of its own and never closes that thread's connection, so
# kept connections piled up to PostgreSQL's limit ("too many clients") after ~100 requests.
_conn_max_age = 0 if sys.argv[1:2] == ["runserver"] else env_int("DATABASE_CONN_MAX_AGE", 600)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=_conn_max_age, conn_health_checks=True
    )
}
# Two planner settings for the application's queries, whatever the server's (the compose file's
# server has both; the embedded one and a distribution's default do not), bench/README.md:
# - no JIT compilation: a list query estimated above jit_above_cost spent 100+ ms compiling to
#   save a few;
# - random_page_cost 1.1 (default 4, for spinning disks): the data are in memory or on an SSD,
#   where reading a page out of order costs about what reading the next one does. At 4 the
#   planner read all 50,000 households and flats to count an estate's 4,800 through their
#   stairwells (the round's index: 109 -> 74 ms); the other pages measured the same.
_options = DATABASES["default"].setdefault("OPTIONS", {})
_options["options"] = f"{_options.get('options', '')} -c jit=off -c random_page_cost=1.1".strip()
# Prepared statements: most of the database's time on a page was planning, not running, its
# queries (the household page's 21: 7.5 ms of planning, 1.3 ms of execution at 50,000
# households). With the parameters sent apart from the SQL (server-side binding), psycopg
# prepares a statement the second time a connection runs it, and PostgreSQL keeps its plan for
# that connection (bench/README.md). Django leaves both off for the sake of a transaction-mode
# connection pooler (PgBouncer), which this set-up does not have: put one in front and set
# DATABASE_PREPARED_STATEMENTS=0.
if env_bool("DATABASE_PREPARED_STATEMENTS", True):
    _options["server_side_binding"] = True
    _options["prepare_threshold"] = 1
# The access log's own connection (households/audit.py): a row written inside a transaction
# commits at once, so a rollback of the request's work cannot take the record of it along.
DATABASES["audit"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
# Migrations, backups and restores connect as the database's owner (`manage.py migrate` uses
# this alias by default, core/management/commands/migrate.py); in the compose set-up the
# application's own role (DATABASE_URL) may not alter tables or triggers, and may only read and
# insert in the access log (core/database_roles.py). Without MIGRATION_DATABASE_URL the role of
# DATABASE_URL does both.
MIGRATION_DATABASE_URL = env("MIGRATION_DATABASE_URL")
DATABASES["owner"] = {
    **(
        dj_database_url.parse(MIGRATION_DATABASE_URL)
        if MIGRATION_DATABASE_URL
        else DATABASES["default"]
    ),
    "TEST": {"MIRROR": "default"},
}
# The PostgreSQL programs of `manage.py backup` and `restore` (pg_dump, pg_restore): by default
# those of the pgserver package, PostgreSQL 16 like the embedded server and the compose file's.
PG_BIN_DIR = env("PG_BIN_DIR")
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured(
        "genhusning runs on PostgreSQL only; DATABASE_URL must be postgres://"
    )

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not EMBEDDED_DATABASE:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (a long random string) when DATABASE_URL is set."
        )
    SECRET_KEY = "django-insecure-local-embedded-database-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Without SITE_URL: the address `make demo` serves (its HOST and PORT).
SITE_URL = env("SITE_URL", f"http://{env('HOST', '127.0.0.1')}:{env('PORT', '8000')}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "template_partials",
    "csp",
    "core",
    "households",
    "cases",
    "outreach",
    "referrals",
    "privacy",
    "accounts",
    "reports",
    "demo",
    "team",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AbsoluteSessionTimeoutMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",  # Django's, htmx-aware
    "accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "households.audit.AccessDeniedLogMiddleware",
    # Last, as django-axes asks: it turns a lockout raised in authenticate() into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "genhusning.urls"
WSGI_APPLICATION = "genhusning.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "home.navigation.navigation",
            ],
        },
    },
]

# Django's form renderer, with its small field and widget templates written in Python.
FORM_RENDERER = "core.renderers.FormRenderer"

AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out username + IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading a user's own and her groups' permissions in one query.
    "accounts.backends.PermissionBackend",
    "guardian.backends.ObjectPermissionBackend",
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object; every page needs a login

# Length over complexity (NIST SP 800-63B, Digitaliseringsstyrelsen's password guidance): at least
# 12 characters, no upper limit (passphrases with spaces are welcome), checked against common
# passwords and the user's own name; no composition rules, so no NumericPasswordValidator (a
# "not only digits" rule is one), and no forced periodic change. A second factor is required too.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after SESSION_IDLE_MINUTES without a request, and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# Database sessions that keep the list of each user's sessions (ended on deactivation).
SESSION_ENGINE = "accounts.sessions"
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ... and SESSION_ABSOLUTE_HOURS after the login, however active (accounts/middleware.py).
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)

# Two-factor login (django-otp): every user confirms a TOTP app or a backup code after the
# password (accounts/middleware.py). Each wrong code doubles the wait before the next try
# (1, 2, 4, 8 ... seconds) on that device.
OTP_TOTP_ISSUER = "genhusning"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
BACKUP_CODE_COUNT = 10
# A user without an app sets one up with her password alone, so only within this many days of
# her account's creation or of an administrator's reset (the user admin's action): a password
# found later cannot bind an attacker's phone.
OTP_ENROLMENT_DAYS = env_int("OTP_ENROLMENT_DAYS", 7)
# The link of an invitation (team/) works this many days, once; then a manager sends a new one.
INVITATION_DAYS = env_int("INVITATION_DAYS", 3)

# Lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one IP address
# lock that pair out for AXES_COOLOFF_MINUTES; another address, or another username, is not.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# The same client address as the access log (TRUSTED_PROXY_COUNT below).
AXES_CLIENT_IP_CALLABLE = "households.audit.client_ip"
# Logins and failed logins are audited in the project's own access log, not in a second one.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind the TLS proxy (docker-compose.yml) HTTPS only, remembered by the browser for a year.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", BEHIND_TLS_PROXY)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container's health check speaks plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if BEHIND_TLS_PROXY else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# How many proxies stand in front of gunicorn, each appending to X-Forwarded-For: the access
# log takes the client's address from there (households/audit.py client_ip).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from our own static
# files only; no inline script, no inline style (htmx is told not to add its own, base.html);
# no framing, no plugins, forms post to us. Pico's icons are data: SVGs in its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or not env_bool("STATIC_MANIFEST", False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded evidence (signed consents) lives outside the web root and has no URL: it is served
# only by a view that checks permissions and logs the download.
STORAGES["evidence"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "private")},
}
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 10) * 1024 * 1024
# Generated reports (cases/reports/) are private too: served only to whoever ordered them.
STORAGES["reports"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "private-reports")},
}
# Letters to households (outreach/letters/) and their batches: kept as the record of what was
# sent, private, served only by views that check permissions.
STORAGES["letters"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(MEDIA_ROOT / "private-letters")},
}
# Letters sent by digital post (outreach/letters/senders.py): the sender class, and the folder
# the default FolderSender writes each letter's PDF and minimal manifest to, for a gateway.
LETTERS_SENDER = env("LETTERS_SENDER", "outreach.letters.senders.FolderSender")
LETTERS_DIGITAL_POST_DIR = Path(
    env("LETTERS_DIGITAL_POST_DIR", str(MEDIA_ROOT / "private-digital-post"))
)
# Reports of more households than this (and every organisation report) render in a worker.
# The thresholds below keep a web request's PDF at about two seconds of the web process's
# time; measured by bench/test_web_render_limits.py (docs/jobs.md, the numbers).
REPORT_ASYNC_HOUSEHOLDS = env_int("REPORT_ASYNC_HOUSEHOLDS", 200)
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 9 * 60)
# A case summary of more entries than this (contacts and stage changes) renders in a worker:
# no web request renders a PDF for more than about two seconds (docs/jobs.md).
CASE_SUMMARY_ASYNC_ENTRIES = env_int("CASE_SUMMARY_ASYNC_ENTRIES", 60)
# A resident's art. 15 export of more rows than this renders in a worker (docs/jobs.md).
RESIDENT_ACCESS_ASYNC_ROWS = env_int("RESIDENT_ACCESS_ASYNC_ROWS", 50)
# The visitator's flat list of more flats than this renders in a worker (docs/jobs.md).
VISITATOR_FLATS_ASYNC_ROWS = env_int("VISITATOR_FLATS_ASYNC_ROWS", 200)
# The file of a report made by the worker is deleted this many days after it was ordered.
REPORT_KEEP_DAYS = env_int("REPORT_KEEP_DAYS", 7)
# Bridge-building: follow-up contacts this many days after a permanent move.
FOLLOW_UP_DAYS = [int(days) for days in env("FOLLOW_UP_DAYS", "14,91,182").split(",")]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    # A page must not hang on a Redis that is down: give up within a second or two.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }

# Celery: tasks take ids, are enqueued on commit, and must finish well within the visibility
# timeout, or Redis hands them to a second worker. Each setting's reason: docs/jobs.md.
# without Redis the tasks run in the web process; a host in the URL keeps kombu from warning
CELERY_BROKER_URL = REDIS_URL or "memory://localhost//"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# A message is acknowledged after its task ran, not when the worker took it: a worker that
# dies holds no job hostage in its memory.
CELERY_TASK_ACKS_LATE = True
# A pool child killed mid-task (out of memory, a kill -9) gives its message back at once; the
# job's claim (core/jobs.py) makes the second delivery harmless and bounds the attempts.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message at a time per process: a long report does not hold the next job in its queue.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task whose connection to Redis was lost is not cancelled: it finishes its job, which is
# written to the database; only its acknowledgement is lost (the claim makes the redelivery
# harmless). Celery's default says the same; set here so it does not warn.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
if REDIS_URL:
    # kombu's Redis transport with the fix for celery/kombu 5.7.0's exit when Redis goes away
    # while a task runs (core/queue.py, RedisTransport).
    CELERY_BROKER_TRANSPORT = "core.queue:RedisTransport"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A web request that enqueues must not hang when Redis is down: connect within 2 s, give up
# after one quick retry (core/queue.py logs it; the outbox sweep and beat catch up).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
_ONE_QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_TASK_PUBLISH_RETRY_POLICY = _ONE_QUICK_RETRY
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,  # above every task's time limit (the longest is 15 minutes)
    "socket_connect_timeout": 2,
    "socket_timeout": 4,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 4
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": _ONE_QUICK_RETRY}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
# The one beat schedule (docker-compose.yml runs exactly one beat). Times are Copenhagen time.
# Each entry expires before its next run, so a backlog after an outage does not pile up.


def beat(task: str, schedule, *, expires: int) -> dict:
    """A beat entry whose message expires after `expires` seconds."""
    return {"task": task, "schedule": schedule, "options": {"expires": expires}}


_NIGHTLY = 6 * 60 * 60  # a nightly job not run by morning waits for the next night
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Every hour of the morning: the first send that finds no run of the night queues one
    # (outreach.scan.nightly_scan_queue), so a send lost while Redis was down is made up.
    "nightly-flag-scan": beat(
        "outreach.tasks.flag_scan", crontab(hour="2-8", minute=30), expires=_NIGHTLY
    ),
    "morning-flag-digest": beat(
        "outreach.tasks.flag_digest", crontab(hour=6, minute=45), expires=_NIGHTLY
    ),
    "nightly-retention": beat(
        "privacy.tasks.retention_run", crontab(hour=3, minute=15), expires=_NIGHTLY
    ),
    "nightly-purge": beat(
        "privacy.tasks.purge_expired", crontab(hour=3, minute=45), expires=_NIGHTLY
    ),
    "nightly-access-log-check": beat(
        "households.tasks.access_log_verify", crontab(hour=4, minute=15), expires=_NIGHTLY
    ),
    "nightly-once-key-prune": beat(
        "core.tasks.once_keys_prune", crontab(hour=4, minute=45), expires=_NIGHTLY
    ),
    "assignment-mail-sweep": beat(
        "cases.tasks.assignment_notifications_sweep", crontab(minute="*/10"), expires=9 * 60
    ),
    # The database is the truth for every job (core/jobs.py): send again what the queue lost,
    # take back what a dead worker held.
    "job-dispatcher": beat(
        "genhusning.jobs_dispatch",
        timedelta(seconds=env_int("JOB_DISPATCH_SECONDS", 60)),
        expires=50,
    ),
    "handover-mail-sweep": beat(
        "team.tasks.handover_notifications_sweep", crontab(minute="5-59/10"), expires=9 * 60
    ),
    "distribution-mail-sweep": beat(
        "cases.tasks.distribution_notifications_sweep", crontab(minute="7-59/10"), expires=9 * 60
    ),
}

# Background jobs (core/jobs.py, docs/jobs.md), in seconds: a running job's worker touches its
# heartbeat every JOB_HEARTBEAT_SECONDS; a job silent for JOB_HEARTBEAT_TIMEOUT is taken back;
# a queued job not started JOB_RESEND_AFTER after it was sent is sent again; one queued longer
# than JOB_GIVE_UP_QUEUED_AFTER fails, and so does one started JOB_MAX_ATTEMPTS times.
JOB_HEARTBEAT_SECONDS = env_int("JOB_HEARTBEAT_SECONDS", 15)
JOB_HEARTBEAT_TIMEOUT = env_int("JOB_HEARTBEAT_TIMEOUT", 2 * 60)
JOB_RESEND_AFTER = env_int("JOB_RESEND_AFTER", 2 * 60)
JOB_GIVE_UP_QUEUED_AFTER = env_int("JOB_GIVE_UP_QUEUED_AFTER", 30 * 60)
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

# Closed cases are anonymised this long after they closed (privacy/services.py). Three years:
# the limitation period for claims (forældelsesloven § 3) and the time a household may ask
# about its rehousing or return for a new project; after that names and notes serve no purpose.
RETENTION_CLOSED_CASE_DAYS = env_int("RETENTION_CLOSED_CASE_DAYS", 3 * 365)

EMAIL_HOST = env("EMAIL_HOST")
EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH") or None
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "genhusning@localhost")
# Besides every manager of the app, these addresses get the nightly report of a broken access
# log (households/audit.py): comma-separated e-mail addresses.
MANAGERS = [("", address) for address in env_list("MANAGERS", "")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint reports every rendering step at INFO; fontTools every font subset.
    "loggers": {
        "pgserver": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # every login at INFO; failures and lockouts are warnings
    },
}
