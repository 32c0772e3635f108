"""Evidence for the writer of sections 二 and 三: what the checks found, open rectifications, figures that fell.

The problems and plans are the secretary's words; lvzhi only puts the facts beside them, each with a sentence
the writer may insert.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from lvzhi.metrics.selectors import fell_year_on_year
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, selectors
from lvzhi.web import clock


def late_obligations(scope: Scope, unit: Unit, year: int) -> list[dict]:
    """Late obligations and coverage gaps from the obligation engine (when it is installed)."""
    try:
        from lvzhi.obligations import selectors as obligation_selectors
    except ImportError:
        return []
    finder = getattr(obligation_selectors, "late_obligations", None)
    if finder is None:
        return []
    as_of = min(clock.today(), dt.date(year, 12, 31))
    out = []
    for item in finder(scope, unit, year, as_of):
        text = item.get("text") if isinstance(item, dict) else str(item)
        out.append({"text": text, "url": item.get("url", "") if isinstance(item, dict) else ""})
    return out


def open_rectifications(scope: Scope, unit: Unit, year: int) -> list[dict]:
    rt = registry.get("rectification")
    end = dt.date(year, 12, 31)
    qs = (selectors.visible(rt, scope).filter(unit.subtree_q("unit__"), date__lte=end)
          .filter(status="open").select_related("finding", "unit").order_by("deadline"))
    out = []
    for r in qs[:50]:
        late = "，已逾期" if r.deadline < min(clock.today(), end) else ""
        out.append({"text": f"{r.unit.name}“{r.finding.description}”的整改尚未完成（时限{r.deadline:%Y年%m月%d日}{late}）。",
                    "url": reverse("records:detail", args=["rectification", r.pk])})
    return out


def declines(unit: Unit, year: int) -> list[dict]:
    return [{"text": d["text"], "url": reverse("metrics:records", args=[d["metric"].id]) + f"?unit={unit.pk}&year={year}"}
            for d in fell_year_on_year(unit, year)]


def evidence_for(scope: Scope, unit: Unit, year: int) -> list[dict]:
    """Groups of evidence in the order a writer reads them."""
    return [
        {"title": "检查发现的逾期事项与覆盖缺口", "items": late_obligations(scope, unit, year)},
        {"title": "未完成的整改", "items": open_rectifications(scope, unit, year)},
        {"title": "比上年下降的指标", "items": declines(unit, year)},
    ]
