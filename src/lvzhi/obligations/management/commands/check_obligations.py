import itertools
import sys

from django.core.management.base import BaseCommand, CommandError

from lvzhi.obligations.engine import stream
from lvzhi.obligations.export import stream_xlsx, table, write_json
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, as_of_day, find_unit, top_unit

CHUNK = 20_000


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
        # Streamed: each rule is written out as it is judged and then forgotten (engine.stream), so the memory
        # holds one rule's cells whatever the size of the tree.
        # A rule counting people is judged CHUNK people at a time: 谈心谈话 of 400,000 members held whole took
        # ~900 MB at the central scale.
        head, results = stream(target, year=year, as_of=day, scope=scope, rule_ids=rules, chunk=CHUNK)
        results = _nonempty(results, rules)
        if format == "xlsx":
            n, late = stream_xlsx(head, results, out)
            self.stdout.write(f"已写入 {out}（{n} 行明细），逾期 {late} 项。")
        elif format == "json":
            if out:
                with open(out, "w", encoding="utf-8") as f:
                    late = write_json(head, results, f, include_done=include_done)
                self.stdout.write(f"已写入 {out}，逾期 {late} 项。")
            else:
                late = write_json(head, results, _Raw(self.stdout), include_done=include_done)
        else:
            text, late = table(head, results)
            if out:
                with open(out, "w", encoding="utf-8") as f:
                    f.write(text)
                self.stdout.write(f"已写入 {out}，逾期 {late} 项。")
            else:
                self.stdout.write(text, ending="")
        self.stdout.flush()
        if late:
            sys.exit(1)


def _nonempty(results, rules):
    """``results`` — or the error for rules named that do not exist, before anything is written."""
    first = next(results, None)
    if first is None:
        if rules:
            raise CommandError(f"没有找到规则：{'、'.join(rules)}")
        return iter(())
    return itertools.chain([first], results)


class _Raw:
    """Django's OutputWrapper ends every write with a newline; the streamed JSON is written in pieces."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
