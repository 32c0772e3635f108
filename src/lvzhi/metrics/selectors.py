"""Metrics as users see them: within their scope, for a unit and a year, with year-on-year series."""

from __future__ import annotations

import datetime as dt

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope

from .catalogue import CATALOGUE, Metric
from .compute import Figure, Period, compute_many


def figures_for_year(unit: Unit, year: int, metrics: list[Metric] | None = None) -> dict[str, Figure]:
    metrics = metrics or CATALOGUE
    return compute_many([m.id for m in metrics], unit, Period.year(year))


def trend(unit: Unit, years: list[int], metrics: list[Metric] | None = None) -> dict[str, list]:
    """metric id → [value or None per year] (one grouped computation per year)."""
    metrics = metrics or CATALOGUE
    series: dict[str, list] = {m.id: [] for m in metrics}
    for y in years:
        figs = figures_for_year(unit, y, metrics)
        for m in metrics:
            v = figs[m.id].value
            series[m.id].append(None if v is None else float(v))
    return series


def fell_year_on_year(unit: Unit, year: int) -> list[dict]:
    """Count-like metrics lower than last year: evidence for the report's problems section."""
    now = figures_for_year(unit, year)
    before = figures_for_year(unit, year - 1)
    out = []
    for m in CATALOGUE:
        if m.aggregate in ("pp_change",) or m.id.endswith("rectifications_open") or m.id == "integrity.accountability":
            continue  # a change or a count where fewer is better
        a, b = now[m.id].value, before[m.id].value
        if a is not None and b is not None and a < b:
            out.append({"metric": m, "now": a, "before": b,
                        "text": f"{m.label}：{year}年 {a}{m.measure}，比上年（{b}{m.measure}）减少。"})
    return out


def readable_unit(scope: Scope, unit_id) -> Unit | None:
    from lvzhi.org.selectors import readable_unit as from_request

    return from_request(scope, unit_id)


def default_years(today: dt.date | None = None, span: int = 5) -> list[int]:
    today = today or dt.date.today()
    return list(range(today.year - span + 1, today.year + 1))
