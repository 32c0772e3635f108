"""Backup and restore on a database of their own, in a separate process (SQLite and PostgreSQL): damaged and
tampered backups are refused with the live data byte-identical; good ones (plain, key file, passphrase) restore."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("roundtrip_script.py")
pytestmark = pytest.mark.slow

REFUSED = ["flipped-byte", "truncated", "tampered-row", "tampered-row-rehashed-file", "swapped-attachment",
           "added-attachment", "other-vendor", "encrypted-flipped-byte", "encrypted-no-key", "wrong-passphrase",
           "not-a-backup"]
CASES = ["mode-0600", *REFUSED, "command-error", "roundtrip-plain", "roundtrip-key-file", "roundtrip-passphrase"]


def _run(env_extra, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(env_extra)
    r = subprocess.run([sys.executable, str(SCRIPT), str(work)], env=env, capture_output=True, text=True, timeout=900)
    results = {}
    for line in r.stdout.splitlines():
        state, _, rest = line.partition(" ")
        case, _, detail = rest.partition(" ")
        results[case] = f"{state} {detail}"
    results["_output"] = r.stdout + r.stderr
    results["_work"] = str(work)
    return results


@pytest.fixture(scope="module")
def sqlite_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("backup-sqlite")
    return _run({"LVZHI_DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "LVZHI_VAR_DIR": str(work)}, work)


@pytest.fixture(scope="module")
def postgresql_run(tmp_path_factory):
    psycopg = pytest.importorskip("psycopg")
    url = os.environ.get("LVZHI_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("PostgreSQL 的备份测试在 LVZHI_DATABASE_URL 指向 PostgreSQL 时运行（CI 的第二轮）")
    name = f"lvzhi_backup_{uuid.uuid4().hex[:8]}"
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    work = tmp_path_factory.mktemp("backup-pg")
    try:
        yield _run({"LVZHI_DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name, "LVZHI_VAR_DIR": str(work)}, work)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [name + "%"])]
            for n in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')


@pytest.mark.parametrize("case", CASES)
def test_sqlite(sqlite_run, case):
    assert sqlite_run.get(case, "").startswith("OK"), sqlite_run["_output"]


@pytest.mark.parametrize("case", CASES)
def test_postgresql(postgresql_run, case):
    assert postgresql_run.get(case, "").startswith("OK"), postgresql_run["_output"]


def test_a_damaged_backup_is_refused_on_the_command_line_in_chinese_without_a_traceback(sqlite_run, tmp_path):
    """The real `lvzhi restore`: exit 1, one Chinese line, no traceback."""
    flipped = Path(sqlite_run["_work"]) / "flipped.tar.gz"
    env = {**os.environ, "LVZHI_DATABASE_URL": f"sqlite:///{flipped.parent / 'db.sqlite3'}",
           "LVZHI_VAR_DIR": str(flipped.parent)}
    r = subprocess.run([str(Path(sys.executable).with_name("lvzhi")), "restore", str(flipped), "--yes"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "CRC 校验不通过" in r.stderr, r.stderr
