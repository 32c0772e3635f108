from django.core.management.base import BaseCommand, CommandError

from lvzhi.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，指出第一条被篡改的记录"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"], help="verify：校验整条哈希链")

    def handle(self, *args, **options):
        result = verify_chain()
        if result.ok:
            self.stdout.write(self.style.SUCCESS(f"审计日志完整：共校验 {result.checked} 条，哈希链无断点。"))
            return
        raise CommandError(f"审计日志被篡改：第 {result.broken_seq} 条 —— {result.reason}（此前 {result.checked} 条完好）")
