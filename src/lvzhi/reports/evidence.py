"""Evidence for the writer of sections 二 and 三: what the checks found, open rectifications, figures that fell.

The problems and plans are the secretary's words; lvzhi only puts the facts beside them, each with a sentence
the writer may insert.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse

from lvzhi.metrics.selectors import fell_year_on_year
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, selectors
from lvzhi.web import clock
from lvzhi.web.datacache import reused

SHOWN_PER_RULE = 5  # more late items of one rule than this are one line: a writer needs the pattern, not 300 rows


def late_obligations(scope: Scope, unit: Unit, year: int) -> list[dict]:
    """Late obligations and coverage gaps of the unit's subtree, each linked to its full list: from the stored
    results (grouped counts by state, then the late cells of the rules with late ones, filtered in SQL) where the
    year is stored, else from the engine. As of today — for a closed year too: what is still late when the report
    is written, as the 合规看板 shows it by default (and the stored rows answer only for today)."""
    from lvzhi.obligations.late import late_by_rule

    as_of = clock.today()
    out = []
    for rule in late_by_rule(scope, unit, year, as_of, SHOWN_PER_RULE):
        url = reverse("obligations:missing") + "?" + urlencode({
            "unit": unit.pk, "start": f"{year}-01-01", "end": f"{year}-12-31", "as_of": as_of.isoformat(),
            "rule": rule.rule_id})
        if rule.problems:
            out += [{"text": p.text, "url": url, "rule": p.rule_name} for p in rule.problems]
            continue
        named = "、".join(rule.named[:3])
        out.append({"text": f"{rule.rule_name}：逾期{rule.count}项（{named}等{rule.subjects}个）。", "url": url,
                    "rule": rule.rule_name})
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
                    "url": reverse("records:detail", args=["rectification", r.pk]), "finding": r.finding.description})
    return out


def declines(scope: Scope, unit: Unit, year: int) -> list[dict]:
    """Figures lower than last year; one that counts confidential rows only where its count may be given."""
    from lvzhi.metrics.compute import Period
    from lvzhi.metrics.selectors import figure_disclosure

    return [{"text": d["text"], "url": reverse("metrics:records", args=[d["metric"].id]) + f"?unit={unit.pk}&year={year}",
             "label": d["metric"].label}
            for d in fell_year_on_year(unit, year)
            if figure_disclosure(scope, d["metric"], unit, Period(dt.date(year - 1, 1, 1), dt.date(year, 12, 31))).allowed]


LATE, OPEN, DECLINES, COMMITMENTS = "late", "open", "declines", "commitments"


@reused("reports.evidence", subtree="unit")
def evidence_for(scope: Scope, unit: Unit, year: int, kind: str | None = None) -> list[dict]:
    """Groups of evidence in the order a writer reads them; last year's commitments are those of the report kind
    ``kind`` (default: the unit's natural kind)."""
    from .commitments import last_year_commitments

    late = late_obligations(scope, unit, year)
    return [
        {"key": LATE, "title": "检查发现的逾期事项与覆盖缺口", "items": late},
        {"key": OPEN, "title": "未完成的整改", "items": open_rectifications(scope, unit, year)},
        {"key": DECLINES, "title": "比上年下降的指标", "items": declines(scope, unit, year)},
        {"key": COMMITMENTS, "title": "上年度承诺与述职评议问题的落实情况",
         "items": last_year_commitments(scope, unit, year, kind, late)},
    ]
