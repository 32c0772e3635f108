"""The rest of the intranet kit: every setting documented, the systemd unit and Dockerfile valid, the image built
where a Docker engine runs, `lvzhi --version`, hashed compressed static files, structured logs, the demo's "today"
kept for `serve`, and progress bars only on a terminal."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml
from django.core.management import call_command
from django.test import Client, override_settings

from . import kit

ROOT = kit.ROOT
ENV_READ = re.compile(r"""(?:environ(?:\.get|\.setdefault|\.pop)?\(|environ\[|getenv\(|_flag\(|_addresses\()\s*["'](LVZHI_\w+)""")


def _names_read() -> set[str]:
    names = set()
    for path in (ROOT / "src").rglob("*.py"):
        names.update(ENV_READ.findall(path.read_text(encoding="utf-8")))
    for path in (kit.DEPLOY / "lvzhi.env", kit.DEPLOY / "compose.yaml", kit.DEPLOY / "Dockerfile", kit.DEPLOY / "lvzhi.service"):
        names.update(re.findall(r"\b(LVZHI_[A-Z0-9_]+)\b", path.read_text(encoding="utf-8")))
    return names


def test_every_setting_read_from_the_environment_is_in_the_readme():
    names = _names_read()
    assert {"LVZHI_DATABASE_URL", "LVZHI_SSL_REDIRECT", "LVZHI_CSRF_TRUSTED_ORIGINS", "LVZHI_LOG_LEVEL"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(LVZHI_\w+)` \|", readme, re.M))
    assert not names - documented, f"README 的配置表缺少：{sorted(names - documented)}"


def test_the_systemd_unit_is_valid_and_runs_lvzhi_behind_a_local_port(tmp_path):
    unit = kit.parse_unit()
    service = unit["Service"]
    assert service["User"] == ["lvzhi"] and service["ExecStart"][0].split()[1:] == ["serve", "--bind", "127.0.0.1:8000"]
    assert service["ExecStartPre"][0].split()[1:] == ["init"]
    assert {"NoNewPrivileges", "ProtectSystem", "PrivateTmp"} <= set(service)
    environment = dict(item.split("=", 1) for item in service["Environment"])
    assert environment["LVZHI_STATIC_ROOT"].startswith("/var/cache/lvzhi/")  # where deploy/nginx.conf looks
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze 不可用：已按文件内容检查")
    text = (kit.DEPLOY / "lvzhi.service").read_text(encoding="utf-8")
    text = text.replace(kit.INSTALLED_LVZHI, kit.lvzhi_command()).replace("/etc/lvzhi/lvzhi.env", str(kit.DEPLOY / "lvzhi.env"))
    copy = tmp_path / "lvzhi.service"
    copy.write_text(text, encoding="utf-8")
    r = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True, timeout=120)
    complaints = [line for line in (r.stdout + r.stderr).splitlines() if "lvzhi.service" in line]
    assert r.returncode == 0 and not complaints, r.stdout + r.stderr


def _dockerfile_copies() -> list[str]:
    sources = []
    for line in (kit.DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            sources += line.split()[1:-1]
    return sources


def test_the_dockerfile_copies_what_exists_and_what_its_ignore_file_lets_through():
    allowed = [line[1:].rstrip("/") for line in (kit.DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")]
    for source in _dockerfile_copies():
        assert (ROOT / source).exists(), source
        assert any(source == a or source.startswith(a + "/") for a in allowed), source
    compose = yaml.safe_load((kit.DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert set(compose["services"]) == {"db", "app"}
    assert compose["services"]["app"]["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert compose["services"]["app"]["environment"]["LVZHI_DATABASE_URL"].startswith("postgres://")


def _docker_engine() -> bool:
    docker = shutil.which("docker")
    if docker is None:
        return False
    return subprocess.run([docker, "info"], capture_output=True, timeout=60).returncode == 0


@pytest.mark.slow
def test_the_image_builds():
    if not _docker_engine():
        pytest.skip("本机没有可用的 Docker 引擎（docker info 失败），跳过镜像构建")
    r = subprocess.run(["docker", "build", "-f", "deploy/Dockerfile", "-t", "lvzhi-test", "."], cwd=ROOT,
                       capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    r = subprocess.run(["docker", "run", "--rm", "lvzhi-test", "lvzhi", "--version"], capture_output=True, text=True,
                       timeout=300)
    assert r.stdout.startswith("lvzhi ")


def test_version():
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    r = subprocess.run([kit.lvzhi_command(), "--version"], capture_output=True, text=True, timeout=60,
                       env={"PATH": os.environ["PATH"]})  # no settings, no database: still answers
    assert r.returncode == 0 and r.stdout.strip() == f"lvzhi {expected}"


@pytest.mark.django_db
def test_collected_static_files_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path / "static"):
        call_command("collectstatic", interactive=False, verbosity=0)
        manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
        echarts = manifest["vendor/echarts/echarts.min.js"]
        assert re.fullmatch(r"vendor/echarts/echarts\.min\.[0-9a-f]{12}\.js", echarts)
        original = (tmp_path / "static" / echarts).stat().st_size
        assert (tmp_path / "static" / f"{echarts}.gz").stat().st_size < original * 0.4
        client = Client()  # a new client: WhiteNoise lists the collected files as the application starts
        page = client.get("/login/").content.decode()
        css = manifest["lvzhi/app.css"]
        assert f"/static/{css}" in page
        response = client.get(f"/static/{css}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
        assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]


@pytest.mark.django_db
def test_json_log_lines_carry_time_level_request_and_user(client_as):
    from lvzhi.web.logs import JsonFormatter, RequestContextFilter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    access = logging.getLogger("lvzhi.access")
    level = access.level
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    try:
        response = client_as("dangban").get("/records/study_session/?year=2022", HTTP_X_REQUEST_ID="abcdef0123456789")
    finally:
        access.removeHandler(handler)
        access.setLevel(level)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert response["X-Request-ID"] == "abcdef0123456789"
    assert entry["request_id"] == "abcdef0123456789" and entry["user"] == "dangban" and entry["level"] == "INFO"
    assert entry["status"] == 200 and entry["path"] == "/records/study_session/" and entry["method"] == "GET"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}", entry["time"]) and entry["duration_ms"] > 0


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demos_today_is_kept_for_serve(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.AS_OF_FILE = tmp_path / "as_of"
    settings.LVZHI_AS_OF = ""
    settings.STATIC_ROOT = tmp_path / "static"
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)  # the demo is loaded already: this writes its report and date
    assert (tmp_path / "as_of").read_text() == "2023-01-10" and "2023-01-10" in out.getvalue()
    env = {k: v for k, v in os.environ.items() if k not in ("LVZHI_AS_OF", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["LVZHI_VAR_DIR"] = str(tmp_path)
    script = "import django; django.setup(); from lvzhi.web import clock; print(clock.today())"
    r = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "lvzhi.settings"},
                       capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "2023-01-10", r.stderr
    r = subprocess.run([sys.executable, "-c", script], env={**env, "DJANGO_SETTINGS_MODULE": "lvzhi.settings",
                                                            "LVZHI_AS_OF": ""}, capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() != "2023-01-10"  # the environment still decides


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.django_db
@pytest.mark.parametrize("terminal", [False, True])
def test_progress_bars_only_on_a_terminal(tmp_path, company, terminal):
    from lvzhi.records import registry

    rt = registry.get("study_session")
    path = tmp_path / "学习.csv"
    header = ",".join(rt.header(c) for c in rt.columns)
    row = {"unit": company.name, "kind": "中心组集体学习", "date": "2022-05-06", "title": "进度条测试"}
    path.write_text(header + "\n" + ",".join(row.get(c.field, "") for c in rt.columns) + "\n", encoding="utf-8-sig")
    err = _Terminal() if terminal else io.StringIO()
    call_command("import", str(path), "--type", "study_session", stdout=io.StringIO(), stderr=err)
    assert ("行/s" in err.getvalue() or "\r" in err.getvalue()) is terminal, err.getvalue()
