from django.core.management.base import BaseCommand, CommandError

from lvzhi.backup.crypto import CryptoError
from lvzhi.backup.services import BackupError, backup

from . import _secret


class Command(BaseCommand):
    help = "备份数据库与附件、报告文件到一个 .tar.gz（权限 0600；含每张表、数据库文件和每个附件的校验和；可加密）"

    def add_arguments(self, parser):
        parser.add_argument("file")
        _secret.add_arguments(parser, writing=True)

    def handle(self, *args, file, **options):
        secret = _secret.secret_from(options, writing=True, stdout=self.stdout)
        try:
            manifest = backup(file, secret)
        except (BackupError, CryptoError) as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法写入备份文件：{exc.strerror or exc}（{exc.filename or file}）") from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        how = "（已加密）" if secret else ""
        self.stdout.write(self.style.SUCCESS(
            f"已备份 {len(manifest['tables'])} 张表、{rows} 行及 {len(manifest['files'])} 个附件/报告文件到 {file}{how}。"))
