"""All-or-nothing import of a spreadsheet into one record type.

1. read the header and map it to the type's columns;
2. stream every row, parse every cell (``records.cells``), collect references and errors;
3. resolve all references in bulk; find the records the rows already are (by code/number, else natural key);
   validate each record, check scope and duplicates;
4. only if nothing is wrong: write everything in one transaction (new rows in bulk, changed rows through the
   update service), with one audit entry per record.
Any error leaves the database untouched and is reported as 「工作表」第N行「列名」：原因.

Modes: ``create`` (a row that already exists is an error), ``update`` (every row must name an existing record; only
the sheet's columns change, audited as updates) and ``upsert`` (update what exists, create the rest).
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model

from lvzhi.org.scoping import Scope
from lvzhi.records import cells
from lvzhi.records.registry import RecordType
from lvzhi.records.services import fill_derived

from . import matching
from .models import ImportMode
from .reader import FileRejected, Sheet, open_sheet
from .writing import write_plan

MAX_ERRORS = 500  # enough to fix a file; more would only hide the pattern
BATCH = 2000
KEEP_BUILT = 20_000
MODES = dict(ImportMode.choices)


@dataclass
class ImportError_:
    row: int | None
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ("" if self.sheet else "文件")
        sheet = f"「{self.sheet}」" if self.sheet else ""
        col = f"「{self.column}」" if self.column else ""
        return f"{sheet}{where}{col}：{self.message}"


@dataclass
class ImportResult:
    record_type: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row, column, message) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(ImportError_(row, column, message, self.sheet))
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append(ImportError_(None, "", f"错误超过 {MAX_ERRORS} 条，其余未列出。", self.sheet))


@dataclass
class Row:
    number: int  # the row's number in the file
    values: dict  # field → resolved value, only the sheet's columns
    deferred: dict = field(default_factory=dict)  # field → value naming a row of this same file
    existing: object = None  # the record this row updates (update / upsert)
    built: tuple | None = None  # (unsaved object, many-to-many values) from validation, kept for the bulk write


@dataclass
class Plan:
    """What an import would do, worked out without writing anything."""

    rt: RecordType
    mode: str
    columns: list  # the sheet's columns, in sheet order
    rows: list[Row] = field(default_factory=list)
    default_unit: object = None
    scope: Scope | None = None

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.existing is None]

    @property
    def changed_rows(self) -> list[Row]:
        return [r for r in self.rows if r.existing is not None]


Progress = Callable[[str, int, int | None], None]


def _noop(phase: str, done: int, total: int | None) -> None:
    return None


def run_import(rt: RecordType, path, *, actor, scope: Scope, default_unit=None, filename: str = "",
               mode: str = "create", skip_columns=(), progress: Progress = _noop,
               on_written: Callable[[ImportResult], None] | None = None) -> ImportResult:
    """Import one file (its first sheet). Validation reads outside the transaction; the writing is one
    transaction, and ``on_written`` runs inside it (so a job can record its outcome with the data)."""
    result = ImportResult(rt.key)
    try:
        sheet = open_sheet(path, filename)
    except FileRejected as exc:
        result.add(None, "", str(exc))
        return result
    from . import streaming

    if streaming.can_stream(rt, sheet.headers, skip_columns):
        return _run_streamed(rt, sheet, result, actor=actor, scope=scope, default_unit=default_unit, mode=mode,
                             skip_columns=skip_columns, progress=progress, on_written=on_written)
    try:
        plan = prepare(rt, sheet, result, scope=scope, default_unit=default_unit, mode=mode,
                       skip_columns=skip_columns, progress=progress)
    except FileRejected as exc:  # a sheet whose XML breaks off half-way
        result.add(None, "", str(exc))
        return result
    finally:
        sheet.close()
    if result.ok:
        try:
            with transaction.atomic():
                write(plan, result, actor=actor, scope=scope, progress=progress)
                if on_written is not None:
                    on_written(result)
        except (ValidationError, PermissionDenied, IntegrityError) as exc:
            messages = getattr(exc, "messages", None) or [str(exc)]
            result.add(None, "", "写入时被数据库拒绝，全部未导入：" + "；".join(messages))
            result.created = result.updated = 0
    result.errors.sort(key=lambda e: e.row or 0)  # by row, as the user reads the file (stable within a row)
    return result


class _Rollback(Exception):
    pass


def all_or_nothing(write: Callable[[], None], result, fail: Callable[[str], None],
                   on_written: Callable | None = None) -> None:
    """``write()`` in one transaction, rolled back unless ``result.ok`` afterwards; a sheet that breaks off half-way
    or a refusal by the database becomes one Chinese error (``fail``) and nothing is written. ``on_written`` runs
    inside the transaction (an import job's "imported" state commits with the rows)."""
    try:
        with transaction.atomic():
            write()
            if not result.ok:
                raise _Rollback
            if on_written is not None:
                on_written(result)
    except _Rollback:
        pass
    except FileRejected as exc:  # a sheet whose XML breaks off half-way
        fail(str(exc))
    except (ValidationError, PermissionDenied, IntegrityError) as exc:
        messages = getattr(exc, "messages", None) or [str(exc)]
        fail("写入时被数据库拒绝，全部未导入：" + "；".join(messages))


def _run_streamed(rt, sheet, result, *, actor, scope, default_unit, mode, skip_columns, progress,
                  on_written) -> ImportResult:
    """run_import for a sheet checked and written chunk by chunk (``streaming``): one transaction around both,
    rolled back on any error, so nothing is written unless every row is right."""
    from . import streaming

    try:
        all_or_nothing(lambda: streaming.import_sheet(rt, sheet, result, actor=actor, scope=scope, mode=mode,
                                                      default_unit=default_unit, skip_columns=skip_columns,
                                                      progress=progress),
                       result, lambda message: result.add(None, "", message), on_written)
    finally:
        sheet.close()
    if not result.ok:
        result.created = result.updated = 0
    result.errors.sort(key=lambda e: e.row or 0)
    return result


# --- preparing ---------------------------------------------------------------------------------------------

def map_headers(rt: RecordType, headers: list[str], result: ImportResult, *, mode: str = "create",
                skip_columns=()) -> dict[int, object]:
    by_header = {rt.header(c): c for c in rt.columns}
    skipped = set(skip_columns)
    unknown = skipped - set(by_header)
    if unknown:
        result.add(None, "", f"要跳过的列“{'、'.join(sorted(unknown))}”不是“{rt.verbose_name}”的列")
    mapping = {}
    for i, h in enumerate(headers):
        if not h or h in skipped:
            continue
        column = by_header.get(h)
        if column is None:
            result.add(1, h, f"不是“{rt.verbose_name}”的列。可用的列：{'、'.join(by_header)}")
        else:
            mapping[i] = column
    if headers and not mapping and not skipped:
        # Nothing at all is recognised: the wrong type chosen, or a CSV whose encoding was guessed wrong (mojibake).
        result.add(1, "", f"第1行没有一个“{rt.verbose_name}”的列名。请确认选择了正确的记录类型；"
                          "CSV 文件请保存为 UTF-8 或 GBK 编码（列名显示为乱码即是编码不对）。")
    present = {c.field for c in mapping.values()}
    if mode == "create":
        for c in rt.columns:
            if rt.is_required(c) and c.field not in present and rt.header(c) not in skipped:
                result.add(1, rt.header(c), "缺少必填列")
    elif not matching.key_fields(rt, present):
        result.add(1, "", f"按编号更新需要能找到已有记录的列：{matching.key_help(rt)}")
    return mapping


def prepare(rt: RecordType, sheet: Sheet, result: ImportResult, *, scope: Scope, default_unit=None,
            mode: str = "create", skip_columns=(), progress: Progress = _noop, allow_empty: bool = False) -> Plan:
    """Parse, resolve and validate every row; the plan is only written when ``result`` has no errors.

    A file of one record type with no rows is a mistake; a dataset's sheet with none (``allow_empty``) is a type
    the organisation has not recorded yet."""
    if mode not in MODES:
        raise ValueError(mode)
    mapping = map_headers(rt, sheet.headers, result, mode=mode, skip_columns=skip_columns)
    plan = Plan(rt, mode, list(mapping.values()), default_unit=default_unit, scope=scope)
    if not result.ok:
        return plan
    parsed = _parse_rows(rt, sheet, mapping, result, progress, mode)
    if not parsed:
        if allow_empty:
            return plan
        result.add(None, "", "文件中没有数据行（第1行是表头，数据从第2行开始）。")
        return plan
    # Bad cells do not stop here: references, repeats and each good row's rules are checked too, so one
    # report lists everything to fix.
    plan.rows = _resolve(rt, parsed, scope, result, progress)
    matching.match_existing(plan, result)
    matching.check_duplicates(plan, result)
    if plan.new_rows and plan.mode != "update" and default_unit is not None:
        unit_col = next((c for c in rt.columns if c.field == rt.unit_field), None)
        for r in plan.new_rows:
            if unit_col is not None and r.values.get(rt.unit_field) is None:
                r.values[rt.unit_field] = default_unit
    bad = {e.row for e in result.errors}
    matching.order_parents_first(plan, result)
    _validate(plan, [r for r in plan.rows if r.number not in bad], scope, result)
    return plan


def _parse_rows(rt, sheet, mapping, result, progress, mode) -> list[tuple[int, dict]]:
    parsed = parse_rows(rt, sheet.rows, mapping, result, progress, sheet.total_hint)
    progress("校验", result.rows, result.rows)
    return parsed


def parse_rows(rt, rows, mapping, result, progress, total_hint=None) -> list[tuple[int, dict]]:
    """(row number, {field: parsed value}) of ``rows``; bad cells reported in ``result``."""
    parsed = []
    specs = [(i, column, column.field, *_fast_kind(rt, column), {}) for i, column in mapping.items()]
    for number, values in rows:
        result.rows += 1
        data = {}
        n = len(values)
        for i, column, name, fast, limit, memo in specs:
            raw = values[i] if i < n else None
            # a cell whose parsed value is immutable and depends on its text only (a choice, a yes/no, a name to
            # resolve, an empty cell) is parsed once per distinct text of the column
            hit = memo.get(raw, memo) if raw is None or (fast == "memo" and type(raw) is str) else memo
            if hit is not memo:
                data[name] = hit
                continue
            # the common cells without parse_cell's general path (same result): plain text, a date cell, a number
            if fast == "text" and type(raw) is str:
                text = raw.strip()
                if text and text[0] not in "='" and len(text) <= limit:
                    data[name] = text
                    continue
            elif fast == "date" and type(raw) is dt.datetime:
                data[name] = raw.date()
                continue
            elif fast == "int" and type(raw) is int:
                data[name] = raw
                continue
            try:
                value = data[name] = cells.parse_cell(rt, column, raw)
            except cells.CellError as exc:
                result.add(number, rt.header(column), str(exc))
                continue
            if (raw is None or (fast == "memo" and type(raw) is str)) and type(value) in IMMUTABLE:
                if len(memo) >= MEMO_CELLS:
                    memo.clear()
                memo[raw] = value
        parsed.append((number, data))
        if result.rows % 1000 == 0:
            progress("校验", result.rows, total_hint)
    return parsed


MEMO_KINDS = ("choice", "bool", "unit", "person", "party_org", "record")
MEMO_CELLS = 20_000  # distinct texts remembered per column (people's names as speakers …), then forgotten
IMMUTABLE = (str, bool, int, type(None), dt.date, cells.Ref)


def _fast_kind(rt, column) -> tuple[str, int]:
    kind = cells.kind_of(rt, column)
    if kind == "text" and not rt.is_virtual(column):
        return kind, rt.model_field(column.field).max_length or cells.MAX_TEXT
    if kind in MEMO_KINDS:
        return "memo", 0
    return (kind, 0) if kind in ("date", "int") else ("", 0)


def column_of(rt, name):
    columns = rt.__dict__.get("_columns_by_field")
    if columns is None:  # asked for every cell: one dict per record type instead of a scan each time
        columns = rt.__dict__["_columns_by_field"] = {}
        for c in rt.columns:
            columns.setdefault(c.field, c)
    return columns[name]


def _self_keys(rt, parsed) -> set[str]:
    """Keys of rows in this file, so a row may point at a record created by another row (its parent)."""
    keys = set()
    for _, data in parsed:
        for f in ("code", "name", *rt.ref_key):
            v = data.get(f)
            if isinstance(v, str) and v:
                keys.add(v)
    return keys


def _resolve(rt, parsed, scope, result, progress, resolver=None, self_keys=None) -> list[Row]:
    resolver = resolver or cells.Resolver(scope)
    # a reference is resolved to its object (a row's checks read it: its unit, its organisation's unit …); a list
    # of them (attendees, committee members) to ids only, which is all that is written and compared
    refs, list_refs = [], []
    for _, data in parsed:
        for v in data.values():
            if type(v) is cells.Ref:
                if (v.model, v.text) not in resolver.cache:
                    refs.append(v)
            elif type(v) is list:
                list_refs += [r for r in v if type(r) is cells.Ref]
    resolver.resolve_all(refs)
    resolver.resolve_ids(list_refs)
    self_keys = _self_keys(rt, parsed) if self_keys is None else self_keys
    rows = []
    for n, (number, data) in enumerate(parsed, start=1):
        row = Row(number, data)  # resolved in place: a sheet's rows are not held twice (parsed, then resolved)
        unresolved = []
        for name, value in data.items():
            try:
                data[name] = cells.resolve_value(resolver, value, list_ids=True)
            except cells.CellError as exc:
                unresolved.append(name)
                pending = [r for r in cells.collect_refs(value) if r.model is rt.model and
                           (cells.CODE_IN_PARENS.sub(r"\g<code>", r.text) in self_keys or r.text in self_keys)]
                if pending and len(pending) == len(cells.collect_refs(value)):
                    row.deferred[name] = value  # resolved at write time, after the row it names exists
                else:
                    result.add(number, rt.header(column_of(rt, name)), str(exc))
        for name in unresolved:
            del data[name]
        rows.append(row)
        if n % 5000 == 0:
            progress("匹配", n, len(parsed))
    return rows


# --- validating --------------------------------------------------------------------------------------------

def build(rt, values, existing=None):
    """An unsaved object with ``values`` (a copy of ``existing`` with them applied, for updates)."""
    m2m = {k: values[k] for k in rt.m2m_fields if k in values}
    plain = {k: v for k, v in values.items() if k not in m2m and not rt.is_virtual(column_of(rt, k))}
    if existing is None:
        obj = _new(rt.model, plain)
    else:
        obj = copy.copy(existing)  # Django copies the instance state too; the stored record stays as it was
        for k, v in plain.items():
            setattr(obj, k, v)
    fill_derived(obj)
    return obj, m2m


_FIELDS: dict = {}


def _new(model, values: dict):
    """``model(**values)`` for an import's row, through Model.__init__'s positional path (every concrete field's
    value in order, as ``from_db`` does): the keyword path costs several descriptor calls per field and row. A
    related object given by a cell is stored as its id with the object cached, as its descriptor would."""
    spec = _FIELDS.get(model)
    if spec is None:
        spec = _FIELDS[model] = [(f.name, f.attname, f.is_relation, f.get_default)
                                 for f in model._meta.concrete_fields]
    args, related = [], []
    used = 0
    for name, attname, is_relation, default in spec:
        if name in values:
            value = values[name]
            used += 1
            if is_relation and isinstance(value, Model):
                related.append((name, value))
                value = value.pk
            args.append(value)
        elif attname in values and attname != name:
            used += 1
            args.append(values[attname])
        else:
            args.append(default())
    obj = model(*args)
    for name, value in related:
        obj._state.fields_cache[name] = value
    if used < len(values):  # anything else (a property's setter), as Model.__init__ sets it
        names = {n for n, a, _r, _d in spec} | {a for n, a, _r, _d in spec}
        for k, v in values.items():
            if k not in names:
                setattr(obj, k, v)
    return obj


def _validate(plan: Plan, rows: list[Row], scope, result) -> None:
    rt = plan.rt
    if rt.create_func is not None and all(r.existing is None for r in rows):
        return  # custom creation validates and checks scope itself, row by row, at write time
    relation_fields = [f.name for f in rt.model._meta.concrete_fields if f.is_relation] + _checked_by_parsing(plan)
    # New rows written in bulk keep the object validated here: building it again cost a tenth of the import. Only
    # for sheets up to KEEP_BUILT rows (~1–2 KB an object): a province's attendance sheet (250,000 rows) would hold
    # hundreds of MB; its objects are built again, batch by batch, when written.
    keep = rt.create_func is None and len(rows) <= KEEP_BUILT and not any(r.deferred for r in plan.rows)
    for start in range(0, len(rows), BATCH):
        chunk = rows[start:start + BATCH]
        built = [(r, build(rt, r.values, r.existing)) for r in chunk]
        # the records rows update are checked where they are now too: their units in the same bulk read
        _attach_units(rt, [obj for _, (obj, _m2m) in built] + [r.existing for r in chunk if r.existing is not None])
        for row, pair in built:
            _validate_one(rt, row, pair[0], scope, result, relation_fields)
            if keep and row.existing is None:
                row.built = pair


PARSED_KINDS = ("text", "date", "datetime", "bool", "choice")  # parse_cell checks these fully (length, choices …)


def _checked_by_parsing(plan: Plan) -> list[str]:
    """The sheet's fields that ``clean_fields()`` would only check again: parse_cell has typed them and checked
    their length or choice, and an empty cell is refused (required) or allowed (blank) there as in the model.
    Fields with validators of their own, numbers (range, digits) and fields left to defaults are still checked."""
    rt = plan.rt
    out = []
    for c in plan.columns:
        if rt.is_virtual(c) or cells.kind_of(rt, c) not in PARSED_KINDS:
            continue
        f = rt.model_field(c.field)
        if f.many_to_many or f._validators or not (f.blank or rt.is_required(c)):
            continue
        out.append(f.name)
    return out


def _validate_one(rt, row, obj, scope, result, relation_fields) -> None:
    from lvzhi.records.services import check_write

    try:
        if row.existing is not None:
            check_write(rt, scope, row.existing)
        check_write(rt, scope, obj)
    except PermissionDenied as exc:
        unit_header = rt.header(column_of(rt, rt.unit_field)) if rt.unit_field and any(
            c.field == rt.unit_field for c in rt.columns) else ""
        result.add(row.number, unit_header, str(exc))
        return
    if rt.create_func is not None and row.existing is None:
        return
    try:
        obj.clean_fields(exclude=relation_fields)
        obj.clean()
    except ValidationError as exc:
        for field_name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
            header = next((rt.header(c) for c in rt.columns if c.field == field_name), "")
            for m in messages:
                result.add(row.number, header, m)


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


# --- writing -----------------------------------------------------------------------------------------------

def write(plan: Plan, result: ImportResult, *, actor, scope, progress: Progress = _noop) -> None:
    """Write a prepared plan (inside the caller's transaction)."""
    created, updated = write_plan(plan, actor=actor, scope=scope, progress=progress, sheet=result.sheet)
    result.created += created
    result.updated += updated
