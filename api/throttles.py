"""Throttles, and the client's address for them and for the login lockout.

The address is the socket's, unless NUM_PROXIES trusted proxies sit in front (then the address the
outermost trusted proxy saw, from X-Forwarded-For).

A throttle counts in the shared cache (Redis in production), so that every worker process sees the same
history. While that cache cannot be reached the throttles keep counting in each process's own memory:
they stay closed, at worst as many times looser as there are worker processes, never open.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return remote
    addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


class SharedOrLocalCache:
    """The throttles' history: in the "throttle" cache (the shared one, with its errors raised), or in
    this process's memory while that cache fails; after a failure the shared cache is tried again only
    after RETRY_AFTER seconds, so that a cache that hangs does not slow every request."""

    RETRY_AFTER = 10.0

    def __init__(self):
        self.local = LocMemCache("throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.down_until = 0.0

    def _shared(self):
        return caches["throttle" if "throttle" in settings.CACHES else "default"]

    def _call(self, method: str, *args):
        if time.monotonic() >= self.down_until:
            try:
                return getattr(self._shared(), method)(*args)
            except Exception:  # noqa: BLE001 - any cache failure: count here instead of not at all
                self.down_until = time.monotonic() + self.RETRY_AFTER
                logger.warning(
                    "throttle cache unreachable: counting in this process for %ss", self.RETRY_AFTER
                )
        return getattr(self.local, method)(*args)

    def get(self, key, default=None):
        return self._call("get", key, default)

    def set(self, key, value, timeout=None):
        return self._call("set", key, value, timeout)


throttle_cache = SharedOrLocalCache()


class ScopedThrottle(ScopedRateThrottle):
    """A throttle per view scope ("auth": sign-up, sign-in, sign-out; AUTH_THROTTLE_RATE) and address."""

    cache = throttle_cache


class BarcodeThrottle(UserRateThrottle):
    """An unknown barcode asks Open Food Facts: one account cannot make the server hammer it
    (BARCODE_THROTTLE_RATE, 30 look-ups a minute by default)."""

    cache = throttle_cache
    scope = "barcode"
