"""Which records the rows of a sheet already are, which rows repeat each other, and parents before children.

A row names a record by its reference key (a code or a number, when the sheet has that column filled) or else by
its natural key (what the record is: the same organisation, kind, date and title). Create imports refuse rows that
already exist — a file uploaded twice is refused, not doubled; update imports change the records they find.
"""

from __future__ import annotations

import datetime as dt

from lvzhi.records import cells, selectors
from lvzhi.records.registry import RecordType

CHUNK = 900  # stay under SQLite's variable limit


def _headers(rt: RecordType, names) -> str:
    by_field = {c.field: c for c in rt.columns}
    return "、".join(rt.header(by_field[n]) if n in by_field else str(rt.model_field(n).verbose_name) for n in names)


def _key_column(rt: RecordType, names) -> str:
    """The column an error about a key is reported in: the number of a composite reference key (DW-JH01/2022-05
    → 会议编号), otherwise the key's first column."""
    return _headers(rt, names[-1:] if tuple(names) == tuple(rt.ref_key) else names[:1])


def key_fields(rt: RecordType, present: set[str]) -> tuple[str, ...] | None:
    """The fields an update finds its records by: the reference key when the sheet has all its columns, else the
    natural key."""
    if rt.ref_key and set(rt.ref_key) <= present:
        return rt.ref_key
    if rt.natural_key and set(rt.natural_key) <= present:
        return rt.natural_key
    return None


def key_help(rt: RecordType) -> str:
    options = [f"「{_headers(rt, k)}」" for k in (rt.ref_key, rt.natural_key) if k]
    return "或".join(options) or "（该类记录没有可匹配的列，只能新增）"


_PLAIN = frozenset([str, int, float, bool, dt.date, dt.datetime, type(None)])


def _part(value):
    """A resolved value as part of a row's identity: objects by id, so 有机硅厂 and JH01-P03 are the same."""
    if isinstance(value, (list, tuple, set)):
        return tuple(sorted(_part(v) for v in value))
    return getattr(value, "pk", value)


def row_key(row, names, rt: RecordType) -> tuple | None:
    """The row's key; None when it cannot be matched by this key: a reference key with an empty cell (a number
    the system will assign), or a key cell naming another row of the file."""
    if row.deferred and any(n in row.deferred for n in names):
        return None
    # asked twice for every row (repeats, then stored records): most values are plain, taken as they are
    key = tuple([v if type(v) in _PLAIN else _part(v) for v in map(row.values.get, names)])
    if (names is rt.ref_key or tuple(names) == tuple(rt.ref_key)) and any(k is None or k == "" for k in key):
        return None
    return key


def _stored_key(rt: RecordType, obj, names) -> tuple:
    out = []
    for n in names:
        f = rt.model_field(n)
        if f.many_to_many:
            out.append(tuple(sorted(o.pk for o in getattr(obj, n).all())))
        else:
            out.append(getattr(obj, f.attname))
    return tuple(out)


def existing_by_key(rt: RecordType, names, rows, qs=None, *, keys_only: bool = False) -> dict:
    """Stored records whose key (``names``) equals a row's key: {key: record} (``keys_only``: {key: True}, without
    model objects). One query per 900 first values, narrowed to the rows' range of the key's dates and numbers: a
    sheet read chunk by chunk (oldest first) would otherwise read back every record of the units its chunk names,
    those its earlier chunks wrote included — more at each chunk."""
    first = names[0]
    firsts = sorted({_part(r.values.get(first)) for r in rows if r.values.get(first) not in (None, "")}, key=str)
    if not firsts:
        return {}
    qs = rt.model._default_manager.all() if qs is None else qs
    qs = qs.filter(**_ranges(rt, names[1:], rows))
    m2m = [n for n in names if rt.model_field(n).many_to_many]
    if m2m:
        qs = qs.prefetch_related(*m2m)
    attname = rt.model_field(first).attname
    found: dict = {}
    for i in range(0, len(firsts), CHUNK):
        part = qs.filter(**{f"{attname}__in": firsts[i:i + CHUNK]})
        if keys_only and not m2m:
            found.update((key, True) for key in part.values_list(*[rt.model_field(n).attname for n in names]))
            continue
        for obj in part:
            found[_stored_key(rt, obj, names)] = obj
    return found


def _ranges(rt: RecordType, names, rows) -> dict:
    """field__range lookups bounding the stored records a row's key can equal: its dates' and integers' min–max
    (not where a row leaves the field empty: a stored NULL would then be a match the range leaves out)."""
    from django.db import models

    lookups = {}
    for n in names:
        f = rt.model_field(n)
        plain_date = isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        if f.is_relation or not (plain_date or isinstance(f, models.IntegerField)):
            continue
        values = [r.values.get(n) for r in rows]
        if not values or any(v is None or isinstance(v, bool) for v in values):
            continue
        if plain_date and not all(type(v) is dt.date for v in values):
            continue
        if not plain_date and not all(type(v) is int for v in values):
            continue
        lookups[f"{f.attname}__range"] = (min(values), max(values))
    return lookups


def match_existing(plan, result, skip=frozenset()) -> None:
    """Create: refuse rows that exist already. Update/upsert: attach the record each row changes. Rows in
    ``skip`` (repeats of a row of an earlier chunk, which may be written already) are left alone."""
    rt = plan.rt
    present = {c.field for c in plan.columns}
    rows = [r for r in plan.rows if r.number not in skip] if skip else plan.rows
    if plan.mode == "create":
        keys = [k for k in (rt.ref_key if set(rt.ref_key) <= present else (), rt.natural_key) if k]
        for names in dict.fromkeys(keys):
            stored = existing_by_key(rt, names, rows, keys_only=True)
            for r in rows:
                key = row_key(r, names, rt)
                if key is not None and key in stored:
                    result.add(r.number, _key_column(rt, names),
                               f"数据库中已有相同的{rt.verbose_name}（{_headers(rt, names)}相同），不重复导入；"
                               "要修改已有记录请用“按编号更新”方式导入")
        return
    names = key_fields(rt, present)
    if names is None:
        return  # reported with the headers
    stored = existing_by_key(rt, names, rows, selectors.visible(rt, plan.scope))
    for r in rows:
        key = row_key(r, names, rt)
        r.existing = stored.get(key) if key is not None else None
        if r.existing is None and plan.mode == "update":
            result.add(r.number, _key_column(rt, names),
                       f"找不到{_headers(rt, names)}与此行相同的{rt.verbose_name}（更新方式只修改已有记录），或您无权访问")
        if r.existing is not None:
            for c in plan.columns:
                if c.creatable_only:
                    r.values.pop(c.field, None)  # e.g. a unit's parent: moving a unit is its own action


def check_duplicates(plan, result, seen_by_keyset: dict | None = None) -> None:
    """Refuse a row that repeats an earlier one: the same code/number or natural key, or (types without one)
    every cell alike. A sheet checked chunk by chunk passes the same ``seen_by_keyset`` for every chunk."""
    rt = plan.rt
    bad_rows = {e.row for e in result.errors}
    present = {c.field for c in plan.columns}
    keysets = [k for k in (rt.ref_key if set(rt.ref_key) <= present else (), rt.natural_key) if k]
    seen_by_keyset = {} if seen_by_keyset is None else seen_by_keyset
    for names in dict.fromkeys(keysets) if keysets else [None]:
        seen: dict[tuple, int] = seen_by_keyset.setdefault(names, {})
        for r in plan.rows:
            if r.number in bad_rows or (r.deferred and not names):
                continue  # unresolved cells are reported already
            key = row_key(r, names, rt) if names else tuple((n, _part(v)) for n, v in sorted(r.values.items()))
            if key is None:
                continue
            if key not in seen:
                seen[key] = r.number
            elif names:
                result.add(r.number, _key_column(rt, names), f"与第{seen[key]}行重复（{_headers(rt, names)}相同）")
            else:
                result.add(r.number, "", f"与第{seen[key]}行完全相同（重复的行）")


def _in_file_parents(rt: RecordType, rows):
    """``parents(row)``: the rows of ``rows`` a row's deferred values name (its parent in the same file)."""
    by_key: dict[str, object] = {}
    for r in rows:
        for f in ("code", "name", *rt.ref_key):
            v = r.values.get(f)
            if isinstance(v, str) and v:
                by_key.setdefault(v, r)

    def parents(r):
        out = []
        for value in r.deferred.values():
            for ref in cells.collect_refs(value):
                target = by_key.get(cells.CODE_IN_PARENS.sub(r"\g<code>", ref.text)) or by_key.get(ref.text)
                if target is not None:
                    out.append(target)
        return out

    return parents


def order_parents_first(plan, result) -> None:
    """Rows naming another row of the same file (a unit's or organisation's parent) are written after it;
    rows that name each other round in a circle cannot be written at all."""
    rt = plan.rt
    waiting = [r for r in plan.rows if r.deferred]
    if not waiting:
        return
    parents = _in_file_parents(rt, plan.rows)
    ordered, placed, cyclic = [], set(), set()

    def place(r, trail):
        if id(r) in placed:
            return True
        if id(r) in trail:
            return False
        for p in parents(r):
            if not place(p, trail | {id(r)}):
                cyclic.add(r.number)
                return False
        placed.add(id(r))
        ordered.append(r)
        return True

    for r in plan.rows:
        place(r, frozenset())
    for number in sorted(cyclic):
        column = next(iter(next(r for r in plan.rows if r.number == number).deferred))
        header = rt.header(next(c for c in rt.columns if c.field == column))
        result.add(number, header, "上下级关系形成循环（某行的上级最终又以它为上级），无法导入")
    if not cyclic:
        plan.rows = ordered


def parent_levels(rt: RecordType, rows) -> list[list]:
    """``rows`` (ordered parents first) in levels: a row's level comes after the levels of every row of ``rows``
    it names, so each level can be written at once after the ones before it. File order is kept within a level."""
    parents = _in_file_parents(rt, rows)
    level: dict[int, int] = {}
    levels: list[list] = []
    for r in rows:
        n = 1 + max((level.get(id(p), -1) for p in parents(r) if p is not r), default=-1)
        level[id(r)] = n
        if n == len(levels):
            levels.append([])
        levels[n].append(r)
    return levels
