"""GET /healthz: is every service the tracker needs answering? For a load balancer or a monitor, every
few seconds: three cheap round trips, no query on user data, nothing personal in the answer.

It is answered by a middleware placed before the host check and the https redirect: a load balancer
asks by IP address and over plain http, and the answer depends on neither."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _broker() -> None:
    from tracker.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def _cache() -> None:
    if settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()  # the cache itself hides outages (IGNORE_EXCEPTIONS)
        return
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("the cache did not keep a value")


CHECKS = {"database": _database, "broker": _broker, "cache": _cache}


@never_cache
@require_GET
def healthz(request):
    results, failing = {}, []
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not answering"
            results[name] = "unavailable"
            failing.append(name)
            log.warning("health check: %s unavailable (%s)", name, type(exc).__name__)
    if failing:
        response = JsonResponse({"status": "unavailable", "failing": failing, "checks": results}, status=503)
    else:
        response = JsonResponse({"status": "ok", "checks": results})
    # answered before SecurityMiddleware, which would have set it
    response["X-Content-Type-Options"] = "nosniff"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
