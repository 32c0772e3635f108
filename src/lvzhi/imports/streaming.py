"""Importing a sheet chunk by chunk, so that an import's memory does not grow with the sheet.

A province's sheets run to 160,000 rows; parsed, resolved and built all at once they held hundreds of MB. Here a
sheet is read ``IMPORT_CHUNK_ROWS`` rows at a time: each chunk is parsed, resolved, checked and validated, and —
while nothing anywhere in the import has been wrong — written at once. This runs inside the caller's transaction,
which the caller rolls back unless the result has no errors: all or nothing still holds, and a bad row in a late
chunk is still named (「工作表」第N行「列」) with nothing written. After the first error the remaining chunks are
still checked (one report lists everything to fix) but no longer written.

Across chunks the sheet keeps only what a row's checks need from the rows before it: the keys seen (a row repeating
one of an earlier chunk is a repeat, not a record “already in the database”), the resolver's cache and the visible
numbers given to blank rows (a number typed further down stays the user's: ``imports.numbers``).

Not streamed: sheets whose rows may name another row of the same sheet (a unit's or organisation's parent: they
are ordered parents first, which needs the whole sheet) and types with their own creation service (row by row
anyway). Both are small (hundreds to a few thousand rows).
"""

from __future__ import annotations

from itertools import islice

from django.conf import settings

from lvzhi.records import cells
from lvzhi.records.registry import RecordType

from . import importer, matching
from .importer import ImportResult, Progress, _noop
from .numbers import GivenNumbers
from .reader import Sheet

# Resolved references kept between chunks. Objects (a row's own references: its unit, organisation, speaker) are
# a few KB each; lists (attendees) are kept as ids, ~100 bytes an entry, enough for a province's ~50,000 people.
RESOLVER_CACHE = 5_000
RESOLVER_IDS = 100_000


def can_stream(rt: RecordType, headers, skip_columns=()) -> bool:
    """Whether the sheet's rows can be handled chunk by chunk (see the module's docstring)."""
    if rt.create_func is not None:
        return False
    skipped = set(skip_columns)
    for c in rt.columns:
        if rt.header(c) not in headers or rt.header(c) in skipped:
            continue
        if cells.kind_of(rt, c) in ("unit", "party_org", "person", "people", "record", "records") \
                and cells.related_model(rt, c) is rt.model:
            return False
    return True


def import_sheet(rt: RecordType, sheet: Sheet, result: ImportResult, *, actor, scope, mode: str = "create",
                 default_unit=None, skip_columns=(), progress: Progress = _noop, allow_empty: bool = False,
                 chunk_size: int | None = None) -> None:
    """Check and write one sheet inside the caller's transaction (rolled back by the caller unless ``result.ok``)."""
    if not can_stream(rt, sheet.headers, skip_columns):
        plan = importer.prepare(rt, sheet, result, scope=scope, default_unit=default_unit, mode=mode,
                                skip_columns=skip_columns, progress=progress, allow_empty=allow_empty)
        if result.ok and plan.rows:
            importer.write(plan, result, actor=actor, scope=scope, progress=progress)
        return
    if mode not in importer.MODES:
        raise ValueError(mode)
    mapping = importer.map_headers(rt, sheet.headers, result, mode=mode, skip_columns=skip_columns)
    if not result.ok:
        return
    size = chunk_size or settings.IMPORT_CHUNK_ROWS
    columns = list(mapping.values())
    unit_col = next((c for c in rt.columns if c.field == rt.unit_field), None)
    resolver = cells.Resolver(scope)
    seen: dict = {}
    numbers = GivenNumbers(rt)
    rows = iter(sheet.rows)
    written = 0

    def write_progress(phase: str, done: int, total: int | None) -> None:
        progress(phase, written + done, sheet.total_hint)

    while True:
        parsed = importer.parse_rows(rt, islice(rows, size), mapping, result, progress, sheet.total_hint)
        if not parsed:
            break
        if len(resolver.cache) > RESOLVER_CACHE:
            resolver.cache.clear()
        if len(resolver.id_cache) > RESOLVER_IDS:
            resolver.id_cache.clear()
        plan = importer.Plan(rt, mode, columns, default_unit=default_unit, scope=scope)
        plan.rows = importer._resolve(rt, parsed, scope, result, progress, resolver=resolver, self_keys=set())
        del parsed
        numbers.give_way(plan.rows, actor=actor, scope=scope)
        before = {e.row for e in result.errors}
        matching.check_duplicates(plan, result, seen)
        matching.match_existing(plan, result, skip={e.row for e in result.errors} - before)
        if default_unit is not None and unit_col is not None and mode != "update":
            for r in plan.new_rows:
                if r.values.get(rt.unit_field) is None:
                    r.values[rt.unit_field] = default_unit
        bad = {e.row for e in result.errors}
        importer._validate(plan, [r for r in plan.rows if r.number not in bad], scope, result)
        if result.ok:
            blank = numbers.blank_rows(plan.new_rows)
            importer.write(plan, result, actor=actor, scope=scope, progress=write_progress)
            numbers.note_written(blank)
            written = result.created + result.updated
        if len(result.errors) > importer.MAX_ERRORS:
            break
    progress("校验", result.rows, result.rows)
    if not result.rows and not allow_empty:
        result.add(None, "", "文件中没有数据行（第1行是表头，数据从第2行开始）。")
