"""Reading an import's rows: the header mapped to the type's columns, every cell parsed (``records.cells``), the
references resolved in bulk."""

from __future__ import annotations

import datetime as dt

from lvzhi.records import cells
from lvzhi.records.registry import Column, RecordType

from . import matching
from .plan import ImportResult, Row


def map_headers(rt: RecordType, headers: list[str], result: ImportResult, *, mode: str = "create",
                skip_columns=()) -> dict[int, Column]:
    by_header = {rt.header(c): c for c in rt.columns}
    skipped = set(skip_columns)
    unknown = skipped - set(by_header)
    if unknown:
        result.add(None, "", f"要跳过的列“{'、'.join(sorted(unknown))}”不是“{rt.verbose_name}”的列")
    mapping: dict[int, Column] = {}
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


def parse_rows(rt, rows, mapping, result, progress, total_hint=None) -> list[tuple[int, dict]]:
    """(row number, {field: parsed value}) of ``rows``; bad cells reported in ``result``."""
    parsed = []
    specs: list = [(i, column, column.field, *_fast_kind(rt, column), {}) for i, column in mapping.items()]
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
            if type(value) is not cells.Ref and type(value) is not list:
                continue  # most cells: a plain value, which resolve_value would return as it is
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
