from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from lvzhi.imports.importer import run_import
from lvzhi.records import registry

from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit


class Command(BaseCommand):
    help = "从 Excel/CSV 导入一种记录：整个文件校验通过才写入，否则逐行列出错误，数据库不变"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--type", required=True, dest="record_type", help="记录类型，如 study_session、person、unit")
        parser.add_argument("--unit", help="单位列为空时使用的单位（编码或名称）")
        add_user_option(parser)

    def handle(self, *args, file, record_type, unit=None, user=None, **options):
        try:
            rt = registry.get(record_type)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        actor, scope = actor_and_scope(user)
        default_unit = find_unit(unit, scope)
        bars: dict[str, tqdm] = {}

        def progress(phase, done, total):
            bar = bars.get(phase)
            if bar is None:
                bar = bars[phase] = tqdm(total=total, desc=phase, unit="行", file=self.stderr._out, leave=False,
                                             disable=None)  # only on a terminal
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        result = run_import(rt, file, actor=actor, scope=scope, default_unit=default_unit, progress=progress)
        for bar in bars.values():
            bar.close()
        if not result.ok:
            for e in result.errors:
                self.stderr.write(str(e))
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，数据库未做任何修改。")
        self.stdout.write(self.style.SUCCESS(f"已导入 {result.created} 条{rt.verbose_name}（共 {result.rows} 行）。"))
