"""发展党员 checks: each step of each person's way into the Party, against 《中国共产党发展党员工作细则》.

One rule per step (``params: step=…``), all of check type ``development``; each judges every person whose step
fell due in the range — missing, out of order and late steps are check items. One query per rule.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from lvzhi.obligations.checks import _applies, _event_cell, _event_subject
from lvzhi.obligations.periods import event_period

from .models import Development, parse_assessments
from .workdays import uncovered_warning, working_days

# What the steps and the cells read of a Development: rows as tuples, not model instances with their person, Party
# organisation and unit (four instances a row took ~150 MB at the central scale, where this set the peak of
# ``lvzhi check --all``).
DEV_FIELDS = ("pk", "person__name", "party_org__name", "unit_id", "unit__path", "applied_on", "talked_on",
              "activist_on", "assessment_dates", "candidate_on", "training_start", "training_end", "training_hours",
              "publicity_start", "publicity_end", "branch_meeting_on", "approved_on", "full_meeting_on")


class DevRow(NamedTuple):
    pk: int
    person_name: str
    party_org_name: str
    unit_id: int
    unit_path: str
    applied_on: dt.date
    talked_on: dt.date | None
    activist_on: dt.date | None
    assessment_dates: str
    candidate_on: dt.date | None
    training_start: dt.date | None
    training_end: dt.date | None
    training_hours: int | None
    publicity_start: dt.date | None
    publicity_end: dt.date | None
    branch_meeting_on: dt.date | None
    approved_on: dt.date | None
    full_meeting_on: dt.date | None

    @property
    def assessments(self) -> list:
        return parse_assessments(self.assessment_dates)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _d(day: dt.date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def _step_talk(d: DevRow, p: dict):
    """Talk within one month of the application (细则 第八条)."""
    due = _add_months(d.applied_on, int(p.get("months", 1)))
    if d.talked_on is None:
        return due, None, False, f"{_d(d.applied_on)}递交入党申请书，应在{_d(due)}前谈话，尚无谈话记录"
    if d.talked_on < d.applied_on:
        return due, d.talked_on, False, f"谈话日期（{_d(d.talked_on)}）早于递交申请日期（{_d(d.applied_on)}）"
    ok = d.talked_on <= due
    return due, d.talked_on, ok, (f"{_d(d.applied_on)}申请，{_d(d.talked_on)}谈话" +
                                  ("" if ok else f"，超过一个月（应在{_d(due)}前）"))


def _step_activist_period(d: DevRow, p: dict):
    """At least one year as 入党积极分子 before becoming a 发展对象 (细则 第十三条)."""
    if d.candidate_on is None:
        return None
    if d.activist_on is None:
        return d.candidate_on, d.candidate_on, False, f"{_d(d.candidate_on)}确定为发展对象，但没有确定为入党积极分子的记录"
    if d.activist_on < d.applied_on:
        return d.candidate_on, d.candidate_on, False, f"确定为入党积极分子（{_d(d.activist_on)}）早于递交申请（{_d(d.applied_on)}）"
    earliest = _add_months(d.activist_on, 12 * int(p.get("years", 1)))
    ok = d.candidate_on >= earliest
    return d.candidate_on, d.candidate_on, ok, (f"{_d(d.activist_on)}确定为入党积极分子，{_d(d.candidate_on)}确定为发展对象" +
                                                ("" if ok else f"，培养考察不满一年（最早{_d(earliest)}）"))


def _step_assessment(d: DevRow, p: dict, as_of: dt.date):
    """An assessment in every half year of the activist period (细则 第十二条)."""
    if d.activist_on is None:
        return None
    end = d.candidate_on or as_of
    months = int(p.get("months", 6))
    windows, start = [], d.activist_on
    while _add_months(start, months) <= end:
        windows.append((start, _add_months(start, months)))
        start = _add_months(start, months)
    if not windows:
        return None
    done = d.assessments
    missing = [w for w in windows if not any(w[0] < x <= w[1] for x in done)]
    due = windows[-1][1]
    if missing:
        spans = "、".join(f"{_d(a)}至{_d(b)}" for a, b in missing)
        return due, None, False, f"入党积极分子培养期间应每半年考察一次，{spans}没有考察记录"
    return due, max(done), True, f"培养期间每半年均有考察（{len(windows)}次）"


def _step_training(d: DevRow, p: dict):
    """Concentrated training of at least 3 days or 24 学时, before the branch meeting (细则 第十八条)."""
    if d.candidate_on is None or d.branch_meeting_on is None:
        return None
    days_min, hours_min = int(p.get("days", 3)), int(p.get("hours", 24))
    due = d.branch_meeting_on
    if d.training_start is None:
        return due, None, False, f"{_d(d.branch_meeting_on)}支部大会讨论接收前没有集中培训记录"
    end = d.training_end or d.training_start
    days = (end - d.training_start).days + 1
    enough = days >= days_min or (d.training_hours or 0) >= hours_min
    in_order = end < d.branch_meeting_on
    text = f"集中培训{_d(d.training_start)}至{_d(end)}，{days}天" + (f"、{d.training_hours}学时" if d.training_hours else "")
    if not enough:
        text += f"，不足{days_min}天且不足{hours_min}学时"
    if not in_order:
        text += f"，培训未在支部大会（{_d(d.branch_meeting_on)}）之前结束"
    return due, end, enough and in_order, text


def _step_publicity(d: DevRow, p: dict):
    """Publicity of at least 5 working days, before the branch meeting (细则 第二十条; working days exclude
    public holidays and count 调休 Saturdays)."""
    if d.branch_meeting_on is None:
        return None
    need = int(p.get("working_days", 5))
    due = d.branch_meeting_on
    if d.publicity_start is None or d.publicity_end is None:
        return due, None, False, f"{_d(d.branch_meeting_on)}支部大会讨论接收前没有公示记录"
    n, uncovered = working_days(d.publicity_start, d.publicity_end)
    in_order = d.publicity_end < d.branch_meeting_on
    text = f"公示{_d(d.publicity_start)}至{_d(d.publicity_end)}，{n}个工作日" + uncovered_warning(uncovered)
    if n < need:
        text += f"，不足{need}个工作日"
    if not in_order:
        text += f"，公示未在支部大会（{_d(d.branch_meeting_on)}）之前结束"
    return due, d.publicity_end, n >= need and in_order, text


def _step_approval(d: DevRow, p: dict):
    """The higher committee approves within three months of the branch meeting (细则 第二十八条)."""
    if d.branch_meeting_on is None:
        return None
    due = _add_months(d.branch_meeting_on, int(p.get("months", 3)))
    if d.approved_on is None:
        return due, None, False, f"{_d(d.branch_meeting_on)}支部大会通过接收，应在{_d(due)}前由上级党委审批，尚无审批记录"
    ok = d.branch_meeting_on <= d.approved_on <= due
    return due, d.approved_on, ok, (f"{_d(d.branch_meeting_on)}支部大会通过，{_d(d.approved_on)}上级党委审批" +
                                    ("" if ok else ("，超过三个月" if d.approved_on > due else "，审批早于支部大会")))


def _step_full(d: DevRow, p: dict):
    """转正 discussed when the one-year probation ends (党章 第七条; 细则 第三十一条), not before, without delay."""
    if d.branch_meeting_on is None or d.approved_on is None:
        return None
    ends = _add_months(d.branch_meeting_on, 12)
    if d.full_meeting_on is None:
        return ends, None, False, f"预备期{_d(ends)}届满，尚无支部大会讨论转正记录"
    if d.full_meeting_on < ends:
        return ends, d.full_meeting_on, False, f"支部大会讨论转正（{_d(d.full_meeting_on)}）早于预备期届满（{_d(ends)}）"
    return ends, d.full_meeting_on, True, f"预备期{_d(ends)}届满，{_d(d.full_meeting_on)}支部大会讨论转正"


STEPS = {
    "talk": _step_talk,
    "activist_period": _step_activist_period,
    "training": _step_training,
    "publicity": _step_publicity,
    "approval": _step_approval,
    "full": _step_full,
}


def development(rule, ctx, path: str, deeper) -> list:
    step = rule.parameters.get("step", "talk")
    rows = (Development.objects.filter(unit__path__startswith=path, applied_on__lte=ctx.end)
            .filter(**rule.subject_conditions).order_by("applied_on", "pk").values_list(*DEV_FIELDS))
    cells = []
    for row in rows.iterator(chunk_size=5000):
        d = DevRow(*row)
        if step == "assessment":
            out = _step_assessment(d, rule.parameters, ctx.as_of)
        else:
            out = STEPS[step](d, rule.parameters)
        if out is None:
            continue
        due, done_on, ok, detail = out
        if not (ctx.start <= due <= ctx.end):
            continue
        s = _event_subject("development", d.pk, f"{d.person_name}（{d.party_org_name}）", d.unit_id, d.unit_path)
        period = event_period(due)
        if not _applies(rule, s, period, deeper):
            continue
        if done_on is not None and done_on > ctx.as_of:
            ok, detail = False, f"{detail}（{_d(done_on)}在检查日期之后，暂不计入）"
        cells.append(_event_cell(rule, ctx, s, period, ok, [d.pk], detail, "development", due, dated=ctx.as_of))
    return cells
