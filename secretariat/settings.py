"""Settings for Secretariat: one module, every value from the environment.

The defaults run a local demo (SQLite under ``var/``, Huey on SQLite, e-mail
printed to the console). Production sets ``SECRET_KEY``, ``ALLOWED_HOSTS``,
``SECRETARIAT_HTTPS=true`` and usually ``DATABASE_URL`` and ``HUEY_REDIS_URL``.
Every variable is listed in README.md.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from secretariat.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("SECRETARIAT_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
HTTPS = env_bool("SECRETARIAT_HTTPS", False)


def _secret_key() -> str:
    """An explicit key in production; on a laptop, one generated once and kept in var/."""
    key = env_secret("SECRET_KEY")
    if key:
        return key
    if HTTPS:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required when SECRETARIAT_HTTPS=true.")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "huey.contrib.djhuey",
    "secretariat.core",
    "secretariat.patients",
    "secretariat.agenda",
    "secretariat.messaging",
    "secretariat.reception",
    "secretariat.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "secretariat.core.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "secretariat.core.middleware.InactivityLogoutMiddleware",
    "secretariat.core.middleware.TwoFactorMiddleware",
    "secretariat.core.middleware.AuditContextMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "secretariat.urls"
WSGI_APPLICATION = "secretariat.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "secretariat" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "secretariat.core.context_processors.shell",
            ],
        },
    },
]

# Databases: SQLite file by default; DATABASE_URL switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'secretariat.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two desks writing at once
    # queue on busy_timeout instead of failing with "database is locked" mid-transaction.
    # WAL lets readers go on while one desk writes (https://sqlite.org/wal.html).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # Tests use a file too: an in-memory database shares one cache between threads, where a
    # second writer fails at once ("table is locked") instead of queueing as in production.
    # SECRETARIAT_TEST_DB names another file, for two test runs side by side on one machine.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / env_str("SECRETARIAT_TEST_DB", "test-secretariat.sqlite3"))
    }
else:
    # PostgreSQL's JIT compiles the short queries of a desk for longer than they run: with it,
    # the slot search's p95 varied from 28 to 44 ms; without, 25 to 29 (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "secretariat.core.auth.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"

# Two-factor authentication (TOTP) is required for staff in production.
REQUIRE_2FA = env_bool("SECRETARIAT_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "Secretariat"

# INS teleservice (INSi): the simulation answers until a real transport (CPS card or
# establishment certificate, contract with the Assurance Maladie) is configured.
SECRETARIAT_INSI_ADAPTER = env_str(
    "SECRETARIAT_INSI_ADAPTER", "secretariat.patients.insi.simulation.SimulatedInsi"
)
# Test and demonstration INS (OIDs .10 and .11) are refused once this is false (production).
SECRETARIAT_INSI_ALLOW_TEST_OIDS = env_bool("SECRETARIAT_INSI_ALLOW_TEST_OIDS", True)

# Lockout after repeated failures, per username and address (django-axes).
AXES_FAILURE_LIMIT = env_int("SECRETARIAT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SECRETARIAT_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "secretariat.core.auth.axes_username"

# Sessions end after a period without user activity (background polling does not count).
INACTIVITY_TIMEOUT = timedelta(minutes=env_int("SECRETARIAT_INACTIVITY_MINUTES", 30, minimum=1))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Joining the browsers' HSTS preload list binds the whole domain for months: the
# domain's owner decides (SECURE_HSTS_PRELOAD=true), so the reminder is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Strict CSP: no inline script or style, no eval; scripts carry the per-request nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "secretariat" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves from the finders in development and warns when the root is absent.
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "secretariat" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# E-mail: SMTP when EMAIL_HOST is set, the console otherwise (local demo).
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = 20
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Secretariat <ne-pas-repondre@secretariat.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Messages to patients. Links in them (confirm or cancel an appointment) start with the public
# address. SMS: "file" appends JSON lines under var/ (demo), "console" prints them, "http" posts
# JSON to a provider with an API key header (secretariat/messaging/sms.py).
SECRETARIAT_PUBLIC_URL = env_str("SECRETARIAT_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
SECRETARIAT_SMS_BACKEND = env_str("SECRETARIAT_SMS_BACKEND", "file")
if SECRETARIAT_SMS_BACKEND not in ("console", "file", "http"):
    raise ImproperlyConfigured(
        f"SECRETARIAT_SMS_BACKEND must be console, file or http, got {SECRETARIAT_SMS_BACKEND!r}.")
SECRETARIAT_SMS_FILE = env_str("SECRETARIAT_SMS_FILE", str(VAR_DIR / "sms.jsonl"))
SECRETARIAT_SMS_HTTP_URL = env_str("SECRETARIAT_SMS_HTTP_URL")
SECRETARIAT_SMS_API_KEY = env_secret("SECRETARIAT_SMS_API_KEY")
SECRETARIAT_SMS_API_KEY_HEADER = env_str("SECRETARIAT_SMS_API_KEY_HEADER", "X-API-Key")
SECRETARIAT_SMS_SENDER = env_str("SECRETARIAT_SMS_SENDER", "Secretariat")
SECRETARIAT_SMS_TIMEOUT = env_int("SECRETARIAT_SMS_TIMEOUT", 10, minimum=1)
if SECRETARIAT_SMS_BACKEND == "http" and not (SECRETARIAT_SMS_HTTP_URL and SECRETARIAT_SMS_API_KEY):
    raise ImproperlyConfigured(
        "SECRETARIAT_SMS_BACKEND=http needs SECRETARIAT_SMS_HTTP_URL and SECRETARIAT_SMS_API_KEY.")

# Carte Vitale reader at the desk (secretariat/reception/vitale): "simulation" (demo cards,
# labelled as such), "none" (no reader: coverage typed from the attestation), or the dotted
# path of a CardReader bridging to SESAM-Vitale homologated software.
SECRETARIAT_VITALE_READER = env_str("SECRETARIAT_VITALE_READER", "simulation")
if SECRETARIAT_VITALE_READER not in ("simulation", "none") and "." not in SECRETARIAT_VITALE_READER:
    raise ImproperlyConfigured(
        "SECRETARIAT_VITALE_READER must be simulation, none or a dotted path to a CardReader, "
        f"got {SECRETARIAT_VITALE_READER!r}.")

# Background work: Huey on SQLite by default, Redis when HUEY_REDIS_URL is set.
HUEY_REDIS_URL = env_str("HUEY_REDIS_URL")
HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if HUEY_REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": env_str("HUEY_QUEUE_NAME", "secretariat"),
        "url": HUEY_REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "secretariat",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }
HUEY["consumer"] = {"workers": env_int("HUEY_WORKERS", 2, minimum=1), "worker_type": "thread"}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["secretariat.core.api_auth.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Secretariat API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs would carry URLs; patient data never goes into URLs, but keep noise down.
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

