from django.core.management.base import BaseCommand, CommandError

from lvzhi.backup.services import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库与附件、报告文件到一个 .tar.gz（含每张表的行数与校验和）"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            manifest = backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(self.style.SUCCESS(f"已备份 {len(manifest['tables'])} 张表、{rows} 行及附件到 {file}。"))
