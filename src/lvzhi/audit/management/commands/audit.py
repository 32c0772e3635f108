from django.core.management.base import BaseCommand, CommandError

from lvzhi.audit import anchors
from lvzhi.audit.keys import AuditKeyError, key_id
from lvzhi.audit.services import verify_trail


class Command(BaseCommand):
    help = "审计日志：verify 校验带密钥的哈希链与锚点；anchor 把当前链头写入锚点文件（可放入 cron）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "anchor"],
                            help="verify：校验整条哈希链和锚点文件；anchor：记录当前链头（条数与哈希）")

    def handle(self, *args, action, **options):
        try:
            if action == "anchor":
                a = anchors.anchor_now("manual", "lvzhi audit anchor")
                self.stdout.write(self.style.SUCCESS(
                    f"已写入锚点：第 {a['seq']} 条，哈希 {a['head'][:16]}…（{anchors.anchor_path()}）"))
                return
            result = verify_trail()
        except AuditKeyError as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:
            raise CommandError(f"无法读写锚点文件 {anchors.anchor_path()}：{exc.strerror or exc}") from None
        if result.ok:
            self.stdout.write(self.style.SUCCESS(
                f"审计日志完整：共校验 {result.checked} 条，哈希链无断点；与 {result.anchors} 个锚点一致"
                f"（密钥指纹 {key_id()}）。"))
            return
        where = f"第 {result.broken_seq} 条 —— " if result.broken_seq else ""
        raise CommandError(f"审计日志被篡改：{where}{result.reason}（此前 {result.checked} 条哈希完好）")
