"""The compliance dashboard's view model: per rule, a subjects × periods matrix (a table for small sets, an
ECharts heatmap for large ones), a coverage summary for yearly rules with many subjects, or the list of events."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.web.datacache import reused

from .engine import DONE, DUE_SOON, LATE, NA, PENDING, STATE_ORDER, STATES, Evaluation, RuleResult
from .models import Cadence, Responsibility

HEATMAP_CELLS = 400  # above this many cells a matrix is drawn as a heatmap instead of a table
HEAT_STATES = [DONE, PENDING, DUE_SOON, LATE, NA]  # index = value in the heatmap data
MISSING_SHOWN = 30


def cell_url(ev: Evaluation, rule_id: str, subject_ref: str, period_key: str) -> str:
    query = urlencode({"unit": ev.unit.pk, "start": ev.start.isoformat(), "end": ev.end.isoformat(),
                       "as_of": ev.as_of.isoformat(), "rule": rule_id, "subject": subject_ref, "period": period_key})
    return f"{reverse('obligations:cell')}?{query}"


def rule_url(ev: Evaluation, rule_id: str) -> str:
    query = urlencode({"unit": ev.unit.pk, "start": ev.start.isoformat(), "end": ev.end.isoformat(),
                       "as_of": ev.as_of.isoformat(), "rule": rule_id})
    return f"{reverse('obligations:missing')}?{query}"


def _layout(result: RuleResult) -> str:
    if result.rule.cadence == Cadence.EVENT:
        return "events"
    subjects = {c.subject.ref for c in result.cells}
    if result.rule.cadence == Cadence.YEAR and (len(subjects) > 1 or result.rule.subject in ("person", "unit")):
        return "coverage"
    return "matrix"


def _matrix(ev: Evaluation, result: RuleResult) -> dict:
    periods = sorted({c.period.key: c.period for c in result.cells}.values(), key=lambda p: p.key)
    subjects = list({c.subject.ref: c.subject for c in result.cells}.values())
    col = {p.key: i for i, p in enumerate(periods)}
    row = {s.ref: i for i, s in enumerate(subjects)}
    grid = [[None] * len(periods) for _ in subjects]
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
            "url": cell_url(ev, result.rule_id, "__S__", "__P__"),
        }
    else:
        # Cells carry only their subject and period; one delegated handler builds the drill-down URL.
        out["url"] = cell_url(ev, result.rule_id, "__S__", "__P__")
        out["rows"] = [{"subject": s, "cells": grid[row[s.ref]]} for s in subjects]
    return out


def _coverage(ev: Evaluation, result: RuleResult) -> dict:
    cov = result.coverage()
    missing = cov["missing"]
    return {**cov, "percent": round(cov["ratio"] * 100, 1) if cov["ratio"] is not None else None,
            "shown": [(c, cell_url(ev, result.rule_id, c.subject.ref, c.period.key)) for c in missing[:MISSING_SHOWN]],
            "more": max(0, len(missing) - MISSING_SHOWN), "all_url": rule_url(ev, result.rule_id)}


def _events(ev: Evaluation, result: RuleResult) -> dict:
    open_ = [c for c in result.cells if c.state in (LATE, DUE_SOON, PENDING)]
    open_.sort(key=lambda c: (STATE_ORDER.index(c.state), c.period.key))
    return {"items": [(c, cell_url(ev, result.rule_id, c.subject.ref, c.period.key)) for c in open_]}


def build(ev: Evaluation) -> dict:
    sections = []
    for resp, label in Responsibility.choices:
        rules = []
        for r in ev.results:
            if r.rule.responsibility != resp:
                continue
            layout = _layout(r)
            view = {"result": r, "rule": r.rule, "totals": r.totals, "layout": layout, "late": r.totals[LATE],
                    "dom_id": f"rule-{r.rule_id.replace('.', '-')}"}
            if layout == "matrix":
                view["matrix"] = _matrix(ev, r)
            elif layout == "coverage":
                view["coverage"] = _coverage(ev, r)
            else:
                view["events"] = _events(ev, r)
            rules.append(view)
        if rules:
            sections.append({"key": resp, "label": f"{label}责任制", "rules": rules})
    totals = {s: 0 for s in STATE_ORDER}
    for c in ev.cells():
        totals[c.state] += 1
    return {"sections": sections, "totals": [(s, STATES[s], totals[s]) for s in STATE_ORDER]}


@reused("obligations.board")
def board_html(scope: Scope, unit: Unit, start: dt.date, end: dt.date, as_of: dt.date) -> str:
    """The board of the 合规看板 as HTML: kept as HTML because on a whole province building it costs more than
    the check itself, and every reader with the same scope sees the same board."""
    from .selectors import checked

    ev = checked(scope, unit, start, end, as_of)
    return render_to_string("obligations/_board.html", {"ev": ev, "board": build(ev), "unit": unit})
