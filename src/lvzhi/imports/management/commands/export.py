import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lvzhi.imports.dataset import export_dataset
from lvzhi.imports.exporter import export_records
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit
from lvzhi.records import registry, selectors


class Command(BaseCommand):
    help = "导出为 Excel：一种记录（--type），或整个数据集（--all，一个工作簿，可整体再导入）"

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--type", dest="record_type", help="记录类型，如 study_session、person、unit")
        what.add_argument("--all", action="store_true", help="整个数据集：每种记录一个工作表，外加“说明”工作表")
        parser.add_argument("--unit", help="只导出该单位及其下级（编码或名称）")
        parser.add_argument("--year", type=int, help="只导出该年度的记录（仅 --type）")
        parser.add_argument("--out", required=True)
        add_user_option(parser)

    def handle(self, *args, out, record_type=None, unit=None, year=None, user=None, **options):
        actor, scope = actor_and_scope(user)
        unit = find_unit(unit, scope)
        if options["all"]:
            if year:
                raise CommandError("整个数据集不按年度导出（--year 只用于 --type）。")
            counts = export_dataset(out, scope=scope, unit=unit, actor_name=getattr(actor, "username", str(actor)))
            sheets = sum(1 for n in counts.values() if n)
            self.stdout.write(self.style.SUCCESS(f"已导出数据集到 {out}：{sheets} 个工作表有数据，共 {sum(counts.values())} 行。"))
            return
        try:
            rt = registry.get(record_type)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        start = end = None
        if year:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        qs = selectors.filter_records(rt, scope, unit=unit, start=start, end=end)
        n = export_records(rt, qs, out, scope=scope)
        self.stdout.write(self.style.SUCCESS(f"已导出 {n} 条{rt.verbose_name}到 {out}。"))
