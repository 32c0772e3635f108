"""All-or-nothing import of a spreadsheet into one record type.

1. read the header and map it to the type's columns;
2. stream every row, parse every cell (``records.cells``), collect references and errors;
3. resolve all references in bulk, validate each record, check scope and duplicates;
4. only if nothing is wrong: insert everything in one transaction (bulk), with one audit entry per record.
Any error leaves the database untouched and is reported as 第N行「列名」：原因.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, log_changes, snapshot
from lvzhi.org.scoping import Scope
from lvzhi.records import cells
from lvzhi.records.registry import RecordType

from .reader import FileRejected, open_sheet

MAX_ERRORS = 500  # enough to fix a file; more would only hide the pattern
BATCH = 2000


@dataclass
class ImportError_:
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        col = f"「{self.column}」" if self.column else ""
        return f"{where}{col}：{self.message}"


@dataclass
class ImportResult:
    record_type: str
    rows: int = 0
    created: int = 0
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


Progress = Callable[[str, int, int | None], None]


def _noop(phase: str, done: int, total: int | None) -> None:
    return None


def _map_headers(rt: RecordType, headers: list[str], result: ImportResult) -> dict[int, object]:
    by_header = {rt.header(c): c for c in rt.columns}
    mapping = {}
    for i, h in enumerate(headers):
        if not h:
            continue
        column = by_header.get(h)
        if column is None:
            result.errors.append(ImportError_(1, h, f"不是“{rt.verbose_name}”的列。可用的列：{'、'.join(by_header)}"))
        else:
            mapping[i] = column
    if headers and not mapping:
        # Nothing at all is recognised: the wrong type chosen, or a CSV whose encoding was guessed wrong (mojibake).
        result.errors.append(ImportError_(1, "", f"第1行没有一个“{rt.verbose_name}”的列名。请确认选择了正确的记录类型；"
                                                 "CSV 文件请保存为 UTF-8 或 GBK 编码（列名显示为乱码即是编码不对）。"))
    present = {c.field for c in mapping.values()}
    for c in rt.columns:
        if rt.is_required(c) and c.field not in present:
            result.errors.append(ImportError_(1, rt.header(c), "缺少必填列"))
    return mapping


def run_import(rt: RecordType, path, *, actor, scope: Scope, default_unit=None, filename: str = "",
               progress: Progress = _noop) -> ImportResult:
    result = ImportResult(rt.key)
    _import(rt, path, result, actor=actor, scope=scope, default_unit=default_unit, filename=filename,
            progress=progress)
    result.errors.sort(key=lambda e: e.row or 0)  # by row, as the user reads the file (stable within a row)
    return result


def _import(rt, path, result, *, actor, scope, default_unit, filename, progress) -> None:
    try:
        sheet = open_sheet(path, filename)
    except FileRejected as exc:
        result.errors.append(ImportError_(None, "", str(exc)))
        return
    try:
        mapping = _map_headers(rt, sheet.headers, result)
        if result.errors:
            return
        parsed = _parse_rows(rt, sheet, mapping, result, progress)
    finally:
        sheet.close()
    if not parsed:
        result.errors.append(ImportError_(None, "", "文件中没有数据行（第1行是表头，数据从第2行开始）。"))
        return
    # Bad cells do not stop here: references, repeats and each good row's rules are checked too, so one
    # report lists everything to fix.
    records = _resolve_and_validate(rt, parsed, scope, default_unit, result, progress)
    if result.errors:
        return
    try:
        result.created = _write(rt, records, actor=actor, scope=scope, progress=progress)
    except (ValidationError, PermissionDenied, IntegrityError) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        result.errors.append(ImportError_(None, "", "写入时被数据库拒绝，全部未导入：" + "；".join(messages)))
        result.created = 0


def _parse_rows(rt, sheet, mapping, result, progress) -> list[tuple[int, dict]]:
    parsed = []
    for number, values in sheet.rows:
        result.rows += 1
        data = {}
        for i, column in mapping.items():
            raw = values[i] if i < len(values) else None
            try:
                data[column.field] = cells.parse_cell(rt, column, raw)
            except cells.CellError as exc:
                _add(result, number, rt.header(column), str(exc))
        parsed.append((number, data))
        if result.rows % 1000 == 0:
            progress("校验", result.rows, sheet.total_hint)
    progress("校验", result.rows, result.rows)
    return parsed


def _key_part(value):
    """A resolved value as part of a row's identity: objects by id, so 有机硅厂 and JH01-P03 are the same."""
    if isinstance(value, list):
        return tuple(sorted(_key_part(v) for v in value))
    return getattr(value, "pk", value)


def _check_duplicate_rows(rt, records, result) -> None:
    """Refuse a row that repeats an earlier one: the same natural key, or (types without one) every cell alike."""
    names = rt.natural_key or ()
    seen: dict[tuple, int] = {}
    bad_rows = {e.row for e in result.errors}
    for number, values, deferred in records:
        if deferred or number in bad_rows:
            continue  # unresolved cells are reported already; rows pointing at rows of this file come later
        key = tuple(_key_part(values.get(n)) for n in names) if names else tuple(
            (n, _key_part(v)) for n, v in sorted(values.items()))
        if key not in seen:
            seen[key] = number
        elif names:
            headers = "、".join(rt.header(_column(rt, n)) for n in names)
            _add(result, number, rt.header(_column(rt, names[0])), f"与第{seen[key]}行重复（{headers}相同）")
        else:
            _add(result, number, "", f"与第{seen[key]}行完全相同（重复的行）")


def _column(rt, name):
    return next(c for c in rt.columns if c.field == name)


def _add(result: ImportResult, row, column, message) -> None:
    if len(result.errors) < MAX_ERRORS:
        result.errors.append(ImportError_(row, column, message))
    elif len(result.errors) == MAX_ERRORS:
        result.errors.append(ImportError_(None, "", f"错误超过 {MAX_ERRORS} 条，其余未列出。"))


def _self_keys(rt, parsed) -> set[str]:
    """Codes and names of rows in this file, so a row may point at a record created by an earlier row."""
    keys = set()
    for _, data in parsed:
        for f in ("code", "name", *rt.natural_key):
            v = data.get(f)
            if isinstance(v, str) and v:
                keys.add(v)
    return keys


def _resolve_and_validate(rt, parsed, scope, default_unit, result, progress):
    resolver = cells.Resolver(scope)
    refs = [r for _, data in parsed for v in data.values() for r in cells.collect_refs(v)]
    resolver.resolve_all(refs)
    self_keys = _self_keys(rt, parsed)
    records = []
    unit_col = next((c for c in rt.columns if c.field == rt.unit_field), None)
    for n, (number, data) in enumerate(parsed, start=1):
        values, deferred = {}, {}
        for name, value in data.items():
            column = _column(rt, name)
            try:
                values[name] = cells.resolve_value(resolver, value)
            except cells.CellError as exc:
                pending = [r for r in cells.collect_refs(value) if r.model is rt.model and
                           (cells.CODE_IN_PARENS.sub(r"\g<code>", r.text) in self_keys or r.text in self_keys)]
                if pending and len(pending) == len(cells.collect_refs(value)):
                    deferred[name] = value  # resolved at write time, after the earlier row exists
                else:
                    _add(result, number, rt.header(column), str(exc))
        if unit_col is not None and values.get(rt.unit_field) is None and default_unit is not None:
            values[rt.unit_field] = default_unit
        records.append((number, values, deferred))
        if n % 5000 == 0:
            progress("匹配", n, len(parsed))
    _check_duplicate_rows(rt, records, result)
    bad_rows = {e.row for e in result.errors}
    good = [r for r in records if r[0] not in bad_rows]  # a row with a bad cell would only fail again here
    _validate_records(rt, good, scope, result)
    _check_existing(rt, good, result)
    return records


def _build(rt, values):
    m2m = {k: values[k] for k in rt.m2m_fields if k in values}
    plain = {k: v for k, v in values.items() if k not in m2m and not _is_virtual(rt, k)}
    obj = rt.model(**plain)
    if hasattr(obj, "fill_derived"):
        obj.fill_derived()
    return obj, m2m


def _is_virtual(rt, name):
    return rt.is_virtual(_column(rt, name))


def _validate_records(rt, records, scope, result) -> None:
    relation_fields = [f.name for f in rt.model._meta.concrete_fields if f.is_relation]
    if rt.create_func is not None:
        return  # custom creation validates and checks scope itself, row by row, at write time
    for start in range(0, len(records), BATCH):  # in batches: 100,000 built records at once would cost ~100 MB
        built = [(number, _build(rt, values)[0]) for number, values, _ in records[start:start + BATCH]]
        _attach_units(rt, [obj for _, obj in built])
        _validate_built(rt, built, scope, result, relation_fields)


def _validate_built(rt, built, scope, result, relation_fields) -> None:
    from lvzhi.records.services import check_write

    for number, obj in built:
        try:
            check_write(rt, scope, obj)
        except PermissionDenied as exc:
            _add(result, number, rt.header(_column(rt, rt.unit_field)) if rt.unit_field else "", str(exc))
            continue
        try:
            obj.clean_fields(exclude=relation_fields)
            obj.clean()
        except ValidationError as exc:
            for field_name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                header = next((rt.header(c) for c in rt.columns if c.field == field_name), "")
                for m in messages:
                    _add(result, number, header, m)


def _attach_units(rt, objs) -> None:
    """Give each record its unit object from one bulk read: the scope check reads ``record.unit``, which would
    otherwise cost one query per row (a derived unit is only known as ``unit_id`` after fill_derived)."""
    from lvzhi.org.models import Unit

    if rt.unit_field != "unit":
        return
    ids = {o.unit_id for o in objs if o.unit_id is not None and not rt.model.unit.is_cached(o)}
    units = Unit.objects.in_bulk(ids) if ids else {}
    for o in objs:
        if o.unit_id in units and not rt.model.unit.is_cached(o):
            o.unit = units[o.unit_id]


def _check_existing(rt, records, result) -> None:
    """Refuse rows whose natural key already exists in the database (one query per 900 keys)."""
    if not rt.natural_key:
        return
    first = rt.natural_key[0]
    firsts = {v[first] for _, v, _ in records if v.get(first) is not None}
    existing = set()
    values = sorted(firsts, key=lambda x: str(getattr(x, "pk", x)))
    for i in range(0, len(values), 900):
        qs = rt.model._default_manager.filter(**{f"{first}__in": values[i:i + 900]})
        existing.update(tuple(row) for row in qs.values_list(*[_attname(rt, k) for k in rt.natural_key]))
    for number, v, _ in records:
        key = tuple(getattr(v.get(k), "pk", v.get(k)) for k in rt.natural_key)
        if key in existing:
            _add(result, number, rt.header(_column(rt, first)), "数据库中已有相同的记录（不重复导入）")


def _attname(rt, name):
    return rt.model_field(name).attname


def _write(rt, records, *, actor, scope, progress) -> int:
    from lvzhi.records.services import create_record

    total = len(records)
    created = 0
    with transaction.atomic():
        if rt.create_func is not None or any(d for _, _, d in records):
            # Row by row: tree nodes, or rows pointing at records created by earlier rows of this file.
            resolver = cells.Resolver(scope)
            for number, values, deferred in records:
                for name, value in deferred.items():
                    resolver.cache.clear()
                    try:
                        values[name] = cells.resolve_value(resolver, value)
                    except cells.CellError as exc:
                        raise ValidationError(f"第{number}行「{rt.header(_column(rt, name))}」：{exc}") from None
                try:
                    create_record(rt, values, actor=actor, scope=scope)
                except (ValidationError, PermissionDenied) as exc:
                    msgs = getattr(exc, "messages", [str(exc)])
                    raise ValidationError(f"第{number}行：{'；'.join(msgs)}") from None
                created += 1
                if created % 200 == 0:
                    progress("写入", created, total)
            return created
        for start in range(0, total, BATCH):
            batch = records[start:start + BATCH]
            built = [_build(rt, values) for _, values, _ in batch]
            objs = [o for o, _ in built]
            if hasattr(rt.model, "created_by_id") and actor is not None and not isinstance(actor, str):
                for o in objs:
                    o.created_by = actor
            # _build() ran each record's fill_derived() (a person's pinyin …), which save() would otherwise do
            rt.model._default_manager.bulk_create(objs)
            _write_m2m(rt, built)
            confidential = _confidential_ids(rt, objs)
            log_changes(actor, [
                Change(AuditAction.IMPORT, o, after=snapshot(o, m2m), unit_id=_unit_id(rt, o),
                       confidential=o.pk in confidential)
                for o, m2m in built
            ])
            created += len(objs)
            progress("写入", created, total)
    return created


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
