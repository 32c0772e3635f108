"""Built-in templates as data (``builtin/templates.json`` + one text file each), defaults per unit and kind, and
who reports for each kind.

The built-in family: one generic template per kind of 述职 (every sentence conditional on records, prompts where a
required item has none) and the seed example (``builtin``, the demo company's 2022 report). A changed file becomes
a new built-in version; reports keep the version they used. Which template a unit uses by default is a
``DefaultTemplate`` row per unit and kind; without one, the generic template of the kind.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from lvzhi.audit.actors import SYSTEM, Actor, person
from lvzhi.audit.models import AuditAction
from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope

from .models import DefaultTemplate, ReportKind, ReportTemplate

BUILTIN_DIR = Path(__file__).parent / "builtin"
MANIFEST = BUILTIN_DIR / "templates.json"
GENERIC_PREFIX = "generic-"


def manifest() -> list[dict]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def sync_builtin_templates(keys: set[str] | None = None) -> dict[str, ReportTemplate]:
    """The built-in templates as shipped (all, or those of ``keys``), newest version by key (a changed file, name or
    kind → a new version)."""
    from .services import _audit

    out = {}
    for entry in manifest():
        if keys is not None and entry["key"] not in keys:
            continue
        body = (BUILTIN_DIR / entry["file"]).read_text(encoding="utf-8")
        latest = ReportTemplate.objects.filter(key=entry["key"]).order_by("-version").first()
        if latest is not None and (latest.body, latest.name, latest.kind) == (body, entry["name"], entry["kind"]):
            out[entry["key"]] = latest
            continue
        with transaction.atomic():
            tpl = ReportTemplate.objects.create(key=entry["key"], version=(latest.version + 1) if latest else 1,
                                                name=entry["name"], body=body, kind=entry["kind"], is_builtin=True,
                                                note=entry.get("note", "随系统发布"))
            _audit(SYSTEM, AuditAction.CREATE, tpl, after={"key": tpl.key, "version": tpl.version, "kind": tpl.kind})
        out[entry["key"]] = tpl
    return out


def generic_template(kind: str) -> ReportTemplate:
    key = GENERIC_PREFIX + kind.replace("_", "-")
    return sync_builtin_templates({key})[key]


def newest(key: str) -> ReportTemplate | None:
    return ReportTemplate.objects.filter(key=key).order_by("-version").first()


def natural_kind(unit: Unit, on: dt.date | None = None) -> str:
    """The kind of report a unit's secretary writes by default: a branch's (or 党总支's) 抓基层党建述职, else the
    committee secretary's annual report."""
    from .services import highest_party_org

    org = highest_party_org(unit, on)
    return ReportKind.BRANCH if org is not None and org.kind in ("branch", "general_branch") else ReportKind.ANNUAL


def default_template(unit: Unit, kind: str | None = None) -> ReportTemplate:
    """The unit's default for the kind (newest version of its family), else the generic built-in of the kind."""
    kind = kind or natural_kind(unit)
    if kind not in ReportKind.values:
        raise ValidationError(f"未知的述职类别“{kind}”（可用：{'、'.join(ReportKind.labels)}）")
    row = DefaultTemplate.objects.filter(unit=unit, kind=kind).first()
    if row is not None:
        if row.template_key in {e["key"] for e in manifest()}:
            sync_builtin_templates({row.template_key})
        tpl = newest(row.template_key)
        if tpl is not None and (tpl.unit is None or unit.path.startswith(tpl.unit.path)):
            return tpl
    return generic_template(kind)


def set_default_template(*, unit: Unit, kind: str, template: ReportTemplate, actor: Actor, scope: Scope) -> DefaultTemplate:
    from .services import _audit

    if not scope.can_write("reports", unit):
        raise PermissionDenied(f"您没有为“{unit.name}”设置默认报告模板的权限。")
    if kind not in ReportKind.values:
        raise ValidationError(f"未知的述职类别“{kind}”。")
    if template.unit is not None and not unit.path.startswith(template.unit.path):
        raise ValidationError(f"模板“{template.name}”属于{template.unit.name}，不能作为{unit.name}的默认模板。")
    with transaction.atomic():
        row = DefaultTemplate.objects.filter(unit=unit, kind=kind).first()
        before = {"template": row.template_key} if row else None
        if row is None:
            row = DefaultTemplate(unit=unit, kind=kind)
        row.template_key, row.updated_by = template.key, person(actor)
        row.save()
        _audit(actor, AuditAction.UPDATE if before else AuditAction.CREATE, row, before=before,
               after={"unit": unit.code, "kind": kind, "template": template.key}, unit_id=unit.pk)
    return row


def find_template(name: str, scope: Scope) -> ReportTemplate | None:
    """A template by its name or key (newest version), among the built-in ones and the scope's units' own."""
    from .services import usable_templates

    sync_builtin_templates()
    qs = usable_templates(scope)
    return (qs.filter(name=name.strip()).order_by("-version").first()
            or qs.filter(key=name.strip()).order_by("-version").first())


def all_templates(scope: Scope) -> list[ReportTemplate]:
    """The newest version of every template the scope may use, built-in first (by manifest order)."""
    order = {e["key"]: i for i, e in enumerate(manifest())}
    sync_builtin_templates()
    from .services import latest_templates

    return sorted(latest_templates(scope), key=lambda t: (not t.is_builtin, order.get(t.key, 99), t.name))


# --- who reports ------------------------------------------------------------------------------------------

POST_OF_KIND: dict[str, str] = {ReportKind.DISCIPLINE: "纪委书记"}


def reporter(unit: Unit, kind: str, on: dt.date) -> Person | None:
    """Who reports for a kind: the secretary of the unit's highest Party organisation on the day; for 述责述廉
    the holder of the post 纪委书记; for 一岗双责 nobody by default (the person must be chosen)."""
    from lvzhi.cadres.models import Appointment

    from .services import default_secretary

    if kind == ReportKind.ONE_POST:
        return None
    post = POST_OF_KIND.get(kind)
    if post is None:
        return default_secretary(unit, on)
    held = (Appointment.objects.filter(unit=unit, post__contains=post, date__lte=on)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on)).exclude(post__contains=post.replace("书记", "副书记"))
            .select_related("person").order_by("-date", "-pk").first())
    return cast(Person, held.person) if held else None


def find_person(text: str, unit: Unit) -> Person:
    """A person of the unit's subtree (or an appointment there) by code or name; an error names what was given."""
    text = text.strip()
    qs = Person.objects.filter(Q(code=text) | Q(name=text))
    inside = [p for p in qs.select_related("unit") if p.unit_id and p.unit.path.startswith(unit.path)]
    if not inside:
        inside = list(qs.filter(appointments__unit__path__startswith=unit.path).distinct())
    if not inside:
        raise ValidationError(f"在{unit.name}找不到人员“{text}”（请填写工号或姓名）。")
    if len(inside) > 1:
        raise ValidationError(f"{unit.name}有 {len(inside)} 人名为“{text}”，请改填工号。")
    return inside[0]
