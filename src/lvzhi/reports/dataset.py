"""Report templates in the whole-dataset workbook (imports.dataset): each saved version of a unit's own template,
so a customised template moves with the records it reports on, and each unit's default template per kind of 述职
(sheet 默认报告模板, after the templates it names). Built-in templates ship with lvzhi itself."""

from __future__ import annotations

import hashlib

from lvzhi.audit.actors import person
from lvzhi.audit.models import AuditAction
from lvzhi.imports.dataset import ExtraSheet, register_sheet
from lvzhi.org.models import Unit
from lvzhi.records import cells

from .models import DefaultTemplate, ReportKind, ReportTemplate
from .services import _audit

HEADERS = ["模板标识", "版本", "名称", "所属单位", "修改说明", "模板正文", "述职类别"]
DEFAULT_HEADERS = ["单位", "述职类别", "模板标识"]
KIND_BY_LABEL = {label: value for value, label in ReportKind.choices}


def _rows(scope, unit):
    qs = ReportTemplate.objects.filter(is_builtin=False).select_related("unit").order_by("key", "version")
    qs = scope.filter(qs, "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    for t in qs:
        yield [t.key, t.version, t.name, cells.ref_label(t.unit), t.note, t.body, t.get_kind_display()]


def _load(rows, scope, actor, result) -> int:
    units = cells.Resolver(scope)
    created = 0
    for number, values in rows:
        key, name = (str(values.get(h) or "").strip() for h in ("模板标识", "名称"))
        body = cells.unquote(str(values.get("模板正文") or ""))
        try:
            version = int(values.get("版本"))
        except (TypeError, ValueError):
            result.add(number, "版本", "应为整数")
            continue
        if not key or not name or not body:
            result.add(number, "模板标识" if not key else "名称" if not name else "模板正文", "必填")
            continue
        try:
            unit = units.get(cells.Ref(Unit, str(values.get("所属单位") or "").strip()))
        except cells.CellError as exc:
            result.add(number, "所属单位", str(exc))
            continue
        if not scope.can_write("reports", unit):
            result.add(number, "所属单位", f"您没有在“{unit.name}”管理报告模板的权限")
            continue
        kind_text = str(values.get("述职类别") or "").strip()
        kind = KIND_BY_LABEL.get(kind_text, kind_text if kind_text in ReportKind.values else None)
        if kind_text and kind is None:
            result.add(number, "述职类别", f"“{kind_text}”不是可用的述职类别（{'、'.join(ReportKind.labels)}）")
            continue
        existing = ReportTemplate.objects.filter(key=key, version=version).first()
        if existing is not None:
            if (existing.body, existing.name) != (body, name):
                result.add(number, "模板标识", f"模板“{key}”第{version}版已存在且内容不同，未导入")
            continue
        tpl = ReportTemplate.objects.create(key=key, version=version, name=name, body=body, unit=unit,
                                            kind=kind or ReportKind.ANNUAL, note=str(values.get("修改说明") or ""),
                                            created_by=person(actor))
        _audit(actor, AuditAction.IMPORT, tpl, after={"key": key, "version": version, "name": name,
                                                       "body_sha256": hashlib.sha256(body.encode()).hexdigest()},
               unit_id=unit.pk)
        created += 1
    return created


def _default_rows(scope, unit):
    qs = scope.filter(DefaultTemplate.objects.select_related("unit").order_by("unit__path", "kind"), "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    for d in qs:
        yield [cells.ref_label(d.unit), d.get_kind_display(), d.template_key]


def _load_defaults(rows, scope, actor, result) -> int:
    """Upsert by (unit, kind); the template must be built in, already here, or on the 报告模板 sheet before."""
    from .families import sync_builtin_templates

    sync_builtin_templates()
    units = cells.Resolver(scope)
    written = 0
    for number, values in rows:
        unit_text, kind_text, key = (str(values.get(h) or "").strip() for h in DEFAULT_HEADERS)
        missing = next((h for h, v in zip(DEFAULT_HEADERS, (unit_text, kind_text, key), strict=True) if not v), None)
        if missing:
            result.add(number, missing, "必填")
            continue
        try:
            unit = units.get(cells.Ref(Unit, unit_text))
        except cells.CellError as exc:
            result.add(number, "单位", str(exc))
            continue
        kind = KIND_BY_LABEL.get(kind_text, kind_text if kind_text in ReportKind.values else None)
        if kind is None:
            result.add(number, "述职类别", f"“{kind_text}”不是可用的述职类别（{'、'.join(ReportKind.labels)}）")
            continue
        template = ReportTemplate.objects.filter(key=key).select_related("unit").order_by("-version").first()
        if template is None:
            result.add(number, "模板标识", f"找不到模板“{key}”（须为内置模板，或在“报告模板”工作表中）")
            continue
        if not scope.can_write("reports", unit):
            result.add(number, "单位", f"您没有在“{unit.name}”设置默认报告模板的权限")
            continue
        if template.unit is not None and not unit.path.startswith(template.unit.path):
            result.add(number, "模板标识", f"模板“{template.name}”属于{template.unit.name}，不能作为{unit.name}的默认模板")
            continue
        row = DefaultTemplate.objects.filter(unit=unit, kind=kind).first()
        if row is not None and row.template_key == key:
            continue
        before = {"template": row.template_key} if row else None
        row = row or DefaultTemplate(unit=unit, kind=kind)
        row.template_key, row.updated_by = key, person(actor)
        row.save()
        _audit(actor, AuditAction.IMPORT, row, before=before, after={"unit": unit.code, "kind": kind, "template": key},
               unit_id=unit.pk)
        written += 1
    return written


def register() -> None:
    register_sheet(ExtraSheet(title="报告模板", headers=HEADERS, after="obligation_rule", rows=_rows, load=_load,
                              optional=("述职类别",)))
    register_sheet(ExtraSheet(title="默认报告模板", headers=DEFAULT_HEADERS, after="obligation_rule",
                              rows=_default_rows, load=_load_defaults))
