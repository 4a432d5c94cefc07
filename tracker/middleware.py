"""Cross-cutting request handling: a request id for the logs, limits answered as JSON, and the
response headers that production wants on every answer."""

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.http import JsonResponse

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request, e.g. in the Celery worker),
    and reduces the request Django attaches to its 4xx/5xx records to method and path: a query string
    may hold a food search or a push endpoint, which have no place in logs."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            record.request = redact(f"{getattr(request, 'method', '')} {getattr(request, 'path', '')}")
        if isinstance(record.args, tuple) and any(
            isinstance(arg, str) and SIGNED_LINK.search(arg) for arg in record.args
        ):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


# A link's token is its credential (a reminder's answer, an email's unsubscribe, a shared report):
# never logged.
SIGNED_LINK = re.compile(r"(/r/(?:answer|unsubscribe)/|/s/)[^/?\s]+")


def redact(text: str) -> str:
    return SIGNED_LINK.sub(r"\1[token]", text)


class BadHostFilter(logging.Filter):
    """Django logs a request for a host not in ALLOWED_HOSTS as an ERROR with a traceback; it is a
    client's mistake answered with 400, so a warning of one line."""

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info = record.exc_text = None
        return True


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID when it is a plain token, else makes one; logs carry it and the
    response sends it back, so a user's report can be matched to the server's log lines."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        # Left set after the response: Django logs the request's 4xx/5xx line after the middleware
        # returns. request_finished (below) clears it.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def _clear_request_id(**kwargs):
    request_id_var.set("-")


request_finished.connect(_clear_request_id, dispatch_uid="tracker.clear_request_id")


class RequestLimitsMiddleware:
    """An over-long URL is a JSON 414 (gunicorn is configured to pass long request lines through to
    here, see deploy/gunicorn.conf.py), before routing or any database work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = len(request.META.get("PATH_INFO", "")) + len(request.META.get("QUERY_STRING", ""))
        if length > settings.MAX_URL_LENGTH:
            return JsonResponse(
                {"detail": f"The URL is longer than {settings.MAX_URL_LENGTH} characters."}, status=414
            )
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Permissions-Policy everywhere; ``Cache-Control: no-store`` on the API's answers to a signed-in
    user (they carry health data: no shared or browser cache may keep them)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith("/api/") and _personal(request):
            response["Cache-Control"] = "no-store, private"
            response.setdefault("Vary", "Authorization, Cookie")
        return response


def _personal(request) -> bool:
    if request.META.get("HTTP_AUTHORIZATION"):
        return True
    return settings.SESSION_COOKIE_NAME in request.COOKIES
