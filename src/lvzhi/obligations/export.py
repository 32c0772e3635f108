"""Check results as a table (terminal), JSON and Excel — shared by ``lvzhi check`` and the dashboard's export."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from lvzhi.imports.exporter import safe
from lvzhi.records import registry
from lvzhi.records.keys import keys_for

from .engine import DONE, DUE_SOON, LATE, NA, PENDING, STATE_ORDER, STATES, Cell, Evaluation

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


def as_json(ev: Evaluation, *, include_done: bool = False) -> dict:
    shown_by_rule = [[c for c in r.cells if include_done or c.state not in (DONE, NA)] for r in ev.results]
    keys = Keys([c for shown in shown_by_rule for c in shown])
    rules = []
    for r, shown in zip(ev.results, shown_by_rule, strict=False):
        item = {"rule_id": r.rule_id, "name": r.rule.name, "responsibility": r.rule.get_responsibility_display(),
                "requirement": r.rule.requirement_text, "source": r.rule.source_text,
                "versions": [v.effective_from.isoformat() for v in r.versions], "totals": r.totals,
                "items": [cell_dict(c, keys) for c in shown]}
        if r.is_coverage:
            cov = r.coverage()
            item["coverage"] = {"required": cov["required"], "done": cov["done"], "ratio": cov["ratio"],
                                "missing": [c.subject.label for c in cov["missing"]]}
        rules.append(item)
    return {"unit": ev.unit.name, "unit_code": ev.unit.code, "start": ev.start.isoformat(), "end": ev.end.isoformat(),
            "as_of": ev.as_of.isoformat(), "late": len(ev.late), "rules": rules}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def as_table(ev: Evaluation) -> str:
    lines = [f"{ev.unit.name}（{ev.unit.code}） {ev.start}—{ev.end} 检查结果（截至 {ev.as_of}）", ""]
    names = [f"{r.rule.name}（{r.rule_id}）" for r in ev.results]
    widths = [8, max([_width(n) for n in names] + [4]), *[8] * len(STATE_ORDER)]
    head = ["责任制", "规则", *[STATES[s] for s in STATE_ORDER]]
    lines.append("  ".join(_pad(h, w, right=i > 1) for i, (h, w) in enumerate(zip(head, widths, strict=False))))
    for r, name in zip(ev.results, names, strict=False):
        cells = [r.rule.get_responsibility_display(), name, *[str(r.totals[s]) for s in STATE_ORDER]]
        lines.append("  ".join(_pad(c, w, right=i > 1) for i, (c, w) in enumerate(zip(cells, widths, strict=False))))
    for state in (LATE, DUE_SOON):
        items = ev.with_state(state)
        lines += ["", f"{STATES[state]}（{len(items)} 项）："]
        lines += [f"  - [{c.rule.rule_id}] {c.description}" for c in items] or ["  无"]
    return "\n".join(lines) + "\n"


def _header(ws, names: list[str]) -> list[WriteOnlyCell]:
    cells = []
    for name in names:
        c = WriteOnlyCell(ws, value=name)
        c.font = Font(bold=True)
        cells.append(c)
    return cells


def write_xlsx(ev: Evaluation, out: str | Path, *, include_na: bool = False) -> int:
    """Sheet 汇总: totals per rule; sheet 明细: one row per rule × subject × period. Returns the detail rows."""
    wb = Workbook(write_only=True)
    summary = wb.create_sheet("汇总")
    # Every text a user may have typed (unit and rule names too) goes through safe(): no cell becomes a formula.
    summary.append([safe(f"{ev.unit.name} {ev.start}—{ev.end} 检查结果（截至 {ev.as_of}）")])
    summary.append(_header(summary, ["责任制", "规则编号", "规则", "要求", "依据", *[STATES[s] for s in STATE_ORDER],
                                     "覆盖率"]))
    for r in ev.results:
        ratio = r.coverage()["ratio"] if r.is_coverage else None
        summary.append([r.rule.get_responsibility_display(), safe(r.rule_id), safe(r.rule.name),
                        safe(r.rule.requirement_text), safe(r.rule.source_text), *[r.totals[s] for s in STATE_ORDER],
                        round(ratio, 4) if ratio is not None else None])
    detail = wb.create_sheet("明细")
    detail.append(_header(detail, ["规则编号", "规则", "对象", "期间", "状态", "实有次数", "应有次数", "到期日", "说明",
                                   "记录类型", "记录编号"]))
    n = 0
    shown = [c for c in ev.cells() if c.state != NA or include_na]
    keys = Keys(shown)
    for c in shown:
        d = cell_dict(c, keys)
        state = WriteOnlyCell(detail, value=c.state_label)
        state.fill = PatternFill("solid", fgColor=FILLS[c.state])
        detail.append([safe(c.rule.rule_id), safe(c.rule.name), safe(c.subject.label), c.period.label, state, c.count,
                       c.required, c.due, safe(c.detail), d["record_type_label"], safe("、".join(d["records"]))])
        n += 1
    wb.save(out)
    return n
