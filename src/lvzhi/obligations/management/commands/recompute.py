import sys
import time

from django.core.management.base import BaseCommand, CommandError

from lvzhi.obligations import stored
from lvzhi.org.cli_scope import find_unit
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.web import clock


class Command(BaseCommand):
    help = ("重新计算并保存检查结果（合规看板、报告预览在“今天”查看全年时读取这些结果）：逐条规则、每条规则一个事务，"
            "显示进度；不指定单位和规则时，完成后该年度的结果即为完整")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="年度（默认：当前工作年度）")
        parser.add_argument("--unit", help="只重算该单位及其下级（编码或名称）")
        parser.add_argument("--rule", action="append", dest="rules", help="只重算该规则（可多次指定）")
        parser.add_argument("--status", action="store_true", help="显示排队中和正在进行的后台重算及其进度")
        parser.add_argument("--queue", action="store_true",
                            help="交给后台任务执行（配置了 LVZHI_CELERY_BROKER 时由 Celery 执行，否则在本进程的后台线程）")

    def handle(self, *args, year=None, unit=None, rules=None, queue=False, status=False, **options):
        if status:
            jobs = stored.progress()
            for j in jobs:
                total = f"{j['done']}/{j['total']}" if j["total"] else "—"
                self.stdout.write(f"{j['year']}年 {'、'.join(j['rules']) or '全部规则'}：{j['label']} {total}")
            if not jobs:
                self.stdout.write("没有排队中或正在进行的后台重算。")
            return
        year = year or clock.working_year(clock.today())
        target = find_unit(unit, Scope.everything()) if unit else None
        if unit and target is None:
            raise CommandError(f"未找到单位“{unit}”。")
        if queue:
            from lvzhi import tasks

            stored.queued(year, target.pk if target else None, rules or [])
            tasks.submit("recompute", year, target.pk if target else None, rules or [])
            self.stdout.write(f"已提交后台重算：{year}年。")
            return
        started = time.monotonic()

        def progress(label: str, done: int, total: int) -> None:
            sys.stderr.write(f"\r{year}年 {done}/{total} {label}\033[K")
            sys.stderr.flush()

        rows = stored.recompute(year, unit=target, rule_ids=rules, progress=progress)
        sys.stderr.write("\n")
        scope = "、".join(rules) if rules else "全部规则"
        where = target.name if target else "全部单位"
        self.stdout.write(f"{year}年 {where} {scope}：保存检查结果 {rows} 项，用时 {time.monotonic() - started:.1f} 秒。")
        if not (target or rules):
            self.stdout.write("该年度的检查结果已完整，看板将读取保存的结果。")


def run(year: int, unit_id: int | None, rule_ids: list[str]) -> int:
    """The task behind --queue and a revised rule (lvzhi.tasks), with its progress in a file (``--status``)."""
    unit = Unit.objects.get(pk=unit_id) if unit_id else None
    try:
        return stored.recompute(year, unit=unit, rule_ids=rule_ids or None,
                                progress=stored.reporter(year, unit_id, rule_ids))
    finally:
        stored.finished(year, unit_id, rule_ids)
