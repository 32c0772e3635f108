"""Run in a process of its own with LVZHI_PRODUCTION=1 (see test_deployment.py): the settings a production
server gets, and what its responses look like — cookies, HSTS, HTTPS redirect, error pages. Prints one JSON."""

import json
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from lvzhi.org.models import User  # noqa: E402

setup_test_environment()  # lets the test client reach the server, nothing else
call_command("migrate", verbosity=0)
PASSWORD = "Prod-Check-2024x!"
User.objects.create_user("prodcheck", password=PASSWORD)
out = {name: getattr(settings, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY")}

https = {"secure": True, "HTTP_HOST": "lvzhi.example.cn"}
client = Client(enforce_csrf_checks=True)
plain = client.get("/login/", HTTP_HOST="lvzhi.example.cn")
out["http_status"], out["http_location"] = plain.status_code, plain.get("Location", "")
page = client.get("/login/", **https)
out["hsts"] = page.get("Strict-Transport-Security", "")
out["csrf_cookie"] = page.cookies["csrftoken"].output()
token = page.cookies["csrftoken"].value
signed_in = client.post("/login/", {"username": "prodcheck", "password": PASSWORD, "csrfmiddlewaretoken": token},
                        HTTP_REFERER="https://lvzhi.example.cn/login/", **https)  # HTTPS posts must name their origin
out["login_status"] = signed_in.status_code
out["session_cookie"] = signed_in.cookies["sessionid"].output() if "sessionid" in signed_in.cookies else ""
no_token = Client(enforce_csrf_checks=True).post("/login/", {"username": "prodcheck", "password": PASSWORD}, **https)
out["post_without_token"] = [no_token.status_code, no_token.content.decode()]

# X-Forwarded-Proto is believed only from LVZHI_TRUSTED_PROXIES: the test client comes from 127.0.0.1, the other
# request from an address that no setting names.
forwarded = {"HTTP_HOST": "lvzhi.example.cn", "HTTP_X_FORWARDED_PROTO": "https"}
out["forwarded_local"] = client.get("/login/", **forwarded).status_code
out["forwarded_stranger"] = client.get("/login/", REMOTE_ADDR="203.0.113.9", **forwarded).status_code

missing = client.get("/no/such/page/", **https)
out["404"] = [missing.status_code, missing.content.decode()]
api_missing = client.get("/api/no-such-thing/1.5/", **https)
out["api_404"] = [api_missing.status_code, api_missing.content.decode()]


def boom(request):
    raise RuntimeError("故意的错误 SECRET-TRACE-MARKER")


# A view that fails, mounted beside the real ones: the visitor must see the Chinese 500 page, not the error.
urlconf = type("urls", (), {})
from django.urls import path  # noqa: E402

import lvzhi.urls  # noqa: E402

urlconf.urlpatterns = [path("boom/", boom), *lvzhi.urls.urlpatterns]
urlconf.handler404, urlconf.handler500 = lvzhi.urls.handler404, lvzhi.urls.handler500
with override_settings(ROOT_URLCONF=urlconf):
    failing = Client(raise_request_exception=False).get("/boom/", **https)
    out["500"] = [failing.status_code, failing.content.decode()]
print("PROD-JSON " + json.dumps(out, ensure_ascii=False, default=str))
