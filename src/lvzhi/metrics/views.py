import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from lvzhi.org.scoping import scope_for
from lvzhi.org.selectors import requested_unit
from lvzhi.records import cells, registry
from lvzhi.records.disclosure import disclosable_units
from lvzhi.web import clock
from lvzhi.web.params import year_param

from . import catalogue
from .compute import Period, compute
from .selectors import figure_disclosure, trend

SYSTEM_LABELS = {"party_building": "基层党建", "cadres": "干部人才", "governance": "三重一大", "integrity": "党风廉政",
                 "ideology": "意识形态"}


def _unit_and_year(request):
    scope = scope_for(request.user)
    unit = requested_unit(request, scope)
    year = year_param(request.GET.get("year")) or clock.working_year()
    return scope, unit, year


@login_required
def index(request):
    scope, unit, year = _unit_and_year(request)
    years = list(range(year - 4, year + 1))
    series = trend(unit, years)
    units = disclosable_units()
    groups = {}
    for m in catalogue.CATALOGUE:
        values = series[m.id]
        withheld = [not figure_disclosure(scope, m, unit, Period.year(y), units).allowed for y in years]
        series[m.id] = [None if w else v for v, w in zip(values, withheld, strict=False)]
        groups.setdefault(SYSTEM_LABELS.get(m.system, m.system), []).append(
            {"metric": m, "cells": list(zip(years, series[m.id], withheld, strict=False))})
    return render(request, "metrics/index.html", {
        "unit": unit, "year": year, "years": years, "groups": groups,
        "chart": json.dumps({"years": years, "series": series}), "year_choices": clock.year_choices(),
    })


@login_required
def records(request, metric_id):
    """The records behind one figure: what the report's link opens."""
    scope, unit, year = _unit_and_year(request)
    try:
        metric = catalogue.get(metric_id)
    except LookupError:
        raise Http404("未知指标。") from None
    figure = compute(metric, unit, Period.year(year))
    rt = registry.get(metric.record_type)
    qs = figure.visible_records(scope).order_by(*rt.ordering)
    verdict = figure_disclosure(scope, metric, unit, Period.year(year))
    hidden = (figure.records.count() - qs.count()) if figure.records is not None and verdict.allowed else 0
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    columns = [c for c in rt.columns if c.field in rt.list_columns]
    rows = [{"obj": o, "cells": [cells.format_cell(rt, c, o) for c in columns]} for o in page]
    return render(request, "metrics/records.html", {
        "metric": metric, "figure": figure, "unit": unit, "year": year, "rt": rt, "page": page, "rows": rows,
        "headers": [rt.header(c) for c in columns], "hidden": hidden,
        "withheld": "" if verdict.allowed else verdict.reason,
    })
