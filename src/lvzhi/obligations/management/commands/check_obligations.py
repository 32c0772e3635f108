import json
import sys

from django.core.management.base import BaseCommand, CommandError

from lvzhi.obligations.engine import evaluate
from lvzhi.obligations.export import as_json, as_table, write_xlsx
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, as_of_day, find_unit, top_unit


class Command(BaseCommand):
    help = "按检查规则检查应办事项：输出每条规则的完成情况和逾期、即将到期事项；有逾期时退出码为 1（可供 cron 使用）"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="检查该单位及其下级（编码或名称；默认：最上级单位）")
        parser.add_argument("--year", type=int, required=True, help="年度，如 2022")
        parser.add_argument("--as-of", dest="as_of", help="截至日期（默认今天），如 2022-12-31")
        parser.add_argument("--format", choices=["table", "json", "xlsx"], default="table")
        parser.add_argument("--out", help="输出文件（xlsx 必填；table/json 默认输出到屏幕）")
        parser.add_argument("--rule", action="append", dest="rules", help="只检查该规则（可多次指定），如 branch.committee_meeting")
        parser.add_argument("--all", action="store_true", dest="include_done", help="json 中也列出已完成的事项")
        add_user_option(parser)

    def handle(self, *args, year, unit=None, as_of=None, format="table", out=None, rules=None, include_done=False,
               user=None, **options):
        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else top_unit(scope)
        day = as_of_day(as_of, "2022-12-31")
        if format == "xlsx" and not out:
            raise CommandError("xlsx 格式须用 --out 指定输出文件。")
        ev = evaluate(target, year=year, as_of=day, scope=scope, rule_ids=rules)
        if rules and not ev.results:
            raise CommandError(f"没有找到规则：{'、'.join(rules)}")
        if format == "xlsx":
            n = write_xlsx(ev, out)
            self.stdout.write(f"已写入 {out}（{n} 行明细），逾期 {len(ev.late)} 项。")
        else:
            text = (json.dumps(as_json(ev, include_done=include_done), ensure_ascii=False, indent=2) + "\n"
                    if format == "json" else as_table(ev))
            if out:
                with open(out, "w", encoding="utf-8") as f:
                    f.write(text)
                self.stdout.write(f"已写入 {out}，逾期 {len(ev.late)} 项。")
            else:
                self.stdout.write(text, ending="")
        self.stdout.flush()
        if ev.late:
            sys.exit(1)
