import json

from django.core.management.base import BaseCommand, CommandError

from lvzhi.appraisal import exports, tally
from lvzhi.appraisal.models import Appraisal
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, as_of_day, find_unit


class Command(BaseCommand):
    help = "述职评议结果：每位述职人的票数、满意率、得分、等次、点评问题及其整改情况（测评结束后才有结果）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2022")
        parser.add_argument("--unit", help="组织述职评议的单位（编码或名称；默认：范围内的全部单位）")
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--out", help="输出文件（xlsx 必填；table/json 默认输出到屏幕）")
        parser.add_argument("--as-of", dest="as_of", help="整改状态的截至日期（默认今天），如 2023-06-30")
        add_user_option(parser)

    def handle(self, *args, year, unit=None, format="table", out=None, as_of=None, user=None, **options):
        _, scope = actor_and_scope(user)
        qs = scope.filter(Appraisal.objects.select_related("unit").filter(year=year), "unit").order_by("unit__path")
        if unit:
            qs = qs.filter(unit=find_unit(unit, scope))
        today = as_of_day(as_of, "2023-06-30")
        if format == "xlsx" and not out:
            raise CommandError("xlsx 格式须用 --out 指定输出文件。")
        items = list(qs)
        if not items:
            raise CommandError(f"没有找到{year}年度的述职评议" + (f"（单位：{unit}）" if unit else "") + "。")
        pairs = []
        for a in items:
            try:
                pairs.append((a, tally.results(a, problems_as_of=today)))
            except tally.ResultsNotAvailable:
                pairs.append((a, None))
        if format == "xlsx":
            with open(out, "wb") as f:
                f.write(exports.combined_xlsx([r for _, r in pairs if r is not None], today))
            self.stdout.write(f"已写入 {out}。")
            return
        if format == "json":
            text = json.dumps({"year": year, "as_of": today.isoformat(),
                               "appraisals": [exports.as_json(a, r, today) for a, r in pairs]},
                              ensure_ascii=False, indent=2) + "\n"
        else:
            text = "\n".join(exports.as_table(a, r) for a, r in pairs)
        if out:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            self.stdout.write(f"已写入 {out}。")
        else:
            self.stdout.write(text, ending="")
