"""Pages: report list, the draft editor (preview, writer's text, evidence), finalisation, downloads, templates."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import current_unit
from lvzhi.records.services import ConcurrentEditError
from lvzhi.web import clock, fragments

from . import families, html_render, llm, pdf_render, selectors, services, suggest, templating
from .evidence import evidence_for
from .models import DutyReport, ReportKind, ReportTemplate

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf", "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8",
}


def _report(request, pk) -> DutyReport:
    scope = scope_for(request.user)
    report = scope.filter(DutyReport.objects.select_related("unit", "template", "secretary"), "unit").filter(pk=pk).first()
    if report is None:
        raise Http404("未找到该报告，或您无权查看。")
    return report


def _errors(exc) -> str:
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


@login_required
def index(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    if request.method == "POST":
        if unit is None or not scope.can_write("reports", unit):  # before the form is read, like every other write
            raise PermissionDenied("您没有撰写述职报告的权限。")
        try:
            template = services.usable_templates(scope).get(pk=request.POST.get("template"))
            year = int(request.POST.get("year", ""))
            person = request.POST.get("person", "").strip()
            who = families.find_person(person, unit) if person else None
            report = services.create_report(unit=unit, year=year, template=template, actor=request.user, scope=scope,
                                            secretary=who)
            return redirect("reports:detail", report.pk)
        except (ValueError, ReportTemplate.DoesNotExist):
            messages.error(request, "请选择模板和年度。")
        except ValidationError as exc:
            messages.error(request, _errors(exc))
    reports = scope.filter(DutyReport.objects.select_related("unit", "secretary", "template"), "unit")[:100]
    return render(request, "reports/index.html", {
        "reports": reports, "unit": unit, "templates": families.all_templates(scope),
        "default_template": families.default_template(unit) if unit is not None else None,
        "years": clock.year_choices(), "default_year": clock.working_year(),
        "can_write": unit is not None and scope.can_write("reports", unit),
    })


@login_required
def detail(request, pk):
    report = _report(request, pk)
    scope = scope_for(request.user)
    problem, data = "", None
    if report.is_final:
        preview = report.snapshot["html"]
        warnings = report.snapshot["warnings"]
    else:
        try:
            data = selectors.preview.timed(report)
            preview, warnings = data.value
        except templating.TemplateProblem as exc:
            preview, warnings, problem = "", [], str(exc)
    writer_sections = _writer_sections(report)
    evidence = evidence_for(scope, report.unit, report.year, report.template.kind)
    can_write = scope.can_write("reports", report.unit)
    suggestions = suggest.suggest(scope, report.unit, report.year, kind=report.template.kind,
                                  sections=writer_sections, groups=evidence)
    shown = {"pk": report.pk, "is_final": report.is_final}  # what the side's fragments read of the report
    return render(request, "reports/detail.html", {
        "report": report, "preview": preview, "warnings": warnings, "problem": problem,
        "writer_sections": writer_sections, "evidence": evidence, "data": data,
        "suggestions": suggestions, "llm": llm.configured(), "can_write": can_write,
        # the side's two lists, ~250 items: rendered once for the same values (web.fragments.rendered)
        "suggestions_html": fragments.rendered("reports/_suggestions.html", {
            "suggestions": suggestions, "can_write": can_write, "report": shown, "llm": llm.configured()}),
        "evidence_html": fragments.rendered("reports/_evidence.html", {
            "evidence": evidence, "can_write": can_write, "report": shown, "writer_sections": bool(writer_sections)}),
        "formats": services.FORMATS,
        "pdf_available": bool(pdf_render.soffice()), "style": html_render.HTML_STYLE,
        "integrity_ok": services.verify_integrity(report) if report.is_final else None,
    })


@login_required
@require_POST
def draft(request, pk, key):
    """htmx: the language model's draft of one writer section, offered only when the verifier accepts it."""
    report = _report(request, pk)
    scope = scope_for(request.user)
    if not scope.can_write("reports", report.unit) or report.is_final:
        raise PermissionDenied("您没有撰写该述职报告的权限。")
    sections = _writer_sections(report)
    if key not in {s["key"] for s in sections}:
        raise Http404("该报告没有这一部分。")
    found = suggest.suggest(scope, report.unit, report.year, kind=report.template.kind, sections=sections,
                            groups=evidence_for(scope, report.unit, report.year, report.template.kind), draft=key)
    s = next((s for s in found if s.key == key), None)
    if s is None:
        raise Http404("该部分没有建议段落。")
    return render(request, "reports/_draft.html", {"s": s})


def _writer_sections(report: DutyReport) -> list[dict]:
    """The template's writer blocks with the current text (the writer's, or the template default)."""
    return [{**s, "text": report.writer_texts.get(s["key"], s["default"])}
            for s in templating.writer_sections(report.template.body)]


@login_required
@require_POST
def save_text(request, pk):
    report = _report(request, pk)
    texts = {k[len("writer_"):]: v for k, v in request.POST.items() if k.startswith("writer_")}
    try:
        date = dt.date.fromisoformat(request.POST["report_date"]) if request.POST.get("report_date") else None
        services.save_writer_texts(report, texts, actor=request.user, scope=scope_for(request.user),
                                   expected_version=int(request.POST.get("version", 0)), report_date=date)
        messages.success(request, "已保存。")
    except ValueError:
        messages.error(request, "落款日期格式不正确。")
    except (ValidationError, ConcurrentEditError) as exc:  # a refused permission is a 403
        messages.error(request, _errors(exc))
    return redirect("reports:detail", pk)


@login_required
@require_POST
def finalise(request, pk):
    report = _report(request, pk)
    try:
        services.finalise(report, actor=request.user, scope=scope_for(request.user))
        messages.success(request, "已定稿：数字、依据记录、模板版本与文件已冻结，此后记录的修改不会改变本报告。")
    except (ValidationError, ConcurrentEditError, templating.TemplateProblem, pdf_render.PdfUnavailable,
            RuntimeError) as exc:  # a refused permission is a 403
        messages.error(request, f"定稿失败，报告仍是草稿：{_errors(exc)}")
    return redirect("reports:detail", pk)


@login_required
@require_POST
def new_version(request, pk):
    report = _report(request, pk)
    draft = services.new_version(report, actor=request.user, scope=scope_for(request.user))  # refused: 403
    messages.success(request, f"已生成第 {draft.number} 版草稿。")
    return redirect("reports:detail", draft.pk)


@login_required
def download(request, pk, fmt):
    report = _report(request, pk)
    if fmt not in services.FORMATS:
        raise Http404("不支持的格式。")
    try:
        data = services.report_file(report, fmt)
    except (templating.TemplateProblem, pdf_render.PdfUnavailable, RuntimeError, ValidationError) as exc:
        messages.error(request, f"无法生成 {services.FORMATS[fmt]}：{_errors(exc)}")
        return redirect("reports:detail", pk)
    name = f"{report.unit.name}{report.year}年度述职报告（第{report.number}版）.{fmt}"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def template_list(request):
    scope = scope_for(request.user)
    unit = current_unit(request)
    defaults = {}
    if unit is not None:
        for kind, label in ReportKind.choices:
            defaults.setdefault(families.default_template(unit, kind).key, []).append(label)
    templates = families.all_templates(scope)
    for t in templates:
        t.default_for = "、".join(defaults.get(t.key, []))
    return render(request, "reports/templates.html", {
        "templates": templates, "unit": unit,
        "can_write": unit is not None and scope.can_write("reports", unit),
    })


@login_required
@require_POST
def template_default(request, pk):
    """设为本单位默认: the template's family becomes the current unit's default for the template's kind."""
    scope = scope_for(request.user)
    unit = current_unit(request)
    template = services.usable_templates(scope).filter(pk=pk).first()
    if template is None:
        raise Http404("未找到该模板。")
    if unit is None or not scope.can_write("reports", unit):
        raise PermissionDenied("您没有设置默认报告模板的权限。")
    try:
        families.set_default_template(unit=unit, kind=template.kind, template=template, actor=request.user, scope=scope)
        messages.success(request, f"已将“{template.name}”设为{unit.name}“{template.get_kind_display()}”的默认模板。")
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("reports:templates")


@login_required
def template_edit(request, pk=None):
    """Edit (a new version), copy a built-in template, or upload a .txt template."""
    scope = scope_for(request.user)
    unit = current_unit(request)
    base = None
    if pk is not None:
        base = ReportTemplate.objects.filter(pk=pk).first()
        if base is None or (base.unit_id and not scope.can_read(base.unit)):
            raise Http404("未找到该模板。")
    if unit is None or not scope.can_write("reports", unit):
        raise PermissionDenied("您没有管理报告模板的权限。")
    copying = base is not None and base.is_builtin
    error = ""
    name = (f"{unit.name}述职报告模板" if copying else base.name) if base else ""
    body = base.body if base else ""
    if request.method == "POST":
        name = request.POST.get("name", "")
        upload = request.FILES.get("file")
        if upload is not None:
            if upload.size > 1_000_000 or not upload.name.lower().endswith((".txt", ".j2", ".jinja")):
                error = "请上传不超过 1 MB 的 .txt 模板文件。"
            else:
                try:
                    body = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    error = "模板文件须为 UTF-8 编码的文本。"
        else:
            body = request.POST.get("body", "")
        if not error:
            try:
                tpl = services.save_template(name=name, body=body, unit=unit, actor=request.user, scope=scope,
                                             key="" if copying or base is None else base.key,
                                             note=request.POST.get("note", ""),
                                             kind=request.POST.get("kind") or (base.kind if base else ""))
                messages.success(request, f"已保存模板“{tpl.name}”第 {tpl.version} 版。")
                return redirect("reports:templates")
            except (ValidationError, PermissionDenied) as exc:
                error = _errors(exc)
    versions = ReportTemplate.objects.filter(key=base.key).order_by("-version")[:20] if base else []
    from lvzhi.metrics.selectors import metric_table

    return render(request, "reports/template_edit.html", {
        "base": base, "copying": copying, "name": name, "body": body, "error": error, "versions": versions,
        "metrics": metric_table(scope, None, None),
        "kinds": ReportKind.choices, "kind": request.POST.get("kind") or (base.kind if base else ReportKind.ANNUAL),
    })
