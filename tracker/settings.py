"""Settings for the magnesium tracker.

Everything comes from the environment (django-environ). With nothing set, the tracker runs on an
embedded default: SQLite and a filesystem Celery broker under the git-ignored ``var/`` folder, so a
fresh machine needs only Python. ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch to PostgreSQL and
Redis. ``DJANGO_DEBUG=false`` is production mode: it refuses to start without a real ``SECRET_KEY``
and ``ALLOWED_HOSTS``.
"""

import json
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("TRACKER_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)  # optional; absent in a fresh clone

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
# The port `make run` serves on (the Procfile reads the same variable).
PORT = env.int("TRACKER_PORT", default=8000)
if DEBUG and "ALLOWED_HOSTS" not in env:
    # Development: this machine by name and by its LAN addresses, so that a phone on the same network
    # can open the app (`make run` prints those addresses).
    from tracker.network import lan_addresses

    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *lan_addresses()]
else:
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if SECRET_KEY == DEV_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Production mode (DJANGO_DEBUG=false) needs SECRET_KEY: a random string of 32+ characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "Production mode (DJANGO_DEBUG=false) needs ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=mg.example.org"
        )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "foods",
    "tracker",
    "api",
    "pwa",
]

MIDDLEWARE = [
    "tracker.middleware.RequestIdMiddleware",
    "tracker.health.HealthCheckMiddleware",
    "tracker.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "tracker.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: it turns a locked-out admin login into a 429 (the API's login answers that itself).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "tracker.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tracker.sqlite3'}")}
# Keep connections open between requests: opening one costs more than a typical API request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction mode (README, "Scaling"), a server connection serves other clients
# between transactions: no cursor may outlive its transaction.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("PGBOUNCER_TRANSACTION_MODE", default=False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker read while the other writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # Tests on a file, not in memory: the browser tests' live server reads and writes from several
    # threads, which an in-memory database answers with "table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tracker.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The day indexes cover the mg columns on PostgreSQL; SQLite keeps the index without them, which is fine.
# axes.W006 asks to lock out by address too: the lockout is per account on purpose (an attacker's
# addresses are many, the account is one); addresses are throttled by DRF (AUTH_THROTTLE_RATE).
SILENCED_SYSTEM_CHECKS = ["models.W040", "axes.W006"]

# Argon2id for new and changed passwords; older hashes still verify and are upgraded at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# django-axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # production: hashed, compressed, cached for a year (run collectstatic; see "Deploying")
        "BACKEND": "pwa.storage.StaticStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Caches: throttling is cache based, so production shares Redis between processes. With Redis
# (django-redis), a cache outage is not an error: reads miss, writes are dropped, every answer comes from
# the database, and /healthz reports the cache as down.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://tracker")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5}
    )
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "tracker.cache"
# The throttles' own alias on the same cache, with its errors raised: while it is down they count in each
# process's memory instead (api/throttles.py), so they never stop counting.
CACHES["throttle"] = dict(CACHES["default"])
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    CACHES["throttle"]["OPTIONS"] = {**CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False}

# --- Client addresses and login lockout -------------------------------------------------------------
# How many reverse proxies in front of the app append to X-Forwarded-For. 0 (the default): the client
# address is the socket's, and X-Forwarded-For is ignored, so a client cannot choose its own address to
# escape the throttles. Behind one Caddy (deploy/Caddyfile): NUM_PROXIES=1.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
# A login is refused for LOGIN_LOCKOUT_MINUTES after LOGIN_FAILURE_LIMIT wrong passwords for one account,
# from whatever addresses they came (django-axes, in the database).
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "api.throttles.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "api.exceptions.lockout_response"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

# --- Security (production mode) -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Database sessions that know their user: deleting an account deletes its sessions (tracker/sessions.py).
SESSION_ENGINE = "tracker.sessions"
CSRF_COOKIE_HTTPONLY = False  # the PWA reads it to send X-CSRFToken
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # HSTS preload is off by default, on purpose: a preloaded domain and all its subdomains are
    # https-only in every browser for months, even after the header is gone, and a self-hoster's
    # domain often serves other things. Whoever owns the whole domain can set SECURE_HSTS_PRELOAD=true
    # and submit it at hstspreload.org (README, "Deploying"). Django's check W021 says the same.
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# The PWA has no inline script or style and loads nothing from elsewhere (tests/test_pwa_browser.py
# checks that the browser reports no violation). Swagger UI needs one inline script: its view relaxes it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
# Request bodies: the largest real one (a batch of 100 entries) is about 30 KB.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)
MAX_URL_LENGTH = 4096

# --- Logging: never health data, only what happened and to which id ---------------------------------
# One JSON object per line (LOG_FORMAT=json, the default in production) with the request id, which is
# also sent back as X-Request-ID; LOG_FORMAT=plain for reading in a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "tracker.middleware.RequestIdFilter"},
        "bad_host": {"()": "tracker.middleware.BadHostFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # the report's PDF: WeasyPrint says each of its steps at INFO, fontTools its subsetting
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # a request for a host this server does not serve is the client's mistake (or a scanner's)
        "django.security.DisallowedHost": {"filters": ["bad_host"]},
    },
}

# --- Django REST framework --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: a request without credentials then gets 401 with WWW-Authenticate.
        "api.authentication.ProfileTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "api.pagination.LookaheadPagination",
    # JSON only: a form or multipart body is a 415, which also keeps cross-site HTML forms out.
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "NUM_PROXIES": NUM_PROXIES,
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("AUTH_THROTTLE_RATE", default="20/min"),
        # a barcode unknown here asks Open Food Facts: one user cannot make the server hammer it
        "barcode": env.str("BARCODE_THROTTLE_RATE", default="30/min"),
    },
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # `?format=csv` selects the export format, not a DRF renderer.
    "URL_FORMAT_OVERRIDE": None,
    # The browsable HTML API only while developing; production answers JSON alone.
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Magnesium tracker API",
    "DESCRIPTION": "Log foods and supplements, see each day's magnesium against your own target.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Public and without authentication: a stale or bad token must not turn the docs into an error.
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI's files are served by us (no CDN: self-hosted and offline).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Several serializers have a field named "kind" (reminders, saved meals, symptoms, medicines).
    "ENUM_NAME_OVERRIDES": {
        "SymptomKindEnum": "tracker.guidance.red_flags.SYMPTOM_KINDS",
        "BodyAreaEnum": "tracker.guidance.red_flags.BODY_AREAS",
        "MedicineKindEnum": "tracker.guidance.medicines.CHOICES",
    },
    # The schema states every limit the server enforces (api/schema.py adds what DRF's fields do not).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.state_text_limits",
    ],
}

# --- Celery -----------------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, every folder the same, shared by web and worker.
CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    (CELERY_BROKER_DIR / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "control_folder": str(CELERY_BROKER_DIR),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# One static entry: the dispatcher finds the reminders due in each user's own zone (tracker/reminders).
# Every minute on the minute; REMINDER_DISPATCH_SECONDS runs it every that many seconds instead (the
# cluster test uses 2, so that a killed worker's reminders are requeued within its run).
CELERY_BEAT_SCHEDULE = {
    "dispatch-reminders": {
        "task": "tracker.tasks.dispatch_reminders",
        "schedule": env.int("REMINDER_DISPATCH_SECONDS", default=0) or crontab(minute="*"),
    },
}

# --- Email (reminders' fallback channel) ------------------------------------------------------------
# Development prints emails; production without EMAIL_URL sends none (printing them would put reminder
# texts, which hold intake figures, in the logs).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "dummymail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Magnesium tracker <reminders@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Web Push (VAPID) -------------------------------------------------------------------------------
# From the environment; else from var/vapid.json, which `make run` creates with
# `manage.py generate_vapid_keys --write` so that push works on the embedded default too.
_vapid_file = VAR_DIR / "vapid.json"
_vapid = json.loads(_vapid_file.read_text()) if _vapid_file.exists() else {}
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default=_vapid.get("public_key", ""))
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default=_vapid.get("private_key", ""))
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:admin@localhost")
# Push endpoints must be https URLs of a known push service, whose address is public when the
# subscription is stored and again at every send. PUSH_SERVICE_HOSTS lists the allowed host names
# ("*." allows subdomains): the services of Chrome/Android, Firefox, Safari/iOS and Edge by default.
PUSH_SERVICE_HOSTS = env.list(
    "PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "android.googleapis.com",
        "updates.push.services.mozilla.com",
        "*.push.services.mozilla.com",
        "web.push.apple.com",
        "*.push.apple.com",
        "*.notify.windows.com",
    ],
)
# Tests only: a fake push service on http://127.0.0.1. Never set it on a server.
PUSH_ALLOW_LOOPBACK_HTTP = env.bool("PUSH_ALLOW_LOOPBACK_HTTP", default=False)

# The address links in emails point to.
# The default follows TRACKER_PORT, the port `make run` serves on.
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{PORT}").rstrip("/")

# --- Open Food Facts (barcode look-ups the local catalogue cannot answer) ----------------------------
# Empty turns remote look-ups off: scans are then answered from the local catalogue only.
OPEN_FOOD_FACTS_URL = env.str("OPEN_FOOD_FACTS_URL", default="https://world.openfoodfacts.org")
OPEN_FOOD_FACTS_TIMEOUT = env.float("OPEN_FOOD_FACTS_TIMEOUT", default=4.0)
OPEN_FOOD_FACTS_USER_AGENT = env.str(
    "OPEN_FOOD_FACTS_USER_AGENT", default="magnesium-tracker/1.0 (self-hosted; https://github.com/)"
)
