"""Report templates in the whole-dataset workbook (imports.dataset): each saved version of a unit's own template,
so a customised template moves with the records it reports on. Built-in templates ship with lvzhi itself."""

from __future__ import annotations

import hashlib

from lvzhi.audit.models import AuditAction
from lvzhi.imports.dataset import ExtraSheet, register_sheet
from lvzhi.org.models import Unit
from lvzhi.records import cells

from .models import ReportTemplate
from .services import _actor_user, _audit

HEADERS = ["模板标识", "版本", "名称", "所属单位", "修改说明", "模板正文"]


def _rows(scope, unit):
    qs = ReportTemplate.objects.filter(is_builtin=False).select_related("unit").order_by("key", "version")
    qs = scope.filter(qs, "unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    for t in qs:
        yield [t.key, t.version, t.name, cells.ref_label(t.unit), t.note, t.body]


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
        existing = ReportTemplate.objects.filter(key=key, version=version).first()
        if existing is not None:
            if (existing.body, existing.name) != (body, name):
                result.add(number, "模板标识", f"模板“{key}”第{version}版已存在且内容不同，未导入")
            continue
        tpl = ReportTemplate.objects.create(key=key, version=version, name=name, body=body, unit=unit,
                                            note=str(values.get("修改说明") or ""), created_by=_actor_user(actor))
        _audit(actor, AuditAction.IMPORT, tpl, after={"key": key, "version": version, "name": name,
                                                       "body_sha256": hashlib.sha256(body.encode()).hexdigest()},
               unit_id=unit.pk)
        created += 1
    return created


def register() -> None:
    register_sheet(ExtraSheet(title="报告模板", headers=HEADERS, after="obligation_rule", rows=_rows, load=_load))
