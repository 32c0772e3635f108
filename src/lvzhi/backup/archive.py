"""The backup file: a .tar.gz (optionally encrypted, ``crypto.py``) of a manifest, the database and the media files.

``open_verified`` checks everything a file can be checked for before anything is restored from it: the
encryption tag, the gzip stream to its end (CRC and length), every tar member (no links, no paths outside), the
manifest, and the SHA-256 of the database dump and of every file against the manifest, with no file missing or
added. Any failure raises ``BackupError`` with a Chinese message; nothing outside the scratch folder is touched.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .checksums import file_sha256, tree_checksums
from .crypto import CryptoError, Secret, decrypt_file, encrypt_file, is_encrypted

FORMAT_VERSION = 2
READABLE_FORMATS = {1, 2}
DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}


class BackupError(RuntimeError):
    pass


def write(path: Path, manifest: dict, db_file: Path, media: Path, secret: Secret | None) -> None:
    """Write the archive next to ``path`` and move it into place when complete; the file is 0600 throughout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    plain = path.with_name(path.name + ".plain.partial") if secret else partial
    fd = os.open(plain, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode = len(data), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for rel in manifest["files"]:
                tar.add(media / rel, arcname=f"media/{rel}", recursive=False)
        if secret:
            encrypt_file(plain, partial, secret)
        partial.replace(path)  # a backup file exists only when complete
    finally:
        for leftover in {plain, partial}:
            leftover.unlink(missing_ok=True)


@dataclass
class Verified:
    manifest: dict
    db_file: Path
    media: Path  # the backup's files, checked, in the scratch folder
    warnings: list[str] = field(default_factory=list)


def _check_gzip(path: Path) -> None:
    """Read the whole gzip stream: a flipped byte fails its CRC, a cut file ends before its trailer."""
    try:
        with gzip.open(path, "rb") as f:
            while f.read(1 << 20):
                pass
    except gzip.BadGzipFile as exc:
        text = str(exc)
        if "CRC" in text or "length" in text:
            raise BackupError("备份文件已损坏：压缩数据的 CRC 校验不通过（文件内容被改动或传输出错）。") from None
        raise BackupError("不是 lvzhi 的备份文件（不是 gzip 压缩的归档），或文件已损坏。") from None
    except EOFError:
        raise BackupError("备份文件不完整：压缩数据在结尾之前中断（文件被截断，可能复制或下载未完成）。") from None
    except (zlib.error, OSError) as exc:
        raise BackupError(f"备份文件已损坏：无法解压（{exc}）。") from None


def _extract(path: Path, into: Path) -> None:
    try:
        with tarfile.open(path, "r:gz") as tar:
            for m in tar:
                name = Path(m.name)
                if name.is_absolute() or ".." in name.parts or not (m.isfile() or m.isdir()):
                    raise BackupError(f"备份文件含有不安全的条目：{m.name}")
            tar.extractall(into, filter="data")
    except tarfile.TarError as exc:
        raise BackupError(f"备份文件的归档结构已损坏：{exc}") from None


def open_verified(path: Path, scratch: Path, vendor: str, secret: Secret | None = None) -> Verified:
    """Check the backup at ``path`` completely, unpacking it into ``scratch``; see the module docstring."""
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    try:
        if is_encrypted(path):
            if secret is None:
                raise BackupError("该备份已加密：请用 --key-file 指定密钥文件，或用 --passphrase-file / "
                                  "环境变量 LVZHI_BACKUP_PASSPHRASE 给出口令。")
            plain = scratch / "backup.tar.gz"
            decrypt_file(path, plain, secret)
            path = plain
    except CryptoError as exc:
        raise BackupError(str(exc)) from None
    _check_gzip(path)
    unpacked = scratch / "unpacked"
    unpacked.mkdir()
    _extract(path, unpacked)
    manifest_file = unpacked / "manifest.json"
    if not manifest_file.is_file():
        raise BackupError("备份文件缺少 manifest.json，不是 lvzhi 的备份。")
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        fmt = manifest["format"]
        tables = manifest["tables"]
    except (ValueError, KeyError, TypeError):
        raise BackupError("备份清单 manifest.json 已损坏，无法读取。") from None
    if fmt not in READABLE_FORMATS or not isinstance(tables, dict):
        raise BackupError(f"备份清单的格式（第 {fmt} 版）无法识别：请用生成它的 lvzhi 版本恢复。")
    if manifest.get("vendor") != vendor:
        raise BackupError(f"该备份来自 {manifest.get('vendor')} 数据库，当前是 {vendor}：请在同类数据库上恢复。")
    db_file = unpacked / DB_FILES[vendor]
    if not db_file.is_file():
        raise BackupError(f"备份文件缺少数据库文件 {db_file.name}。")
    media = unpacked / "media"
    warnings = []
    if fmt == 1:
        warnings.append("这是旧格式（第 1 版）的备份：清单中没有数据库文件和附件的校验和，只能逐表核对。")
    else:
        _check_files(manifest, db_file, media)
    return Verified(manifest, db_file, media, warnings)


def _check_files(manifest: dict, db_file: Path, media: Path) -> None:
    expected_db = manifest.get("database", {})
    if file_sha256(db_file) != expected_db.get("sha256"):
        raise BackupError("备份中的数据库文件与清单的校验和不符：文件被改动或损坏。")
    expected = manifest.get("files", {})
    actual = tree_checksums(media)
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    changed = sorted(p for p in set(expected) & set(actual) if expected[p] != actual[p])
    for label, names in (("与清单的校验和不符（被替换或改动）", changed), ("在清单中有、备份里缺少", missing),
                         ("不在清单中（被加入）", extra)):
        if names:
            more = f"等 {len(names)} 个" if len(names) > 3 else ""
            raise BackupError(f"备份中的附件{label}：{'、'.join(names[:3])}{more}。")


def remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
