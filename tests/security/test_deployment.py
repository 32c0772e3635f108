"""Deployment security: production settings and responses (in a process of its own with LVZHI_PRODUCTION=1),
CSRF on every form, session expiry, password rules, upload limits, and no secrets in the repository.
(`manage.py check --deploy` without warnings: tests/web/test_config.py; the sixth wrong password in a minute:
tests/web/test_pages.py.)"""

import datetime as dt
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("prodscript.py")
KEY = "k" * 20 + "Z9#x" * 10 + "q" * 20


def _production(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "LVZHI_DATABASE_URL")}
    env.update(LVZHI_PRODUCTION="1", LVZHI_DEBUG="1", LVZHI_SECRET_KEY=KEY, LVZHI_VAR_DIR=str(tmp_path),
               LVZHI_ALLOWED_HOSTS="lvzhi.example.cn", LVZHI_DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
               **extra)
    r = subprocess.run([sys.executable, str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300)
    line = next((x for x in r.stdout.splitlines() if x.startswith("PROD-JSON ")), None)
    assert line, r.stdout + r.stderr
    return json.loads(line[len("PROD-JSON "):])


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    return _production(tmp_path_factory.mktemp("prod"))


def test_production_turns_debug_off_even_when_asked(prod):
    assert prod["DEBUG"] is False  # LVZHI_DEBUG=1 was set too


def test_cookies_are_https_only_and_hidden_from_scripts(prod):
    assert prod["SESSION_COOKIE_SECURE"] and prod["CSRF_COOKIE_SECURE"] and prod["SESSION_COOKIE_HTTPONLY"]
    assert prod["login_status"] == 302
    session = prod["session_cookie"].lower()
    assert "secure" in session and "httponly" in session and "samesite=lax" in session
    assert "secure" in prod["csrf_cookie"].lower()


def test_sessions_end_with_the_browser_and_after_eight_hours(prod):
    assert prod["SESSION_EXPIRE_AT_BROWSER_CLOSE"] and prod["SESSION_COOKIE_AGE"] == 8 * 3600
    assert "expires" not in prod["session_cookie"].lower() and "max-age" not in prod["session_cookie"].lower()


def test_https_is_enforced_with_hsts(prod):
    assert prod["http_status"] == 301 and prod["http_location"].startswith("https://lvzhi.example.cn/login/")
    assert prod["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert prod["SECURE_CONTENT_TYPE_NOSNIFF"] and prod["X_FRAME_OPTIONS"] == "DENY"


def test_a_forwarded_https_header_is_ignored_unless_a_trusted_proxy_sent_it(prod, tmp_path):
    """Any client can write X-Forwarded-Proto: without LVZHI_TRUSTED_PROXIES it changes nothing (HTTP is redirected);
    with it, only the named proxy's header counts."""
    assert prod["forwarded_local"] == 301 and prod["forwarded_stranger"] == 301
    behind = _production(tmp_path, LVZHI_TRUSTED_PROXIES="127.0.0.1")
    assert behind["forwarded_local"] == 200 and behind["forwarded_stranger"] == 301


@pytest.mark.slow
def test_the_hsts_period_is_an_option(tmp_path):
    assert _production(tmp_path, LVZHI_HSTS_SECONDS="600")["hsts"].startswith("max-age=600;")


def test_error_pages_in_production_are_chinese_and_show_no_traceback(prod):
    for key, heading in (("404", "未找到（404）"), ("500", "服务器错误（500）")):
        status, html = prod[key]
        assert status == int(key) and heading in html, (key, html[:300])
        assert "Traceback" not in html and "SECRET-TRACE-MARKER" not in html and "RuntimeError" not in html
        assert "DEBUG" not in html and "settings" not in html.lower()
    status, body = prod["api_404"]
    assert status == 404 and json.loads(body) == {"detail": "未找到该记录，或您无权查看。"}


def test_a_form_post_without_its_token_is_refused_in_production(prod):
    status, html = prod["post_without_token"]
    assert status == 403 and "CSRF 校验失败" in html and "本次提交未生效" in html


# --- CSRF on every form ---------------------------------------------------------------------------------------

def test_every_post_form_in_the_templates_carries_a_token():
    missing = []
    for template in (ROOT / "src" / "lvzhi").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S | re.I):
            opening = form[: form.index(">") + 1].lower()
            if re.search(r'method\s*=\s*["\']?post', opening) and "csrf_token" not in form:
                missing.append(f"{template.relative_to(ROOT)}: {opening}")
    assert not missing, missing


POSTS = ["/login/", "/logout/", "/unit/switch/", "/records/study_session/new/", "/records/study_session/{pk}/edit/",
         "/records/study_session/{pk}/delete/", "/records/study_session/{pk}/attachments/",
         "/imports/study_session/upload/", "/org/units/{unit}/move/", "/reports/", "/reports/templates/new/",
         "/obligations/rules/{rule}/revise/", "/api/study-sessions/", "/admin/login/"]


@pytest.mark.django_db
def test_a_post_without_a_csrf_token_is_refused_everywhere(users, contact_plant):
    from lvzhi.obligations.models import ObligationRule
    from lvzhi.partybuilding.models import StudySession

    session = StudySession.objects.order_by("pk").first()
    rule = ObligationRule.objects.filter(unit__isnull=True).first()
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["shuji"])
    for url in POSTS:
        url = url.format(pk=session.pk, unit=contact_plant.pk, rule=rule.pk)
        r = client.post(url, {"title": "无令牌提交", "unit": contact_plant.pk})
        assert r.status_code == 403, url
        body = r.content.decode()
        assert "CSRF" in body, (url, body[:200])
    assert not StudySession.objects.filter(title="无令牌提交").exists()


# --- sessions, passwords, uploads --------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_expired_session_signs_the_user_out(client_as):
    from django.contrib.sessions.models import Session

    c = client_as("dangban")
    assert c.get("/").status_code == 200
    Session.objects.filter(session_key=c.session.session_key).update(
        expire_date=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1))
    r = c.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("password, reason", [
    ("Ab1!x", "密码太短，至少需要 10 个字符"),
    ("1234567890123", "只包含数字"),
    ("password1234", "太常见"),
    ("abcdefghijkl", "须同时包含字母和数字"),
    ("abcdefgh1234", "须同时包含字母和数字"),
    ("dangban-2024X", "相似"),
])
def test_weak_passwords_are_refused(password, reason, users):
    with pytest.raises(ValidationError) as exc:
        validate_password(password, users["dangban"])
    assert any(reason in m for m in exc.value.messages), exc.value.messages


@pytest.mark.django_db
def test_a_strong_password_is_accepted(users):
    validate_password("Lvzhi-Jianghai-2024", users["dangban"])


@pytest.mark.django_db
def test_report_template_uploads_are_limited_by_size_and_type(client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = client_as("shuji")
    for name, content in (("模板.exe", b"MZ"), ("模板.txt", "一、".encode() * 400_000), ("模板.docx", b"PK")):
        r = c.post("/reports/templates/new/", {"name": "上传测试", "file": SimpleUploadedFile(name, content)})
        assert r.status_code == 200 and "请上传不超过 1 MB 的 .txt 模板文件" in r.content.decode(), name
    r = c.post("/reports/templates/new/", {"name": "编码测试", "file": SimpleUploadedFile("模板.txt", "一、总体".encode("gbk"))})
    assert "模板文件须为 UTF-8 编码的文本" in r.content.decode()


# --- no secrets in the repository -----------------------------------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "password in a database URL": re.compile(r"\b(?:postgres(?:ql)?|mysql)://[^:/@\s]+:[^@\s]{3,}@"),
    "Django secret key in code": re.compile(r"\bSECRET_KEY\s*=\s*['\"][^'\"]{20,}['\"]"),
    "token or password assigned in code": re.compile(
        r"\b(?:api_key|apikey|access_token|auth_token|client_secret)\s*[:=]\s*['\"][A-Za-z0-9_\-]{16,}['\"]", re.I),
}
SECRET_FILES = re.compile(r"(?:^|/)(?:\.env|id_rsa|id_ed25519|secret_key|.*\.pem|.*\.key|.*\.p12|.*\.pfx|"
                          r".*\.sqlite3|.*\.dump)$")


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("不是 git 工作区，无法列出受版本控制的文件")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_secrets_are_tracked_in_the_repository():
    files = _tracked_files()
    assert len(files) > 100
    found = []
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if SECRET_FILES.search(rel):
            found.append(f"{rel}: a file that holds secrets or data")
        if not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        for label, pattern in SECRET_PATTERNS.items():
            for m in pattern.finditer(text):
                found.append(f"{rel}: {label}: {m.group(0)[:40]}")
    assert not found, found


def test_the_scan_would_find_a_secret():
    """The patterns are not blind: each finds its example. (Each example is glued together from two pieces, so
    that scanning this file itself finds nothing.)"""
    examples = {
        "private key": "-----BEGIN RSA PRIV" + "ATE KEY-----",
        "AWS access key": "AK" + "IAABCDEFGHIJKLMNOP",
        "GitHub token": "gh" + "p_" + "a1B2" * 9,
        "Slack token": "xo" + "xb-1234567890-abcdef",
        "password in a database URL": "post" + "gres://lvzhi:s3cret@db.example.cn/lvzhi",
        "Django secret key in code": "SECRET" + "_KEY = 'django-insecure-0123456789abcdefghij'",
        "token or password assigned in code": "api" + "_key = 'abcdef0123456789abcdef'",
    }
    for label, text in examples.items():
        assert SECRET_PATTERNS[label].search(text), label
    assert SECRET_FILES.search("deploy/.env") and SECRET_FILES.search("var/secret_key")
