"""Reading the files of deploy/ as the machines would: the systemd unit (its commands and environment) and the
nginx site, turned into something that runs here — on free ports, in a temporary directory."""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
INSTALLED_LVZHI = "/opt/lvzhi/.venv/bin/lvzhi"  # where deploy/lvzhi.service expects the installed command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lvzhi_command() -> str:
    return str(Path(sys.executable).with_name("lvzhi"))


def parse_unit(path: Path = DEPLOY / "lvzhi.service") -> dict[str, dict[str, list[str]]]:
    """{section: {key: [values]}} — systemd keys may repeat (Environment=)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def parse_env(path: Path = DEPLOY / "lvzhi.env") -> dict[str, str]:
    env = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def service_environment(unit: dict, machine: dict[str, str]) -> dict[str, str]:
    """The unit's EnvironmentFile (deploy/lvzhi.env) and Environment= lines, then what differs on this machine."""
    env = parse_env()
    for item in unit["Service"].get("Environment", []):
        key, _, value = item.partition("=")
        env[key] = value
    env.update(machine)
    return env


def service_command(line: str, port: int | None = None) -> list[str]:
    parts = line.split()
    assert parts[0] == INSTALLED_LVZHI, line
    parts[0] = lvzhi_command()
    if port is not None:
        parts = [re.sub(r"^127\.0\.0\.1:8000$", f"127.0.0.1:{port}", p) for p in parts]
    return parts


def nginx_config(tmp: Path, *, app_port: int, http_port: int, https_port: int, cert: Path, key: Path,
                 static_parent: Path) -> Path:
    """deploy/nginx.conf with this machine's ports and paths, inside a minimal main configuration."""
    site = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/ssl/lvzhi/lvzhi.crt", str(cert)),
        ("/etc/ssl/lvzhi/lvzhi.key", str(key)),
        ("root /var/cache/lvzhi;", f"root {static_parent};"),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx.conf no longer contains {old!r}"
        site = site.replace(old, new)
    site = "\n".join(line for line in site.splitlines() if "listen [::]" not in line)  # no IPv6 needed here
    temp = {name: tmp / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for p in temp.values():
        p.mkdir(exist_ok=True)
    # nginx started by root hands its workers to "nobody", who may not enter the test's private directory.
    user = "user root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
daemon off;
worker_processes 1;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / 'access.log'};
    client_body_temp_path {temp['body']};
    proxy_temp_path {temp['proxy']};
    fastcgi_temp_path {temp['fastcgi']};
    uwsgi_temp_path {temp['uwsgi']};
    scgi_temp_path {temp['scgi']};
{site}
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main, encoding="utf-8")
    return path


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
