"""Reads other parts of lvzhi use: the carry-over of last year's 述职评议 problems into this year's report
(“上年度述职评议指出问题整改情况”), computed from the problem records."""

from __future__ import annotations

import datetime as dt

from lvzhi.org.models import Unit

from .models import AppraisalProblem, ReporteeRole
from .tally import problem_state

ORDINALS = "一二三四五六七八九十"


def carryover(unit: Unit, year: int, as_of: dt.date) -> dict | None:
    """Last year's (``year - 1``) appraisal of ``unit``: the 党委书记's own problems with their status and
    evidence as of ``as_of``, and the branches' problems in numbers. None when there was no such appraisal."""
    from .models import Appraisal

    a = Appraisal.objects.filter(unit=unit, year=year - 1).first()
    if a is None:
        return None
    problems = list(AppraisalProblem.objects.filter(reportee__appraisal=a).select_related("reportee", "owner")
                    .order_by("deadline", "pk"))
    own = [p for p in problems if p.reportee.role == ReporteeRole.COMMITTEE_SECRETARY]
    branch = [p for p in problems if p.reportee.role != ReporteeRole.COMMITTEE_SECRETARY]
    states = {p.pk: problem_state(p, as_of) for p in problems}

    def done(ps):
        return [p for p in ps if states[p.pk] in ("已完成", "逾期完成")]

    parts = [f"{a.year}年度述职评议中，上级党委点评指出本人{len(own)}个问题，已完成整改{len(done(own))}个"
             + (f"，正在整改{len(own) - len(done(own))}个" if len(own) > len(done(own)) else "") + "。"]
    for i, p in enumerate(own):
        n = ORDINALS[i] if i < len(ORDINALS) else str(i + 1)
        state = states[p.pk]
        if state in ("已完成", "逾期完成"):
            assert p.completed_on is not None  # the state is read from it
            tail = f"已于{p.completed_on.month}月{p.completed_on.day}日完成" + ("（晚于整改时限）" if state == "逾期完成" else "") \
                + (f"，佐证：{p.evidence}" if p.evidence else "")
        elif state == "逾期":
            tail = f"整改时限为{p.deadline.month}月{p.deadline.day}日，目前尚未完成，正在督办"
        else:
            tail = f"整改时限为{p.deadline.year}年{p.deadline.month}月{p.deadline.day}日，正在整改"
        parts.append(f"{n}是{p.description.rstrip('。')}。整改措施：{p.measures.rstrip('。')}，{tail}。")
    if branch:
        late = [p for p in branch if states[p.pk] in ("逾期", "逾期完成")]
        parts.append(f"各党支部（党总支）书记述职评议指出问题{len(branch)}个，已完成整改{len(done(branch))}个"
                     + (f"，其中逾期或逾期完成{len(late)}个，已督促落实" if late else "") + "。")
    return {"appraisal": a, "text": "".join(parts), "records": problems, "count": len(own),
            "done": len(done(own)), "branch_count": len(branch), "branch_done": len(done(branch))}
