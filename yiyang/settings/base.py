"""Settings shared by every deployment; the demo runs on these as they are."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_optional, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("YIYANG_DATA_DIR", str(Path.cwd() / "var"))).resolve()
# The embedded Huey queue (and the demo's SQLite database) live here; Huey opens its file as
# soon as Django loads, before any command could create the folder.
DATA_DIR.mkdir(parents=True, exist_ok=True)

# The demo and development key; production.py refuses to start without a real one.
SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-yiyang-key-change-me-0123456789abcdefghijkl")
# 32 bytes, base64: the master key from which the ID-number cipher and search-hash keys derive.
FIELD_ENCRYPTION_KEY = env_str(
    "FIELD_ENCRYPTION_KEY", "ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZHVjdGlvbiE="
)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves the Swagger UI of /api/docs from our own static files
    "huey.contrib.djhuey",
    # In the order of the layers, lowest first (docs/architecture.md).
    "yiyang.core",
    "yiyang.regions",
    "yiyang.accounts",
    "yiyang.exchange",
    "yiyang.supervision",
    "yiyang.institutions",
    "yiyang.people",
    "yiyang.marketplace",
    "yiyang.assessment",
    "yiyang.api",
    "yiyang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Content-Security-Policy on every answer, no-store on every signed-in or keyed one.
    "yiyang.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A NUL in any text input: 400 naming the field, before any view or query sees it.
    "yiyang.core.middleware.NulRefusedMiddleware",
    "yiyang.accounts.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "yiyang.urls"
WSGI_APPLICATION = "yiyang.wsgi.application"

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
                "yiyang.core.context_processors.menu",
                "yiyang.core.context_processors.reading",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'yiyang.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker writes an import.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_JIT_OFF", True
):
    # PostgreSQL's JIT compiles the supervision figures' aggregates for longer than they run
    # (1.3 s of 1.3 s for a district's disagreement shares; bench/README.md).
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = (options.get("options", "") + " -c jit=off").strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["yiyang.accounts.backends.LockoutBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yiyang.accounts.passwords.CharacterClassValidator"},
]

# Idle sessions end after this many seconds (the security administrator's policy table
# holds the lockout numbers; the cookie age must be known before the database is).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A form sent without its token gets the console's 403 page, not Django's own.
CSRF_FAILURE_VIEW = "yiyang.core.error_pages.csrf_failure"

# The header the deployment's own proxy sets to the client's address (e.g. "X-Forwarded-For"
# from nginx's $proxy_add_x_forwarded_for, or "X-Real-IP"); empty: trust only the peer
# address. Read by core.http.client_ip for the sign-in and API throttles and the audit trail.
CLIENT_IP_HEADER = env_optional("YIYANG_CLIENT_IP_HEADER")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served as such: files leave only through views that check and log
# Assessment evidence: an on-site video of 20-30 minutes recorded on a phone at 720p.
EVIDENCE_MAX_BYTES = env_int("YIYANG_EVIDENCE_MAX_MB", 500) * 1024 * 1024
WHITENOISE_USE_FINDERS = True
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

# Background work: embedded SQLite storage unless HUEY_URL names Redis.
_huey_url = env_str("HUEY_URL", f"sqlite:///{DATA_DIR / 'huey.sqlite3'}")
if _huey_url.startswith("redis://") or _huey_url.startswith("rediss://"):
    HUEY = {
        "name": "yiyang",
        "huey_class": "huey.RedisHuey",
        "url": _huey_url,
        "immediate": False,
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
elif _huey_url.startswith("sqlite:///"):
    HUEY = {
        "name": "yiyang",
        "huey_class": "huey.SqliteHuey",
        "filename": _huey_url.removeprefix("sqlite:///"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
        "consumer": {"workers": env_int("HUEY_WORKERS", 2), "worker_type": "thread"},
    }
elif _huey_url == "immediate":
    HUEY = {"name": "yiyang", "huey_class": "huey.MemoryHuey", "immediate": True}
else:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("HUEY_URL must be sqlite:///path, redis://host:port/db or immediate")

# Domain events (docs/events.md): a listener that raises is tried again after
# EVENTS_RETRY_BASE_SECONDS, twice as long after each further failure up to
# EVENTS_RETRY_MAX_SECONDS, and after EVENTS_MAX_ATTEMPTS attempts (about three hours with
# these numbers: long enough to ship a fix) it is left failed on the events page for an
# operator to retry. A delivery still not made EVENTS_STUCK_AFTER_SECONDS after its event is
# shown there too (the worker is down, or an earlier event of its aggregate is failing).
EVENTS_MAX_ATTEMPTS = env_int("EVENTS_MAX_ATTEMPTS", 10)
EVENTS_RETRY_BASE_SECONDS = env_int("EVENTS_RETRY_BASE_SECONDS", 30)
EVENTS_RETRY_MAX_SECONDS = env_int("EVENTS_RETRY_MAX_SECONDS", 3600)
EVENTS_STUCK_AFTER_SECONDS = env_int("EVENTS_STUCK_AFTER_SECONDS", 600)

# Imports at or above this many rows run in the background with a progress bar.
IMPORT_BACKGROUND_THRESHOLD = env_int("IMPORT_BACKGROUND_THRESHOLD", 200)

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
