from django.core.management.base import BaseCommand, CommandError

from lvzhi.backup.crypto import is_encrypted
from lvzhi.backup.services import BackupError, restore

from . import _secret


class Command(BaseCommand):
    help = ("从备份恢复数据库与附件：先完整校验备份（压缩校验、清单、每张表、每个附件、审计日志），"
            "在新的数据库和目录中恢复并核对，全部通过后才替换当前数据；原数据保留备查")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接替换当前数据")
        parser.add_argument("--accept-broken-audit", action="store_true",
                            help="备份中的审计日志校验不通过时仍然恢复（请先查明原因）")
        _secret.add_arguments(parser, writing=False)

    def handle(self, *args, file, yes=False, accept_broken_audit=False, **options):
        if not yes:
            answer = input("恢复会用备份替换当前全部数据和附件（原数据改名保留），确定继续吗？输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        secret = _secret.secret_from(options, writing=False)
        try:
            if secret is None and is_encrypted_file(file):
                secret = _secret.prompt_secret()
            done = restore(file, secret, accept_broken_audit=accept_broken_audit)
        except BackupError as exc:
            raise CommandError(f"{exc}") from None
        except OSError as exc:
            raise CommandError(f"恢复失败，当前数据未被替换：{exc.strerror or exc}（{exc.filename or file}）") from None
        for w in done.warnings:
            self.stdout.write(self.style.WARNING(w))
        kept = f"原数据库保留为 {done.kept_database}" + (f"，原附件目录保留为 {done.kept_media}" if done.kept_media else "")
        self.stdout.write(self.style.SUCCESS(
            f"已恢复 {len(done.manifest['tables'])} 张表（与备份逐表一致）、{len(done.manifest.get('files', {}))} 个附件，"
            f"审计日志 {done.audit_checked} 条完整。{kept}，确认无误后可删除。"))


def is_encrypted_file(file) -> bool:
    from pathlib import Path

    try:
        return is_encrypted(Path(file))
    except OSError:
        return False
