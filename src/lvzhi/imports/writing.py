"""Writing a prepared import (``importer.Plan``) inside the caller's transaction.

New rows go in bulk (one INSERT per 2,000 rows, numbers assigned for the whole file at once, one audit entry per
record); rows that name another row of the file (a parent) and types with their own creation (units) go row by
row through the create service; changed rows go through the update service, each audited as an update.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from lvzhi.audit.actors import person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes, snapshot
from lvzhi.records import cells
from lvzhi.records.numbering import assign_numbers

BATCH = 2000


def write_plan(plan, *, actor, scope, progress) -> tuple[int, int]:
    from lvzhi.records.services import create_record, update_record

    from .importer import build, column_of

    rt = plan.rt
    new, changed = plan.new_rows, plan.changed_rows
    total = len(plan.rows)
    created = updated = 0
    if rt.number_prefix and new:
        assign_numbers(rt.model, [r.values for r in new])
    if rt.create_func is not None or any(r.deferred for r in new):
        resolver = cells.Resolver(scope)
        for r in new:
            _resolve_deferred(rt, r, resolver)
            try:
                create_record(rt, r.values, actor=actor, scope=scope)
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(f"第{r.number}行：{'；'.join(_messages(exc))}") from None
            created += 1
            if created % 200 == 0:
                progress("写入", created, total)
    else:
        for start in range(0, len(new), BATCH):
            batch = new[start:start + BATCH]
            built = [build(rt, r.values) for r in batch]
            objs = [o for o, _ in built]
            if hasattr(rt.model, "created_by_id") and person(actor) is not None:
                for o in objs:
                    o.created_by = person(actor)
            # build() ran each record's fill_derived() (a person's pinyin …), which save() would otherwise do
            rt.model._default_manager.bulk_create(objs)
            _write_m2m(rt, built)
            if rt.hooks.after_bulk_create:  # what follows from these rows (e.g. a member's current status)
                rt.hooks.after_bulk_create(objs)
            confidential = _confidential_ids(rt, objs)
            log_changes(actor, [
                Change(AuditAction.IMPORT, o, after=snapshot(o, m2m), unit_id=_unit_id(rt, o),
                       confidential=o.pk in confidential)
                for o, m2m in built
            ])
            created += len(objs)
            progress("写入", created, total)
    resolver = cells.Resolver(scope)
    for r in changed:
        _resolve_deferred(rt, r, resolver)
        values = {k: v for k, v in r.values.items() if not rt.is_virtual(column_of(rt, k))}
        try:
            update_record(rt, r.existing, values, actor=actor, scope=scope, expected_version=r.existing.version)
        except (ValidationError, PermissionDenied) as exc:
            raise ValidationError(f"第{r.number}行：{'；'.join(_messages(exc))}") from None
        updated += 1
        if updated % 200 == 0:
            progress("更新", updated, len(changed))
    return created, updated


def _messages(exc) -> list[str]:
    return getattr(exc, "messages", None) or [str(exc)]


def _resolve_deferred(rt, row, resolver) -> None:
    from .importer import column_of

    for name, value in row.deferred.items():
        resolver.cache.clear()  # the row it names was written a moment ago
        try:
            row.values[name] = cells.resolve_value(resolver, value)
        except cells.CellError as exc:
            raise ValidationError(f"第{row.number}行「{rt.header(column_of(rt, name))}」：{exc}") from None


def _unit_id(rt, obj):
    if not rt.unit_field:
        return obj.pk
    return getattr(obj, f"{rt.unit_field}_id", None) if "__" not in rt.unit_field else None


def _write_m2m(rt, built) -> None:
    for name in rt.m2m_fields:
        through = rt.model_field(name).remote_field.through
        src = rt.model_field(name).m2m_field_name()
        dst = rt.model_field(name).m2m_reverse_field_name()
        rows = [through(**{f"{src}_id": o.pk, f"{dst}_id": t})
                for o, m2m in built for t in sorted({getattr(t, "pk", t) for t in m2m.get(name, [])})]
        through.objects.bulk_create(rows, batch_size=5000)


def _confidential_ids(rt, objs) -> set:
    if rt.confidential_rows is None:
        return set()
    return set(rt.model._default_manager.filter(rt.confidential_rows(), pk__in=[o.pk for o in objs])
               .values_list("pk", flat=True))
