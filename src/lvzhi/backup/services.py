"""Backup and restore of the whole installation: the database and the files (attachments, finalised reports).

A backup is one .tar.gz (optionally encrypted) holding the database (SQLite: a copy made with SQLite's online
backup API; PostgreSQL: ``pg_dump -Fc``), the media files, and a manifest with the row count and checksum of
every table, the checksum of the dump and of every file, and the audit trail's head. It is written 0600.

A restore cannot make things worse: it checks the whole file first (``archive.open_verified``), loads it into a new
database and a new media folder, checks every table against the manifest and the audit chain there, brings the
schema up to date, and only then swaps the new database and folder in (``databases.swap``). On any failure the
live database and media are untouched and the message says what was wrong; after a success the previous ones
are kept under a dated name until the operator removes them.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import DatabaseError, transaction

from lvzhi.audit.actors import COMMAND_LINE

from . import archive, databases
from .archive import FORMAT_VERSION, BackupError
from .checksums import differing_tables, file_sha256, table_checksums, tree_checksums
from .crypto import Secret

__all__ = ["BackupError", "Secret", "backup", "restore", "table_checksums"]


def _stamp() -> str:
    """Time and three random hex digits: two restores in one second keep apart; fits PostgreSQL's 63-byte names."""
    return dt.datetime.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)[:3]


def backup(path: str | Path, secret: Secret | None = None) -> dict:
    from lvzhi.audit import anchors

    path = Path(path)
    media = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="lvzhi-backup-") as tmp:
        db_file = Path(tmp) / archive.DB_FILES[databases.vendor()]
        tables = databases.dump(db_file)
        manifest = {
            "format": FORMAT_VERSION, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(),
            "vendor": databases.vendor(), "encrypted": secret is not None,
            "database": {"file": db_file.name, "size": db_file.stat().st_size, "sha256": file_sha256(db_file)},
            "tables": tables, "files": tree_checksums(media),
        }
        archive.write(path, manifest, db_file, media, secret)
    try:  # a nightly backup is also a dated anchor of the audit trail
        anchors.anchor_now("backup", path.name)
    except OSError:
        pass
    return manifest


@dataclass
class Restored:
    manifest: dict
    kept_database: str
    kept_media: str
    audit_checked: int
    warnings: list[str] = field(default_factory=list)


def restore(path: str | Path, secret: Secret | None = None, *, accept_broken_audit: bool = False) -> Restored:
    path = Path(path)
    vendor = databases.vendor()
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    # Scratch beside the media folder: the checked files are then moved into place by a rename, not copied.
    with tempfile.TemporaryDirectory(prefix=".lvzhi-restore-", dir=media.parent) as tmp:
        checked = archive.open_verified(path, Path(tmp), vendor, secret)
        new_db = databases.new_name(stamp)
        try:
            audit_checked = _check_new_database(checked, new_db, accept_broken_audit)
            kept_media = _swap_media(checked.media, media, stamp)
            try:
                kept_db = databases.swap(new_db, stamp)
            except BaseException:
                _unswap_media(media, kept_media)
                raise
        except BaseException:
            databases.drop(new_db)
            raise
    restored = Restored(checked.manifest, kept_db, kept_media, audit_checked, checked.warnings)
    _record(path, restored)
    return restored


def _check_new_database(checked: archive.Verified, name: str, accept_broken_audit: bool) -> int:
    from lvzhi.audit.services import verify_chain

    databases.load(checked.db_file, name)
    with databases.other_database(name) as alias:
        try:
            differing = differing_tables(checked.manifest["tables"], table_checksums(alias))
        except DatabaseError as exc:
            raise BackupError(f"备份中的数据库无法读取：{exc}") from None
        if differing:
            more = f"等 {len(differing)} 张表" if len(differing) > 5 else ""
            raise BackupError(f"备份中的数据与清单不符（内容被改动或损坏）：{'、'.join(differing[:5])}{more}。"
                              "未做任何恢复，当前数据保持原样。")
        chain = verify_chain(using=alias)
        if not chain.ok and not accept_broken_audit:
            raise BackupError(f"备份中的审计日志校验不通过：第 {chain.broken_seq} 条 —— {chain.reason}。"
                              "未做任何恢复；如确认仍要恢复，请加 --accept-broken-audit。")
        try:
            call_command("migrate", database=alias, interactive=False, verbosity=0)  # an older backup's schema
        except Exception as exc:  # noqa: BLE001 — any failure here must leave the live data as it is
            raise BackupError(f"备份的数据库无法升级到当前版本：{exc}") from None
        return chain.checked


def _swap_media(new: Path, live: Path, stamp: str) -> str:
    if not new.exists():
        new.mkdir()
    kept = live.with_name(f"{live.name}.before-restore-{stamp}")
    if live.exists():
        os.rename(live, kept)
    os.rename(new, live)
    return str(kept) if kept.exists() else ""


def _unswap_media(live: Path, kept: str) -> None:
    archive.remove(live)
    if kept:
        os.rename(kept, live)


def _record(path: Path, restored: Restored) -> None:
    """The restore in the audit trail: the restored head is anchored (later anchors of the replaced trail no longer
    bind), then an entry says what was restored."""
    from lvzhi.audit import anchors
    from lvzhi.audit.models import AuditAction
    from lvzhi.audit.services import Change, log_changes

    try:
        anchors.anchor_now("restore", f"从 {path.name} 恢复")
    except OSError as exc:
        restored.warnings.append(f"无法写入审计锚点文件：{exc}")
    with transaction.atomic():
        log_changes(COMMAND_LINE, [Change(AuditAction.OTHER, model="backup.restore", object_id=path.name[:64],
                                      object_repr=f"从备份恢复：{path.name}（备份于 {restored.manifest['created_at'][:19]}）",
                                      after={"file": path.name, "kept_database": restored.kept_database,
                                             "kept_media": restored.kept_media})])
    try:
        anchors.anchor_now("periodic")
    except OSError:
        pass
