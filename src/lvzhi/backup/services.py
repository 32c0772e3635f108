"""Backup and restore of the whole installation: the database and the files (attachments, finalised reports).

A backup is one .tar.gz holding the database (SQLite: a copy made with SQLite's online backup API, consistent
while the site runs; PostgreSQL: ``pg_dump -Fc``), the media directory, and a manifest with the row count and a
checksum of every table. Restore puts both back and checks every table against the manifest; the audit chain is
verified too. The same table checksums prove that a failed import or a killed process changed nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT_VERSION = 1


class BackupError(RuntimeError):
    pass


# --- table checksums ------------------------------------------------------------------------------------

def table_names() -> list[str]:
    with connection.cursor() as cur:
        return sorted(t for t in connection.introspection.table_names(cur) if not t.startswith("sqlite_"))


def table_checksums() -> dict[str, dict]:
    """Row count and a SHA-256 over every row (in primary-key order) of every table."""
    out = {}
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for table in table_names():
            cur.execute(f"SELECT * FROM {qn(table)} ORDER BY 1")
            digest, rows = hashlib.sha256(), 0
            while True:
                chunk = cur.fetchmany(2000)
                if not chunk:
                    break
                for row in chunk:
                    digest.update(repr(tuple(_normalise(v) for v in row)).encode("utf-8"))
                    rows += 1
            out[table] = {"rows": rows, "sha256": digest.hexdigest()}
    return out


def _normalise(value):
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "{[":
        try:  # JSON stored as text (SQLite) and as jsonb (PostgreSQL) compare equal
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return value


# --- backup ---------------------------------------------------------------------------------------------

def _vendor() -> str:
    return connection.vendor


def _pg_args() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(target: Path) -> None:
    db = settings.DATABASES["default"]
    if _vendor() == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            connection.connection.backup(dest)  # online backup: consistent even while the site writes
        finally:
            dest.close()
        return
    args, env = _pg_args()
    binary = shutil.which("pg_dump")
    if binary is None:
        raise BackupError("找不到 pg_dump：请安装 postgresql-client。")
    result = subprocess.run([binary, *args, "-Fc", "-f", str(target), db["NAME"]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")


def backup(path: str | Path) -> dict:
    path = Path(path)
    manifest = {
        "format": FORMAT_VERSION, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(), "vendor": _vendor(),
        "tables": table_checksums(),
    }
    with tempfile.TemporaryDirectory(prefix="lvzhi-backup-") as tmp:
        db_file = Path(tmp) / ("database.sqlite3" if _vendor() == "sqlite" else "database.pgdump")
        _dump_database(db_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
        partial.replace(path)  # a backup file exists only when complete
    return manifest


# --- restore --------------------------------------------------------------------------------------------

def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        name = Path(m.name)
        if name.is_absolute() or ".." in name.parts or m.issym() or m.islnk():
            raise BackupError(f"备份文件含有不安全的路径：{m.name}")
        members.append(m)
    return members


def restore(path: str | Path) -> dict:
    """Replace the database and files with the backup's; returns the manifest after checking every table."""
    path = Path(path)
    if not path.exists():
        raise BackupError(f"备份文件不存在：{path}")
    with tempfile.TemporaryDirectory(prefix="lvzhi-restore-") as tmp:
        try:
            with tarfile.open(path, "r:gz") as tar:
                tar.extractall(tmp, members=_safe_members(tar))
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"无法读取备份文件：{exc}") from None
        manifest_file = Path(tmp) / "manifest.json"
        if not manifest_file.exists():
            raise BackupError("备份文件缺少 manifest.json，不是 lvzhi 的备份。")
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        if manifest.get("vendor") != _vendor():
            raise BackupError(f"该备份来自 {manifest.get('vendor')} 数据库，当前是 {_vendor()}：请在同类数据库上恢复。")
        _restore_database(Path(tmp))
        media = Path(settings.MEDIA_ROOT)
        if media.exists():
            shutil.rmtree(media)
        if (Path(tmp) / "media").exists():
            shutil.copytree(Path(tmp) / "media", media)
    now = table_checksums()
    differing = [t for t, v in manifest["tables"].items() if now.get(t) != v]
    if differing:
        raise BackupError(f"恢复后以下表与备份不一致：{'、'.join(differing[:10])}")
    return manifest


def _restore_database(tmp: Path) -> None:
    db = settings.DATABASES["default"]
    if _vendor() == "sqlite":
        source = sqlite3.connect(tmp / "database.sqlite3")
        connection.ensure_connection()
        try:
            source.backup(connection.connection)  # copies every page: the live file becomes the backup
        finally:
            source.close()
        return
    connections.close_all()
    args, env = _pg_args()
    binary = shutil.which("pg_restore")
    if binary is None:
        raise BackupError("找不到 pg_restore：请安装 postgresql-client。")
    result = subprocess.run([binary, *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                             "-d", db["NAME"], str(tmp / "database.pgdump")], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()[:500]}")
