"""How the backup and restore commands get an encryption secret: a key file, a passphrase file, the environment
or a prompt — never a passphrase on the command line, where other users of the machine could read it."""

import getpass
import os
import sys
from pathlib import Path

from django.core.management.base import CommandError

from lvzhi.backup.crypto import CryptoError, Secret


def add_arguments(parser, *, writing: bool):
    parser.add_argument("--key-file", help="用密钥文件加密/解密" + ("（文件不存在时自动生成，请与备份分开保存）" if writing else ""))
    parser.add_argument("--passphrase-file", help="从该文件第一行读取口令")
    if writing:
        parser.add_argument("--encrypt", action="store_true",
                            help="用口令加密（口令取自 --passphrase-file、环境变量 LVZHI_BACKUP_PASSPHRASE，否则提示输入）")


def secret_from(options, *, writing: bool, stdout=None) -> Secret | None:
    try:
        if options.get("key_file"):
            path = Path(options["key_file"])
            if writing and not path.exists():
                secret = Secret.new_key_file(path)
                if stdout is not None:
                    stdout.write(f"已生成密钥文件 {path}（权限 0600）：恢复时需要它，请与备份分开妥善保存。")
                return secret
            return Secret.from_key_file(path)
        if options.get("passphrase_file"):
            try:
                text = Path(options["passphrase_file"]).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise CommandError(f"无法读取口令文件：{exc.strerror or exc}") from None
            return Secret(passphrase=text[0] if text else "")
        if os.environ.get("LVZHI_BACKUP_PASSPHRASE") and (not writing or options.get("encrypt")):
            return Secret(passphrase=os.environ["LVZHI_BACKUP_PASSPHRASE"])
        if writing and options.get("encrypt"):
            if not sys.stdin.isatty():
                raise CommandError("请用 --passphrase-file 或环境变量 LVZHI_BACKUP_PASSPHRASE 给出口令。")
            first = getpass.getpass("备份口令（至少 8 个字符）：")
            if first != getpass.getpass("再输入一次："):
                raise CommandError("两次输入的口令不一致。")
            return Secret(passphrase=first)
    except CryptoError as exc:
        raise CommandError(str(exc)) from None
    return None


def prompt_secret() -> Secret | None:
    if not sys.stdin.isatty():
        return None
    return Secret(passphrase=getpass.getpass("该备份已加密，请输入口令："))
