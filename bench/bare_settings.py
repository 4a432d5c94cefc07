"""The bare floor: the same database and Django, with only what a fresh `startproject` and DRF's token
authentication give (Django's default middleware, DRF's default settings, Django's default logging),
serving the floor view alone. What this project adds on top of it (security headers and CSP, request
ids, request limits, the lockout, JSON logs, throttles) is what the own floor pays for."""

from tracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bare_urls"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
LOGGING_CONFIG = "logging.config.dictConfig"
LOGGING = {"version": 1, "disable_existing_loggers": False}
