import os
import shutil

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Once a browser test starts Playwright's sync API, an event loop runs in the test thread for the rest of
# the session; the tests' own ORM calls stay synchronous, so Django's async guard is lifted in the test
# process (never in the app: tests/test_settings.py checks production mode without it).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _has_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _has_redis() -> bool:
    return settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))


def pytest_runtest_setup(item):
    """Tests that need a real server skip, with the reason, only when none is configured; in CI
    (CI=true) a missing server is a failure, never a skip."""
    needs = []
    if item.get_closest_marker("postgres") and not _has_postgres():
        needs.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not _has_redis():
        needs.append("Redis (set CELERY_BROKER_URL=redis://...)")
    if item.get_closest_marker("browser") and not os.path.exists(CHROMIUM):
        needs.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if item.get_closest_marker("caddy") and not shutil.which("caddy"):
        needs.append("Caddy (apt-get install caddy)")
    if needs:
        message = "needs " + " and ".join(needs)
        if IN_CI:
            pytest.fail(f"CI must run every test: {message}")
        pytest.skip(message)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the food catalogue of fixtures/foods.json."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("loaddata", "foods", verbosity=0)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by emptying every table: put the catalogue back for the next tests."""
    result = yield
    marker = item.get_closest_marker("django_db")
    flushed = marker and marker.kwargs.get("transaction")
    uses_flush = flushed or {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))
    if uses_flush and nextitem is not None:  # after the last test the test database is already gone
        from django.core.management import call_command
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            call_command("loaddata", "foods", verbosity=0)
    return result


@pytest.fixture
def user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def almonds_oz(db):
    from foods.models import Portion

    return Portion.objects.select_related("food").get(food__name="Almonds", label="1 oz")


@pytest.fixture
def oat_bran_half_cup(db):
    from foods.models import Portion

    return Portion.objects.select_related("food").get(food__name="Oat bran", label="½ cup")


@pytest.fixture
def citrate(db):
    from foods.models import SupplementForm

    return SupplementForm.objects.get(name="Citrate")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counts live in the cache: every test starts with none."""
    from django.core.cache import cache

    from api.throttles import throttle_cache

    cache.clear()
    throttle_cache.local.clear()
    throttle_cache.down_until = 0.0
    yield


def token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def api(user):
    return token_client(user)


@pytest.fixture
def other_api(other_user):
    return token_client(other_user)


@pytest.fixture
def anon():
    from rest_framework.test import APIClient

    return APIClient()


# --- Browser tests (Playwright driving Debian's Chromium) ------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A phone: 390 × 844, touch, mobile."""
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
    }


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Fast password hashing (Argon2 is for real passwords; tests/test_settings.py checks it is the
    default), and the push service host the tests' subscriptions name."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUSH_SERVICE_HOSTS = [*settings.PUSH_SERVICE_HOSTS, "push.example.net"]


# --- Reminders: the server's VAPID keys, local push services and a local mail server ----------------


@pytest.fixture
def vapid(settings):
    from tracker.reminders.push import generate_vapid_keys

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = generate_vapid_keys()
    settings.PUSH_ALLOW_LOOPBACK_HTTP = True
    return settings.VAPID_PUBLIC_KEY


@pytest.fixture
def push_services():
    """Start local push services (PushService options); all are closed after the test."""
    from tests.servers import PushService

    services = []

    def start(**options):
        services.append(PushService(**options))
        return services[-1]

    yield start
    for service in services:
        service.close()


@pytest.fixture
def push_service(push_services):
    return push_services()


@pytest.fixture
def mail_server(settings):
    """Start a local SMTP server (MailServer options) and send Django's mail to it."""
    from tests.servers import MailServer

    servers = []

    def start(**options):
        server = MailServer(**options)
        servers.append(server)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def smtp(mail_server):
    return mail_server()
