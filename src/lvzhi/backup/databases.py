"""The database side of backup and restore, for SQLite and PostgreSQL.

A restore never writes into the live database. It loads the backup into a *new* one — SQLite: a new file beside
the live one; PostgreSQL: a new database on the same server — checks it there, and only then swaps: SQLite
renames the new file over the live one (one atomic rename; the old file is kept under another name by a hard
link), PostgreSQL renames the live database away and the new one into its name in one transaction. Until the
swap the live data is not opened for writing; after it the previous state is still there, under the kept name.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import time
from pathlib import Path

from django.db import connections

from .archive import BackupError
from .checksums import table_checksums

CHECK_ALIAS = "lvzhi_restore_check"


def vendor() -> str:
    return connections["default"].vendor


def live_settings() -> dict:
    return connections["default"].settings_dict


# --- a second connection to another database (the restored copy, or the dumped copy) ---------------------------

@contextlib.contextmanager
def other_database(name: str):
    """A Django connection alias on database ``name`` (file path or database name), closed afterwards."""
    connections.settings[CHECK_ALIAS] = {**live_settings(), "NAME": name, "CONN_MAX_AGE": 0,
                                         "CONN_HEALTH_CHECKS": False}
    try:
        yield CHECK_ALIAS
    finally:
        with contextlib.suppress(Exception):
            connections[CHECK_ALIAS].close()
        with contextlib.suppress(Exception):
            del connections[CHECK_ALIAS]
        connections.settings.pop(CHECK_ALIAS, None)


# --- dump -------------------------------------------------------------------------------------------------

def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"找不到 {name}：请安装 postgresql-client。")
    return found


def dump(target: Path) -> dict:
    """Write the database to ``target`` and return the table checksums *of what was written* (same snapshot)."""
    if vendor() == "sqlite":
        conn = connections["default"]
        conn.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            conn.connection.backup(dest)  # online backup: consistent even while the site writes
        finally:
            dest.close()
        with other_database(str(target)) as alias:
            return table_checksums(alias)
    db = live_settings()
    args, env = _pg_args(db)
    # pg_dump reads the snapshot this transaction exported, so the checksums and the dump see the same rows.
    with other_database(db["NAME"]) as alias:
        conn = connections[alias]
        conn.ensure_connection()
        raw = conn.connection
        raw.autocommit = False
        with raw.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            result = subprocess.run([_binary("pg_dump"), *args, "-Fc", f"--snapshot={snapshot}", "-f", str(target),
                                     db["NAME"]], env=env, capture_output=True, text=True)
            if result.returncode != 0:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()[:500]}")
            checksums = table_checksums(alias)
        raw.rollback()
        return checksums


# --- load into a new database ----------------------------------------------------------------------------

def new_name(stamp: str) -> str:
    if vendor() == "sqlite":
        live = Path(live_settings()["NAME"])
        return str(live.with_name(f"{live.name}.restore-{stamp}"))
    return f"{live_settings()['NAME'][:36]}_restore_{stamp}"


def _admin():
    """A connection to the server's maintenance database, for CREATE/ALTER/DROP DATABASE."""
    import psycopg

    db = live_settings()
    return psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                           user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None,
                           dbname="postgres", autocommit=True)


def load(db_file: Path, name: str) -> None:
    """Create database ``name`` from the backup's dump. The live database is not opened."""
    if vendor() == "sqlite":
        shutil.copyfile(db_file, name)
        os.chmod(name, 0o600)
        try:
            con = sqlite3.connect(name)
            try:
                problems = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
            finally:
                con.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份中的数据库文件无法打开：{exc}") from None
        if problems != ["ok"]:
            raise BackupError(f"备份中的数据库文件已损坏：{'；'.join(problems[:3])}")
        return
    from psycopg import sql

    live = live_settings()["NAME"]
    with _admin() as admin:
        collate, ctype = admin.execute("SELECT datcollate, datctype FROM pg_database WHERE datname = %s",
                                       [live]).fetchone()
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE {} LC_CTYPE {}").format(
            sql.Identifier(name), sql.Literal(collate), sql.Literal(ctype)))
    args, env = _pg_args(live_settings())
    result = subprocess.run([_binary("pg_restore"), *args, "--no-owner", "--exit-on-error", "--single-transaction",
                             "-d", name, str(db_file)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"备份中的数据库无法载入（pg_restore）：{result.stderr.strip()[:500]}")


def drop(name: str) -> None:
    """Remove a database made by ``load`` (after a failed check)."""
    if vendor() == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    from psycopg import sql

    with contextlib.suppress(Exception), _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


# --- swap ------------------------------------------------------------------------------------------------

def swap(name: str, stamp: str) -> str:
    """Make database ``name`` the live one; returns where the previous live data is kept."""
    connections.close_all()
    if vendor() == "sqlite":
        return _swap_sqlite(Path(name), stamp)
    return _swap_pg(name, stamp)


def _swap_sqlite(new: Path, stamp: str) -> str:
    live = Path(live_settings()["NAME"])
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    if live.exists():
        con = sqlite3.connect(live)  # fold the write-ahead log into the file, so the kept copy is complete
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()
        try:
            os.link(live, kept)
        except OSError:
            shutil.copy2(live, kept)
        mode = live.stat()
        os.chmod(new, stat.S_IMODE(mode.st_mode))  # the live file's permissions and owner, not the copy's
        with contextlib.suppress(OSError):
            os.chown(new, mode.st_uid, mode.st_gid)
    os.replace(new, live)  # atomic: the live name points at the old file or at the new one, never at neither
    for suffix in ("-wal", "-shm"):  # the old file's (empty after the checkpoint); the new file starts its own
        Path(str(live) + suffix).unlink(missing_ok=True)
    return str(kept)


def _swap_pg(new: str, stamp: str) -> str:
    from psycopg import errors, sql

    live = live_settings()["NAME"]
    kept = f"{live[:30]}_before_restore_{stamp}"
    with _admin() as admin:
        for attempt in range(10):
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s AND pid <> pg_backend_pid()", [live])
            try:
                with admin.transaction():  # both names change together, or neither does
                    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(live),
                                                                                  sql.Identifier(kept)))
                    admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(new),
                                                                                  sql.Identifier(live)))
                return kept
            except errors.ObjectInUse:
                time.sleep(0.2 * (attempt + 1))  # a site worker reconnected between the two statements
    raise BackupError(f"无法切换数据库：仍有程序连接着 {live}。请先停止网站再恢复。")


def unswap(kept: str, stamp: str) -> None:
    """Put the previous live database back (the media swap after it failed)."""
    connections.close_all()
    if vendor() == "sqlite":
        live = Path(live_settings()["NAME"])
        os.replace(kept, live)
        return
    from psycopg import sql

    live = live_settings()["NAME"]
    with _admin() as admin, admin.transaction():
        admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(live),
                                                                      sql.Identifier(f"{live[:30]}_failed_{stamp}")))
        admin.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(kept), sql.Identifier(live)))
