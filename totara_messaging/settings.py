"""Settings, read from the environment.

With no variables set the project runs embedded: SQLite under var/, the in-memory channel layer,
Celery tasks run eagerly and email is written to files under var/mail/. Production sets
DATABASE_URL, REDIS_URL, EMAIL_ESP (and its keys), SECRET_KEY, ALLOWED_HOSTS and DJANGO_DEBUG=False.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from totara_messaging.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_rate,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)


def _development_secret() -> str:
    """A secret generated once per checkout, so sessions survive a restart in development."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY") or _development_secret()
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
else:
    SECRET_KEY = env_required("SECRET_KEY", "when DJANGO_DEBUG is off")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must be set when DJANGO_DEBUG is off (comma-separated host names)."
        )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Learning platform")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # naturaltime ("2 minutes ago"), with its translations
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "channels",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "anymail",
    "accounts",
    "notifications",
    "alerts",
    "instant",
    "features.job_assignments",
    "features.courses",
    "features.programs",
    "features.certifications",
    "features.appraisals",
    "features.feedback360",
    "features.plans",
    "features.seminars",
    "features.hr_import",
    "features.audiences",
    "features.assignments",
    "features.quizzes",
    "features.forums",
    "features.badges",
    "features.feedback",
    "features.site_admin",
    "webpush",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "totara_messaging.urls"
WSGI_APPLICATION = "totara_messaging.wsgi.application"
ASGI_APPLICATION = "totara_messaging.asgi.application"

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
                "totara_messaging.context_processors.counts",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections
        # Checking each pooled connection before use costs a round trip per request or
        # message (about 0.08 ms here); without it, after a database restart each connection
        # of the pool fails once, then the pool replaces it.
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_HEALTH_CHECKS", False)
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            {
                # Under ASGI each request has a connection of its own: without a pool every
                # request opened one (a new PostgreSQL backend, a few ms). Per process.
                "pool": {
                    "min_size": env_int("DATABASE_POOL_MIN", 2, minimum=0),
                    "max_size": env_int("DATABASE_POOL_MAX", 20, minimum=1),
                    "timeout": 10,
                },
                # Parameters bound by the server, so that a statement run more than
                # `prepare_threshold` times on a connection is planned once (psycopg prepares
                # it). A pooler in transaction mode needs DATABASE_PREPARE_THRESHOLD=0.
                "server_side_binding": True,
                "prepare_threshold": env_int("DATABASE_PREPARE_THRESHOLD", 5, minimum=0) or None,
            }
        )
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
            # Tests use a file, not SQLite's shared in-memory database, whose table locks fail at
            # once instead of waiting: browser tests read from a server thread while they write.
            "TEST": {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
CSRF_FAILURE_VIEW = "totara_messaging.views.csrf_failure"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Widgets render through TEMPLATES, so templates/ can override a widget's template (the admin's
# split date/time widget, to label its two inputs).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Redis: Celery broker, cache and channel layer. Without it everything runs in this process.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "tm"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            # channels-redis's layer, with one reader per process (notifications/channel_layer.py).
            "BACKEND": "notifications.channel_layer.RedisChannelLayer",
            "CONFIG": {
                # redis-py's default 5 s socket timeout races channels-redis's 5 s blocking
                # pop and drops idle sockets. The pool makes callers wait for one of its
                # connections when all are busy (notifications/channel_layer.py).
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "max_connections": env_int(
                            "CHANNELS_REDIS_MAX_CONNECTIONS", 200, minimum=2
                        ),
                    }
                ],
                "prefix": env_str("CHANNELS_PREFIX", "asgi"),
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True

CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down: the outbox keeps the email and the sweeper re-queues it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "default")
# Live pushes have a queue of their own so that they never wait behind a large send's email:
# a worker started without -Q consumes both; a big site runs one worker on each (README).
CELERY_PUSH_QUEUE = env_str("CELERY_PUSH_QUEUE", f"{CELERY_TASK_DEFAULT_QUEUE}-push")
CELERY_TASK_QUEUES = [Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(CELERY_PUSH_QUEUE)]
CELERY_TASK_ROUTES = {
    "alerts.push_new_items": {"queue": CELERY_PUSH_QUEUE},
    "alerts.push_rows": {"queue": CELERY_PUSH_QUEUE},
}

# Email: files under var/mail/ by default; an anymail ESP or SMTP in production.
ANYMAIL_ESPS = [
    "amazon_ses",
    "brevo",
    "mailersend",
    "mailgun",
    "mailjet",
    "mailtrap",
    "mandrill",
    "postal",
    "postmark",
    "resend",
    "scaleway",
    "sendgrid",
    "sparkpost",
    "unisender_go",
]
EMAIL_ESP = env_choice("EMAIL_ESP", [*ANYMAIL_ESPS, "smtp", "files", "locmem"], "files")
EMAIL_FILE_PATH = VAR_DIR / "mail"
if EMAIL_ESP in ANYMAIL_ESPS:
    EMAIL_BACKEND = f"anymail.backends.{EMAIL_ESP}.EmailBackend"
elif EMAIL_ESP == "smtp":
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif EMAIL_ESP == "locmem":
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
else:
    EMAIL_BACKEND = "notifications.mail.FileAndConsoleBackend"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Learning platform <noreply@example.com>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MESSAGE_ID_DOMAIN = env_str(
    "EMAIL_MESSAGE_ID_DOMAIN", SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0]
)
# Replies by email go to <mailbox>+<signed payload>@<domain> (empty: no reply-by-email).
INBOUND_EMAIL_ADDRESS = env_str("INBOUND_EMAIL_ADDRESS", "reply@example.com")
INBOUND_CONFIRM_HOURS = env_int("INBOUND_CONFIRM_HOURS", 24, minimum=1)
INBOUND_MAX_ATTACHMENT_BYTES = env_int("INBOUND_MAX_ATTACHMENT_BYTES", 5 * 1024 * 1024, minimum=0)
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"], e.g. ANYMAIL_MAILGUN_API_KEY.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # A token client's answers in its user's language (accounts/authentication.py).
        "accounts.authentication.UserLanguageTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Notification centre API",
    "DESCRIPTION": "Alerts, tasks, messaging preferences and conversations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Product settings.
ALERTS_READ_RETENTION_DAYS = env_int("ALERTS_READ_RETENTION_DAYS", 30, minimum=1)
# Archived alerts and tasks are kept this long after they were archived, read or not.
ALERTS_ARCHIVE_RETENTION_DAYS = env_int("ALERTS_ARCHIVE_RETENTION_DAYS", 365, minimum=1)
PRESENCE_ACTIVE_SECONDS = env_int("PRESENCE_ACTIVE_SECONDS", 300, minimum=1)
# At most this many messages per sender in this many seconds ("count/seconds").
INSTANT_RATE_LIMIT = env_rate("INSTANT_RATE_LIMIT", "30/60")
# A message still unread this long after it arrived is emailed to a member who is away.
INSTANT_EMAIL_DELAY_SECONDS = env_int("INSTANT_EMAIL_DELAY_SECONDS", 300, minimum=0)
NOTIFICATIONS_BATCH_SIZE = env_int("NOTIFICATIONS_BATCH_SIZE", 2000, minimum=1)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 6, minimum=1)
EMAIL_STUCK_SECONDS = env_int("EMAIL_STUCK_SECONDS", 600, minimum=30)
# A worker claims this many outbox rows at once, and marks them as being sent (then confirms
# them) this many at a time: at most one group is left `unknown` by a worker that dies.
EMAIL_CLAIM_BATCH = env_int("EMAIL_CLAIM_BATCH", 500, minimum=1)
EMAIL_SENDING_GROUP = env_int("EMAIL_SENDING_GROUP", 100, minimum=1)
# An email task sends at most this many claimed batches, then queues its own continuation, so
# a large send never holds a worker process for long (other tasks get their turn between).
EMAIL_TASK_BATCHES = env_int("EMAIL_TASK_BATCHES", 4, minimum=1)
# Batch sending through the ESP (anymail's merge_data): the emails of one event that differ only
# in the recipient's name and unsubscribe link go as one API call per group. The merge field
# syntax is the ESP's own; known for Mailgun and SparkPost, to be given for the others.
EMAIL_BATCH_SEND = env_bool("EMAIL_BATCH_SEND", False)
_MERGE_FIELDS = {"mailgun": "%recipient.{}%", "sparkpost": "{{{{{}}}}}"}
EMAIL_MERGE_FIELD = env_str("EMAIL_MERGE_FIELD", _MERGE_FIELDS.get(EMAIL_ESP, ""))
if EMAIL_BATCH_SEND and EMAIL_ESP not in ANYMAIL_ESPS:
    raise ImproperlyConfigured("EMAIL_BATCH_SEND needs an anymail ESP as EMAIL_ESP.")
if EMAIL_BATCH_SEND and "{}" not in EMAIL_MERGE_FIELD:
    raise ImproperlyConfigured(
        "EMAIL_BATCH_SEND needs EMAIL_MERGE_FIELD, the ESP's merge field with {} for the "
        "field's name (e.g. %recipient.{}% for Mailgun)."
    )

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 3600)
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"

# Web push (webpush/): the VAPID key pair that signs each push (raw base64url, as
# `manage.py vapid_keys` prints it; the public key is derived when not given) and the contact
# the push services see. In development a pair is generated into var/ when none is set; in
# production without one the push output sends nothing and says so (webpush.keys).
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "")
# Subscriptions to plain-http push services are only for tests and local push servers.
WEBPUSH_ALLOW_HTTP = env_bool("WEBPUSH_ALLOW_HTTP", DEBUG)
# How long a push service keeps a push for a device that is offline (its TTL header).
WEBPUSH_TTL_SECONDS = env_int("WEBPUSH_TTL_SECONDS", 86400, minimum=0)
WEBPUSH_MAX_ATTEMPTS = env_int("WEBPUSH_MAX_ATTEMPTS", 5, minimum=1)
# A worker claims this many push rows at once; a task sends this many claimed batches.
WEBPUSH_CLAIM_BATCH = env_int("WEBPUSH_CLAIM_BATCH", 200, minimum=1)
WEBPUSH_TASK_BATCHES = env_int("WEBPUSH_TASK_BATCHES", 5, minimum=1)
WEBPUSH_TIMEOUT_SECONDS = env_int("WEBPUSH_TIMEOUT_SECONDS", 10, minimum=1)

# Forums: a post is mailed once it can no longer be edited.
FORUMS_EDIT_WINDOW_SECONDS = env_int("FORUMS_EDIT_WINDOW_SECONDS", 1800, minimum=0)
# Site administration: the release feed checked for updates (JSON {"version", "url"}), the
# window in which repeats of one logged problem become one notice, and backups.
SITE_ADMIN_RELEASE_FEED_URL = env_str("SITE_ADMIN_RELEASE_FEED_URL", "")
SITE_ADMIN_RELEASE_FEED_TIMEOUT_SECONDS = env_int("SITE_ADMIN_RELEASE_FEED_TIMEOUT_SECONDS", 10)
SITE_ADMIN_LOG_WINDOW_SECONDS = env_int("SITE_ADMIN_LOG_WINDOW_SECONDS", 300, minimum=1)
SITE_ADMIN_BACKUP_DIR = Path(env_str("SITE_ADMIN_BACKUP_DIR", str(VAR_DIR / "backups")))
SITE_ADMIN_BACKUP_TIMEOUT_SECONDS = env_int("SITE_ADMIN_BACKUP_TIMEOUT_SECONDS", 3600)
SITE_ADMIN_PG_DUMP = env_str("SITE_ADMIN_PG_DUMP", "pg_dump")
# Warnings and errors logged anywhere become notices to site admins (off: "none").
ADMIN_NOTIFY_LOG_LEVEL = env_choice(
    "ADMIN_NOTIFY_LOG_LEVEL", ["WARNING", "ERROR", "none"], "WARNING"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"skip_client_errors": {"()": "features.site_admin.logging.SkipClientErrors"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "notify_admins": {
            "class": "features.site_admin.logging.NotifyAdminsHandler",
            "level": "WARNING" if ADMIN_NOTIFY_LOG_LEVEL == "none" else ADMIN_NOTIFY_LOG_LEVEL,
            "filters": ["skip_client_errors"],
        },
    },
    "root": {
        "handlers": ["console"] + ([] if ADMIN_NOTIFY_LOG_LEVEL == "none" else ["notify_admins"]),
        "level": env_str("LOG_LEVEL", "INFO"),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
