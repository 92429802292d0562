"""Django settings for Hoso, read from the environment.

The embedded default (SQLite and local files under ./var, generated secrets kept
in the data directory) needs no configuration at all. With HOSO_PRODUCTION=true
the process refuses to start until every required secret is given, and names
the missing one. Every variable is documented in `.env.example`.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from hoso.utilities.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = env_bool("HOSO_PRODUCTION", False)
DEBUG = env_bool("HOSO_DEBUG", False)
DATA_DIR = Path(env_str("HOSO_DATA_DIR", str(Path.cwd() / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def _generated_secret(name: str) -> str:
    """A secret kept in a file of the data directory, generated once with
    owner-only permissions (embedded default only)."""
    path = DATA_DIR / name
    if not path.exists():
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        tmp.replace(path)
    return path.read_text().strip()


def _local_secret(name: str, variable: str) -> str:
    """A secret from the environment; required in production, generated into
    the data directory otherwise."""
    return env_str(variable, required=PRODUCTION) or _generated_secret(name)


SECRET_KEY = _local_secret("secret_key", "HOSO_SECRET_KEY")
# The audit chain's HMAC key. It must live outside the database so that someone
# with only database access cannot recompute a valid chain after an edit.
AUDIT_KEY = _local_secret("audit.key", "HOSO_AUDIT_KEY")
AUDIT_CHECKPOINT_FILE = Path(
    env_str("HOSO_AUDIT_CHECKPOINT_FILE", str(DATA_DIR / "audit-checkpoints.log"))
)
AUDIT_CHECKPOINT_MINUTES = env_int("HOSO_AUDIT_CHECKPOINT_MINUTES", 15)

ALLOWED_HOSTS = env_list(
    "HOSO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "The environment variable HOSO_ALLOWED_HOSTS is required in production "
        "and is not set."
    )
CSRF_TRUSTED_ORIGINS = env_list("HOSO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "django_tables2",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "hoso.core",
    "hoso.accounts",
    "hoso.organizations",
    "hoso.documents",
    "hoso.signing",
    "hoso.search",
    "hoso.digitization",
    "hoso.archive",
    "hoso.notifications",
    "hoso.operations",
    "hoso.meetings",
    "hoso.handbook",
    "hoso.members",
]

MIDDLEWARE = [
    # API calls with a bearer token take API_TOKEN_MIDDLEWARE instead (below).
    "hoso.core.middleware.ApiTokenFastPathMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hoso.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "hoso.accounts.middleware.SecondFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hoso.core.middleware.ClientAddressMiddleware",
    "axes.middleware.AxesMiddleware",
    "hoso.core.middleware.ApiTokenFastPathEnd",
]
# The chain of API calls that carry `Authorization: Bearer …`: authenticated
# by the token alone, so without sessions, session users, second factor,
# messages, htmx and sign-in lockout (core/middleware.py says why).
API_TOKEN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hoso.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hoso.core.middleware.ApiTokenCSPMiddleware",
    "hoso.core.middleware.ClientAddressMiddleware",
]

ROOT_URLCONF = "hoso.config.urls"
WSGI_APPLICATION = "hoso.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "hoso.core.context_processors.navigation",
                "hoso.notifications.context_processors.unread",
            ],
        },
    }
]

# Database: SQLite (WAL) under the data directory by default, PostgreSQL in production.
DATABASE_URL = env_str("HOSO_DATABASE_URL", f"sqlite:///{DATA_DIR / 'hoso.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue
        # instead of failing half-way; WAL lets readers proceed meanwhile.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
        ),
    }
else:
    # Server-side prepared statements for the statements that ask for them
    # (hoso.core.statements): psycopg prepares a statement executed with
    # prepare=True once a threshold is set, and Django's own client-binding
    # cursors never prepare, whatever the threshold. Switch off for a
    # transaction-pooling connection pooler that cannot keep them.
    if env_bool("HOSO_DATABASE_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 1_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in: argon2, a password policy, a second factor for cleared users, lockout.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {
        "NAME": f"{_VALIDATORS}.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("HOSO_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
    {"NAME": "hoso.accounts.validators.CharacterClassValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AXES_FAILURE_LIMIT = env_int("HOSO_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("HOSO_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
OTP_TOTP_ISSUER = "Hoso"

# Sessions expire after a period of inactivity and when the browser closes.
SESSION_COOKIE_AGE = env_int("HOSO_SESSION_IDLE_MINUTES", 60) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("HOSO_SECURE_COOKIES", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("HOSO_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("HOSO_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Languages: Vietnamese first, complete English and Bengali catalogs.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English")), ("bn", _("Bengali"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Follow the browser's Accept-Language instead of starting in Vietnamese.
HONOR_BROWSER_LANGUAGE = env_bool("HOSO_HONOR_BROWSER_LANGUAGE", False)
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("HOSO_TIME_ZONE", "Asia/Ho_Chi_Minh")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "files"
# Content-addressed document files (documents/storage.py).
FILES_DIR = Path(env_str("HOSO_FILES_DIR", str(DATA_DIR / "files")))
MAX_UPLOAD_BYTES = env_int("HOSO_MAX_UPLOAD_MB", 50) * 1024 * 1024
# Accepted uploads stay in memory, so a classified file's plaintext never
# lands in a temporary file before it is encrypted.
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
# Passphrase protecting signing keys at rest (falls back to the secret key;
# set it so that rotating HOSO_SECRET_KEY does not lock the keys away).
SIGNING_KEY_SECRET = env_str("HOSO_SIGNING_KEY_SECRET", "")
# Closed case files go to the archive this many months after closing.
ARCHIVE_AFTER_MONTHS = env_int("HOSO_ARCHIVE_AFTER_MONTHS", 12)
# Online conference bridges link to rooms under this video-conference base URL
# (a Jitsi Meet deployment, for example).
MEETINGS_VIDEO_BASE_URL = env_str("HOSO_MEETINGS_VIDEO_URL", "https://meet.jit.si")
# Keys for classified files: "id:secret,id2:secret"; the AES-256-GCM key is
# SHA-256 of the secret. The first key encrypts, the others still decrypt
# (rotation: put the new key first, then run `hoso files rotate-key`). The
# embedded default generates one key into the data directory.
FILE_KEYS = (
    env_str("HOSO_FILE_KEYS", required=PRODUCTION)
    or f"local:{_generated_secret('file.key')}"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Background work: django-tasks with the database backend (no broker needed).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_HOST = env_str("HOSO_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int("HOSO_EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("HOSO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("HOSO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HOSO_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("HOSO_EMAIL_FROM", "hoso@localhost")
# The address links in e-mails point to.
SITE_URL = env_str("HOSO_SITE_URL", "http://127.0.0.1:8000")

NINJA_PAGINATION_PER_PAGE = 50
DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HOSO_LOG_LEVEL", "WARNING")},
}

# Lockout is per account on purpose (a password-guessing attack on one account
# is stopped whatever addresses it comes from); axes warns about that choice.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Operations centre: task deadline reminders this many days ahead.
TASK_REMINDER_DAYS = env_int("HOSO_TASK_REMINDER_DAYS", 3)
# Members: public holidays (ISO dates) skipped by the transfer deadlines, the
# population registry the citizen-ID checks call, and the card number length.
MEMBERS_HOLIDAYS = env_list("HOSO_MEMBERS_HOLIDAYS", [])
MEMBERS_REGISTRY_URL = env_str("HOSO_MEMBERS_REGISTRY_URL", "http://127.0.0.1:8765")
MEMBERS_REGISTRY_TIMEOUT = env_int("HOSO_MEMBERS_REGISTRY_TIMEOUT", 5)
MEMBERS_CARD_NUMBER_DIGITS = env_int("HOSO_MEMBERS_CARD_NUMBER_DIGITS", 8)
# Processes that validate a big member import (1 = in the calling process).
MEMBERS_IMPORT_WORKERS = env_int("HOSO_MEMBERS_IMPORT_WORKERS", 2)
