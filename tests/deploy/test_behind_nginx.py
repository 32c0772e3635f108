"""The deployment kit, run for real: the commands and environment of deploy/lvzhi.service (lvzhi init, then
gunicorn through `lvzhi serve`, in production mode) behind nginx with deploy/nginx.conf and a test certificate,
on free ports of this machine. Checked through nginx as a browser would: a page over TLS, the redirect from
http, hashed static files with a year's cache and gzip, the forwarded headers (set by nginx, believed from it
only), the upload limit, and the app's structured access log."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import secrets
import socket
import ssl
import subprocess
import time

import pytest

from . import kit

pytestmark = pytest.mark.slow
HOST = "lvzhi.example.cn"


def _require(binary: str | None, name: str) -> str:
    if binary:
        return binary
    if os.environ.get("LVZHI_REQUIRE_BROWSER"):  # CI installs it (scripts/system-deps.sh)
        pytest.fail(f"找不到 {name}：请以 root 运行 scripts/system-deps.sh")
    pytest.skip(f"{name} 未安装，跳过部署测试（scripts/system-deps.sh 安装它）")


def _wait_for_port(port: int, proc, log, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"进程已退出（{proc.returncode}）：\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"端口 {port} 未就绪：\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = _require(kit.nginx_binary(), "nginx")
    openssl = _require(__import__("shutil").which("openssl"), "openssl")
    tmp = tmp_path_factory.mktemp("deploy")
    cert, key = tmp / "lvzhi.crt", tmp / "lvzhi.key"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "2", "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}"],
                   check=True, capture_output=True, timeout=60)
    unit = kit.parse_unit()
    base = {k: v for k, v in os.environ.items() if not k.startswith("LVZHI_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    machine = {"LVZHI_SECRET_KEY": secrets.token_urlsafe(50), "LVZHI_DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
               "LVZHI_VAR_DIR": str(tmp / "var"), "LVZHI_STATIC_ROOT": str(tmp / "cache" / "static"),
               "HOME": str(tmp), "LVZHI_ADMIN_PASSWORD": "Deploy-Test-2024x"}
    env = {**base, **kit.service_environment(unit, machine)}
    assert env["LVZHI_PRODUCTION"] == "1" and env["LVZHI_TRUSTED_PROXIES"].startswith("127.0.0.1")
    for line in unit["Service"]["ExecStartPre"]:
        r = subprocess.run(kit.service_command(line), env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stdout + r.stderr
    app_port, http_port, https_port = kit.free_port(), kit.free_port(), kit.free_port()
    app_log = tmp / "app.log"
    command = kit.service_command(unit["Service"]["ExecStart"][0], app_port) + ["--workers", "1"]
    app = subprocess.Popen(command, env=env, stdout=app_log.open("w"), stderr=subprocess.STDOUT, cwd=tmp)
    config = kit.nginx_config(tmp, app_port=app_port, http_port=http_port, https_port=https_port, cert=cert,
                              key=key, static_parent=tmp / "cache")
    checked = subprocess.run([nginx, "-t", "-c", str(config), "-p", str(tmp)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx_log = tmp / "nginx.out"
    proxy = subprocess.Popen([nginx, "-c", str(config), "-p", str(tmp)], stdout=nginx_log.open("w"),
                             stderr=subprocess.STDOUT)
    try:
        _wait_for_port(app_port, app, app_log)
        _wait_for_port(https_port, proxy, nginx_log)
        yield {"tmp": tmp, "env": env, "app_port": app_port, "http_port": http_port, "https_port": https_port,
               "cert": cert, "app_log": app_log}
    finally:
        for proc in (proxy, app):
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _https(stack, method: str, path: str, *, headers=None, body=None):
    context = ssl.create_default_context(cafile=str(stack["cert"]))
    context.check_hostname = False  # connected by address; the certificate itself is verified
    conn = http.client.HTTPSConnection("127.0.0.1", stack["https_port"], context=context, timeout=60)
    conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def _access_lines(stack, request_id: str) -> list[str]:
    time.sleep(0.3)  # the worker writes its line as the response leaves
    return [line for line in stack["app_log"].read_text().splitlines() if request_id in line and "lvzhi.access" in line]


def test_a_page_over_tls_reaches_the_app_as_https(stack):
    response, body = _https(stack, "GET", "/login/")
    # Production mode redirects plain http: a 200 means the app believed nginx's X-Forwarded-Proto.
    assert response.status == 200 and "登录" in body.decode()
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert re.fullmatch(r"[0-9a-f]{32}", response.getheader("X-Request-ID") or "")


def test_plain_http_is_sent_to_https(stack):
    conn = http.client.HTTPConnection("127.0.0.1", stack["http_port"], timeout=30)
    conn.request("GET", "/login/?next=/", headers={"Host": HOST})
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == f"https://{HOST}/login/?next=/"


def test_static_files_are_hashed_compressed_and_cached_for_a_year(stack):
    _, page = _https(stack, "GET", "/login/")
    css = re.search(r'href="(/static/lvzhi/app\.[0-9a-f]{12}\.css)"', page.decode())
    assert css, "the page must link the hashed stylesheet"
    manifest = json.loads((stack["tmp"] / "cache" / "static" / "staticfiles.json").read_text())["paths"]
    echarts = "/static/" + manifest["vendor/echarts/echarts.min.js"]
    for url in (css.group(1), echarts):
        response, body = _https(stack, "GET", url, headers={"Accept-Encoding": "gzip"})
        original = (stack["tmp"] / "cache" / url.lstrip("/")).read_bytes()
        assert response.status == 200 and response.getheader("Content-Encoding") == "gzip", url
        assert "max-age=31536000" in response.getheader("Cache-Control") and "immutable" in response.getheader("Cache-Control")
        assert gzip.decompress(body) == original
        if url == echarts:
            assert len(body) < len(original) * 0.4, (len(body), len(original))
    plain, body = _https(stack, "GET", echarts)  # a client that takes no gzip gets the file itself
    assert plain.status == 200 and plain.getheader("Content-Encoding") is None and len(body) > 500_000


def test_forwarded_headers_come_from_nginx_only(stack):
    spoofed = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http", "X-Request-ID": "visitor-chosen-id"}
    response, _ = _https(stack, "GET", "/login/?via=proxy", headers=spoofed)
    assert response.status == 200  # nginx replaced the visitor's "http" with the real scheme
    rid = response.getheader("X-Request-ID")
    assert rid != "visitor-chosen-id"
    lines = _access_lines(stack, rid)
    assert len(lines) == 1 and "GET /login/?via=proxy 200" in lines[0] and lines[0].endswith(" 127.0.0.1")
    assert "203.0.113.9" not in stack["app_log"].read_text()
    # Straight to gunicorn from an address that is not the proxy: its X-Forwarded-For is not believed.
    conn = http.client.HTTPConnection("127.0.0.1", stack["app_port"], timeout=30, source_address=("127.0.0.3", 0))
    conn.request("GET", "/login/?via=direct", headers={"Host": HOST, "X-Forwarded-For": "203.0.113.7",
                                                        "X-Forwarded-Proto": "https", "X-Request-ID": "direct-1234"})
    conn.getresponse().read()
    direct = _access_lines(stack, "direct-1234")
    assert len(direct) == 1 and direct[0].endswith(" 127.0.0.3")


def test_uploads_over_the_limit_are_refused_by_nginx(stack):
    big = b"x" * (22 * 1024 * 1024)
    response, body = _https(stack, "POST", "/api/imports/", body=big,
                            headers={"Content-Type": "application/octet-stream"})
    assert response.status == 413 and "文件过大" in body.decode()
    assert "/api/imports/" not in stack["app_log"].read_text()  # never reached the app
    fits = b"x" * (19 * 1024 * 1024)
    response, body = _https(stack, "POST", "/api/imports/", body=fits, headers={"Content-Type": "multipart/form-data"})
    assert response.status == 401  # through nginx to the app, which asks for credentials


def test_the_access_log_names_time_level_request_and_user(stack):
    r = subprocess.run(kit.service_command(f"{kit.INSTALLED_LVZHI} token create --user admin --read-only --days 1"),
                       env=stack["env"], capture_output=True, text=True, timeout=120)
    token = r.stdout.strip()
    assert r.returncode == 0 and token.startswith("lvzhi_"), r.stderr
    response, _ = _https(stack, "GET", "/api/tokens/", headers={"Authorization": f"Bearer {token}"})
    line = _access_lines(stack, response.getheader("X-Request-ID"))[0]
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO lvzhi\.access \[[0-9a-f]{32} admin\] "
                    r"GET /api/tokens/ \d{3} [\d.]+ms \d+B 127\.0\.0\.1$", line), line
