"""The audit key: the secret that makes the chain's hashes keyed (HMAC-SHA256).

It lives outside the database on purpose — in ``LVZHI_AUDIT_KEY`` or in a file (``LVZHI_AUDIT_KEY_FILE``, default
``$LVZHI_VAR_DIR/audit_key``, created 0600 on first use) — so someone who can edit the tables cannot re-hash the
chain after changing a row. Keep a copy of it with the secret key, apart from the database backups: a backup
restored on a new machine verifies only with the key its entries were written with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class AuditKeyError(ImproperlyConfigured):
    pass


def _decode(text: str, where: str) -> bytes:
    text = text.strip()
    for decode in (bytes.fromhex, base64.urlsafe_b64decode):
        try:
            key = decode(text)
        except (ValueError, binascii.Error):
            continue
        if len(key) >= 32:
            return key
    raise AuditKeyError(f"审计密钥（{where}）无效：应为至少 32 字节的十六进制或 base64 文本。")


@lru_cache(maxsize=4)
def _load(env_key: str, key_file: str) -> bytes:
    if env_key:
        return _decode(env_key, "环境变量 LVZHI_AUDIT_KEY")
    path = Path(key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a different key
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
    return _decode(path.read_text(), str(path))


def audit_key() -> bytes:
    return _load(getattr(settings, "AUDIT_KEY", ""), str(settings.AUDIT_KEY_FILE))


def mac(data: bytes, key: bytes | None = None) -> str:
    return hmac.new(key if key is not None else audit_key(), data, hashlib.sha256).hexdigest()


def key_id() -> str:
    """A short public fingerprint of the key (shown by ``lvzhi audit verify``; never the key itself)."""
    return hashlib.sha256(b"lvzhi-audit-key-id" + audit_key()).hexdigest()[:12]
