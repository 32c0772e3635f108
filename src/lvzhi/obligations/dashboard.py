"""The compliance dashboard's view model.

First screen (``board_html``): per rule and per child unit, the number of cells in each state — from one grouped
query over the stored results when the year is stored (``stored_reads.board``), else from the engine. What a rule
looks like in detail (a subjects × periods matrix, a coverage list or the list of events) is one panel per rule,
loaded when the rule is opened (htmx) and paged: ``panel`` reads one page of one rule's cells.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.web.datacache import reused

from . import stored_reads
from .engine import DONE, DUE_SOON, LATE, NA, PENDING, STATE_ORDER, STATES, Evaluation, RuleResult, evaluate
from .models import Cadence, Responsibility

HEATMAP_CELLS = 400  # above this many cells a matrix is drawn as a heatmap instead of a table
HEAT_STATES = [DONE, PENDING, DUE_SOON, LATE, NA]  # index = value in the heatmap data
SUBJECTS_PER_PAGE = 60  # rows of a matrix page (60 branches × 12 months: one heatmap)
ITEMS_PER_PAGE = 30  # missing subjects or open events per page
CHILDREN_SHOWN = 50
OPEN = (LATE, DUE_SOON, PENDING)


def _query(ev_like, **extra) -> str:
    return urlencode({"unit": ev_like.unit.pk, "start": ev_like.start.isoformat(), "end": ev_like.end.isoformat(),
                      "as_of": ev_like.as_of.isoformat(), **extra})


def cell_url(ev, rule_id: str, subject_ref: str, period_key: str) -> str:
    return f"{reverse('obligations:cell')}?{_query(ev, rule=rule_id, subject=subject_ref, period=period_key)}"


def rule_url(ev, rule_id: str) -> str:
    return f"{reverse('obligations:missing')}?{_query(ev, rule=rule_id)}"


def panel_url(ev, rule_id: str, page: int = 1) -> str:
    return f"{reverse('obligations:panel')}?{_query(ev, rule=rule_id, page=page)}"


@dataclass
class Range:
    unit: Unit
    start: dt.date
    end: dt.date
    as_of: dt.date


def _layout_of(rule, subjects: int) -> str:
    if rule.cadence == Cadence.EVENT:
        return "events"
    if rule.cadence == Cadence.YEAR and (subjects > 1 or rule.subject in ("person", "unit")):
        return "coverage"
    return "matrix"


def _layout(result: RuleResult) -> str:
    return _layout_of(result.rule, len({c.subject.ref for c in result.cells}))


def _coverage_figures(totals: dict[str, int]) -> dict:
    """``RuleResult.coverage`` from the counts by state."""
    done = totals.get(DONE, 0)
    required = done + totals.get(LATE, 0) + totals.get(DUE_SOON, 0)
    ratio = done / required if required else None
    return {"required": required, "done": done, "missing": required - done,
            "percent": round(ratio * 100, 1) if ratio is not None else None}


# --- the first screen ------------------------------------------------------------------------------------

def summary(scope: Scope, unit: Unit, start: dt.date, end: dt.date, as_of: dt.date) -> dict:
    """Counts by rule × state and by child unit × state, and the time of the data (None: computed now)."""
    rng = Range(unit, start, end, as_of)
    if stored_reads.usable(unit, start, end, as_of, fresh=False):
        b = stored_reads.board(unit, start.year, as_of)
        results = stored_reads.results(unit, start.year, b.judging)
        by_rule = {r.rule_id: {s: b.by_rule.get(r.rule_id, {}).get(s, 0) for s in STATE_ORDER} for r in results}
        # A yearly rule has one period in a year: its cells are its subjects.
        layouts = {r.rule_id: _layout_of(r.rule, sum(by_rule[r.rule_id].values())) for r in results}
        by_child, computed_at = b.by_child, b.computed_at
    else:
        ev = evaluate(unit, start=start, end=end, as_of=as_of, scope=scope)
        results = ev.results
        by_rule = {r.rule_id: r.totals for r in results}
        layouts = {r.rule_id: _layout(r) for r in results}
        by_child = {}
        width = len(unit.path) + unit.steplen
        for c in ev.cells():
            key = c.subject.unit_path[:width] if len(c.subject.unit_path) >= width else ""
            counts = by_child.setdefault(key, {})
            counts[c.state] = counts.get(c.state, 0) + 1
        computed_at = None
    sections = []
    for resp, label in Responsibility.choices:
        rules = []
        for r in results:
            if r.rule.responsibility != resp:
                continue
            totals = by_rule[r.rule_id]
            view = {"rule": r.rule, "rule_id": r.rule_id, "totals": totals, "layout": layouts[r.rule_id],
                    "late": totals[LATE], "cells": sum(totals.values()), "dom_id": f"rule-{r.rule_id.replace('.', '-')}",
                    "panel_url": panel_url(rng, r.rule_id)}
            if view["layout"] == "coverage":
                view["coverage"] = _coverage_figures(totals)
            rules.append(view)
        if rules:
            sections.append({"key": resp, "label": f"{label}责任制", "rules": rules})
    totals = {s: 0 for s in STATE_ORDER}
    for counts in by_rule.values():
        for s, n in counts.items():
            totals[s] += n
    return {"sections": sections, "totals": [(s, STATES[s], totals[s]) for s in STATE_ORDER],
            "children": _children(unit, by_child, rng), "computed_at": computed_at}


def _children(unit: Unit, by_child: dict[str, dict[str, int]], rng: Range) -> dict:
    units = {u.path: u for u in Unit.objects.filter(path__in=[p for p in by_child if p])}
    rows = []
    for path, counts in by_child.items():
        if path and path not in units:
            continue
        row = {"unit": units.get(path, unit), "own": not path, **{s: counts.get(s, 0) for s in STATE_ORDER}}
        row["url"] = f"{reverse('obligations:dashboard')}?{urlencode({'unit': row['unit'].pk, 'year': rng.start.year})}"
        rows.append(row)
    rows.sort(key=lambda r: (r["own"], -r[LATE], -r[DUE_SOON], r["unit"].path))
    return {"rows": rows[:CHILDREN_SHOWN], "more": max(0, len(rows) - CHILDREN_SHOWN)}


@reused("obligations.board", subtree="unit")
def board_html(scope: Scope, unit: Unit, start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """The first screen of the 合规看板 as HTML (every reader with the same scope sees the same board)."""
    return render_to_string("obligations/_board.html", {"board": summary(scope, unit, start, end, as_of),
                                                        "unit": unit})


# --- one rule, one page ------------------------------------------------------------------------------------

def _pages(page: int, total: int, size: int) -> dict:
    last = max(1, -(-total // size))
    page = min(max(1, page), last)
    return {"number": page, "last": last, "total": total, "offset": (page - 1) * size, "size": size,
            "previous": page - 1 if page > 1 else None, "next": page + 1 if page < last else None}


def panel(scope: Scope, unit: Unit, start: dt.date, end: dt.date, as_of: dt.date, rule_id: str,
          page: int = 1) -> dict | None:
    """One page of one rule: a matrix of ``SUBJECTS_PER_PAGE`` subjects, or ``ITEMS_PER_PAGE`` missing subjects
    or open events. From the stored rows (a few queries on the rule's rows) when the year is stored."""
    rng = Range(unit, start, end, as_of)
    if stored_reads.usable(unit, start, end, as_of):
        year = start.year
        counts = stored_reads.rule_counts(unit, year, as_of, rule_id)
        head = stored_reads.evaluation(unit, year, as_of, scope, rule_ids=[rule_id], where=Q(pk__in=[]))
        if not head.results:
            return None
        rule = head.results[0]
        layout = _layout_of(rule.rule, sum(counts.values()))
        if layout == "matrix":
            pages = _pages(page, stored_reads.subject_count(unit, year, rule_id), SUBJECTS_PER_PAGE)
            keys = stored_reads.subject_page(unit, year, rule_id, pages["offset"], SUBJECTS_PER_PAGE)
            ev = stored_reads.evaluation(unit, year, as_of, scope, rule_ids=[rule_id], where=stored_reads.subjects_q(keys))
        else:
            states = (LATE, DUE_SOON) if layout == "coverage" else OPEN
            pages = _pages(page, sum(counts.get(s, 0) for s in states), ITEMS_PER_PAGE)
            ev = stored_reads.evaluation(unit, year, as_of, scope, rule_ids=[rule_id], states=states,
                                   order=("rank", "period_key", "unit__path", "seq"),
                                   window=slice(pages["offset"], pages["offset"] + ITEMS_PER_PAGE))
        result = ev.results[0] if ev.results else rule
    else:
        ev = evaluate(unit, start=start, end=end, as_of=as_of, scope=scope, rule_ids=[rule_id])
        if not ev.results:
            return None
        result = ev.results[0]
        counts = result.totals
        layout = _layout(result)
        if layout == "matrix":
            subjects = list(dict.fromkeys(c.subject.ref for c in result.cells))
            pages = _pages(page, len(subjects), SUBJECTS_PER_PAGE)
            shown = set(subjects[pages["offset"]:pages["offset"] + SUBJECTS_PER_PAGE])
            cells = [c for c in result.cells if c.subject.ref in shown]
        else:
            states = (LATE, DUE_SOON) if layout == "coverage" else OPEN
            cells = [c for c in result.cells if c.state in states]
            cells.sort(key=lambda c: (STATE_ORDER.index(c.state), c.period.key))
            pages = _pages(page, len(cells), ITEMS_PER_PAGE)
            cells = cells[pages["offset"]:pages["offset"] + ITEMS_PER_PAGE]
        result = RuleResult(result.rule_id, result.rule, result.versions, cells)
    view = {"rule_id": rule_id, "rule": result.rule, "layout": layout, "pages": pages, "dom_id": f"panel-{rule_id.replace('.', '-')}",
            "totals": {s: counts.get(s, 0) for s in STATE_ORDER}}
    if layout == "matrix":
        view["matrix"] = _matrix(rng, result)
    else:
        view["items"] = [(c, cell_url(rng, rule_id, c.subject.ref, c.period.key)) for c in result.cells]
        view["all_url"] = rule_url(rng, rule_id)
    for key in ("previous", "next"):
        if pages[key]:
            view[f"{key}_url"] = panel_url(rng, rule_id, pages[key])
    return view


def _matrix(rng, result: RuleResult) -> dict:
    periods = sorted({c.period.key: c.period for c in result.cells}.values(), key=lambda p: p.key)
    subjects = list({c.subject.ref: c.subject for c in result.cells}.values())
    col = {p.key: i for i, p in enumerate(periods)}
    row = {s.ref: i for i, s in enumerate(subjects)}
    grid: list[list] = [[None] * len(periods) for _ in subjects]
    for c in result.cells:
        grid[row[c.subject.ref]][col[c.period.key]] = c
    big = len(subjects) * len(periods) > HEATMAP_CELLS
    out = {"periods": periods, "big": big, "height": 60 + 18 * len(subjects)}
    if big:
        out["chart"] = {
            "id": f"heat-{result.rule_id.replace('.', '-')}",
            "x": [p.short for p in periods], "xkeys": [p.key for p in periods],
            "y": [s.label for s in subjects], "yrefs": [s.ref for s in subjects],
            "data": [[col[c.period.key], row[c.subject.ref], HEAT_STATES.index(c.state)] for c in result.cells],
            "states": [STATES[s] for s in HEAT_STATES],
            "url": cell_url(rng, result.rule_id, "__S__", "__P__"),
        }
    else:
        # Cells carry only their subject and period; one delegated handler builds the drill-down URL.
        out["url"] = cell_url(rng, result.rule_id, "__S__", "__P__")
        out["rows"] = [{"subject": s, "cells": grid[row[s.ref]]} for s in subjects]
    return out


def build(ev: Evaluation) -> dict:
    """The board's totals of an evaluation (the engine's reference for ``summary``)."""
    totals = {s: 0 for s in STATE_ORDER}
    for c in ev.cells():
        totals[c.state] += 1
    return {"totals": [(s, STATES[s], totals[s]) for s in STATE_ORDER]}
