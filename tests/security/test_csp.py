"""Issue 17: a Content-Security-Policy that every page passes — scripts only from lvzhi's static files.

Every page a role's navigation links to (and the pages before sign-in, the API documentation, the anonymous vote
page, the error pages) answers with the header and has no inline script, no onclick/onsubmit attribute, no
javascript: link. The permission matrix checks the same on each of its cells (matrix.py). The
browser test (test_browser_csp.py) loads the pages with charts and Swagger UI and finds no violation in the console.
"""

import re
from pathlib import Path

import pytest
from django.test import Client

from .csp import csp_problems, inline_script_problems

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "lvzhi"
# three different menus: everything (system administrator), the confidential side (纪委), the phone-first branch
# secretary; the permission matrix checks every role's cells the same way
ROLES = ["admin_demo", "jiwei", "zhibu"]


def _links(body: str) -> set[str]:
    return {h for h in re.findall(r'href="(/[^"#?]*)[^"]*"', body)
            if not h.startswith(("/static/", "/media/", "/admin/logout")) and not h.endswith((".xlsx", ".docx"))}


def _shape(url: str) -> str:
    """/records/branch_activity/12/edit/ → /records/*/N/edit/: one page of each kind is enough."""
    return re.sub(r"^/(records|imports)/[a-z_]+/", r"/\1/*/", re.sub(r"\d+", "N", url))


def test_the_policy_is_strict():
    r = Client().get("/login/")
    policy = r["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["connect-src"] == ["'self'"] and directives["default-src"] == ["'self'"]
    assert not [d for d in policy.split() if d.startswith(("http:", "https:", "*"))]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_in_the_navigation_passes_the_policy(client_as, role):
    c = client_as(role)
    home = c.get("/")
    pages = {"/", *_links(home.content.decode())}
    assert len(pages) > 8, pages
    checked, failures = 0, []
    shapes = {_shape(u) for u in pages}
    for url in sorted(pages):
        r = c.get(url)
        if r.status_code != 200:
            continue
        checked += 1
        failures += [f"{url}: {p}" for p in csp_problems(r)]
        if r.get("Content-Type", "").startswith("text/html"):  # one step further: pages of a kind not seen yet
            for deeper in sorted(_links(r.content.decode()) - pages):
                if _shape(deeper) in shapes:
                    continue
                shapes.add(_shape(deeper))
                d = c.get(deeper)
                if d.status_code == 200:
                    checked += 1
                    failures += [f"{deeper}: {p}" for p in csp_problems(d)]
    assert checked > 10 and not failures, failures


def test_pages_before_sign_in_and_error_pages_pass_the_policy(client):
    failures = []
    for url in ["/login/", "/no-such-page/", "/appraisal/vote/", "/manifest.webmanifest", "/admin/login/"]:
        r = client.get(url)
        assert "Content-Security-Policy" in r, url
        failures += [f"{url}: {p}" for p in csp_problems(r)]
    assert not failures, failures


def test_api_docs_start_swagger_from_a_static_file(client_as):
    r = client_as("chakan").get("/api/docs/")
    assert r.status_code == 200 and not csp_problems(r), csp_problems(r)
    body = r.content.decode()
    assert 'id="swagger-config" type="application/json"' in body and "swagger-init.js" in body
    assert '"validatorUrl": null' in body  # no call to the public validator
    assert not re.search(r'(src|href)="https?://', body)  # Swagger UI itself from the sidecar package


def test_no_template_has_an_inline_script_or_handler():
    """Pages outside the matrix and navigation too: every template of lvzhi's apps."""
    failures = []
    for path in sorted(SRC.glob("*/templates/**/*.html")):
        text = re.sub(r"{%.*?%}|{{.*?}}", "x", path.read_text(encoding="utf-8"), flags=re.S)
        failures += [f"{path.relative_to(SRC)}: {p}" for p in inline_script_problems(text)]
    assert not failures, failures


def test_the_finder_finds_what_the_policy_blocks():
    assert inline_script_problems('<script>alert(1)</script>') == ["inline <script>"]
    assert inline_script_problems('<button onclick="x()">') == ["<button onclick=…>"]
    assert inline_script_problems('<a href="javascript:x()">') == ["<a href=javascript:…>"]
    assert inline_script_problems('<script\n src="/static/a.js"></script><script type="application/json">{}'
                                  '</script>') == []
