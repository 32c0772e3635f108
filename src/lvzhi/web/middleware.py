"""Refusing an oversized request before anything reads its body.

Django parses a multipart body as soon as anyone touches ``request.POST`` (the CSRF check does, before any view):
a 100 MB upload would be streamed to a temporary file first and refused only afterwards. This middleware answers
413 from the declared length alone.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

OVERHEAD = 1024 * 1024  # the form's other fields and the multipart boundaries around the file


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.MAX_UPLOAD_BYTES
        if length > limit + OVERHEAD:
            message = (f"上传内容过大（{length / 1048576:.1f} MB），上限 {limit // 1048576} MB，未作处理。"
                       "请拆分文件或压缩附件后再上传。")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return HttpResponse(render_to_string("413.html", {"message": message}), status=413)
        return self.get_response(request)


def is_trusted_proxy(address: str) -> bool:
    """Whether ``address`` is one of ``LVZHI_TRUSTED_PROXIES`` (the reverse proxies whose forwarded headers count)."""
    import ipaddress

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in getattr(settings, "TRUSTED_PROXIES", []))


class TrustedProxyMiddleware:
    """X-Forwarded-Proto says "the visitor came over HTTPS" — true only when the reverse proxy in front of lvzhi set
    it. Any client can send the header, so it is removed unless the request comes from an address of
    ``LVZHI_TRUSTED_PROXIES``; Django's SECURE_PROXY_SSL_HEADER then reads only what a known proxy wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "HTTP_X_FORWARDED_PROTO" in request.META and not is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Every response says which scripts a browser may run (``settings.CONTENT_SECURITY_POLICY``): only lvzhi's own
    static files. A script injected into a page — through a record's text, say — would not run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response


FRESH_COOKIE = "lvzhi_fresh"  # signed, short-lived: this browser's pages show only current results


class FreshAfterWriteMiddleware:
    """A user's own write is on the next page they open: after a request that changed something (a POST, PUT,
    PATCH or DELETE answered below 400), that browser's requests for ``RESULTS_MAX_STALE`` seconds are never
    served a reused result older than the data (``datacache.fresh``); everyone else may be, for that long.

    The mark is a signed cookie that expires with the bound, not a session value: a request that was refused
    (an import that wrote nothing) must leave the database as it was, and a write should not cost a second one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from lvzhi.web import datacache

        bound = datacache.max_stale()
        marked = bound > 0 and request.get_signed_cookie(FRESH_COOKIE, default=None, salt=FRESH_COOKIE,
                                                         max_age=bound) is not None
        if marked:
            with datacache.fresh():
                response = self.get_response(request)
        else:
            response = self.get_response(request)
        # a browser's session (an API client with a token has none: it gets no mark)
        session = getattr(request, "session", None)
        if (session is not None and session.session_key and bound > 0
                and request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and response.status_code < 400):
            response.set_signed_cookie(FRESH_COOKIE, "1", salt=FRESH_COOKIE, max_age=bound, httponly=True,
                                       samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
