"""The whole dataset in one workbook: a 说明 sheet, then one sheet per record type in dependency order.

Export writes units, Party organisations, people, unit facts, rules, every record type and the extra sheets other
apps register (report templates), parents before children, every reference written as a key a person can read.
Import recognises such a workbook (its 说明 sheet), checks every sheet's headers first, then imports the sheets in
order inside ONE transaction: a sheet's references resolve against the sheets before it. The one cycle of the
model — a Party organisation names its secretary and committee members, a person names their organisation — is
broken by importing those columns in a second pass, after the people exist. Any error rolls everything back and
names its sheet, row and column: 「人员」第12行「所在党组织」：….
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from openpyxl import Workbook

import lvzhi
from lvzhi.org.scoping import Scope
from lvzhi.records import cells, registry, selectors
from lvzhi.records.registry import RecordType

from . import exporter, importer, streaming
from .importer import ImportError_, ImportResult
from .reader import FileRejected, book_rows, check_size, open_workbook, sheet_of
from .sheet_aids import LISTS_SHEET, Lists

MARKER = "lvzhi 数据集"
FORMAT = 1
INFO_SHEET = "说明"
ALWAYS_UPSERT = {"obligation_rule"}  # every installation ships the default rules: a rule version updates or adds


@dataclass
class ExtraSheet:
    """A sheet of something that is not a record type (report templates), registered by its app."""

    title: str
    headers: list[str]
    after: str  # the record type whose sheet it follows
    rows: Callable[[Scope, object], Iterable[list]]  # (scope, unit or None) → rows of values, for export
    load: Callable[[list[tuple[int, dict]], Scope, object, ImportResult], int]  # rows → created, inside the import
    optional: tuple = ()  # headers a workbook may lack (columns added after format 1 workbooks were written)


_EXTRA: dict[str, ExtraSheet] = {}


def register_sheet(sheet: ExtraSheet) -> None:
    _EXTRA[sheet.title] = sheet


@dataclass
class Step:
    rt: RecordType
    deferred: list = field(default_factory=list)  # columns imported in the second pass (they point forward)

    @property
    def title(self) -> str:
        return self.rt.verbose_name[:31]


def _targets(rt: RecordType) -> dict[str, list]:
    """Record types a type's columns point at: {target key: [columns]} (itself excluded: parents come first)."""
    out: dict[str, list] = {}
    for c in rt.columns:
        if cells.kind_of(rt, c) not in ("unit", "party_org", "person", "people", "record", "records"):
            continue
        target = registry.for_model(cells.related_model(rt, c))
        if target is not None and target is not rt:
            out.setdefault(target.key, []).append(c)
    return out


def plan_order() -> list[Step]:
    """Every record type after the types it points at, otherwise in registry order (units, organisations, people,
    then each app's records). Where types point at each other (党组织 ↔ 人员) the one listed first comes first and
    its columns pointing at the other are deferred to a second pass."""
    types = {rt.key: rt for rt in registry.all_types()}
    graph = {key: _targets(rt) for key, rt in types.items()}
    steps: list[Step] = []
    placed: set[str] = set()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            key = todo.pop()
            if key == goal:
                return True
            if key in seen or key in placed:
                continue
            seen.add(key)
            todo += list(graph[key])
        return False

    def place(key: str, visiting: frozenset) -> None:
        if key in placed:
            return
        deferred = []
        for target, cols in graph[key].items():
            if target in placed:
                continue
            if target in visiting or reaches(target, key):
                deferred += cols  # a cycle: this type comes first, these columns wait for the second pass
            else:
                place(target, visiting | {key})
        placed.add(key)
        steps.append(Step(types[key], deferred))

    for key in types:
        place(key, frozenset())
    return steps


# --- export ------------------------------------------------------------------------------------------------

def _dataset_rows(rt: RecordType, scope: Scope, unit) -> Iterable:
    qs = selectors.filter_records(rt, scope, unit=unit).order_by(*rt.export_ordering)
    if rt.key == "obligation_rule" and unit is not None:  # the default rules too (they apply to the unit)
        qs = (selectors.visible(rt, scope).filter(unit__isnull=True) | qs).order_by(*rt.export_ordering)
    return exporter.export_rows(rt, qs)


def export_dataset(out: str | Path, *, scope: Scope, unit=None, actor_name: str = "",
                   progress: Callable[[str, int, int | None], None] | None = None) -> dict[str, int]:
    """Write the dataset of ``unit``'s subtree (everything the scope reads when None); returns rows per sheet."""
    wb = Workbook(write_only=True)
    info = wb.create_sheet(INFO_SHEET)
    lists = Lists(scope)  # one hidden 选项 sheet for every sheet's drop-downs
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for step in plan_order():
        rows = _dataset_rows(step.rt, scope, unit)
        if step.rt.key == "unit" and unit is not None:
            rows = _root_without_parent(rows, unit)
        counts[step.title] = exporter.write_sheet(wb, step.rt, rows, title=step.title, lists=lists)
        labels[step.title] = step.rt.description or step.rt.verbose_name_plural
        if progress:
            progress(step.title, counts[step.title], None)
        for extra in _extra_after(step.rt.key):
            ws = wb.create_sheet(extra.title)
            ws.append(extra.headers)
            n = 0
            for values in extra.rows(scope, unit):
                ws.append([exporter.safe(v) for v in values])
                n += 1
            counts[extra.title], labels[extra.title] = n, extra.title
    _write_info(info, counts, labels, unit=unit, actor_name=actor_name)
    lists.write(wb)
    wb.save(out)
    return counts


def _root_without_parent(units, root):
    """A unit's subtree moves as a tree of its own: its top unit is written without the parent it had here."""
    for u in units:
        if u.pk == root.pk:
            u.moves_as_root = True
        yield u


def _extra_after(key: str) -> list[ExtraSheet]:
    return [e for e in _EXTRA.values() if e.after == key]


def _write_info(ws, counts, labels, *, unit, actor_name) -> None:
    ws.append([MARKER, FORMAT])
    ws.append(["lvzhi 版本", lvzhi.__version__])
    ws.append(["导出时间", dt.datetime.now().strftime("%Y-%m-%d %H:%M")])
    ws.append(["范围", f"{unit.name}（{unit.code}）及其下级" if unit is not None else "全部"])
    ws.append(["导出人", actor_name])
    ws.append([])
    ws.append(["工作表", "行数", "内容"])
    for title, n in counts.items():
        ws.append([title, n, labels.get(title, "")])
    ws.append([])
    ws.append(["用 lvzhi import 本文件（或“数据导入导出”页面）整体导入：各工作表按顺序在一个事务中导入，任何一处有错都不写入。"
               "工作表中引用其他记录一律用编码或编号（如单位编码、工号、检查编号 JC-2022-0012），不用数据库内部编号。"])


# --- import ------------------------------------------------------------------------------------------------

def is_dataset(path: str | Path) -> bool:
    """Whether ``path`` is a dataset workbook. A file over the upload limit is refused here (FileRejected) rather
    than called “not a dataset”: the user must hear what is wrong with it."""
    check_size(Path(path))
    try:
        wb = open_workbook(path)
    except FileRejected:
        return False
    try:
        if INFO_SHEET not in wb.sheetnames:
            return False
        number, first = next(book_rows(wb, INFO_SHEET, fast=False), (0, []))
        return number == 1 and bool(first) and first[0] == MARKER
    finally:
        wb.close()


@dataclass
class DatasetResult:
    sheets: dict[str, ImportResult] = field(default_factory=dict)
    errors: list[ImportError_] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def created(self) -> int:
        return sum(r.created for r in self.sheets.values())

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.sheets.values())

    @property
    def rows(self) -> int:
        return sum(r.rows for r in self.sheets.values())


def import_dataset(path: str | Path, *, actor, scope: Scope, mode: str = "create",
                   progress: Callable[[str, int, int | None], None] = importer._noop,
                   on_written: Callable[[DatasetResult], None] | None = None) -> DatasetResult:
    """Import every sheet of a dataset workbook in one transaction; nothing is written unless all of it is."""
    result = DatasetResult()
    try:
        wb = open_workbook(path)
    except FileRejected as exc:
        result.errors.append(ImportError_(None, "", str(exc)))
        return result
    try:
        steps = _check_workbook(wb, scope, mode, result)
        if result.ok:
            importer.all_or_nothing(
                lambda: _import_steps(wb, steps, actor=actor, scope=scope, mode=mode, result=result, progress=progress),
                result, lambda message: result.errors.append(ImportError_(None, "", message)), on_written)
    finally:
        wb.close()
    if not result.ok:
        for r in result.sheets.values():
            r.created = r.updated = 0
    return result


def _check_workbook(wb, scope: Scope, mode: str, result: DatasetResult) -> list[Step]:
    """Everything that can be told before importing: unknown sheets, headers, permissions."""
    steps = [s for s in plan_order() if s.title in wb.sheetnames]
    known = {s.title for s in plan_order()} | set(_EXTRA) | {INFO_SHEET, LISTS_SHEET}
    for title in wb.sheetnames:
        if title not in known:
            names = "、".join(t for t in known if t not in (INFO_SHEET, LISTS_SHEET))
            result.errors.append(ImportError_(None, "", f"不是数据集中的工作表（数据集的工作表：{names}）", title))
    for step in steps:
        r = ImportResult(step.rt.key, sheet=step.title)
        if not scope.can_write_any(step.rt.system):
            r.add(None, "", f"您没有导入{step.rt.verbose_name}的权限，请删除该工作表或请有权限的人导入")
        else:
            headers = _sheet_headers(wb, step.title, r)
            if headers is not None:
                importer.map_headers(step.rt, headers, r, mode=_mode_for(step.rt, mode),
                                     skip_columns=[step.rt.header(c) for c in step.deferred if step.rt.header(c) in headers])
        result.errors += r.errors
    if not steps and result.ok:
        result.errors.append(ImportError_(None, "", "工作簿中没有可导入的工作表"))
    return steps


def _mode_for(rt: RecordType, mode: str) -> str:
    return "upsert" if rt.key in ALWAYS_UPSERT and mode == "create" else mode


def _sheet_headers(wb, title: str, r: ImportResult) -> list[str] | None:
    try:
        sheet = sheet_of(wb, title, headers_only=True)
    except FileRejected as exc:
        r.add(None, "", str(exc))
        return None
    sheet.close()
    return sheet.headers


def _import_steps(wb, steps: list[Step], *, actor, scope, mode, result: DatasetResult, progress) -> None:
    present = {s.title for s in steps}
    for step in steps:
        r = result.sheets[step.title] = ImportResult(step.rt.key, sheet=step.title)
        sheet = sheet_of(wb, step.title)
        skip = [step.rt.header(c) for c in step.deferred if step.rt.header(c) in sheet.headers]
        streaming.import_sheet(step.rt, sheet, r, actor=actor, scope=scope, mode=_mode_for(step.rt, mode),
                               skip_columns=skip, progress=_sheet_progress(progress, step.title), allow_empty=True)
        if not r.ok:
            _explain_missing_sheets(step, present, r)
            result.errors += r.errors
            return  # later sheets would only repeat this sheet's gaps
        for extra in _extra_after(step.rt.key):
            if extra.title in wb.sheetnames:
                _import_extra(wb, extra, actor, scope, result)
                if not result.ok:
                    return
    for step in steps:  # second pass: the columns that pointed forward
        if not step.deferred:
            continue
        sheet = sheet_of(wb, step.title)
        names = {step.rt.header(c) for c in step.deferred}
        keys = {step.rt.header(importer.column_of(step.rt, n)) for n in step.rt.ref_key}
        skip = [h for h in sheet.headers if h and h not in names | keys]
        if not names & set(sheet.headers):
            sheet.close()
            continue
        r = result.sheets[step.title]
        extra = ImportResult(step.rt.key, sheet=step.title)
        plan = importer.prepare(step.rt, sheet, extra, scope=scope, mode="update", skip_columns=skip,
                                allow_empty=True)
        if extra.ok and plan.rows:
            importer.write(plan, extra, actor=actor, scope=scope)
        r.rows = max(r.rows, extra.rows)
        if not extra.ok:
            result.errors += extra.errors
            return


def _sheet_progress(progress, title):
    return lambda phase, done, total: progress(f"「{title}」{phase}", done, total)


def _explain_missing_sheets(step: Step, present: set[str], r: ImportResult) -> None:
    """A reference that was not found, in a column whose record type has no sheet in the workbook: say so."""
    failed = {e.column for e in r.errors if "找不到" in e.message}
    missing = []
    for key, cols in _targets(step.rt).items():
        title = registry.get(key).verbose_name[:31]
        if title not in present and any(step.rt.header(c) in failed for c in cols):
            missing.append(title)
    if missing:
        r.add(None, "", f"工作簿中没有「{'」「'.join(missing)}」工作表，它引用的记录须已在数据库中")


def _import_extra(wb, extra: ExtraSheet, actor, scope, result: DatasetResult) -> None:
    r = result.sheets[extra.title] = ImportResult("", sheet=extra.title)
    rows = book_rows(wb, extra.title)
    number, first = next(rows, (0, []))
    headers = [str(h or "").strip() for h in first] if number == 1 else []
    missing = [h for h in extra.headers if h not in headers and h not in extra.optional]
    if missing:
        r.add(1, "", f"缺少列：{'、'.join(missing)}")
    else:
        data = [(n, dict(zip(headers, values, strict=False))) for n, values in rows if any(v is not None for v in values)]
        r.rows = len(data)
        r.created = extra.load(data, scope, actor, r)
    result.errors += r.errors
