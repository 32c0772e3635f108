"""换届: a committee's term runs from its election (the day its seats begin, ``OrgPost.start_on``); when the term is
up, a new committee must be elected. Warned ``warning_days`` before (the shipped rules: 90 days)."""

from __future__ import annotations

import datetime as dt

from lvzhi.obligations.engine import DONE, DUE_SOON, NA, Cell, judge
from lvzhi.obligations.periods import periods_between
from lvzhi.obligations.subjects import party_orgs

from .models import COMMITTEE_ROLES, OrgPost


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term(rule, ctx, path: str, deeper) -> list[Cell]:
    from lvzhi.obligations.checks import _overridden

    years = int(rule.parameters.get("years", 3))
    orgs, subjects = party_orgs(path, rule.subject_conditions)
    starts: dict[int, list[dt.date]] = {}
    # A subquery, not the 20,000 organisations' ids as parameters (central scale).
    for org_id, start in (OrgPost.objects.filter(party_org_id__in=orgs.order_by().values("pk"), role__in=COMMITTEE_ROLES,
                                                 start_on__isnull=False)
                          .order_by().values_list("party_org_id", "start_on")):
        if start is not None:  # excluded by the query; the field may be empty
            starts.setdefault(org_id, []).append(start)
    periods = [p for p in periods_between(rule.cadence, ctx.start, ctx.end) if rule.in_force_on(p.end)]
    cells = []
    for s in subjects:
        for p in periods:
            if deeper and _overridden(s, p, deeper):
                continue
            if not (s.covers(p) and ctx.units.covers(s.unit_id, p)):
                cells.append(Cell(rule, s, p, NA, detail=f"{p.label}不在检查范围内"))
                continue
            day = min(p.end, ctx.as_of)
            elected = max((d for d in starts.get(s.pk, ()) if d <= day), default=None)
            if elected is None:
                cells.append(Cell(rule, s, p, NA, detail="未记录委员的任职日期，无法判断届期（请在“党组织任职”中补录）"))
                continue
            due = _years_later(elected, years)
            if due > p.end:
                state = DUE_SOON if ctx.as_of >= due - dt.timedelta(days=rule.warning_days) else DONE
                detail = f"本届自{elected:%Y-%m-%d}起，任期{years}年，{due:%Y-%m-%d}届满"
                if state == DUE_SOON:
                    detail += "，请做好换届准备"
                cells.append(Cell(rule, s, p, state, 1, 1, (), detail, due))
                continue
            state, when = judge(0, 1, due, rule, ctx.as_of)
            detail = f"本届自{elected:%Y-%m-%d}起，任期{years}年，已于{due:%Y-%m-%d}届满，尚未换届"
            if ctx.as_of <= due:
                detail = f"本届自{elected:%Y-%m-%d}起，任期{years}年，{due:%Y-%m-%d}届满，请按期换届"
            cells.append(Cell(rule, s, p, state, 0, 1, (), detail, when))
    return cells
