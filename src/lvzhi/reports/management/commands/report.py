from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lvzhi.org.cli_scope import actor_and_scope, add_user_option, find_unit, top_unit
from lvzhi.reports import docx_render, families, pdf_render, services, templating
from lvzhi.reports.models import ReportKind


class Command(BaseCommand):
    help = "生成述职报告（按单位的默认模板或指定模板），输出 DOCX、PDF、HTML 或 Markdown"

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="单位编码或名称（默认：最高单位）")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--kind", choices=ReportKind.values,
                            help="述职类别：" + "；".join(f"{v}={lb}" for v, lb in ReportKind.choices)
                            + "（默认：设党委的单位为党委书记年度述职，党支部、党总支为党支部书记述职）")
        parser.add_argument("--template", help="模板名称（见 lvzhi templates）或模板文件（UTF-8 文本）；默认：单位该类别的默认模板")
        parser.add_argument("--person", help="述职人（工号或姓名）；默认：按类别（党组织书记、纪委书记）")
        parser.add_argument("--format", choices=list(services.FORMATS), default="docx")
        parser.add_argument("--out", required=True, help="输出文件")
        parser.add_argument("--date", help="落款日期，如 2023-01-10（默认：次年 1 月 10 日）")
        add_user_option(parser)

    def handle(self, *args, unit=None, year, kind=None, template=None, person=None, format, out, date=None, user=None,
               **options):
        import datetime as dt

        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else top_unit(scope)
        day = dt.date.fromisoformat(date) if date else dt.date(year + 1, 1, 10)
        try:
            body, kind = self._template(template, target, kind, scope)
            who = families.find_person(person, target) if person else families.reporter(target, kind, day)
            document = templating.render(body, unit=target, year=year, secretary=who,
                                         report_date=docx_render.chinese_date(day))
            data = services.render_live(document, format, year)
        except (templating.TemplateProblem, pdf_render.PdfUnavailable) as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_bytes(data)
        for w in document.warnings:
            self.stderr.write(f"警告：{w}")
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {target.name}{year}年度述职报告（{services.FORMATS[format]}）：{out}"
            + (f"；{len(document.warnings)} 处待补充" if document.warnings else "")))

    def _template(self, template, unit, kind, scope) -> tuple[str, str]:
        """(body, kind): a template by name, else a file, else the unit's default for the kind."""
        if template:
            found = families.find_template(template, scope)
            if found is not None:
                return found.body, kind or found.kind
            path = Path(template)
            if not path.is_file():
                raise CommandError(f"找不到模板“{template}”：既不是模板名称（见 lvzhi templates），也不是文件。")
            return path.read_text(encoding="utf-8"), kind or families.natural_kind(unit)
        kind = kind or families.natural_kind(unit)
        return families.default_template(unit, kind).body, kind
