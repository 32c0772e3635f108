import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from lvzhi.imports.exporter import export_records
from lvzhi.records import registry, selectors

from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit


class Command(BaseCommand):
    help = "把一种记录导出为 Excel（与导入使用同样的表头，可直接再导入）"

    def add_arguments(self, parser):
        parser.add_argument("--type", required=True, dest="record_type")
        parser.add_argument("--unit", help="只导出该单位及其下级（编码或名称）")
        parser.add_argument("--year", type=int)
        parser.add_argument("--out", required=True)
        add_user_option(parser)

    def handle(self, *args, record_type, out, unit=None, year=None, user=None, **options):
        try:
            rt = registry.get(record_type)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        _, scope = actor_and_scope(user)
        start = end = None
        if year:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        qs = selectors.filter_records(rt, scope, unit=find_unit(unit, scope), start=start, end=end)
        n = export_records(rt, qs, out)
        self.stdout.write(self.style.SUCCESS(f"已导出 {n} 条{rt.verbose_name}到 {out}。"))
