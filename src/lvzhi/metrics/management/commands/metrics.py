"""lvzhi metrics [--unit U] [--year Y] [--format table|json]: every metric a report template can name."""

import json
import unicodedata

from django.core.management.base import BaseCommand

from lvzhi.metrics.selectors import metric_table
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit, top_unit


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


class Command(BaseCommand):
    help = "列出全部指标（编号、名称、计量单位；指定年度时给出该单位的数值），供编写报告模板时引用 m(\"编号\")"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码或名称（默认：最高单位）")
        parser.add_argument("--year", type=int, help="年度；指定后列出该单位该年度的数值")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="输出格式（默认 table）")
        add_user_option(parser)

    def handle(self, *args, unit=None, year=None, format="table", user=None, **options):
        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else (top_unit(scope) if year else None)
        person = None
        if target is not None and year:
            import datetime as dt

            from lvzhi.reports.services import default_secretary

            person = default_secretary(target, dt.date(year + 1, 1, 10))  # 本人 = who would sign the report
        rows = metric_table(scope, target, year, person)
        if format == "json":
            out = {"unit": {"code": target.code, "name": target.name} if target else None, "year": year,
                   "person": person.name if person else None, "metrics": rows}
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        headers = ["编号", "名称", "单位", "领域"] + (["数值", "说明"] if year else [])
        lines = [[r["id"], r["label"], r["measure"], r["system"]]
                 + ([r["value"] if r["value"] is not None else f"【{r['status']}】", r["note"]] if year else [])
                 for r in rows]
        widths = [max(_width(str(x)) for x in col) for col in zip(headers, *lines, strict=False)]
        if year and target is not None:
            self.stdout.write(f"{target.name}{year}年指标（共 {len(rows)} 项）"
                              + (f"；“本人”指述职人 {person.name}" if person else ""))
        for line in [headers, *lines]:
            self.stdout.write("  ".join(_pad(str(x), w) for x, w in zip(line[:-1], widths, strict=False)) + "  " + str(line[-1]))
