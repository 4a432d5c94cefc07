"""Production mode: the health check, a cache or broker outage, response headers, password hashing and
logs that carry a request id and no health data."""

import json
import logging

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail

from tracker import settings as project_settings
from tracker.reminders import services as reminders
from tracker.reminders.models import DeliveryStatus, ReminderDelivery

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once


@pytest.fixture
def cache_down(settings):
    """The production cache (django-redis, as settings.py configures it for CACHE_URL=redis://…),
    pointed at a Redis that is not there."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def test_healthz_answers_ok_when_every_service_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok", "cache": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_names_the_cache_when_redis_is_down(client, cache_down):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache"]
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    from kombu import Connection

    from tracker.celery import app

    monkeypatch.setattr(app, "connection_for_write", lambda: Connection(DEAD_REDIS))
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["failing"] == ["broker"]


def test_healthz_names_the_database_when_it_is_down(client, monkeypatch):
    from tracker import health

    def refused():
        raise ConnectionError("database refused the connection")

    monkeypatch.setitem(health.CHECKS, "database", refused)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["failing"] == ["database"]


def test_with_the_cache_down_the_api_still_answers_from_the_database(cache_down, anon, almonds_oz):
    """Sign-up (throttled through the cache), search (cached ranking), logging and the day's total."""
    from rest_framework.test import APIClient

    response = anon.post(
        "/api/v1/auth/register/",
        {"username": "outage", "email": "outage@example.org", "password": "a long unusual passphrase"},
    )
    assert response.status_code == 201, response.json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    found = api.get("/api/v1/foods/?q=almonds").json()["results"]
    assert found[0]["name"] == "Almonds"
    logged = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "portion": almonds_oz.pk})
    assert logged.status_code == 201
    assert api.get("/api/v1/summary/daily/").json()["total_mg"] == 78


def test_with_the_cache_down_the_address_throttles_still_count(cache_down, anon, api, settings):
    """Before: with Redis gone the throttles read no history and 30 sign-ins or 35 barcode look-ups in
    a minute got no 429. Now each process counts in its own memory until the cache is back."""
    settings.CACHES["throttle"] = {
        **settings.CACHES["default"],
        "OPTIONS": {**settings.CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    }
    signins = [
        anon.post("/api/v1/auth/login/", {"username": f"nobody{n}", "password": "wrong"}).status_code
        for n in range(30)
    ]
    assert signins[:20] == [400] * 20 and set(signins[20:]) == {429}, signins
    lookups = [api.get("/api/v1/foods/barcode/00000000/").status_code for _ in range(35)]
    assert 429 not in lookups[:30] and set(lookups[30:]) == {429}, lookups


def test_with_the_cache_down_reminders_are_still_sent(cache_down, user):
    from tests.test_reminders import due_reminder, make_delivery

    delivery = make_delivery(user, due_reminder(user, channels=("email",)))
    assert reminders.deliver(delivery.pk) == DeliveryStatus.SENT
    assert ReminderDelivery.objects.get().status == "sent" and len(mail.outbox) == 1


def test_a_request_for_another_host_is_a_400_logged_as_one_warning_line(client, settings, caplog):
    """Before: an ERROR with a traceback for every scanner that asks for a host this server does not
    serve."""
    settings.ALLOWED_HOSTS = ["mg.example.org"]
    with caplog.at_level(logging.DEBUG):
        response = client.get("/api/v1/profile/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert records and {r.levelname for r in records} == {"WARNING"}
    assert all(r.exc_info is None for r in records)
    formatter = logging.Formatter(project_settings.LOGGING["formatters"]["plain"]["format"])
    assert not any("Traceback" in formatter.format(r) for r in caplog.records)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_the_health_check_is_sent_with_nosniff(client):
    assert client.get("/healthz")["X-Content-Type-Options"] == "nosniff"


# --- Headers ------------------------------------------------------------------------------------------


def test_every_page_has_a_strict_content_security_policy_and_a_permissions_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "camera=(self)" in response["Permissions-Policy"]  # the barcode scanner


def test_api_answers_with_personal_data_are_never_cached(api):
    for url in ("/api/v1/profile/", "/api/v1/summary/daily/", "/api/v1/export/"):
        response = api.get(url)
        assert response["Cache-Control"] == "no-store, private", url


def test_every_answer_carries_a_request_id_and_a_safe_one_is_kept(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-1234")["X-Request-ID"] == "proxy-id-1234"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith a newline")["X-Request-ID"] != "bad id"


def test_the_api_never_renders_html_in_production():
    assert project_settings.DEBUG or project_settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "api.renderers.JSONRenderer"
    ]


# --- Passwords and logs ---------------------------------------------------------------------------------


def test_passwords_are_hashed_with_argon2id(settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests' fast hasher aside
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("a long unusual passphrase", hasher="argon2").startswith("argon2$argon2id$")


def test_logs_are_json_with_the_request_id_and_carry_no_health_data(api, almonds_oz, citrate, caplog):
    from pythonjsonlogger.json import JsonFormatter

    spec = project_settings.LOGGING["formatters"]["json"]
    formatter = JsonFormatter(spec["fmt"], rename_fields=spec["rename_fields"])
    with caplog.at_level(logging.DEBUG):
        api.post(
            "/api/v1/intakes/",
            {"food": almonds_oz.food_id, "portion": almonds_oz.pk, "note": "after my cardiology visit"},
        )
        api.post("/api/v1/supplement-doses/", {"form": citrate.pk, "elemental_mg": 300})
        api.post("/api/v1/symptoms/", {"kind": "trouble_breathing", "severity": 4, "note": "tremor diary"})
        api.post("/api/v1/red-flags/dismiss/", {"code": "urgent_symptom"})
        api.post("/api/v1/labs/", {"taken_on": "2026-11-01", "value": "1.37", "unit": "mg_dl"})
        api.post("/api/v1/symptoms/", {"kind": "trouble_swallowing", "severity": 9, "note": "tremor diary"})
        bad = api.post("/api/v1/intakes/", {"food": almonds_oz.food_id, "note": "palpitations again"})
    assert bad.status_code == 400
    lines = [formatter.format(record) for record in caplog.records]
    # what a log line says, less its random request id and time (a hex id may well contain "300")
    text = "\n".join(
        json.dumps({k: v for k, v in json.loads(line).items() if k not in ("request_id", "time")})
        for line in lines
    )
    for secret in (
        "cardiology",
        "palpitations",
        "Almonds",
        "Citrate",
        "300",
        "tremor",
        "trouble",
        "urgent",
        "1.37",
    ):
        assert secret not in text, secret
    searched = api.get("/api/v1/foods/?search=magnesium%20for%20migraine&category=zzz")
    assert searched.status_code == 400
    lines = [formatter.format(record) for record in caplog.records]
    assert not any("migraine" in line for line in lines)
    warning = next(json.loads(line) for line in lines if "Bad Request: /api/v1/intakes/" in line)
    assert warning["level"] == "WARNING" and warning["logger"] == "django.request"
    assert warning["request_id"] == bad["X-Request-ID"]
