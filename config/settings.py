"""Settings for the investment-promotion CRM.

Every knob is an environment variable with a default that is safe on a laptop:
SQLite and a file-system Celery broker when nothing is set, PostgreSQL and Redis
(or RabbitMQ) when DATABASE_URL and CELERY_BROKER_URL say so.
"""

import datetime as dt
import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

# Where runtime files live (SQLite database, file broker, uploads); kept out of git.
VAR_DIR = Path(env("APP_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Demo mode shows the demo logins on the login page; never on in production.
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG)
DEMO_PASSWORD = env("DEMO_PASSWORD", default="zhaoshang-demo-2024")

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-secret-key-not-for-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "rest_framework",
    "simple_history",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "core",
    "accounts",
    "crm",
    "projects",
    "transfer",
    "chains",
    "finder",
    "claims",
    "funds",
    "agreements",
    "problems",
    "outbound",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Idle (30 min) and absolute (12 h) session limits.
    "accounts.middleware.SessionLimitsMiddleware",
    # After authentication: a logged-in user's own language choice comes first.
    "core.middleware.ChineseFirstLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records refused requests (403) in the audit log.
    "core.middleware.AuditRefusalsMiddleware",
    # Last: turns a lockout flagged by the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.context_processors.demo",
                "core.notification_views.bell",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
# A kept connection the server dropped (restart, failover, idle timeout) is tested with a
# cheap query before a request reuses it and replaced if dead; without this, each worker's
# first request after the drop answers 500. On by default whenever connections are kept.
DATABASES["default"].setdefault(
    "CONN_HEALTH_CHECKS",
    env.bool("DB_CONN_HEALTH_CHECKS", default=DATABASES["default"]["CONN_MAX_AGE"] != 0),
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL;")
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    # Tests use a file, not memory, so a real Celery worker process can share it;
    # one per test process, so that test runs side by side do not collide.
    DATABASES["default"].setdefault("TEST", {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Login, two-factor and sessions (issue 9): see accounts/ ---------------------------
AUTHENTICATION_BACKENDS = [
    # Refuses a login while its username or address is locked out (django-axes).
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# Failures from one address (across usernames) before it is locked out too; an
# office behind one NAT address shares it, so it is higher than the per-user limit.
LOGIN_IP_FAILURE_LIMIT = env.int("LOGIN_IP_FAILURE_LIMIT", default=30)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "accounts.backends.LockoutHandler"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["password", "code"]
# Our audit log records logins; axes keeps only the failure counts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# Proxies in front of gunicorn (nginx: 1). The client's address is then the one the
# nearest proxy put into X-Forwarded-For; with none, the header is the client's own
# word and REMOTE_ADDR counts. Used by the lockout and the audit log.
PROXY_COUNT = env.int("PROXY_COUNT", default=0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "core.audit.client_ip"

# Roles that must log in with a second factor (TOTP or a recovery code).
TWO_FACTOR_REQUIRED_ROLES = ["manager", "admin"]
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Investment promotion CRM")
# A fixed TOTP secret (base32) the demo managers and admins share; demo mode only.
DEMO_TOTP_SECRET = env("DEMO_TOTP_SECRET", default="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

# Idle timeout: the session (cookie and database row) expires this long after the last
# request; the absolute limit ends it this long after the login, however busy.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
# How often a page load writes the session's idle clock (not on every request).
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Chinese first, English too. Dates are the zone's dates: Asia/Shanghai.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development gunicorn serves static files straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The SMTP server (production's EMAIL_BACKEND).
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)

# Celery. With no broker server the file-system transport carries messages through
# a folder that the web process and the worker share.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_FOLDER = Path(env("CELERY_BROKER_FOLDER", default=str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    (CELERY_BROKER_FOLDER / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_FOLDER),
        "data_folder_out": str(CELERY_BROKER_FOLDER),
        "processed_folder": str(CELERY_BROKER_FOLDER / "processed"),
        "control_folder": str(CELERY_BROKER_FOLDER / "control"),
        "store_processed": False,
    }
else:
    # Kept above the longest countdown we use, so Redis never redelivers a task early.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "core.tasks.heartbeat", "schedule": 60.0},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}

# Production hardening; `manage.py check --deploy` passes with DJANGO_DEBUG=false.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (django-csp), in every mode so that development and the
# browser tests see what production enforces: our own scripts only, none inline, no
# eval (htmx is told so in base.html), no framing. Style attributes are allowed: they
# cannot run code, and Django admin uses them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Reminders and notifications: see projects/reminders.py and core/notifications.py.

# One beat task sweeps for due reminders; sweeps that find nothing cost one query.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=300)
# Reminders claimed and notified per transaction.
REMINDER_SWEEP_CHUNK = env.int("REMINDER_SWEEP_CHUNK", default=500)
# The morning digest, in TIME_ZONE ("HH:MM").
# First-contact registration (首谈报备): how many days a team holds an organisation's
# group after its first contact and after each later activity (a claim keeps its own
# number; this is what a new one gets).
CLAIM_PROTECTION_DAYS = env.int("CLAIM_PROTECTION_DAYS", default=180)
REMINDER_DIGEST_TIME = env("REMINDER_DIGEST_TIME", default="08:30")
# A mail claim older than this belongs to a sender that died; it is sent again.
REMINDER_MAIL_CLAIM_TIMEOUT = env.int("REMINDER_MAIL_CLAIM_TIMEOUT", default=900)
# Where the file e-mail backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes.
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
# Links in e-mail point here.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Tasks that tasks enqueue go to this queue (tests give each worker a queue of its own).
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
_digest_hour, _digest_minute = (int(part) for part in REMINDER_DIGEST_TIME.split(":"))
CELERY_BEAT_SCHEDULE["reminder-sweep"] = {
    "task": "projects.tasks.sweep_reminders",
    "schedule": float(REMINDER_SWEEP_SECONDS),
    # A sweep left waiting while workers were down is dropped: the next one covers it.
    "options": {"expires": max(1.0, REMINDER_SWEEP_SECONDS * 0.9)},
}
# Imports whose worker died (no heartbeat for TRANSFER_STALE_SECONDS) are marked failed.
CELERY_BEAT_SCHEDULE["dead-import-sweep"] = {
    "task": "transfer.tasks.sweep_dead_imports",
    "schedule": 300.0,
    "options": {"expires": 270.0},
}
CELERY_BEAT_SCHEDULE["reminder-digest"] = {
    "task": "projects.tasks.send_digests",
    "schedule": crontab(hour=_digest_hour, minute=_digest_minute),
    "options": {"expires": 3600.0},
}

# Group robots (outbound): a delivery round every minute, briefs looked for every 5 minutes.
# A message left "sending" longer than this belonged to a worker that died: sent again.
OUTBOUND_CLAIM_TIMEOUT = env.int("OUTBOUND_CLAIM_TIMEOUT", default=120)
# Seconds to wait for a platform's answer; a timeout is retried later.
OUTBOUND_HTTP_TIMEOUT = env.float("OUTBOUND_HTTP_TIMEOUT", default=10.0)
CELERY_BEAT_SCHEDULE["robot-delivery"] = {
    "task": "outbound.tasks.deliver_pending",
    "schedule": 60.0,
    "options": {"expires": 55.0},
}
CELERY_BEAT_SCHEDULE["robot-morning-briefs"] = {
    "task": "outbound.tasks.send_briefs",
    "schedule": 300.0,
    "options": {"expires": 270.0},
}

# --- REST API (issue 6): see core/api.py and config/api_urls.py --------------------------
INSTALLED_APPS += ["rest_framework.authtoken", "drf_spectacular", "drf_spectacular_sidecar"]
REST_FRAMEWORK.update(
    {
        # Token first: its WWW-Authenticate header turns "not logged in" into a 401.
        # Session authentication enforces CSRF on unsafe methods.
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "rest_framework.authentication.TokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
        "DEFAULT_FILTER_BACKENDS": [
            "django_filters.rest_framework.DjangoFilterBackend",
            "rest_framework.filters.OrderingFilter",
        ],
        "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"user": env("API_THROTTLE_RATE", default="3000/hour")},
        "EXCEPTION_HANDLER": "core.api.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "core.idempotency.AutoSchema",
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }
)
# Lists answer this many rows a page unless ?page_size= asks for another (at most 200).
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
# An admin list longer than this (on PostgreSQL) shows the planner's estimate of its
# length ("about 1,000,000") instead of counting every row; shorter lists are exact.
ADMIN_EXACT_COUNT_LIMIT = env.int("ADMIN_EXACT_COUNT_LIMIT", default=10_000)
SPECTACULAR_SETTINGS = {
    "TITLE": "Investment promotion CRM API",
    "DESCRIPTION": (
        "Organisations, contacts, missions, visits and pipeline projects. Authenticate with a session "
        "(CSRF token on writes) or `Authorization: Token <key>` (POST /api/v1/auth/token/ creates yours). "
        'Writes to records send the version they were based on as `If-Match: "<version>"` (or a `version` '
        "field in the body); a stale version answers 412, and a project write without one answers 428. "
        "A POST may carry an `Idempotency-Key` header (a new UUID per request, the same one on retries): a "
        "retry within 24 hours returns the first answer and creates nothing. "
        "Errors are JSON {code, message, field}; messages follow Accept-Language (zh-hans by default)."
    ),
    "VERSION": "2.1.0",  # semantic: a major bump for a change that breaks generated clients (docs/api/CHANGELOG.md)
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Parameter enums named after the parameter, not after a translated label (issue 23).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema_contract.drop_parameter_titles",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "projects.models.Stage",
        "PlannedStageEnum": "projects.api.PLANNED_STAGE_CHOICES",
        "TierEnum": "projects.tiers.Tier",
        "ProblemStatusEnum": "problems.models.Problem.Status",
    },
}

# Benchmarks (bench/run.py): each answer carries its SQL query count and the CPU time the
# server spent on it in headers, and a minimal logged-in page measures what the framework
# and middleware cost on their own.
# Never on in production.
BENCH_HEADERS = env.bool("BENCH_HEADERS", default=False)
if BENCH_HEADERS:
    MIDDLEWARE.insert(0, "core.middleware.QueryCountHeaderMiddleware")
# --- Import and export (issue 7): see transfer/ ------------------------------------------
# Limits of an uploaded file; larger files are refused before they are read.
TRANSFER_MAX_UPLOAD_BYTES = env.int("TRANSFER_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
TRANSFER_MAX_ROWS = env.int("TRANSFER_MAX_ROWS", default=10_000)
# Files up to this many rows are checked and imported in the request; longer ones in a worker.
TRANSFER_INLINE_ROWS = env.int("TRANSFER_INLINE_ROWS", default=500)
# The queue of import tasks (None: the default queue).
TRANSFER_TASK_QUEUE = env("TRANSFER_TASK_QUEUE", default=None)
# Import progress is written by the worker and read by the web page: a cache both share.
CACHES["transfer"] = env.cache("TRANSFER_CACHE_URL", default=f"filecache://{VAR_DIR / 'transfer-progress'}")
