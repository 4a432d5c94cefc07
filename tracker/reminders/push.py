"""Web Push with VAPID (pywebpush). The push service decides what the failures mean."""

import base64
import json
import logging
from functools import lru_cache

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

log = logging.getLogger(__name__)

TTL_SECONDS = 12 * 60 * 60  # an offline phone still gets today's reminder when it wakes up
TIMEOUT_SECONDS = 10


class PushGone(Exception):
    """404/410: the browser unsubscribed; the subscription must be deleted."""


class PushTransient(Exception):
    """Worth retrying later: 429, 5xx, time-outs, connection errors."""

    def __init__(self, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PushPermanent(Exception):
    """Any other refusal (bad request, payload too large, wrong VAPID key): retrying will not help."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def generate_vapid_keys() -> tuple[str, str]:
    """A new P-256 key pair: (public key as the browser's applicationServerKey, raw private key),
    both base64url without padding."""
    private_key = ec.generate_private_key(ec.SECP256R1())
    private_raw = private_key.private_numbers().private_value.to_bytes(32, "big")
    public_raw = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(public_raw), _b64url(private_raw)


def is_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@lru_cache(maxsize=4)
def _vapid(private_key: str) -> Vapid:
    return Vapid.from_string(private_key)


def send(subscription_info: dict, payload: dict) -> int:
    """Encrypt and send one message; returns the push service's status. Raises PushGone,
    PushTransient or PushPermanent."""
    try:
        response = webpush(
            subscription_info,
            json.dumps(payload),
            vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict each call: webpush fills it in
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = getattr(exc.response, "status_code", None)
        if status is None:
            raise PushPermanent(f"could not send: {exc}") from exc
        if status in (404, 410):
            raise PushGone(f"push service answered {status}") from exc
        if status == 429 or status >= 500:
            retry_after = None
            if exc.response is not None and str(exc.response.headers.get("Retry-After", "")).isdigit():
                retry_after = int(exc.response.headers["Retry-After"])
            raise PushTransient(f"push service answered {status}", retry_after) from exc
        raise PushPermanent(f"push service answered {status}") from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise PushTransient(f"push service unreachable ({type(exc).__name__})") from exc
    except (ValueError, TypeError) as exc:  # keys that cannot encrypt: no retry will help
        raise PushGone(f"the browser's keys are unusable ({type(exc).__name__})") from exc
    return response.status_code
