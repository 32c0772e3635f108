"""Writes on rules: a revision never edits the version that judged past periods, it adds the next version."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from lvzhi.audit.actors import person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes, snapshot
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records.services import ConcurrentEditError

from .marks import touch_rule
from .models import ObligationRule

# What a revision may change; rule_id stays, unit and dates are set by the revision itself.
REVISABLE = ("name", "responsibility", "check_type", "subject", "subject_filter", "record_type", "record_filter",
             "link", "cadence", "min_count", "grace_days", "warning_days", "params", "source", "article",
             "document_number", "notes")


def check_rule_write(scope: Scope, unit: Unit | None) -> None:
    if unit is None:
        if not scope.is_admin:
            raise PermissionDenied("默认规则只有系统管理员可以修订；党委可为本单位修订出自己的版本。")
    elif not scope.can_write("obligations", unit):
        raise PermissionDenied(f"您没有修订“{unit.name}”检查规则的权限。")


def revise_rule(rule: ObligationRule, changes: dict, *, effective_from: dt.date, actor, scope: Scope,
                unit: Unit | None = None, expected_version: int | None = None) -> ObligationRule:
    """Add the next version of ``rule`` in force from ``effective_from``.

    ``unit`` (default: the rule's own unit) says whose version it is. For the same owner the current version
    ends the day before; for another unit (a committee revising a default or an ancestor's rule) the result is
    that unit's own copy, which takes precedence in its subtree from ``effective_from`` while the original stays.
    """
    unknown = set(changes) - set(REVISABLE)
    if unknown:
        raise ValidationError(f"不能通过修订更改这些字段：{'、'.join(sorted(unknown))}")
    owner = unit if unit is not None else rule.unit
    check_rule_write(scope, owner)
    with transaction.atomic():
        current = ObligationRule.objects.select_for_update().get(pk=rule.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConcurrentEditError(
                f"该规则已被他人修改（您编辑的是第 {expected_version} 版，当前是第 {current.version} 版），"
                "本次修订未生效。请刷新页面后重新修订。")
        new = ObligationRule(rule_id=current.rule_id, unit=owner, effective_from=effective_from,
                             **{f: getattr(current, f) for f in REVISABLE})
        for name, value in changes.items():
            setattr(new, name, value)
        if person(actor) is not None:
            new.created_by = person(actor)
        audit: list[Change] = []
        if (owner.pk if owner else None) == current.unit_id:
            later = ObligationRule.objects.filter(rule_id=current.rule_id, unit_id=current.unit_id,
                                                  effective_from__gt=current.effective_from).exists()
            if later:
                raise ValidationError("该版本之后已有新版本，请在最新版本上修订。")
            if effective_from <= current.effective_from:
                raise ValidationError({"effective_from": f"新版本的生效日期须晚于当前版本的生效日期（{current.effective_from}）。"})
            if current.effective_to is not None and effective_from > current.effective_to + dt.timedelta(days=1):
                raise ValidationError({"effective_from": f"当前版本已于{current.effective_to}失效，新版本应自次日起生效。"})
            new.effective_to = current.effective_to
            before = {"effective_to": current.effective_to.isoformat() if current.effective_to else None}
            current.effective_to = effective_from - dt.timedelta(days=1)
            current.version += 1
            current.save(update_fields=["effective_to", "version", "updated_at"])
            audit.append(Change(AuditAction.UPDATE, current, before=before,
                                after={"effective_to": current.effective_to.isoformat()}, unit_id=current.unit_id))
        new.full_clean()
        new.save()
        audit.append(Change(AuditAction.CREATE, new, after=snapshot(new), unit_id=new.unit_id))
        log_changes(actor, audit)
        touch_rule(new.rule_id, new.unit_id)  # recomputed for the owner's subtree after commit
    return new
