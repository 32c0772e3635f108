import json

from django.core.management.base import BaseCommand, CommandError

from lvzhi.appraisal import grading, grading_exports
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, as_of_day, find_unit, top_unit


class Command(BaseCommand):
    help = "党支部分类定级：范围内每个党支部的各项指标、得分、等次、缺数据的指标及计算说明"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="年度，如 2022")
        parser.add_argument("--unit", help="单位（编码或名称；默认：范围内最上级的单位）")
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--out", help="输出文件（xlsx 必填；table/json 默认输出到屏幕）")
        parser.add_argument("--as-of", dest="as_of", help="检查与记录的截至日期（默认今天），如 2023-01-31")
        add_user_option(parser)

    def handle(self, *args, year, unit=None, format="table", out=None, as_of=None, user=None, **options):
        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else top_unit(scope)
        day = as_of_day(as_of, "2023-01-31")
        if format == "xlsx" and not out:
            raise CommandError("xlsx 格式须用 --out 指定输出文件。")
        try:
            g = grading.grade(target, year, scope=scope, as_of=day)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        if format == "xlsx":
            with open(out, "wb") as f:
                f.write(grading_exports.xlsx([g]))
            self.stdout.write(f"已写入 {out}。")
            return
        if format == "json":
            text = json.dumps(grading_exports.as_json(g), ensure_ascii=False, indent=2) + "\n"
        else:
            text = grading_exports.as_table(g)
        if out:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            self.stdout.write(f"已写入 {out}。")
        else:
            self.stdout.write(text, ending="")
