"""Writing a prepared import (``importer.Plan``) inside the caller's transaction.

New rows go in bulk (one INSERT per 2,000 rows, numbers assigned for the whole file at once, one audit entry per
record); rows that name another row of the file (a parent) in bulk too, level by level, parents first; types with
their own creation (units) go row by row through the create service; changed rows go through the update service,
each audited as an update.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from lvzhi.audit.actors import person
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, append, snapshot, snapshot_json
from lvzhi.records import bulk, cells
from lvzhi.records.numbering import assign_numbers

from .parsing import column_of
from .plan import ImportError_, ImportResult
from .validation import _attach_units, _validate_one, build

BATCH = 2000


def write_plan(plan, *, actor, scope, progress, sheet: str = "") -> tuple[int, int]:
    from lvzhi.records.services import create_record, update_record

    rt = plan.rt
    new, changed = plan.new_rows, plan.changed_rows
    total = len(plan.rows)
    created = updated = 0
    if rt.number_prefix and new:
        assign_numbers(rt.model, [r.values for r in new])
    if rt.create_func is not None:
        resolver = cells.Resolver(scope)
        for r in new:
            _resolve_deferred(rt, r, resolver, sheet=sheet)
            try:
                create_record(rt, r.values, actor=actor, scope=scope)
            except (ValidationError, PermissionDenied) as exc:
                raise ValidationError(_row_error(r, exc, sheet)) from None
            created += 1
            if created % 200 == 0:
                progress("写入", created, total)
    elif any(r.deferred for r in new):
        created = _insert_by_level(plan, new, actor=actor, scope=scope, progress=progress, sheet=sheet)
    else:
        for start in range(0, len(new), BATCH):
            batch = new[start:start + BATCH]
            built = [r.built or build(rt, r.values) for r in batch]
            if rt.number_prefix:  # numbered above, after validation built the objects
                for r, (o, _m2m) in zip(batch, built, strict=True):
                    o.number = r.values.get("number", o.number)
            _insert_built(rt, built, actor)
            for r in batch:
                r.built = None  # written: let the objects go
            created += len(built)
            progress("写入", created, total)
    if changed and _can_update_in_bulk(rt, changed):
        return created, _update_in_bulk(rt, changed, actor=actor, progress=progress)
    resolver = cells.Resolver(scope)
    for r in changed:
        _resolve_deferred(rt, r, resolver, sheet=sheet)
        values = {k: v for k, v in r.values.items() if not rt.is_virtual(column_of(rt, k))}
        try:
            update_record(rt, r.existing, values, actor=actor, scope=scope, expected_version=r.existing.version)
        except (ValidationError, PermissionDenied) as exc:
            raise ValidationError(_row_error(r, exc, sheet)) from None
        updated += 1
        if updated % 200 == 0:
            progress("更新", updated, len(changed))
    return created, updated


def _insert_built(rt, built, actor, ids=None) -> None:
    """New records (validated, unsaved objects with their many-to-many values) in bulk, with one audit entry each."""
    from lvzhi.obligations.marks import touch

    objs = [o for o, _ in built]
    if hasattr(rt.model, "created_by_id") and person(actor) is not None:
        for o in objs:
            o.created_by = person(actor)
    # build() ran each record's fill_derived() (a person's pinyin …), which save() would otherwise do
    bulk.insert(rt.model, objs, ids)
    _write_m2m(rt, built)
    touch(rt, objs)  # the stored check results these rows take part in, recomputed after commit
    if rt.hooks.after_bulk_create:  # what follows from these rows (e.g. a member's current status)
        rt.hooks.after_bulk_create(objs)
    confidential = _confidential_ids(rt, objs)
    append(actor, [
        Change(AuditAction.IMPORT, o, after_json=snapshot_json(o, m2m), unit_id=_unit_id(rt, o),
               confidential=o.pk in confidential)
        for o, m2m in built
    ], returning=False)


def _insert_by_level(plan, new, *, actor, scope, progress, sheet: str) -> int:
    """New rows naming rows of the same file (Party organisations under their parents), level by level: the
    top rows, then the rows under them …, each level in bulk once the rows it names exist. Ids are drawn for the
    whole sheet first, in file order, so an export lists the rows in the order they came (round trip). Each row is
    checked again once its parent is known, as the create service would: scope, fields, the record's own rules."""
    from . import matching

    rt = plan.rt
    meta = rt.model._meta
    ids = dict(zip(map(id, new), bulk.draw_ids(meta.db_table, meta.pk.column, len(new)), strict=True))
    relation_fields = {f.name for f in meta.concrete_fields if f.is_relation}
    resolver = cells.Resolver(scope)
    created = 0
    for level in matching.parent_levels(rt, new):
        resolver.cache.clear()  # the rows this level names were written just now
        resolver.id_cache.clear()
        refs = [ref for r in level for value in r.deferred.values() for ref in cells.collect_refs(value)]
        resolver.resolve_all([ref for ref in refs if ref.model is not None])
        for r in level:
            _resolve_deferred(rt, r, resolver, clear=False, sheet=sheet)
        for start in range(0, len(level), BATCH):
            batch = level[start:start + BATCH]
            built = [build(rt, r.values) for r in batch]
            _attach_units(rt, [o for o, _m2m in built])
            errors = ImportResult(rt.key, sheet=sheet)
            for r, (obj, _m2m) in zip(batch, built, strict=True):
                _validate_one(rt, r, obj, scope, errors, relation_fields)
            if not errors.ok:
                raise ValidationError([str(e) for e in errors.errors])
            _insert_built(rt, built, actor, [ids[id(r)] for r in batch])
            created += len(built)
            progress("写入", created, len(new))
    return created


def _can_update_in_bulk(rt, rows) -> bool:
    """Changed rows are written together unless a write of one could do more than set its fields: a signal
    receiver reacts to each save, or a changed field is unique (a clash is then told per row by update_record)."""
    from django.db.models.signals import m2m_changed, post_save

    if any(r.deferred for r in rows) or post_save.has_listeners(rt.model):
        return False
    meta = rt.model._meta
    unique = {f.name for f in meta.concrete_fields if f.unique}
    unique |= {n for group in meta.unique_together for n in group}
    unique |= {n for c in meta.constraints for n in getattr(c, "fields", ())}
    names = _changing(rt, rows)
    if names & unique:
        return False
    return not any(m2m_changed.has_listeners(rt.model_field(n).remote_field.through) for n in names & set(rt.m2m_fields))


def _update_in_bulk(rt, rows, *, actor, progress) -> int:
    """What update_record does for each row, for all rows at once: the rows were validated and scope-checked when
    prepared; here each is written where it still has the version it was read at (else nothing is written), its
    many-to-many sets replaced, and one audit entry per record lists what changed."""
    from lvzhi.obligations.marks import touch

    model = rt.model
    names = sorted(_changing(rt, rows))
    m2m_names = [n for n in names if n in rt.m2m_fields]
    plain_names = [n for n in names if n not in m2m_names]
    pks = [r.existing.pk for r in rows]
    old_m2m = {n: _m2m_ids(rt, n, pks) for n in rt.m2m_fields}
    was_confidential = _confidential_ids(rt, [r.existing for r in rows])
    objs, befores, versions = [], [], []
    for r in rows:
        current = r.existing
        befores.append(snapshot(current, {n: old_m2m[n].get(current.pk, []) for n in rt.m2m_fields}))
        obj, _m2m = build(rt, {k: v for k, v in r.values.items() if k in names}, current)
        versions.append(current.version)
        obj.version = current.version + 1
        objs.append(obj)
    attnames = [rt.model_field(n).name for n in plain_names] + ["version"]
    touch(rt, [r.existing for r in rows])  # where the records were: stored check results to recompute
    written = bulk.update(model, objs, attnames, versions)
    if written != len(objs):
        raise ValidationError(f"导入期间有{rt.verbose_name}被他人修改，为避免覆盖他人的修改，本次导入未生效。请重新导入。")
    for name in m2m_names:
        _replace_m2m(rt, name, {r.existing.pk: r.values[name] for r in rows if name in r.values})
    touch(rt, objs)  # and where they are now
    confidential = was_confidential | _confidential_ids(rt, objs)
    changes = []
    for r, obj, before in zip(rows, objs, befores, strict=True):
        m2m_after = {n: (r.values[n] if n in r.values else old_m2m[n].get(obj.pk, [])) for n in rt.m2m_fields}
        after = snapshot(obj, m2m_after)
        changed_before = {k: v for k, v in before.items() if after.get(k) != v and k not in ("version", "updated_at")}
        changes.append(Change(AuditAction.UPDATE, obj, before=changed_before,
                              after={k: after[k] for k in changed_before}, unit_id=_audit_unit_id(rt, obj),
                              confidential=obj.pk in confidential))
    append(actor, changes, returning=False)
    progress("更新", len(rows), len(rows))
    return len(rows)


def _changing(rt, rows) -> set[str]:
    """The fields the rows set, less the key they were matched by (equal to the stored one by construction)."""
    from . import matching

    names = {k for r in rows for k in r.values if not rt.is_virtual(column_of(rt, k))}
    return names - set(matching.key_fields(rt, names) or ())


def _m2m_ids(rt, name, pks) -> dict:
    """{record pk: [related pks]} of one many-to-many field, for many records in one query per 900."""
    f = rt.model_field(name)
    through = f.remote_field.through
    src, dst = f.m2m_field_name(), f.m2m_reverse_field_name()
    out: dict = {}
    for i in range(0, len(pks), 900):
        for a, b in through.objects.filter(**{f"{src}_id__in": pks[i:i + 900]}).values_list(f"{src}_id", f"{dst}_id"):
            out.setdefault(a, []).append(b)
    return out


def _replace_m2m(rt, name, values: dict) -> None:
    f = rt.model_field(name)
    through = f.remote_field.through
    src = f.m2m_field_name()
    pks = list(values)
    for i in range(0, len(pks), 900):
        through.objects.filter(**{f"{src}_id__in": pks[i:i + 900]}).delete()
    bulk.insert_links(f, ((pk, t) for pk, targets in values.items() for t in sorted({getattr(t, "pk", t) for t in targets})))


def _audit_unit_id(rt, obj):
    """The unit an audit entry files the record under, as update_record's (a unit reached through a relation
    costs a query, as there)."""
    if rt.unit_field and "__" in rt.unit_field:
        unit = rt.unit_of(obj)
        return unit.pk if unit is not None else None
    return _unit_id(rt, obj)


def _row_error(row, exc, sheet: str) -> str:
    """A row refused while written (by its create or update service), named as a checked row is: 「工作表」第N行."""
    return str(ImportError_(row.number, "", "；".join(_messages(exc)), sheet))


def _messages(exc) -> list[str]:
    return getattr(exc, "messages", None) or [str(exc)]


def _resolve_deferred(rt, row, resolver, *, clear: bool = True, sheet: str = "") -> None:
    for name, value in row.deferred.items():
        if clear:
            resolver.cache.clear()  # the row it names was written a moment ago
        try:
            row.values[name] = cells.resolve_value(resolver, value, list_ids=True)
        except cells.CellError as exc:
            raise ValidationError(str(ImportError_(row.number, rt.header(column_of(rt, name)), str(exc), sheet))) from None


def _unit_id(rt, obj):
    if not rt.unit_field:
        return obj.pk
    return getattr(obj, f"{rt.unit_field}_id", None) if "__" not in rt.unit_field else None


def _write_m2m(rt, built) -> None:
    for name in rt.m2m_fields:
        bulk.insert_links(rt.model_field(name), ((o.pk, t) for o, m2m in built
                                                 for t in sorted({getattr(t, "pk", t) for t in m2m.get(name, [])})))


def _confidential_ids(rt, objs) -> set:
    if rt.confidential_rows is None:
        return set()
    return set(rt.model._default_manager.filter(rt.confidential_rows(), pk__in=[o.pk for o in objs])
               .values_list("pk", flat=True))
