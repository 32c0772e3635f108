from django.core.management.base import BaseCommand, CommandError

from lvzhi.audit.services import verify_chain
from lvzhi.backup.services import BackupError, restore


class Command(BaseCommand):
    help = "从备份恢复数据库与附件（会覆盖当前数据），并逐表核对校验和、校验审计日志"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接覆盖当前数据")

    def handle(self, *args, file, yes=False, **options):
        if not yes:
            answer = input("恢复会覆盖当前全部数据和附件，确定继续吗？输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消。")
        try:
            manifest = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        chain = verify_chain()
        if not chain.ok:
            raise CommandError(f"数据已恢复，但审计日志校验失败：第 {chain.broken_seq} 条 —— {chain.reason}")
        self.stdout.write(self.style.SUCCESS(
            f"已恢复 {len(manifest['tables'])} 张表（与备份逐表一致），审计日志 {chain.checked} 条完整。"))
