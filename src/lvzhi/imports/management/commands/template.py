from django.core.management.base import BaseCommand, CommandError

from lvzhi.imports.exporter import blank_template
from lvzhi.org.cli_scope import actor_and_scope, add_user_option
from lvzhi.records import registry


class Command(BaseCommand):
    help = "写出一种记录的空白导入模板（表头、示例行、填写说明、下拉列表、打印设置）"

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, dest="record_type", help="记录类型，如 branch_activity、person")
        parser.add_argument("--out", required=True, help="输出的 .xlsx 文件")
        add_user_option(parser)

    def handle(self, *args, record_type, out, user=None, **options):
        try:
            rt = registry.get(record_type)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        _, scope = actor_and_scope(user)
        blank_template(rt, out, scope=scope)
        self.stdout.write(self.style.SUCCESS(f"已写出“{rt.verbose_name}”导入模板：{out}"))
