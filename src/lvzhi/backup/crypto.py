"""Optional encryption of a backup file: AES-256-GCM (the ``cryptography`` package), keyed by a passphrase
(scrypt) or by a key file of 32 random bytes. Streamed in blocks, so a backup of any size needs little memory;
the GCM tag authenticates the whole file and its header, and nothing decrypted is used before it is checked.

File layout: a magic line, a JSON header line (KDF, salt, nonce), the ciphertext, the 16-byte tag.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"LVZHI-BACKUP-AES256GCM\n"
TAG_SIZE = 16
BLOCK = 1 << 20
SCRYPT = {"n": 2**17, "r": 8, "p": 1}  # ~128 MiB and a fraction of a second: slow to guess, fine to use once


class CryptoError(ValueError):
    pass


@dataclass(frozen=True)
class Secret:
    """A passphrase or the contents of a key file."""

    passphrase: str | None = None
    key: bytes | None = None

    @classmethod
    def from_key_file(cls, path: str | Path) -> "Secret":
        path = Path(path)
        try:
            text = path.read_text().strip()
        except OSError as exc:
            raise CryptoError(f"无法读取密钥文件 {path}：{exc.strerror or exc}") from None
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise CryptoError(f"密钥文件 {path} 无效：应为 64 位十六进制（32 字节随机数）。")
        return cls(key=key)

    @staticmethod
    def new_key_file(path: str | Path) -> "Secret":
        path = Path(path)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
        return Secret.from_key_file(path)

    def header(self) -> dict:
        if self.key is not None:
            return {"kdf": "keyfile"}
        if not self.passphrase or len(self.passphrase) < 8:
            raise CryptoError("备份口令至少 8 个字符。")
        return {"kdf": "scrypt", **SCRYPT, "salt": base64.b64encode(secrets.token_bytes(16)).decode()}

    def derive(self, header: dict) -> bytes:
        if header.get("kdf") == "keyfile":
            if self.key is None:
                raise CryptoError("该备份用密钥文件加密：请用 --key-file 指定密钥文件。")
            return self.key
        if header.get("kdf") == "scrypt":
            if not self.passphrase:
                raise CryptoError("该备份用口令加密：请用 --passphrase-file 或环境变量 LVZHI_BACKUP_PASSPHRASE 给出口令。")
            kdf = Scrypt(salt=base64.b64decode(header["salt"]), length=32, n=int(header["n"]), r=int(header["r"]),
                         p=int(header["p"]))
            return kdf.derive(self.passphrase.encode("utf-8"))
        raise CryptoError("加密备份的文件头无法识别。")


def is_encrypted(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(len(MAGIC)) == MAGIC


def encrypt_file(source: Path, target: Path, secret: Secret) -> None:
    header = {"v": 1, **secret.header(), "nonce": base64.b64encode(secrets.token_bytes(12)).decode()}
    key = secret.derive(header)
    head = MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"
    enc = Cipher(algorithms.AES(key), modes.GCM(base64.b64decode(header["nonce"]))).encryptor()
    enc.authenticate_additional_data(head)  # the header cannot be swapped without the tag failing
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with source.open("rb") as src, os.fdopen(fd, "wb") as out:
        out.write(head)
        while block := src.read(BLOCK):
            out.write(enc.update(block))
        out.write(enc.finalize())
        out.write(enc.tag)


def decrypt_file(source: Path, target: Path, secret: Secret) -> None:
    """Decrypt to ``target`` (0600); raises CryptoError, with ``target`` removed, unless the tag verifies."""
    size = source.stat().st_size
    with source.open("rb") as src:
        if src.read(len(MAGIC)) != MAGIC:
            raise CryptoError("不是 lvzhi 的加密备份。")
        line = src.readline(4096)
        try:
            header = json.loads(line)
            nonce = base64.b64decode(header["nonce"])
        except (ValueError, KeyError, TypeError):
            raise CryptoError("加密备份的文件头已损坏。") from None
        key = secret.derive(header)
        start = src.tell()
        if size - start < TAG_SIZE:
            raise CryptoError("加密备份不完整（文件被截断）。")
        src.seek(size - TAG_SIZE)
        tag = src.read(TAG_SIZE)
        src.seek(start)
        dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(MAGIC + line)
        remaining = size - start - TAG_SIZE
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                while remaining > 0:
                    block = src.read(min(BLOCK, remaining))
                    if not block:
                        raise CryptoError("加密备份不完整（文件被截断）。")
                    remaining -= len(block)
                    out.write(dec.update(block))
                dec.finalize()
        except InvalidTag:
            target.unlink(missing_ok=True)
            raise CryptoError("无法解密：口令或密钥文件不对，或备份文件已损坏、被改动。") from None
        except BaseException:
            target.unlink(missing_ok=True)
            raise
