"""What ``lvzhi demo`` does after loading: write the demo company's duty report to files the user can open."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from lvzhi.audit.actors import DEMO
from lvzhi.org.models import Unit

from . import pdf_render, services, templating

DEMO_UNIT = "JH01"
DEMO_YEAR = 2022


def ensure_demo_report(unit: Unit):
    """The same report as a draft in the 述职报告 list, so the page shows what the files show (created once: a
    later `lvzhi demo` keeps the drafts and versions people made)."""
    from lvzhi.org.scoping import Scope

    from .models import DutyReport

    existing = DutyReport.objects.filter(unit=unit, year=DEMO_YEAR).order_by("-number").first()
    if existing is not None:
        return existing
    return services.create_report(unit=unit, year=DEMO_YEAR, template=services.builtin_template(), actor=DEMO,
                                  scope=Scope.everything(DEMO.name))


def write_demo_report(command) -> list:
    unit = Unit.objects.filter(code=DEMO_UNIT).first()
    if unit is None:
        return []
    out_dir = settings.VAR_DIR / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    document = templating.render(services.builtin_template().body, unit=unit, year=DEMO_YEAR,
                                 secretary=services.default_secretary(unit, dt.date(DEMO_YEAR + 1, 1, 10)),
                                 report_date="2023年1月10日")
    written = []
    for fmt in ("docx", "pdf", "html"):
        path = out_dir / f"{unit.name}{DEMO_YEAR}年度述职报告.{fmt}"
        try:
            path.write_bytes(services.render_live(document, fmt, DEMO_YEAR))
            written.append(path)
        except pdf_render.PdfUnavailable as exc:
            command.stdout.write(f"（未生成 PDF：{exc}）")
    report = ensure_demo_report(unit)
    command.stdout.write(f"\n{DEMO_YEAR} 年度述职报告已生成" + f"（网页“述职报告”中的第{report.number}版草稿）" + (f"（{len(document.warnings)} 处待补充）" if document.warnings else "") + "：")
    for p in written:
        command.stdout.write(f"  {p}")
    return written
