"""Structured logs: every line carries the time, level, request id and user; one access-log line per request.

The request id comes from the reverse proxy's ``X-Request-ID`` (nginx's ``$request_id``, see deploy/nginx.conf)
when it is well-formed, else it is made here; it is sent back in the response, so a user's report of an error
can be matched with its log lines. ``LVZHI_LOG_FORMAT=json`` writes one JSON object per line for log collectors.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid

_current: contextvars.ContextVar = contextvars.ContextVar("lvzhi_request", default=None)
access = logging.getLogger("lvzhi.access")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def _user_of(request) -> str:
    try:
        user = getattr(request, "user", None)
        return user.get_username() if user is not None and user.is_authenticated else "-"
    except Exception:  # a log line must never fail, e.g. when the database behind the session is down
        return "?"


class RequestContextFilter(logging.Filter):
    """Adds ``request_id`` and ``user`` to every record (``-`` outside a request)."""

    def filter(self, record):
        current = _current.get()
        record.request_id = current[0] if current else "-"
        record.user = _user_of(current[1]) if current else "-"
        return True


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "path", "status", "duration_ms", "bytes", "client")

    def format(self, record):
        entry = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
                 "level": record.levelname, "logger": record.name, "request_id": getattr(record, "request_id", "-"),
                 "user": getattr(record, "user", "-"), "message": record.getMessage()}
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _trusted(addr: str) -> bool:
    from .middleware import is_trusted_proxy

    return is_trusted_proxy(addr)


def client_address(request) -> str:
    """The visitor's address: the proxy's ``X-Forwarded-For`` only when the request came from a trusted proxy
    (the nginx example sets it to the address it saw, replacing anything the visitor sent)."""
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _trusted(remote):
        return forwarded.split(",")[-1].strip()
    return remote


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex[:16]
        request.request_id = request_id
        token = _current.set((request_id, request))
        started = time.perf_counter()
        status, size = 500, 0
        try:
            response = self.get_response(request)
            status = response.status_code
            size = len(response.content) if not getattr(response, "streaming", False) else 0
            response["X-Request-ID"] = request_id
            return response
        finally:
            if access.isEnabledFor(logging.INFO):
                ms = round((time.perf_counter() - started) * 1000, 1)
                client = client_address(request)
                access.info("%s %s %s %sms %sB %s", request.method, request.get_full_path()[:500], status, ms, size,
                            client, extra={"method": request.method, "path": request.path, "status": status,
                                           "duration_ms": ms, "bytes": size, "client": client})
            _current.reset(token)


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (403: no right, or a bad CSRF token) is an ordinary answer, not a fault: Django logs it
    with the exception's traceback; keep the one warning line and drop the traceback."""

    def filter(self, record):
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True
