"""Check results as a table (terminal), JSON and Excel — shared by ``lvzhi check`` and the dashboard's export."""

from __future__ import annotations

import json
import shutil
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from lvzhi.imports.exporter import safe
from lvzhi.records import registry
from lvzhi.records.keys import keys_for

from .engine import DONE, DUE_SOON, LATE, NA, PENDING, STATE_ORDER, STATES, Cell, Evaluation, RuleResult


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


FILLS = {LATE: "F8D7DA", DUE_SOON: "FFF1CC", PENDING: "DCEBFB", DONE: "D9F2E0", NA: "EEEEEE"}


SUBJECT_TYPES = {"party_org": "party_org", "person": "person", "unit": "unit", "contact_point": "contact_point"}


class Keys:
    """Readable keys (codes, numbers) for the subjects and records of the cells shown: outputs carry no ids, so
    the same data in two installations gives the same file."""

    def __init__(self, cells_: list[Cell]):
        wanted: dict[str, set] = {}
        for c in cells_:
            wanted.setdefault(self.subject_type(c), set()).add(c.subject.pk)
            if c.record_ids:
                wanted.setdefault(c.record_type, set()).update(c.record_ids)
        self.keys = {key: keys_for(registry.get(key), ids) for key, ids in wanted.items() if key}

    @staticmethod
    def subject_type(c: Cell) -> str:
        return c.subject.record_type or SUBJECT_TYPES.get(c.subject.kind, "")

    def subject(self, c: Cell) -> str:
        key = self.keys.get(self.subject_type(c), {}).get(c.subject.pk, str(c.subject.pk))
        return f"{c.subject.kind}:{c.subject.record_type}:{key}" if c.subject.record_type else f"{c.subject.kind}:{key}"

    def records(self, record_type: str, ids) -> list[str]:
        found = self.keys.get(record_type, {})
        return [found.get(i, str(i)) for i in ids]


def cell_fields(c: Cell) -> dict:
    """What every output says of a cell, without naming records (the API adds ids, files add keys)."""
    return {
        "rule_id": c.rule.rule_id, "rule": c.rule.name, "version_from": c.rule.effective_from.isoformat(),
        "subject": c.subject.label, "period": c.period.key, "period_label": c.period.label, "state": c.state,
        "state_label": c.state_label, "count": c.count, "required": c.required,
        "due": c.due.isoformat() if c.due else None, "detail": c.detail,
        "record_type": c.subject.record_type or c.record_type,
    }


def cell_dict(c: Cell, keys: Keys) -> dict:
    """A cell for files (lvzhi check --format json/xlsx): subjects and records by their readable keys."""
    record_type = c.subject.record_type or c.record_type
    return {
        **cell_fields(c), "subject_ref": keys.subject(c), "record_type_label": _type_label(record_type),
        "records": (keys.records(c.subject.record_type, [c.subject.pk]) if c.subject.record_type
                    else keys.records(c.record_type, c.record_ids)),
        "evidence": keys.records(c.record_type, c.record_ids),
    }


def _type_label(key: str) -> str:
    try:
        return registry.get(key).verbose_name if key else ""
    except LookupError:
        return key


class Tally:
    """A rule's totals and coverage (``RuleResult.totals`` / ``coverage()``) added up chunk by chunk, for the
    streamed writers: a rule judged in chunks (``RuleResult.parts``) has no list of all its cells."""

    def __init__(self, coverage: bool):
        self.states: Counter = Counter()
        self.missing: list[str] | None = [] if coverage else None

    def add(self, cells: list[Cell]) -> None:
        self.states.update(c.state for c in cells)
        if self.missing is not None:
            self.missing += [c.subject.label for c in cells if c.state in (LATE, DUE_SOON)]

    @property
    def totals(self) -> dict[str, int]:
        return {s: self.states.get(s, 0) for s in STATE_ORDER}

    def coverage(self) -> dict:
        required, done = self.states[DONE] + self.states[LATE] + self.states[DUE_SOON], self.states[DONE]
        return {"required": required, "done": done, "ratio": done / required if required else None,
                "missing": self.missing or []}

    def shown(self, include_done: bool) -> int:
        return sum(self.states.values()) - (0 if include_done else self.states[DONE] + self.states[NA])


def _rule_item(r, shown: list[Cell], keys: Keys | None, tally: Tally | None = None) -> dict:
    """A rule for files; ``items`` only when ``keys`` is given (the streamed writer writes them one by one);
    totals and coverage from ``tally`` when given."""
    item = {"rule_id": r.rule_id, "name": r.rule.name, "responsibility": r.rule.get_responsibility_display(),
            "requirement": r.rule.requirement_text, "source": r.rule.source_text,
            "versions": [v.effective_from.isoformat() for v in r.versions],
            "totals": tally.totals if tally is not None else r.totals,
            "items": [cell_dict(c, keys) for c in shown] if keys is not None else []}
    if r.is_coverage:
        if tally is not None:
            cov = tally.coverage()
            missing = cov["missing"]
        else:
            cov = r.coverage()
            missing = [c.subject.label for c in cov["missing"]]
        item["coverage"] = {"required": cov["required"], "done": cov["done"], "ratio": cov["ratio"],
                            "missing": missing}
    return item


def _head(ev: Evaluation) -> dict:
    return {"unit": ev.unit.name, "unit_code": ev.unit.code, "start": ev.start.isoformat(), "end": ev.end.isoformat(),
            "as_of": ev.as_of.isoformat()}


def _shown(r, include_done: bool) -> list[Cell]:
    return _shown_of(r.cells, include_done)


def _shown_of(cells_: list[Cell], include_done: bool) -> list[Cell]:
    return [c for c in cells_ if include_done or c.state not in (DONE, NA)]


def _write_items(r: RuleResult, include_done: bool, out: Writer, tally: Tally | None) -> None:
    """The rule's items as json.dumps writes them inside its list, chunk by chunk (each chunk's keys read apart)."""
    n = 0
    for part in r.chunks():
        if tally is not None:
            tally.add(part)
        shown = _shown_of(part, include_done)
        keys = Keys(shown)
        for c in shown:
            out.write(("," if n else "") + "\n        " + _dumps(cell_dict(c, keys), 4))
            n += 1
        del shown, keys, part


def as_json(ev: Evaluation, *, include_done: bool = False) -> dict:
    rules = []
    for r in ev.results:
        shown = _shown(r, include_done)
        rules.append(_rule_item(r, shown, Keys(shown)))
    # "late" last: the streamed writer (write_json) knows it only at the end, and both give the same text.
    return {**_head(ev), "rules": rules, "late": len(ev.late)}


def _dumps(value, indent: int) -> str:
    """``value`` as json.dumps(indent=2) writes it at ``indent`` levels of nesting."""
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * indent)


def write_json(head: Evaluation, results: Iterable[RuleResult], out: Writer, *, include_done: bool = False) -> int:
    """The text of json.dumps(as_json(…), indent=2) written rule by rule and item by item, as ``results`` yields
    them (engine.stream): memory holds one rule's cells. Returns the number of late cells."""
    out.write("{")
    for k, v in _head(head).items():
        out.write(f"\n  {_dumps(k, 1)}: {_dumps(v, 1)},")
    out.write('\n  "rules": [')
    late, i = 0, -1
    for i, r in enumerate(results):
        tally = Tally(r.is_coverage)
        spool = None
        if r.parts is None:
            tally.add(r.cells)
        else:  # judged in chunks: its items go to a file first, as its totals come before them
            spool = tempfile.TemporaryFile("w+", encoding="utf-8")
            _write_items(r, include_done, spool, tally)
        item = _rule_item(r, [], None, tally)
        late += item["totals"][LATE]
        out.write(("," if i else "") + "\n    {")
        for j, (k, v) in enumerate(item.items()):
            out.write(("," if j else "") + f"\n      {_dumps(k, 3)}: ")
            if k != "items":
                out.write(_dumps(v, 3))
            elif not tally.shown(include_done):
                out.write("[]")
            else:
                out.write("[")
                if spool is None:
                    _write_items(r, include_done, out, None)
                else:
                    spool.seek(0)
                    shutil.copyfileobj(spool, out)
                out.write("\n      ]")
        out.write("\n    }")
        if spool is not None:
            spool.close()
        del r, tally  # this rule's cells go before the next rule's are built
    out.write("\n  ]" if i >= 0 else "]")
    out.write(f',\n  "late": {late}\n}}\n')
    return late


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def as_table(ev: Evaluation) -> str:
    return table(ev, ev.results)[0]


def table(head: Evaluation, results: Iterable[RuleResult]) -> tuple[str, int]:
    """The terminal table and the number of late cells, reading ``results`` once (rule by rule): only the
    per-rule totals and the late / due-soon sentences are kept."""
    lines = [f"{head.unit.name}（{head.unit.code}） {head.start}—{head.end} 检查结果（截至 {head.as_of}）", ""]
    rows: list[tuple[str, str, dict]] = []
    listed: dict[str, list[str]] = {LATE: [], DUE_SOON: []}
    for r in results:
        tally = Tally(False)
        for part in r.chunks():
            tally.add(part)
            for c in part:
                if c.state in listed:
                    listed[c.state].append(f"  - [{c.rule.rule_id}] {c.description}")
        rows.append((r.rule.get_responsibility_display(), f"{r.rule.name}（{r.rule_id}）", tally.totals))
    widths = [8, max([_width(name) for _, name, _ in rows] + [4]), *[8] * len(STATE_ORDER)]
    head_row = ["责任制", "规则", *[STATES[s] for s in STATE_ORDER]]
    lines.append("  ".join(_pad(h, w, right=i > 1) for i, (h, w) in enumerate(zip(head_row, widths, strict=False))))
    for responsibility, name, totals in rows:
        cells = [responsibility, name, *[str(totals[s]) for s in STATE_ORDER]]
        lines.append("  ".join(_pad(c, w, right=i > 1) for i, (c, w) in enumerate(zip(cells, widths, strict=False))))
    for state in (LATE, DUE_SOON):
        lines += ["", f"{STATES[state]}（{len(listed[state])} 项）："]
        lines += listed[state] or ["  无"]
    return "\n".join(lines) + "\n", len(listed[LATE])


def _header(ws, names: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        c = WriteOnlyCell(ws, value=name)
        c.font = Font(bold=True)
        cells.append(c)
    return cells


def write_xlsx(ev: Evaluation, out: str | Path, *, include_na: bool = False) -> int:
    """Sheet 汇总: totals per rule; sheet 明细: one row per rule × subject × period. Returns the detail rows."""
    return stream_xlsx(ev, ev.results, out, include_na=include_na)[0]


def stream_xlsx(head: Evaluation, results: Iterable[RuleResult], out: str | Path, *,
                include_na: bool = False) -> tuple[int, int]:
    """``write_xlsx`` reading ``results`` once, rule by rule (the write-only workbook keeps rows on disk).
    Returns (detail rows, late cells)."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总")
    # Every text a user may have typed (unit and rule names too) goes through safe(): no cell becomes a formula.
    summary.append([safe(f"{head.unit.name} {head.start}—{head.end} 检查结果（截至 {head.as_of}）")])
    summary.append(_header(summary, ["责任制", "规则编号", "规则", "要求", "依据", *[STATES[s] for s in STATE_ORDER],
                                     "覆盖率"]))
    detail = wb.create_sheet("明细")
    detail.append(_header(detail, ["规则编号", "规则", "对象", "期间", "状态", "实有次数", "应有次数", "到期日", "说明",
                                   "记录类型", "记录编号"]))
    n = late = 0
    for r in results:
        tally = Tally(r.is_coverage)
        for part in r.chunks():  # the detail rows first: a rule judged in chunks knows its totals at the end
            tally.add(part)
            shown = [c for c in part if c.state != NA or include_na]
            keys = Keys(shown)
            for c in shown:
                d = cell_dict(c, keys)
                state = WriteOnlyCell(detail, value=c.state_label)
                state.fill = PatternFill("solid", fgColor=FILLS[c.state])
                detail.append([safe(c.rule.rule_id), safe(c.rule.name), safe(c.subject.label), c.period.label, state,
                               c.count, c.required, c.due, safe(c.detail), d["record_type_label"],
                               safe("、".join(d["records"]))])
                n += 1
            del shown, keys, part
        ratio = tally.coverage()["ratio"] if r.is_coverage else None
        totals = tally.totals
        late += totals[LATE]
        summary.append([r.rule.get_responsibility_display(), safe(r.rule_id), safe(r.rule.name),
                        safe(r.rule.requirement_text), safe(r.rule.source_text), *[totals[s] for s in STATE_ORDER],
                        round(ratio, 4) if ratio is not None else None])
        del r, tally  # this rule's cells go before the next rule's are built
    wb.save(out)
    return n, late
