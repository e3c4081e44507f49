"""Settings for 乐清市普惠托育服务平台, read from the environment.

Every variable is listed with a comment in `.env.example`. Nothing here hard-codes a pilot date:
the pilot's start, baseline and reporting deadlines are settings too.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_date(name: str, default: str) -> dt.date:
    return dt.date.fromisoformat(os.environ.get(name) or default)


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env("DJANGO_SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",
    "axes",
    "csp",
    "portal",
    "notifications",
    "lequing_tuoyu",
    "institutions",
    "vouchers",
    "inspections",
    "programme",
    "ratings",
    "subsidies",
    "metrics",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A task the broker could not take (Redis down) becomes a notice to the user, not a 500.
    "portal.middleware.TaskQueueNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A lost database connection in a view is a 503 with a readable message, not a 500.
    "portal.middleware.DatabaseUnavailableMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it locks out repeated failed logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login lockout (django-axes): after this many failures for one username from one address, that
# pair is locked for AXES_COOLOFF_TIME hours. A success resets the count.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "lequing_tuoyu.views.lockout"
AXES_VERBOSE = False

ROOT_URLCONF = "lequing_tuoyu.urls"
# The model scoping reaches institutions through (portal.roles names it, so the base imports
# no app).
PORTAL_INSTITUTION_MODEL = "institutions.Institution"
# The health facilities whose users portal.roles scopes to their own facility (Role.HEALTH_CENTRE).
PORTAL_FACILITY_MODEL = "institutions.HealthFacility"
WSGI_APPLICATION = "lequing_tuoyu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# PostgreSQL in every real deployment and in the tests; `make run` may fall back to SQLite.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/lequing_tuoyu",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "institutions:login"
# After signing in at /denglu/, each role goes to its own home (lequing_tuoyu.views.role_home).
LOGIN_REDIRECT_URL = "role_home"

# Chinese first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
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
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")

# --- Uploads and spreadsheet imports ---
# A request body without files (form fields, JSON) above this is refused with 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Files above this go to a temporary file on disk instead of memory while a request is read.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
# Cap on every uploaded photo or document, on top of each kind's own cap (photos 10 MB, evidence
# 20 MB); lower it to tighten both.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 2**20)
# A spreadsheet import larger than this is refused before it is read.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 5 * 2**20)
# Data rows one import may hold (the registry has about 10,000 institutions).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
# An xlsx is a zip: its unpacked content may be at most this many times the file's size
# (a few hundred kB of zip can unpack to gigabytes).
IMPORT_MAX_UNZIP_RATIO = env_int("IMPORT_MAX_UNZIP_RATIO", 100)
# A confirmed import of this many rows or more runs as a Celery task behind a progress page;
# shorter ones are imported in the request.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)
# Previewed spreadsheets wait here for their confirm step; ones never confirmed are removed by the
# nightly purge after IMPORT_TMP_MAX_AGE_HOURS.
IMPORT_TMP_DIR = env("IMPORT_TMP_DIR") or str(Path(tempfile.gettempdir()) / "lequing_tuoyu-imports")
IMPORT_TMP_MAX_AGE_HOURS = env_int("IMPORT_TMP_MAX_AGE_HOURS", 24)
IMPORT_EXPORT_TMP_STORAGE_CLASS = "institutions.import_jobs.storage.ImportTempStorage"
# Most families on one parenting session's attendance list (typed, sent to the API or imported).
# The plan gives no limit; this only stops a list that is clearly a mistake (a whole register).
HEALTH_ATTENDANCE_MAX = env_int("HEALTH_ATTENDANCE_MAX", 2000)

# --- Security (production values when DEBUG is off) ---
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
# Institutions share computers: a session also ends when the browser closes.
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# Load balancers and the compose health check probe over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): nothing from another host, no inline or eval'd script.
# Inline style attributes stay allowed: the admin's history and export pages (third-party
# templates) use them; our own templates do not.
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
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# --- Mail: console in development ---
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "乐清市普惠托育服务平台 <noreply@localhost>")

# --- SMS (notifications/sms/, docs/notifications.md) ---
# A dotted path to the backend class, as EMAIL_BACKEND. Development prints messages (console);
# otherwise, until the city's gateway backend is configured, they are written to files in
# SMS_FILE_PATH, so nothing is lost and nothing reaches a phone by accident.
SMS_BACKEND = env("SMS_BACKEND") or (
    "notifications.sms.console.SmsBackend" if DEBUG else "notifications.sms.filebased.SmsBackend"
)
SMS_FILE_PATH = env("SMS_FILE_PATH") or str(BASE_DIR / "sms-outbox")

# --- Celery (Redis as broker and result store) ---
REDIS_URL = env("REDIS_URL") or "redis://127.0.0.1:6379/0"
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
# A worker killed mid-task (SIGKILL, OOM) leaves the message unacknowledged: it is redelivered and
# the task reruns (every task is idempotent), instead of being acknowledged as failed.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = dt.timedelta(days=2)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With Redis, an unacknowledged task (its worker was killed) goes back to the queue this many
# seconds after it was delivered, and another worker runs it again. Longer than the longest task
# (the nightly indicators, an evaluation report), or a task still running would be run twice.
_visibility_timeout = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    # Look for such tasks every few seconds (kombu's default is about every 100 seconds).
    "unacked_restore_interval": max(1, min(10, _visibility_timeout // 2)),
    "unacked_restore_throttle": 1,
}
# A web request that queues a task gives up within a second when the broker is down, instead of
# hanging; portal/dispatch.py turns the failure into a notice (see docs/backup.md).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}

# --- Personal data ---
# Fernet keys, newest first: the first encrypts, every one decrypts (key rotation).
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
# Key for the keyed hash (HMAC-SHA256) used for exact lookup and uniqueness of ID numbers.
PERSONAL_DATA_HASH_KEY = env("PERSONAL_DATA_HASH_KEY") or ""
if not PERSONAL_DATA_KEYS or not PERSONAL_DATA_HASH_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set when DJANGO_DEBUG is off."
        )
    # Development only: fixed, public keys so a demo database survives restarts.
    PERSONAL_DATA_KEYS = PERSONAL_DATA_KEYS or ["ZGV2LW9ubHktZmVybmV0LWtleS0zMi1ieXRlcyEhISE="]
    PERSONAL_DATA_HASH_KEY = PERSONAL_DATA_HASH_KEY or "dev-only-hash-key"

# --- The pilot: dates are settings, never literals in code ---
PILOT_START_DATE = env_date("PILOT_START_DATE", "2025-02-01")
PILOT_BASELINE_DATE = env_date("PILOT_BASELINE_DATE", "2025-01-31")
PILOT_END_DATE = env_date("PILOT_END_DATE", "2025-12-31")


def _month_after(day: dt.date, months: int) -> dt.date:
    years, month = divmod(day.month - 1 + months, 12)
    return dt.date(day.year + years, month + 1, 1)


# The plan's phases (plan.md §2): start-up for the first four months (2月-5月), implementation,
# then summary and evaluation in the last two (11月-12月). Each phase runs to the day before the
# next one's start; the evaluation phase ends on PILOT_END_DATE.
PILOT_IMPLEMENTATION_START_DATE = env_date(
    "PILOT_IMPLEMENTATION_START_DATE", _month_after(PILOT_START_DATE, 4).isoformat()
)
PILOT_EVALUATION_START_DATE = env_date(
    "PILOT_EVALUATION_START_DATE", _month_after(PILOT_END_DATE, -1).isoformat()
)
# Monthly report for month M: due on this day of M+1; locked this many days after the due day.
REPORT_DEADLINE_DAY = env_int("REPORT_DEADLINE_DAY", 10)
REPORT_LOCK_AFTER_DAYS = env_int("REPORT_LOCK_AFTER_DAYS", 20)
# Demo data is labelled as such wherever it is shown.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

# --- Whom the public calls: shown on every public page and in every "please contact" message ---
# The plan names no number or hours, so both stay empty until the bureau sets them (the pages then
# name the bureau without a number); the demo shows a made-up value marked （演示）.
BUREAU_CONTACT_PHONE = env("BUREAU_CONTACT_PHONE") or ("0577-00000000（演示）" if DEMO_MODE else "")
BUREAU_CONTACT_HOURS = env("BUREAU_CONTACT_HOURS") or (
    "工作日 8:30–12:00，14:30–17:30（演示）" if DEMO_MODE else ""
)

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    # Throttles key on the client address: trust X-Forwarded-For only behind our own proxy.
    "NUM_PROXIES": 1 if env_bool("DJANGO_BEHIND_PROXY") else 0,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", "60/minute"),
        "user": env("API_THROTTLE_USER", "1200/minute"),
        "auth": env("API_THROTTLE_AUTH", "10/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "乐清市普惠托育服务平台 API",
    "DESCRIPTION": "Yueqing inclusive-childcare pilot portal. 所有证件号码均以脱敏形式返回。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The programme's task status shares the field name "status" with other apps' choices.
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeStatusEnum": "programme.models.Status",
        # The staff roles, also offered by a training course's open_to_roles.
        "RoleEnum": "institutions.models.StaffMember.Role",
    },
}

# Cache: Redis when available for throttling; local memory otherwise (single process).
# Redis unreachable is a cache miss, not a 500 (portal/cache.py): pages and redemptions
# go on, throttles and progress bars forget for a while.
CACHES = {
    "default": (
        {
            "BACKEND": "portal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if not CELERY_TASK_ALWAYS_EAGER and env_bool("CACHE_USE_REDIS", True)
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Logging: personal data is redacted from every record before it is written ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_personal_data": {"()": "portal.logging.RedactPersonalDataFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO", "propagate": True},
    },
}

PORTAL_NAME = _("乐清市普惠托育服务平台")
