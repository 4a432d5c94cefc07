"""Configuration comes from the environment; production mode refuses unsafe settings."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG, s.USE_TZ, s.TIME_ZONE)"
)


def run_settings(tmp_path, **env_vars):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG")
    }
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings", TRACKER_VAR_DIR=str(tmp_path), **env_vars)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_with_nothing_set_it_runs_on_sqlite_and_a_filesystem_broker(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "True", "True", "UTC"]
    assert (tmp_path / "celery-broker").is_dir()


def test_environment_urls_switch_to_postgres_and_redis(tmp_path):
    result = run_settings(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/x",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:2] == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/0"]


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_settings(tmp_path, DJANGO_DEBUG="false", ALLOWED_HOSTS="mg.example.org")
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_settings(tmp_path, DJANGO_DEBUG="false", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_mode_starts_with_both(tmp_path):
    result = run_settings(tmp_path, DJANGO_DEBUG="false", SECRET_KEY="k" * 50, ALLOWED_HOSTS="mg.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[2] == "False"


def test_production_mode_passes_djangos_deployment_checks(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_DEBUG="false",
        SECRET_KEY="s" * 20 + "ecret-" + "k" * 30,
        ALLOWED_HOSTS="mg.example.org",
        TRACKER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="tracker.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_cache_hides_redis_outages_and_the_api_speaks_json_only(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "c = s.CACHES['default']; print(c['BACKEND'], c['OPTIONS']['IGNORE_EXCEPTIONS'], "
        "','.join(s.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES']), ','.join(s.REST_FRAMEWORK['DEFAULT_PARSER_CLASSES']), "
        "s.NUM_PROXIES, s.PASSWORD_HASHERS[0].rsplit('.', 1)[1], s.LOG_FORMAT)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="tracker.settings",
        TRACKER_VAR_DIR=str(tmp_path),
        DJANGO_DEBUG="false",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="mg.example.org",
        CACHE_URL="redis://127.0.0.1:6379/1",
    )
    result = subprocess.run([sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django_redis.cache.RedisCache",
        "True",
        "api.renderers.JSONRenderer",
        "api.parsers.StrictJSONParser",
        "0",
        "Argon2PasswordHasher",
        "json",
    ]


def test_the_development_server_answers_on_its_lan_address_and_links_follow_its_port(tmp_path):
    """A phone on the same network opens http://<LAN address>:<port>/ (the trial got a 400
    DisallowedHost), and reminder emails link to the port `make run` serves on."""
    from tracker.network import lan_addresses

    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SITE_URL); print(' '.join(s.ALLOWED_HOSTS))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("ALLOWED_HOSTS", "DJANGO_DEBUG", "SITE_URL")}
    env.update(DJANGO_SETTINGS_MODULE="tracker.settings", TRACKER_VAR_DIR=str(tmp_path), TRACKER_PORT="8123")
    result = subprocess.run(
        [sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    site_url, hosts = result.stdout.splitlines()
    assert site_url == "http://127.0.0.1:8123"
    assert set(lan_addresses()) <= set(hosts.split()) and "127.0.0.1" in hosts.split()
    addresses = subprocess.run(
        [sys.executable, "manage.py", "addresses"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert "http://127.0.0.1:8123/" in addresses and "https" in addresses
    for address in lan_addresses():
        assert f"http://{address}:8123/" in addresses


def test_a_request_to_the_lan_address_is_served(client):
    from tracker.network import lan_addresses

    for address in lan_addresses():
        assert client.get("/", HTTP_HOST=f"{address}:8000").status_code == 200
    assert client.get("/", HTTP_HOST="evil.example:8000").status_code == 400


def test_behind_pgbouncer_in_transaction_mode_no_cursor_outlives_its_transaction(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    )
    for value, expected in ((None, "False"), ("true", "True")):
        env = {k: v for k, v in os.environ.items() if k != "PGBOUNCER_TRANSACTION_MODE"}
        env.update(DJANGO_SETTINGS_MODULE="tracker.settings", TRACKER_VAR_DIR=str(tmp_path))
        if value:
            env["PGBOUNCER_TRANSACTION_MODE"] = value
        result = subprocess.run(
            [sys.executable, "-c", show], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
        assert result.stdout.strip() == expected, result.stderr
