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
        parser.add_argument("--out", help="输出文件（生成报告时必填）")
        parser.add_argument("--suggest", action="store_true",
                            help="不生成报告，列出“存在的问题和不足”“下步工作打算”的建议段落及其依据（与报告页面相同）")
        parser.add_argument("--draft", action="store_true",
                            help="与 --suggest 同用：并请已配置的语言模型起草，草稿经核对后才列出")
        parser.add_argument("--date", help="落款日期，如 2023-01-10（默认：次年 1 月 10 日）")
        add_user_option(parser)

    def handle(self, *args, unit=None, year, kind=None, template=None, person=None, format, out=None, date=None,
               user=None, suggest=False, draft=False, **options):
        import datetime as dt

        _, scope = actor_and_scope(user)
        target = find_unit(unit, scope) if unit else top_unit(scope)
        if suggest:
            return self._suggest(scope, target, year, kind, template, draft)
        if not out:
            raise CommandError("请用 --out 指定输出文件（或用 --suggest 只列出建议段落）。")
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

    def _suggest(self, scope, unit, year, kind, template, draft):
        from lvzhi.reports import suggest

        body, kind = self._template(template, unit, kind, scope)
        sections = templating.writer_sections(body)
        found = suggest.suggest(scope, unit, year, kind=kind, sections=sections)
        for s in found:
            if draft:
                from lvzhi.reports import llm

                llm.draft_into(s, unit=unit, year=year)
            self.stdout.write(f"【{s.label}】建议段落（{len(s.paragraphs)}段）")
            for p in s.paragraphs:
                self.stdout.write(p.text)
                for c in p.cites:
                    self.stdout.write(f"    依据：{c['text']}")
            if not s.paragraphs:
                self.stdout.write("（没有证据，不生成建议；请由述职人撰写）")
            if s.draft:
                self.stdout.write("语言模型草稿（已核对）：\n" + s.draft)
            for reason in s.draft_rejected:
                self.stderr.write(f"语言模型草稿未采用：{reason}")
            if s.draft_error:
                self.stderr.write(s.draft_error)
        if not found:
            self.stdout.write("该模板没有“存在的问题和不足”“下步工作打算”部分。")

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
