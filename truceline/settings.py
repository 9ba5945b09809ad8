"""Truceline settings: one file, driven by the TRUCELINE_* environment variables of DESIGN.md.

Nothing here prints: scripts read the output of `truceline token create` and friends.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


DATA_DIR = Path(os.environ.get("TRUCELINE_DATA_DIR", "./var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("TRUCELINE_DEBUG", False)
HTTPS = env_bool("TRUCELINE_HTTPS", not DEBUG)


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept under the data dir."""
    from_env = os.environ.get("TRUCELINE_SECRET_KEY", "").strip()
    if from_env:
        return from_env
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def _origin_of(url: str) -> str:
    """``https://tile.example.org`` of ``https://tile.example.org/{z}/{x}/{y}.png``."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("TRUCELINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

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
    "axes",
    "django_tasks",
    "django_tasks_db",
    "truceline.core",
    "truceline.scenario",
    "truceline.accounts",
    "truceline.idempotency",
    "truceline.security",
    "truceline.geo",
    "truceline.ledger",
    "truceline.incidents",
    "truceline.reports",
    "truceline.findings",
    "truceline.redaction",
    "truceline.evidence",
    "truceline.followup",
    "truceline.dashboards",
    "truceline.notify",
    "truceline.exchange",
    "truceline.osint",
    "truceline.publications",
    "truceline.web",
    "truceline.backup",
]

MIDDLEWARE = [
    "truceline.core.middleware.ForwardedProtoFromProxies",  # before anything reads is_secure()
    "django.middleware.security.SecurityMiddleware",
    # pages compressed on the wire for slow links (CSRF tokens are masked per response, so
    # compression reveals nothing of them; docs/security.md)
    "truceline.core.middleware.TextCompression",
    "truceline.security.middleware.CurrentRequest",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "truceline.core.middleware.ApiErrorShapeMiddleware",
    "truceline.core.middleware.RejectNulMiddleware",
    "truceline.security.middleware.RateLimit",
    "truceline.idempotency.middleware.IdempotencyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "truceline.core.languages.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "truceline.accounts.middleware.SecondFactorRequired",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "truceline.core.middleware.UserTimezoneMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "truceline.urls"
WSGI_APPLICATION = "truceline.wsgi.application"

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
                "truceline.web.context.site",
            ],
            # every time shown carries its zone (|moment, |moment_utc) and every scenario object
            # its name in the reader's language (|named), in every template
            "builtins": [
                "truceline.web.templatetags.moments",
                "truceline.web.templatetags.words",
            ],
        },
    }
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.environ.get("TRUCELINE_DATABASE_URL", "").strip()
    if not url:
        url = f"sqlite:///{DATA_DIR / 'truceline.sqlite3'}"
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Several web and task processes share one file: WAL lets readers run beside the
        # writer, IMMEDIATE takes the write lock at BEGIN (no lock upgrade deadlocks), and
        # the busy timeout makes a writer wait instead of failing with "database is locked".
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
        # The server's default, said out loud: a commit is on disk before COMMIT returns, so
        # no 2xx goes out for a submission a crash could still lose.
        options = config.setdefault("OPTIONS", {})
        options["options"] = "-c synchronous_commit=on"  # type: ignore[index]
    return {"default": config}  # type: ignore[dict-item]


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username at this address
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout (docs/security.md): five failures of one username from one address lock that pair
# out for 15 minutes. Keyed on both, so one party guessing at the other's officers' names from
# its own addresses locks out only itself. Failed second-factor codes count as failures.
AXES_FAILURE_LIMIT = int(os.environ.get("TRUCELINE_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("TRUCELINE_LOCKOUT_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_VERBOSE = False
# The client's address behind the mechanism's reverse proxies (core/clientip.py): lockouts,
# rate limits and the security record count the address the nearest trusted proxy saw.
AXES_CLIENT_IP_CALLABLE = "truceline.core.clientip.axes_client_address"
# TOTP (django-otp): codes are single-use; no drift learning (a code one step ahead is taken
# once, and does not move the window).
OTP_TOTP_ISSUER = os.environ.get("TRUCELINE_OTP_ISSUER", "Truceline")
OTP_TOTP_SYNC = False
# A signature (a vote on a finding) asks for a code typed for it, not the one of sign-in.

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

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("ur", _("Urdu")),
    ("ps", _("Pashto")),
    ("prs", _("Dari")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
]
# Django knows neither Pashto nor Dari (ISO 639-3 `prs`); Dari's own strings of Django come from
# Django's Persian catalogue at run time (core/languages.py), never copied here.
EXTRA_LANG_INFO = {
    "ps": {"bidi": True, "code": "ps", "name": "Pashto", "name_local": "پښتو"},
    "prs": {"bidi": True, "code": "prs", "name": "Dari", "name_local": "دری"},
}
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ckb", "fa", "ug", "ur", "ps", "prs"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collected static files; a folder of its own may be shared by the nodes of a deployment
STATIC_ROOT = Path(os.environ.get("TRUCELINE_STATIC_ROOT") or DATA_DIR / "static").resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)


def _package_static(package: str) -> Path:
    """A package's static folder, found without importing the package (django-leaflet's own
    modules need GDAL; only its copy of Leaflet is used, served as /static/leaflet/...)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured(f"the package {package!r} is not installed (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


STATICFILES_DIRS = [_package_static("leaflet")]
# Assets come from installed packages (Leaflet from django-leaflet) and our own app folders.
# `truceline serve` collects them first under hashed names, compressed (core/staticfiles.py),
# which WhiteNoise serves as immutable for a year; without that step it serves them from the
# finders under their plain names (tests, runserver).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts, styles, images and fonts from this origin only,
# no inline script anywhere, no framing. The one inline style is the printable report's, with a
# per-response nonce. The map's tiles, when a deployment sets TRUCELINE_MAP_TILES, are the one
# outside origin allowed (for images).
_TILES = os.environ.get("TRUCELINE_MAP_TILES", "")
TRUCELINE_MAP_TILES = _TILES
TRUCELINE_MAP_TILES_ATTRIBUTION = os.environ.get("TRUCELINE_MAP_TILES_ATTRIBUTION", "")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"] + ([_origin_of(_TILES)] if _TILES else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# API tokens live this many days unless the creator says otherwise.
TRUCELINE_TOKEN_DAYS = int(os.environ.get("TRUCELINE_TOKEN_DAYS", "90"))
# A keyed create request whose first attempt has run this long with no answer is taken to
# have died with its server; a retry may then run it (docs/api.md, Idempotency-Key).
TRUCELINE_IDEMPOTENCY_LEASE = int(os.environ.get("TRUCELINE_IDEMPOTENCY_LEASE", "10"))
# Keys are kept this many days; after that, the same key is a new request.
TRUCELINE_IDEMPOTENCY_DAYS = int(os.environ.get("TRUCELINE_IDEMPOTENCY_DAYS", "7"))
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated;
# docs/security.md, Client addresses). Empty: the connection's address is the client's.
TRUCELINE_TRUSTED_PROXIES = env_list("TRUCELINE_TRUSTED_PROXIES", [])
# Rate limits (docs/security.md): "N/period" per client ("30/m", "100/5m"; "" for none).
# Sign-in is counted per address, the rest per signed-in client (or address when anonymous).
TRUCELINE_RATE_LIMITS = {
    "signin": os.environ.get("TRUCELINE_RATE_SIGNIN", "60/h"),
    "submit": os.environ.get("TRUCELINE_RATE_SUBMIT", "120/m"),
    "export": os.environ.get("TRUCELINE_RATE_EXPORT", "60/h"),
    "report": os.environ.get("TRUCELINE_RATE_REPORT", "30/h"),  # a report of any dates
}
# The scenario `truceline demo` loads.
TRUCELINE_BUNDLED_SCENARIO = BASE_DIR / "scenario" / "bundled" / "pakistan-afghanistan-2025.yaml"

# The ledger (docs/ledger.md): the checkpoints' origin line and the log key's name; a new
# checkpoint once this many entries wait, or once the oldest waiting entry is this old.
TRUCELINE_LEDGER_ORIGIN = os.environ.get("TRUCELINE_LEDGER_ORIGIN", "truceline.local/ledger")
TRUCELINE_LEDGER_KEY_NAME = os.environ.get("TRUCELINE_LEDGER_KEY_NAME", TRUCELINE_LEDGER_ORIGIN)
TRUCELINE_CHECKPOINT_ENTRIES = int(os.environ.get("TRUCELINE_CHECKPOINT_ENTRIES", "64"))
TRUCELINE_CHECKPOINT_SECONDS = int(os.environ.get("TRUCELINE_CHECKPOINT_SECONDS", "30"))

# Evidence (docs/evidence.md): uploads are streamed to temporary files and hashed on the way,
# refused as soon as a file or a submission passes its limit.
TRUCELINE_EVIDENCE_MAX_FILE = int(os.environ.get("TRUCELINE_EVIDENCE_MAX_FILE", str(2 << 30)))
TRUCELINE_EVIDENCE_MAX_SUBMISSION = int(
    os.environ.get("TRUCELINE_EVIDENCE_MAX_SUBMISSION", str(4 << 30))
)
FILE_UPLOAD_HANDLERS = ["truceline.evidence.uploads.HashingUploadHandler"]
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "uploads")
Path(FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
# Where evidence bytes live: a directory under the data dir, or any S3-compatible store
# (TRUCELINE_EVIDENCE_S3_BUCKET, with the usual AWS_* variables, via django-storages).
_S3_BUCKET = os.environ.get("TRUCELINE_EVIDENCE_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "truceline.core.staticfiles.Static"},
    "evidence": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": _S3_BUCKET,
                "endpoint_url": os.environ.get("TRUCELINE_EVIDENCE_S3_ENDPOINT") or None,
                "file_overwrite": False,
                "default_acl": None,
                "querystring_auth": False,
            },
        }
        if _S3_BUCKET
        else {
            "BACKEND": "truceline.evidence.store.AtomicFileSystemStorage",
            "OPTIONS": {"location": str(DATA_DIR / "evidence")},
        }
    ),
}

# --- notifications (truceline/notify) ---------------------------------------------------------
# Background tasks go through Django's tasks API to a database-backed queue, run by
# `truceline worker`: a slow mail server or webhook receiver never slows a request.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
EMAIL_BACKEND = os.environ.get(
    "TRUCELINE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("TRUCELINE_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("TRUCELINE_EMAIL_PORT", "25"))
EMAIL_USE_TLS = os.environ.get("TRUCELINE_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("TRUCELINE_EMAIL_FROM", "truceline@localhost")
# Webhook deliveries: attempts in all, and the first retry's delay (doubling after each).
TRUCELINE_WEBHOOK_ATTEMPTS = int(os.environ.get("TRUCELINE_WEBHOOK_ATTEMPTS", "6"))
TRUCELINE_WEBHOOK_RETRY_SECONDS = float(os.environ.get("TRUCELINE_WEBHOOK_RETRY_SECONDS", "30"))
TRUCELINE_WEBHOOK_TIMEOUT = float(os.environ.get("TRUCELINE_WEBHOOK_TIMEOUT", "10"))
# Webhooks and fetches reach public addresses only (core/outbound.py); the test suite lets
# loopback through (conftest.py sets it; the tests of the rule turn it off again).
TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = env_bool("TRUCELINE_OUTBOUND_ALLOW_LOOPBACK", False)
# Links in notifications point here.
TRUCELINE_SITE_URL = os.environ.get("TRUCELINE_SITE_URL", "http://127.0.0.1:8000")
