"""Backup and restore round trips on a database of their own, in a separate process (SQLite and PostgreSQL)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("roundtrip_script.py")
pytestmark = pytest.mark.slow


def _run(env_extra, archive):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(env_extra)
    return subprocess.run([sys.executable, str(SCRIPT), str(archive)], env=env, capture_output=True, text=True,
                          timeout=600)


def test_sqlite_round_trip(tmp_path):
    r = _run({"LVZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "LVZHI_VAR_DIR": str(tmp_path)},
             tmp_path / "b.tar.gz")
    assert "ROUNDTRIP-OK" in r.stdout, r.stdout + r.stderr


def test_postgresql_round_trip(tmp_path):
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("LVZHI_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL 往返测试在 LVZHI_DATABASE_URL 指向 PostgreSQL 时运行（CI 的第二轮）")
    name = f"lvzhi_backup_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        r = _run({"LVZHI_DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name, "LVZHI_VAR_DIR": str(tmp_path)},
                 tmp_path / "b.tar.gz")
        assert "ROUNDTRIP-OK" in r.stdout, r.stdout + r.stderr
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
