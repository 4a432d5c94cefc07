"""Web Push with VAPID (pywebpush). The push service decides what the failures mean.

A push endpoint is a URL a browser gave us, so it is untrusted: the server must never be made to send
to its own network (cloud metadata, the database, the router). An endpoint is accepted only as an https
URL whose host is a known push service (``PUSH_SERVICE_HOSTS``) and, when it resolves, only to public
addresses; at send time the connection itself checks the address it reached, so a DNS answer that
changed since (rebinding) cannot redirect a send inside.
"""

import base64
import fnmatch
import ipaddress
import json
import logging
import socket
from functools import lru_cache
from urllib.parse import urlsplit

import requests
import urllib3
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from requests.adapters import HTTPAdapter

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


# --- Which endpoints may be sent to --------------------------------------------------------------------

LOOPBACK_NAMES = ("127.0.0.1", "::1", "localhost")


def loopback_allowed(host: str) -> bool:
    return settings.PUSH_ALLOW_LOOPBACK_HTTP and host in LOOPBACK_NAMES


# IPv6 ranges that carry an IPv4 address inside (NAT64, IPv4-compatible, 6to4 is checked by its own
# property) or are deprecated site-local: a push service never lives there, an attacker's address might.
_NOT_PUSH_SERVICES_V6 = [
    ipaddress.ip_network(net)
    for net in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0:0/96", "fec0::/10")
]


def is_public_address(address: str) -> bool:
    """Routable on the internet: not private, loopback, link-local (169.254.x, cloud metadata),
    multicast, reserved or unspecified; an IPv6 address that embeds an IPv4 one (mapped, NAT64,
    IPv4-compatible, 6to4) is judged by that IPv4 address or refused."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        elif ip.sixtofour:
            ip = ip.sixtofour
        elif any(ip in net for net in _NOT_PUSH_SERVICES_V6):
            return False
    return ip.is_global and not ip.is_multicast


def endpoint_problem(endpoint: str, *, resolve: bool = True) -> str | None:
    """Why this endpoint may not be sent to, or None when it may."""
    try:
        url = urlsplit(endpoint)
        host = (url.hostname or "").lower()
        url.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "not a valid URL"
    if loopback_allowed(host):
        return None if url.scheme in ("http", "https") else "not an http(s) URL"
    if url.scheme != "https":
        return "a push endpoint is an https URL"
    if url.username or url.password:
        return "a push endpoint carries no user name or password"
    try:
        ipaddress.ip_address(host.strip("[]"))
        return "a push endpoint names its push service, not an IP address"
    except ValueError:
        pass
    if not any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in settings.PUSH_SERVICE_HOSTS):
        return f"{host} is not a known push service (PUSH_SERVICE_HOSTS)"
    if resolve:
        try:
            infos = socket.getaddrinfo(host, url.port or 443, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            return None  # unknown now (no DNS): the address is checked again when a message is sent
        private = sorted({info[4][0] for info in infos if not is_public_address(info[4][0])})
        if private:
            return f"{host} resolves to a non-public address ({private[0]})"
    return None


class EndpointRefused(Exception):
    pass


def _check_peer(sock, host: str) -> None:
    address = sock.getpeername()[0]
    if not is_public_address(address) and not loopback_allowed(host):
        sock.close()
        raise EndpointRefused(f"refused to send to {host}: it resolved to a non-public address")


class _PeerChecked:
    """For a urllib3 connection class: check the peer as soon as the socket is connected."""

    def _new_conn(self):
        sock = super()._new_conn()
        _check_peer(sock, self.host)
        return sock


class _CheckedHTTPConnection(_PeerChecked, urllib3.connection.HTTPConnection):
    pass


class _CheckedHTTPSConnection(_PeerChecked, urllib3.connection.HTTPSConnection):
    pass


class _CheckedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    """Every connection checks the address it actually reached (after DNS), before a byte is sent."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _CheckedHTTPPool, "https": _CheckedHTTPSPool}


def _session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the check must see the real peer
    adapter = _PublicOnlyAdapter(max_retries=0)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def topic_for(delivery_id) -> str:
    """The Web Push Topic of one delivery (32 URL-safe characters): a push service that still holds an
    undelivered message with this topic replaces it instead of delivering both."""
    return str(delivery_id).replace("-", "")[:32]


# --- Sending ---------------------------------------------------------------------------------------------


def is_configured() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@lru_cache(maxsize=4)
def _vapid(private_key: str) -> Vapid:
    return Vapid.from_string(private_key)


def send(subscription_info: dict, payload: dict, *, topic: str | None = None) -> int:
    """Encrypt and send one message; returns the push service's status. Raises PushGone,
    PushTransient or PushPermanent. ``topic``: see topic_for()."""
    problem = endpoint_problem(subscription_info["endpoint"], resolve=False)
    if problem:
        raise PushGone(f"endpoint refused: {problem}")
    try:
        with _session() as session:
            response = webpush(
                subscription_info,
                json.dumps(payload),
                vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
                vapid_claims={"sub": settings.VAPID_SUBJECT},  # a fresh dict each call: webpush fills it in
                ttl=TTL_SECONDS,
                timeout=TIMEOUT_SECONDS,
                headers={"Topic": topic, "Urgency": "normal"} if topic else None,
                requests_session=session,
            )
    except EndpointRefused as exc:
        raise PushGone(str(exc)) from exc
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
        if isinstance(_root_cause(exc), EndpointRefused):
            raise PushGone(str(_root_cause(exc))) from exc
        raise PushTransient(f"push service unreachable ({type(exc).__name__})") from exc
    except (ValueError, TypeError) as exc:  # keys that cannot encrypt: no retry will help
        raise PushGone(f"the browser's keys are unusable ({type(exc).__name__})") from exc
    return response.status_code


def _root_cause(exc: BaseException) -> BaseException:
    seen = set()
    while True:
        nxt = exc.__cause__ or exc.__context__
        reason = getattr(exc, "reason", None)
        if isinstance(reason, BaseException):
            nxt = reason
        if nxt is None or id(nxt) in seen:
            return exc
        seen.add(id(nxt))
        exc = nxt
