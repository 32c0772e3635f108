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

from typing import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from lvzhi.org.scoping import Scope
from lvzhi.records.registry import RecordType

from . import matching
from .parsing import _resolve, column_of, map_headers, parse_rows
from .plan import MAX_ERRORS, MODES, ImportError_, ImportResult, Plan, Progress, Row, _noop
from .reader import FileRejected, Sheet, open_sheet
from .validation import _attach_units, _validate, _validate_one, build
from .writing import write_plan

# the steps' names as the rest of the import (streaming, dataset, writing) and the tests know them
__all__ = ["MAX_ERRORS", "MODES", "ImportError_", "ImportResult", "Plan", "Progress", "Row", "_attach_units", "_noop",
           "_resolve", "_validate", "_validate_one", "all_or_nothing", "build", "column_of", "map_headers",
           "parse_rows", "prepare", "run_import", "write"]


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
    parsed = parse_rows(rt, sheet.rows, mapping, result, progress, sheet.total_hint)
    progress("校验", result.rows, result.rows)
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


# --- writing -----------------------------------------------------------------------------------------------

def write(plan: Plan, result: ImportResult, *, actor, scope, progress: Progress = _noop) -> None:
    """Write a prepared plan (inside the caller's transaction)."""
    created, updated = write_plan(plan, actor=actor, scope=scope, progress=progress, sheet=result.sheet)
    result.created += created
    result.updated += updated
