"""Writing 党支部分类定级 schemes: a unit's own scheme for a year (started as a copy of the one in force), its
levels and indicators, and the scores the committee gives by hand. Scoped (``reports`` system: the 党委 and the
党务 office), validated as a whole and audited in one transaction; the default scheme (no unit) only by an
administrator."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from lvzhi.audit.actors import Actor, person
from lvzhi.audit.services import log_change, snapshot
from lvzhi.org.models import PartyOrg, Unit
from lvzhi.org.scoping import Scope

from .grading import scheme_for
from .grading_defaults import LEVELS
from .grading_models import GradingIndicator, GradingScheme, IndicatorKind, ManualScore

SYSTEM = "reports"
FIELDS = ("name", "kind", "weight", "rule_ids", "record_type", "record_kind", "target", "cap")


class GradingError(Exception):
    """A refusal the user should read (Chinese)."""


def _check_write(scope: Scope, scheme_unit: Unit | None) -> None:
    if scheme_unit is None:
        if not scope.is_admin:
            raise PermissionDenied("默认方案只能由系统管理员修改；请为本单位建立方案。")
        return
    if not scope.can_read(scheme_unit):
        raise Http404("未找到该方案，或您无权查看。")
    if not scope.can_write(SYSTEM, scheme_unit):
        raise PermissionDenied("您没有修改党支部分类定级方案的权限。")


def _state(scheme: GradingScheme) -> dict:
    return {**snapshot(scheme), "indicators": [{f: str(getattr(i, f)) for f in FIELDS} for i in scheme.indicators.all()]}


def own_scheme(unit: Unit, year: int, *, actor: Actor, scope: Scope) -> GradingScheme:
    """The unit's own scheme for the year; made (as a copy of the scheme in force) when there is none."""
    _check_write(scope, unit)
    current = scheme_for(unit, year)
    if current is not None and current.unit_id == unit.pk and current.year == year:
        return current
    with transaction.atomic():
        scheme = GradingScheme.objects.create(
            unit=unit, year=year, name=f"{unit.name}{year}年度党支部分类定级方案",
            levels=dict(current.levels) if current else dict(LEVELS),
            source=current.source if current else "", created_by=person(actor))
        for i in current.indicators.all() if current else ():
            GradingIndicator.objects.create(scheme=scheme, order=i.order, **{f: getattr(i, f) for f in FIELDS})
        log_change(actor, "create", scheme, after=_state(scheme), unit_id=unit.pk)
    return scheme


def _decimal(value, label: str, errors: list) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        errors.append(f"{label}“{value}”不是数字。")
        return None


def update_scheme(scheme: GradingScheme, *, actor: Actor, scope: Scope, version: int, name: str, levels: dict, source: str,
                  indicators: list[dict]) -> GradingScheme:
    """Replace the scheme's settings and indicators (each a dict of ``FIELDS``); all or nothing, with every error
    named by indicator and field."""
    _check_write(scope, scheme.unit)
    errors: list[str] = []
    rows = []
    for n, raw in enumerate(indicators, start=1):
        label = f"第{n}个指标“{raw.get('name') or ''}”"
        ind = GradingIndicator(scheme=scheme, order=n, name=(raw.get("name") or "").strip(), kind=raw.get("kind", ""),
                               weight=_decimal(raw.get("weight"), f"{label}的权重", errors) or Decimal(0),
                               rule_ids=list(raw.get("rule_ids") or []), record_type=raw.get("record_type") or "",
                               record_kind=raw.get("record_kind") or "",
                               target=_decimal(raw.get("target"), f"{label}的目标数", errors), cap=raw.get("cap") or "")
        if not ind.name:
            errors.append(f"{label}：请填写指标名称。")
        if ind.kind not in IndicatorKind.values:
            errors.append(f"{label}：请选择指标类别。")
        rows.append(ind)
    names = [r.name for r in rows if r.name]
    if len(set(names)) != len(names):
        errors.append("指标名称不能重复。")
    if not any(r.kind != IndicatorKind.VETO for r in rows):
        errors.append("方案至少要有一个计分的指标。")
    with transaction.atomic():
        locked = GradingScheme.objects.select_for_update().get(pk=scheme.pk)
        if locked.version != version:
            raise GradingError("该方案已被他人修改，请刷新页面后重新修改。")
        before = _state(locked)
        locked.name, locked.levels, locked.source = name.strip() or locked.name, levels, source
        try:
            locked.full_clean()
        except ValidationError as exc:
            errors += [m for ms in exc.message_dict.values() for m in ms]
        for ind in rows:
            ind.scheme = locked
            if ind.kind in IndicatorKind.values:
                try:
                    ind.clean()
                except ValidationError as exc:
                    errors += [m for ms in exc.message_dict.values() for m in ms]
        if errors:
            raise GradingError("；".join(errors))
        locked.indicators.exclude(name__in=names).delete()  # keep the rows (and their manual scores) kept by name
        kept = {i.name: i for i in locked.indicators.all()}
        for ind in rows:
            old = kept.get(ind.name)
            if old is not None:
                ind.pk = old.pk
            ind.save()
        locked.version += 1
        locked.save()
        log_change(actor, "update", locked, before=before, after=_state(locked), unit_id=locked.unit_id)
    return locked


def set_manual_scores(indicator: GradingIndicator, scores: dict[int, tuple[str, str]], *, actor: Actor,
                      scope: Scope) -> int:
    """``scores``: party org id → (score text, note); an empty score removes the branch's score. Returns how many
    changed. Branches outside the reader's scope are refused like missing ones."""
    scheme = indicator.scheme
    _check_write(scope, scheme.unit)
    if indicator.kind != IndicatorKind.MANUAL:
        raise GradingError(f"“{indicator.name}”不是人工评分指标。")
    orgs = {o.pk: o for o in scope.filter(PartyOrg.objects.filter(pk__in=list(scores)), "unit").select_related("unit")}
    errors: list[str] = []
    changed = 0
    parsed = {}
    for org_id, (text, note) in scores.items():
        org = orgs.get(org_id)
        if org is None:
            raise Http404("未找到该党组织，或您无权查看。")
        value = _decimal(text, f"“{org.name}”的得分", errors)
        if value is not None and not 0 <= value <= 100:
            errors.append(f"“{org.name}”的得分须在0到100之间。")
        parsed[org_id] = (value, (note or "").strip()[:300])
    if errors:
        raise GradingError("；".join(errors))
    with transaction.atomic():
        for org_id, (value, note) in parsed.items():
            row = ManualScore.objects.filter(indicator=indicator, party_org_id=org_id).first()
            before = snapshot(row) if row else None
            if value is None:
                if row is not None:
                    row.delete()
                    log_change(actor, "delete", row, before=before, unit_id=orgs[org_id].unit_id)
                    changed += 1
                continue
            if row is not None and row.score == value and row.note == note:
                continue
            row = row or ManualScore(indicator=indicator, party_org_id=org_id)
            row.score, row.note = value, note
            row.save()
            log_change(actor, "update" if before else "create", row, before=before, after=snapshot(row),
                       unit_id=orgs[org_id].unit_id)
            changed += 1
    return changed
