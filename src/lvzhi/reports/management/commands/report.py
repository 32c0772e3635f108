from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit, top_unit
from lvzhi.reports import docx_render, pdf_render, services, templating


class Command(BaseCommand):
    help = "生成述职报告（按内置模板或指定模板），输出 DOCX、PDF、HTML 或 Markdown"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码或名称（默认：最高单位）")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--template", help="模板文件（UTF-8 文本）；默认使用内置模板")
        parser.add_argument("--format", choices=list(services.FORMATS), default="docx")
        parser.add_argument("--out", required=True, help="输出文件")
        parser.add_argument("--date", help="落款日期，如 2023-01-10（默认：次年 1 月 10 日）")
        add_user_option(parser)

    def handle(self, *args, unit=None, year, template=None, format, out, date=None, user=None, **options):
        import datetime as dt

        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else top_unit(scope)
        body = Path(template).read_text(encoding="utf-8") if template else services.builtin_template().body
        day = dt.date.fromisoformat(date) if date else dt.date(year + 1, 1, 10)
        try:
            document = templating.render(body, unit=target, year=year, secretary=services.default_secretary(target, day),
                                         report_date=docx_render.chinese_date(day))
            data = services.render_live(document, format, year)
        except templating.TemplateProblem as exc:
            raise CommandError(str(exc)) from None
        except pdf_render.PdfUnavailable as exc:
            raise CommandError(str(exc)) from None
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_bytes(data)
        for w in document.warnings:
            self.stderr.write(f"警告：{w}")
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {target.name}{year}年度述职报告（{services.FORMATS[format]}）：{out}"
            + (f"；{len(document.warnings)} 处待补充" if document.warnings else "")))
