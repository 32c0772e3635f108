"""The obligation engine's view of 点评 problems: each is an event that must be rectified by its deadline
(rule ``appraisal.rectification``, check type ``rectification`` with ``source=appraisal``). Due soon, late and
done come from the engine's own judgement, like every other rectification."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def problem_cells(rule, ctx, path: str, deeper) -> list:
    from lvzhi.obligations.checks import _applies, _event_cell, _event_subject
    from lvzhi.obligations.periods import event_period

    from .models import AppraisalProblem

    carried = Q(deadline__lt=ctx.start) & (Q(completed_on__isnull=True) | Q(completed_on__gte=ctx.start)
                                           | ~Q(status="done"))
    rows = (AppraisalProblem.objects.filter(unit__path__startswith=path, date__lte=ctx.end)
            .filter(Q(deadline__gte=ctx.start, deadline__lte=ctx.end) | carried)
            .order_by("deadline", "pk")
            .values("pk", "deadline", "status", "completed_on", "description", "owner__name", "unit_id", "unit__path",
                    "reportee__person__name", "reportee__appraisal__year"))
    cells = []
    for r in rows:
        label = f"述职评议整改（{r['reportee__appraisal__year']}年度，{r['reportee__person__name']}）：{r['description']}"
        s = _event_subject("", r["pk"], label, r["unit_id"], r["unit__path"])
        p = event_period(r["deadline"])
        if not _applies(rule, s, p, deeper):
            continue
        done_on = r["completed_on"] if r["status"] == "done" and r["completed_on"] and r["completed_on"] <= ctx.as_of \
            else None
        due = r["deadline"] + dt.timedelta(days=rule.grace_days)
        if done_on is not None and done_on <= due:
            ok, detail = True, f"整改时限{r['deadline']:%Y-%m-%d}，已于{done_on:%Y-%m-%d}完成"
        elif done_on is not None:
            ok, detail = False, f"整改时限{r['deadline']:%Y-%m-%d}，逾期至{done_on:%Y-%m-%d}才完成"
        else:
            ok, detail = False, f"整改时限{r['deadline']:%Y-%m-%d}，尚未完成（责任人：{r['owner__name']}）"
        cells.append(_event_cell(rule, ctx, s, p, ok, [], detail, "", r["deadline"]))
    return cells
