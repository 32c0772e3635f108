"""Installable on an intranet, quiet logs: /favicon.ico and the web-app manifest with its icons are served by the
app itself (no CDN), and a refused request (403) is one warning line, not a traceback."""

import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_favicon_and_manifest_are_served_without_signing_in(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon["Content-Type"] == "image/x-icon"
    body = b"".join(icon.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00" and b"PNG" in body[:40]  # an ICO holding a PNG
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200 and manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["short_name"] == "履职" and data["start_url"] == "/" and data["display"] == "standalone"
    sizes = {i["sizes"] for i in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert icon["src"].startswith("/static/")  # served here, not from another host
        assert client.get(icon["src"]).status_code == 200


def test_every_page_links_icon_and_manifest(client_as):
    page = client_as("zhibu").get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'rel="icon"' in page and "//" not in page.split('rel="icon" href="')[1][:8]


def test_a_refusal_is_logged_without_a_traceback(client_as, capsys, settings):
    from logging.config import dictConfig

    dictConfig(settings.LOGGING)  # the project's handlers (pytest's own capture stays beside them)
    response = client_as("chakan").get("/records/branch_activity/new/")
    assert response.status_code == 403
    err = capsys.readouterr().err
    assert "Forbidden" in err and "/records/branch_activity/new/" in err
    assert "Traceback" not in err and "PermissionDenied" not in err
    logging.getLogger("django.request").handlers.clear()
