"""Metrics as users see them: within their scope, for a unit and a year, with year-on-year series."""

from __future__ import annotations

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.records.disclosure import ALLOWED, Disclosure, confidential_count, kind_may_be_confidential
from lvzhi.web.datacache import reused

from .catalogue import CATALOGUE, Metric, get
from .compute import Figure, Period, compute, compute_kept, compute_many, grouped


def figures_for_year(unit: Unit, year: int, metrics: list[Metric] | None = None, person=None) -> dict[str, Figure]:
    metrics = metrics or CATALOGUE
    return compute_many([m.id for m in metrics], unit, Period.year(year), person)


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


def figure_values(unit: Unit, year: int) -> dict:
    """The catalogue's values for the year (not their records; None where missing), each reused on its own while
    the tables it read are unchanged: a record saved recomputes the figures of its own type only."""
    period = Period.year(year)
    out = {i: f.value for i, f in compute_many([m.id for m in CATALOGUE if grouped(m)], unit, period,
                                               with_records=False).items()}
    for m in CATALOGUE:
        if m.id not in out:  # inside a page's result (the evidence): kept per figure, as the preview's
            out[m.id] = compute_kept(m, unit, period, with_records=False).value
    return out


def fell_year_on_year(unit: Unit, year: int) -> list[dict]:
    """Count-like metrics lower than last year: evidence for the report's problems section."""
    now = figure_values(unit, year)
    before = figure_values(unit, year - 1)
    out = []
    for m in CATALOGUE:
        if m.aggregate in ("pp_change",) or m.id.endswith("rectifications_open") or m.id == "integrity.accountability":
            continue  # a change or a count where fewer is better
        a, b = now[m.id], before[m.id]
        if a is not None and b is not None and a < b:
            out.append({"metric": m, "now": a, "before": b,
                        "text": f"{m.label}：{year}年 {a}{m.measure}，比上年（{b}{m.measure}）减少。"})
    return out


def touches_confidential(metric: Metric | str) -> bool:
    """Whether the figure can count confidential rows: its type has some, and its filter does not keep to kinds that
    never are (routine talks are counted openly; 问责 never)."""
    metric = get(metric) if isinstance(metric, str) else metric
    if metric.aggregate == "pp_change":
        return touches_confidential(metric.base)
    rt = registry.get(metric.record_type)
    if rt.confidential_rows is None:
        return False
    kinds = metric.filter.get(rt.kind_field) if rt.kind_field else None
    kinds = metric.filter.get(f"{rt.kind_field}__in", kinds) if rt.kind_field else None
    if kinds is None:
        return True
    return any(kind_may_be_confidential(rt, k) for k in ([kinds] if isinstance(kinds, str) else kinds))


def figure_disclosure(scope: Scope, metric: Metric, unit: Unit, period: Period, units: set[int] | None = None
                      ) -> Disclosure:
    """May ``scope`` see this figure? Always, unless it counts confidential rows the user may not open: then only
    for periods and units that point at nobody (``records.disclosure``)."""
    if not touches_confidential(metric):
        return ALLOWED
    start, end = period.start, period.end
    if metric.aggregate == "pp_change":  # the change is this year's figure minus last year's: both must be allowed
        start = period.previous_year().start
    return confidential_count(scope, unit, start=start, end=end, units=units)


def metric_table(scope: Scope, unit: Unit | None, year: int | None, person=None) -> list[dict]:
    """Every metric a template can name (``m("编号")``): its id, Chinese label, measure and system — with the unit's
    value for the year when both are given (missing: why; withheld: the figure would point at confidential rows).
    ``person``: whose personal figures (本人……) to give — the person reporting."""
    from lvzhi.org.scoping import SYSTEMS
    from lvzhi.records.disclosure import disclosable_units
    from lvzhi.reports.phrasing import exact

    figures = figures_for_year(unit, year, person=person) if unit is not None and year else {}
    units = disclosable_units() if figures else None
    rows = []
    for m in CATALOGUE:
        row = {"id": m.id, "label": m.label, "measure": m.measure, "system": SYSTEMS.get(m.system, m.system),
               "value": None, "status": "", "note": ""}
        if figures and unit is not None and year:
            fig = figures[m.id]
            verdict = figure_disclosure(scope, m, unit, Period.year(year), units)
            if not verdict.allowed:
                row.update(status="不公开", note=verdict.reason)
            elif fig.is_missing:
                row.update(status="待补充", note=fig.missing)
            else:
                row.update(value=exact(fig.value), status="有值",
                           note="已声明为零" if not fig.value and fig.detail.get("zero_declared") else "")
        rows.append(row)
    return rows


RECORD_IDS_PAGE = 500  # record ids per answer of the metric API (its ``limit``; at most RECORD_IDS_MAX)
RECORD_IDS_MAX = 5000


@reused("metrics.figure", subtree="unit")
def reader_figure(metric: Metric, unit: Unit, period: Period, scope: Scope, offset: int = 0,
                  limit: int = RECORD_IDS_PAGE) -> dict:
    """One figure as a reader may see it (the metric API's answer): one page of the records behind it they may
    read (by id; ``records_total`` of them in all) and the value withheld where it counts confidential rows they may
    not see and could point to a person. A page, not every id: the province's 支部活动 of a year are 81,000 ids."""
    figure = compute(metric, unit, period)
    visible = figure.visible_records(scope)
    ids = list(visible.order_by("pk").values_list("pk", flat=True)[offset:offset + limit])
    # a short page that holds something (or an empty first one) is the last: no count needed; nor where the reader
    # sees every record the value counts (a type without confidential rows, the whole subtree theirs)
    if 0 < len(ids) < limit or (offset == 0 and not ids):
        shown = offset + len(ids)
    elif (metric.aggregate == "count" and figure.value is not None and scope.can_read(unit)
          and registry.get(metric.record_type).confidential_rows is None):
        shown = int(figure.value)
    else:
        shown = visible.count()
    paging = {"record_ids": ids, "records_total": shown, "records_offset": offset, "records_limit": limit,
              "next": None}  # the API puts the next page's address here
    verdict = figure_disclosure(scope, metric, unit, period)
    if not verdict.allowed:  # nothing that depends on the confidential rows: not the value, its parts, nor "missing"
        return {**figure.as_dict(), "value": None, "missing": "", "detail": {}, "record_type": metric.record_type,
                **paging, "hidden_records": None, "withheld": f"【保密】{verdict.reason}"}
    if metric.aggregate == "count":  # the value is the number of records behind it: no second count
        total = figure.value or 0
    else:
        total = figure.records.count() if figure.records is not None else 0
    return {**figure.as_dict(), "record_type": metric.record_type, **paging,
            "hidden_records": total - shown, "withheld": ""}
