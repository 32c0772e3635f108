import shutil

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from lvzhi.imports.dataset import import_dataset, is_dataset
from lvzhi.imports.importer import MODES, run_import
from lvzhi.imports.reader import FileRejected
from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit
from lvzhi.records import registry


class Command(BaseCommand):
    help = ("从 Excel/CSV 导入：一种记录（--type），或 lvzhi export --all 导出的整个数据集（自动识别）。"
            "全部校验通过才写入，否则逐行列出错误，数据库不变")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--type", dest="record_type", help="记录类型，如 study_session、person、unit（数据集文件不用填）")
        parser.add_argument("--mode", choices=list(MODES), default="create",
                            help="create：只新增，已有的记录报错（默认）；update：按编码/编号修改已有记录的这些列；"
                                 "upsert：有则修改、无则新增")
        parser.add_argument("--skip-columns", default="",
                            help="不导入这些列（列名，逗号分隔），如先导入党组织时暂不导入“书记,委员”")
        parser.add_argument("--unit", help="单位列为空时使用的单位（编码或名称）")
        add_user_option(parser)

    def handle(self, *args, file, record_type=None, mode="create", skip_columns="", unit=None, user=None, **options):
        actor, scope = actor_and_scope(user)
        progress, close = self._progress()
        if record_type is None:
            try:
                dataset = is_dataset(file)
            except FileRejected as exc:  # e.g. over the upload limit: say that, not “not a dataset”
                raise CommandError(str(exc)) from None
            if not dataset:
                raise CommandError("该文件不是 lvzhi 数据集（没有“说明”工作表）：导入一种记录请用 --type 指明记录类型。")
            result = import_dataset(file, actor=actor, scope=scope, mode=mode, progress=progress)
            close()
            if not result.ok:
                for e in result.errors:
                    self.stderr.write(str(e))
                raise CommandError(f"导入失败：{len(result.errors)} 处错误，数据库未做任何修改。")
            for title, r in result.sheets.items():
                if r.rows:
                    self.stdout.write(f"  {title}：新增 {r.created} 条，修改 {r.updated} 条（{r.rows} 行）")
            self.stdout.write(self.style.SUCCESS(
                f"已导入数据集：新增 {result.created} 条，修改 {result.updated} 条（共 {result.rows} 行）。"))
            return
        try:
            rt = registry.get(record_type)
        except LookupError as exc:
            raise CommandError(str(exc)) from None
        skip = [c.strip() for c in skip_columns.replace("，", ",").split(",") if c.strip()]
        result = run_import(rt, file, actor=actor, scope=scope, default_unit=find_unit(unit, scope), mode=mode,
                            skip_columns=skip, progress=progress)
        close()
        if not result.ok:
            for e in result.errors:
                self.stderr.write(str(e))
            raise CommandError(f"导入失败：{len(result.errors)} 处错误，数据库未做任何修改。")
        self.stdout.write(self.style.SUCCESS(
            f"已导入{rt.verbose_name}：新增 {result.created} 条，修改 {result.updated} 条（共 {result.rows} 行）。"))

    def _progress(self):
        """Progress bars on a terminal only (tqdm's disable=None); a log or a pipe gets the result lines alone."""
        bars: dict[str, tqdm] = {}

        def progress(phase, done, total):
            bar = bars.get(phase)
            if bar is None:
                # A terminal that reports no size (a fresh pty, some `docker exec -t`) would get no bar at all.
                size = shutil.get_terminal_size()
                bar = bars[phase] = tqdm(total=total, desc=phase, unit="行", file=self.stderr._out, leave=False,
                                         disable=None, ncols=size.columns, nrows=size.lines)
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        def close():
            for bar in bars.values():
                bar.close()

        return progress, close
