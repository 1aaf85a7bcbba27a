"""Accord's one settings module.

Every setting an operator may change is read here, once, from the environment; the README's
configuration table lists them all and `tests/core/test_settings_documented.py` keeps the two in
step.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from accord.core.disclosure import BadThreshold, disclosure_threshold

# Lets admin and querysets be subscripted for type hints at run time.
django_stubs_ext.monkeypatch()

SRC_DIR = Path(__file__).resolve().parent
PROJECT_DIR = SRC_DIR.parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number from the environment; a bad one stops start-up, naming the variable."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}")
    return number


def _env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DATA_DIR = Path(os.environ.get("ACCORD_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()


def _secret_key() -> str:
    configured = os.environ.get("ACCORD_SECRET_KEY", "").strip()
    if configured:
        return configured
    # A key kept beside the database so that sessions survive restarts on one machine; shared
    # deployments set ACCORD_SECRET_KEY.
    key_file = DATA_DIR / "secret_key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key


SECRET_KEY = _secret_key()
# The audit chain's HMAC key, kept out of the database (docs/audit.md). Empty: core/audit.py
# generates one into ACCORD_DATA_DIR/audit_key the first time it signs an event.
AUDIT_KEY = os.environ.get("ACCORD_AUDIT_KEY", "").strip()
if AUDIT_KEY and len(AUDIT_KEY) < 32:
    raise ImproperlyConfigured("ACCORD_AUDIT_KEY must be at least 32 characters")
DEBUG = _env_bool("ACCORD_DEBUG", False)
ALLOWED_HOSTS = _env_list("ACCORD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = _env_list("ACCORD_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "ninja",
    "accord.core",
    "accord.orgs",
    "accord.register",
    "accord.assessments",
    "accord.appraisal",
    "accord.kpis",
    "accord.lessons",
    "accord.notices",
    "accord.analytics",
    "accord.insights",
    "accord.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that they see static files' responses too (and leave them cacheable).
    "accord.core.security.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "accord.core.middleware.ProblemsMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.core.context_processors.accord",
            ],
        },
    }
]

DATABASE_URL = (
    os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{DATA_DIR / 'accord.sqlite3'}"
)
# Connections are kept for a minute and checked before reuse, so a restarted database costs one
# failed check rather than an error page.
_database: dict[str, Any] = dict(
    dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer commits; the timeout rides out short locks.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _database["CONN_MAX_AGE"] = 0
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (orgs/sso.py): recognises the sessions it starts; answers no password.
    "accord.orgs.sso.SignOnBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "register:list"
LOGOUT_REDIRECT_URL = "home"
# A password reset link works for two hours (Django's default is three days): long enough to
# find the email, short enough that an old one in a mailbox is of no use to anyone else.
PASSWORD_RESET_TIMEOUT = 2 * 3600

# Email (core/email.py; docs/deploying.md, "Email"): the console prints each message, for a
# laptop; production names "smtp" and its server. Links in emails start with SITE_URL.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "none": "django.core.mail.backends.dummy.EmailBackend",
}
_email_backend = os.environ.get("ACCORD_EMAIL_BACKEND", "").strip().lower() or "console"
if _email_backend not in _EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        f"ACCORD_EMAIL_BACKEND must be one of {', '.join(_EMAIL_BACKENDS)}, not {_email_backend!r}"
    )
EMAIL_BACKEND = _EMAIL_BACKENDS[_email_backend]
EMAIL_HOST = os.environ.get("ACCORD_EMAIL_HOST", "").strip() or "localhost"
EMAIL_PORT = _env_int("ACCORD_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = os.environ.get("ACCORD_EMAIL_HOST_USER", "").strip()
EMAIL_HOST_PASSWORD = os.environ.get("ACCORD_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("ACCORD_EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = (
    os.environ.get("ACCORD_DEFAULT_FROM_EMAIL", "").strip() or "Accord <accord@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = (os.environ.get("ACCORD_SITE_URL", "").strip() or "http://127.0.0.1:8000").rstrip("/")

# Single sign-on by OpenID Connect (orgs/sso.py; docs/deploying.md, "Single sign-on"): off
# unless ACCORD_OIDC_ENABLED, whatever else is set, so that a half-configured provider never
# shows a button. The endpoints not set are read from the issuer's discovery document.
SSO_ENABLED = _env_bool("ACCORD_OIDC_ENABLED", False)
SSO_PROVIDER_NAME = os.environ.get("ACCORD_OIDC_PROVIDER_NAME", "").strip() or "single sign-on"
OIDC_ISSUER = os.environ.get("ACCORD_OIDC_ISSUER", "").strip()
OIDC_RP_CLIENT_ID = os.environ.get("ACCORD_OIDC_CLIENT_ID", "").strip()
OIDC_RP_CLIENT_SECRET = os.environ.get("ACCORD_OIDC_CLIENT_SECRET", "").strip()
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("ACCORD_OIDC_AUTHORIZATION_ENDPOINT", "").strip()
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("ACCORD_OIDC_TOKEN_ENDPOINT", "").strip()
OIDC_OP_USER_ENDPOINT = os.environ.get("ACCORD_OIDC_USERINFO_ENDPOINT", "").strip()
OIDC_OP_JWKS_ENDPOINT = os.environ.get("ACCORD_OIDC_JWKS_ENDPOINT", "").strip()
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "sso_callback"
if SSO_ENABLED:
    _sso_missing = [
        name
        for name, value in [
            ("ACCORD_OIDC_CLIENT_ID", OIDC_RP_CLIENT_ID),
            ("ACCORD_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
        ]
        if not value
    ]
    _sso_endpoints = [
        OIDC_OP_AUTHORIZATION_ENDPOINT,
        OIDC_OP_TOKEN_ENDPOINT,
        OIDC_OP_USER_ENDPOINT,
        OIDC_OP_JWKS_ENDPOINT,
    ]
    if not OIDC_ISSUER and not all(_sso_endpoints):
        _sso_missing.append("ACCORD_OIDC_ISSUER (or all four ACCORD_OIDC_*_ENDPOINT)")
    if _sso_missing:
        raise ImproperlyConfigured(
            "ACCORD_OIDC_ENABLED is on but these are not set: " + ", ".join(_sso_missing)
        )

AXES_FAILURE_LIMIT = _env_int("ACCORD_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = _env_int("ACCORD_LOCKOUT_MINUTES", 30) / 60  # hours
# Counting the pair (account, address) and locking the pair: a guesser elsewhere cannot lock a
# person out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accord.orgs.signin.lockout_username"
AXES_CLIENT_IP_CALLABLE = "accord.orgs.signin.client_address"
# How many reverse proxies stand in front of Accord, each appending to X-Forwarded-For.
PROXY_COUNT = _env_int("ACCORD_PROXY_COUNT", 0, minimum=0)
# Requests a minute each personal API token may make (api/auth.py).
API_RATE_PER_MINUTE = _env_int("ACCORD_API_RATE_PER_MINUTE", 120, minimum=1)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

SECURE_COOKIES = _env_bool("ACCORD_SECURE_COOKIES", True)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = _env_int("ACCORD_SESSION_HOURS", 8) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The Content-Security-Policy (django-csp, docs/deploying.md): scripts, styles and images from
# the site itself only. No 'unsafe-inline' and no 'unsafe-eval': templates have no inline script
# or style attribute (tests/orgs/test_security_headers.py scans them), and charts evaluate Vega
# expressions with its interpreter rather than `new Function`.
#
# Where a form may send the browser besides this site. Something that posts to, or redirects
# a form's submission to, another origin appends that origin here, anywhere in this module:
# single sign-on, for one, must add its identity provider's (for example
# "https://login.example.org", from its ACCORD_OIDC_... endpoint setting).
FORM_ACTION_SOURCES: list[str] = ["'self'"]
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        # The same list, not a copy: what is appended to it later is in the policy.
        "form-action": FORM_ACTION_SOURCES,
    }
}
SECURE_SSL_REDIRECT = _env_bool("ACCORD_SSL_REDIRECT", False)
if SECURE_SSL_REDIRECT:
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [SRC_DIR / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Each process keeps its own cache of the register's filter counts. Entries are keyed by the
# audit chain's head, so a change made through any process is seen by every other at its next
# request; a shared cache (Redis, memcached) would only save each process its first count.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "accord",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    }
}

# How many rows a list page shows.
PAGE_SIZE = _env_int("ACCORD_PAGE_SIZE", 25)
# The largest file an import accepts, in megabytes.
IMPORT_MAX_MB = _env_int("ACCORD_IMPORT_MAX_MB", 10)
DATA_UPLOAD_MAX_MEMORY_SIZE = IMPORT_MAX_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# The protective marking shown on every page and export.
PROTECTIVE_MARKING = os.environ.get("ACCORD_PROTECTIVE_MARKING", "OFFICIAL-SENSITIVE")
# The marking of what holds only public records (a public record's page or export, the pages
# an anonymous visitor reads, an empty export): core.marking.marking_for chooses.
PUBLIC_MARKING = os.environ.get("ACCORD_PUBLIC_MARKING", "OFFICIAL")
# Where people write about the service: the contact, accessibility and privacy pages show it.
CONTACT_EMAIL = os.environ.get("ACCORD_CONTACT_EMAIL", "").strip()
# A refused form post (CSRF) is a page in the site's layout that says why and what to do.
CSRF_FAILURE_VIEW = "accord.core.views.csrf_failure"
# Personal links sent to people outside the service (a survey's): a bad one's 404 says to ask
# the sender for a new link, and their error pages show only a plain header.
PERSONAL_LINK_URL_NAMES = ["assessments:respond"]
# Groups smaller than this show no figures (assessments).
# Every page, export, API response and command takes it from here (`core/disclosure.py`).
try:
    DISCLOSURE_THRESHOLD = disclosure_threshold()
except BadThreshold as exc:
    raise ImproperlyConfigured(str(exc)) from None
# Demand analyses (analytics): with a worker (`accord analytics worker`) running, a page that
# asks for a run only queues it; without one (the default), the page runs it itself.
ANALYTICS_WORKER = _env_bool("ACCORD_ANALYTICS_WORKER", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ACCORD_LOG_LEVEL", "WARNING")},
}
