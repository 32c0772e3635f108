"""The results of a closed appraisal: tallies, turnout, 满意率, the rating score per person (weighted by
group), the daily assessment from the obligation engine, the indicator ratings, the combined score mapped to a
grade by the thresholds — and the sentences that explain each number.

Arithmetic is exact (``Fraction``) so a score that lands on a threshold gets that grade and equal scores tie;
figures are rounded only for display.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from .models import COMPONENTS, RATINGS, Appraisal, AppraisalStatus, ProblemStatus, Reportee, ReporteeRole
from .services import OVERALL


class ResultsNotAvailable(Exception):
    """Results exist only once the appraisal is closed."""


def fmt(x: Fraction | None, places: int = 2) -> str:
    if x is None:
        return "—"
    q = round(float(x), places)
    return f"{q:.{places}f}".rstrip("0").rstrip(".") if places else str(int(q))


def pct(x: Fraction | None) -> str:
    return "—" if x is None else f"{fmt(x * 100, 1)}%"


@dataclass
class GroupRow:
    name: str
    weight: Fraction
    ballots: int
    tallies: dict
    valid: int
    score: Fraction | None


@dataclass
class PersonResult:
    reportee: Reportee
    name: str
    org: str
    role: str
    tallies: dict
    valid: int
    satisfaction: Fraction | None
    rating_score: Fraction | None
    groups: list[GroupRow]
    indicator_scores: dict
    indicator_score: Fraction | None
    daily: Fraction | None
    daily_done: int
    daily_judged: int
    components: list  # (name, score, weight) of the components used
    score: Fraction | None
    grade: str
    rank: int | None = None
    explanation: list[str] = field(default_factory=list)
    problems: list = field(default_factory=list)

    satisfaction_text = property(lambda self: pct(self.satisfaction))
    rating_text = property(lambda self: fmt(self.rating_score))
    daily_text = property(lambda self: fmt(self.daily))
    indicator_text = property(lambda self: fmt(self.indicator_score))
    score_text = property(lambda self: fmt(self.score))


@dataclass
class Results:
    appraisal: Appraisal
    expected: int
    ballots: int
    turnout_valid: bool
    turnout_text: str
    groups_shown: bool
    groups_text: str
    people: list[PersonResult]


def _score(tallies: dict, points: dict) -> Fraction | None:
    valid = sum(tallies.values())
    if not valid:
        return None
    return Fraction(sum(Fraction(points[r]) * n for r, n in tallies.items()), valid)


def grade_for(score: Fraction | None, thresholds: dict) -> str:
    if score is None:
        return "无法评定"
    for grade in RATINGS:  # 好 first: the highest grade whose line the score reaches
        if score >= Fraction(str(thresholds[grade])):
            return grade
    return RATINGS[-1]


def daily_rates(a: Appraisal, reportees, as_of: dt.date) -> dict[int, tuple[int, int]]:
    """(done, judged) per reportee from the obligation engine for the appraisal's year: the committee secretary
    answers for everything the unit owes, a branch secretary for what the branch owes. Periods not due yet and
    cells outside the checked range are not judged."""
    from lvzhi.obligations.engine import DONE, LATE, evaluate

    ev = evaluate(a.unit, year=a.year, as_of=as_of)
    cells = [c for r in ev.results for c in r.cells if c.state in (DONE, LATE)]
    out = {}
    for rep in reportees:
        if rep.role == ReporteeRole.COMMITTEE_SECRETARY:
            mine = [c for c in cells if c.subject.unit_path.startswith(rep.unit.path)]
        else:
            mine = [c for c in cells if c.subject.kind == "party_org" and c.subject.pk == rep.party_org_id]
        out[rep.pk] = (sum(1 for c in mine if c.state == DONE), len(mine))
    return out


def results(a: Appraisal, *, as_of: dt.date | None = None, problems_as_of: dt.date | None = None,
            with_daily: bool = True) -> Results:
    """``with_daily=False`` leaves out the obligation engine's component (for readers that need only the ratings)."""
    if a.status != AppraisalStatus.CLOSED:
        raise ResultsNotAvailable(f"“{a.title}”尚未结束测评，结果在结束后才能查看。")
    points = a.rating_points
    weights = {k: Fraction(str(v)) for k, v in a.component_weights.items() if k in COMPONENTS}
    groups = list(a.groups.all())
    indicators = list(a.indicators.all())
    reportees = list(a.reportees.select_related("person", "party_org", "unit"))
    ballots = list(a.ballots.values("group_id", "marks"))
    expected = sum(g.expected for g in groups)
    n = len(ballots)
    num, den = a.turnout_numerator, a.turnout_denominator
    turnout_valid = expected > 0 and n * den >= expected * num
    rule = f"收回选票不少于应到人数的{num}/{den}"
    if expected == 0:
        turnout_text = "各评议组未填写应到人数，无法判断参会人数，测评无效"
    else:
        turnout_text = (f"应到{expected}人，收回选票{n}张（{pct(Fraction(n, expected))}），"
                        + (f"达到{rule}的要求，测评有效" if turnout_valid else f"未达到{rule}的要求，测评无效"))
    per_group = {g.pk: sum(1 for b in ballots if b["group_id"] == g.pk) for g in groups}
    groups_shown = turnout_valid and all(per_group[g.pk] >= a.min_group_size for g in groups)
    groups_text = (f"各评议组均不少于{a.min_group_size}票，分组显示并按评议组权重加权" if groups_shown else
                   f"有评议组不足{a.min_group_size}票：为免推知个人评价，各组结果不单独显示，也不按组加权"
                   f"（加权分与总票数相减即可推知小组的评价），得分按全部有效票计算")
    day = as_of or a.meeting_date
    rates = daily_rates(a, reportees, day) if weights.get("日常考核") and with_daily else {}
    people = []
    for rep in reportees:
        key = str(rep.pk)
        tallies = {r: 0 for r in RATINGS}
        rows = []
        ind_tallies = {i.pk: {r: 0 for r in RATINGS} for i in indicators}
        ind_group = {(i.pk, g.pk): {r: 0 for r in RATINGS} for i in indicators for g in groups}
        for g in groups:
            gt = {r: 0 for r in RATINGS}
            if turnout_valid:
                for b in ballots:
                    if b["group_id"] != g.pk:
                        continue
                    marks = b["marks"].get(key, {})
                    if OVERALL in marks:
                        gt[marks[OVERALL]] += 1
                    for i in indicators:
                        v = marks.get(str(i.pk))
                        if v:
                            ind_group[(i.pk, g.pk)][v] += 1
                            ind_tallies[i.pk][v] += 1
            for r in RATINGS:
                tallies[r] += gt[r]
            rows.append(GroupRow(g.name, Fraction(str(g.weight)), per_group[g.pk], gt, sum(gt.values()),
                                 _score(gt, points)))
        valid = sum(tallies.values())
        explanation = [turnout_text + "。"]

        def weighted(scores: list[tuple[Fraction, Fraction | None]]) -> Fraction | None:
            used = [(w, s) for w, s in scores if s is not None and w > 0]
            total = sum(w for w, _ in used)
            return sum(w * s for w, s in used) / total if used and total else None

        pooled = _score(tallies, points)
        rating_score = weighted([(row.weight, row.score) for row in rows]) if groups_shown else pooled
        satisfaction = Fraction(tallies["好"] + tallies["较好"], valid) if valid else None
        if turnout_valid:
            explanation.append(
                f"总体评价：好{tallies['好']}票、较好{tallies['较好']}票、一般{tallies['一般']}票、差{tallies['差']}票，"
                f"有效{valid}票（未评价的视为弃权，不计入）；满意率（好+较好）/有效票 = {pct(satisfaction)}。")
            pts = "、".join(f"{r}{points[r]}分" for r in RATINGS)
            if groups_shown:
                parts = [f"{row.name}{fmt(row.score)}分×权重{fmt(row.weight)}" for row in rows if row.score is not None]
                explanation.append(f"测评得分按评价分值（{pts}）分组计算，再按评议组权重加权："
                                   + ("；".join(parts) or "无有效票") + f"，得{fmt(rating_score)}分。")
            else:
                explanation.append(f"测评得分按评价分值（{pts}）对全部有效票计算（{groups_text}），得{fmt(rating_score)}分。")
        ind_scores = {}
        for i in indicators:
            ind_scores[i.name] = (weighted([(Fraction(str(g.weight)), _score(ind_group[(i.pk, g.pk)], points))
                                            for g in groups]) if groups_shown else _score(ind_tallies[i.pk], points))
        known = [s for s in ind_scores.values() if s is not None]
        indicator_score = sum(known) / len(known) if known else None
        if indicators and turnout_valid:
            explanation.append("分项指标得分：" + "；".join(f"{k}{fmt(v)}分" for k, v in ind_scores.items())
                               + f"，平均{fmt(indicator_score)}分。")
        done, judged = rates.get(rep.pk, (0, 0))
        daily = Fraction(done * 100, judged) if judged else None
        if "日常考核" in weights:
            scope_text = "全单位" if rep.role == ReporteeRole.COMMITTEE_SECRETARY else "本支部"
            explanation.append(f"日常考核取检查规则的完成率（{a.year}年{scope_text}应办事项，截至{day:%Y-%m-%d}已到期的）："
                               f"已完成{done}项/应办{judged}项" + (f" = {fmt(daily)}分。" if judged else "，无可评事项。"))
        available = {"测评": rating_score, "日常考核": daily, "指标": indicator_score}
        components = [(name, available[name], w) for name, w in weights.items() if w > 0 and available[name] is not None]
        skipped = [name for name, w in weights.items() if w > 0 and available[name] is None]
        total_w = sum(w for _, _, w in components)
        score = sum(s * w for _, s, w in components) / total_w if components else None
        if components:
            explanation.append("综合得分 = " + " + ".join(f"{name}{fmt(s)}分×{fmt(w)}" for name, s, w in components)
                               + (f"，除以权重合计{fmt(total_w)}" if total_w != 100 else "，除以100")
                               + f" = {fmt(score)}分"
                               + (f"（{'、'.join(skipped)}没有可用数据，不计入，其余按权重重新归一）" if skipped else "") + "。")
        thresholds = a.grade_thresholds
        grade = grade_for(score, thresholds)
        lines = "、".join(f"{g}≥{thresholds[g]}分" for g in RATINGS)
        explanation.append(f"等次按分数线（{lines}）评定为“{grade}”。" if score is not None else "没有可用数据，无法评定等次。")
        org = rep.party_org.name if rep.party_org_id else rep.unit.name
        people.append(PersonResult(rep, rep.person.name, org, rep.get_role_display(), tallies, valid, satisfaction,
                                   rating_score, rows, ind_scores, indicator_score, daily, done, judged,
                                   components, score, grade, explanation=explanation))
    ranked = sorted([p for p in people if p.score is not None], key=lambda p: -p.score)
    for idx, p in enumerate(ranked):
        p.rank = ranked[idx - 1].rank if idx and ranked[idx - 1].score == p.score else idx + 1
    _attach_problems(people, problems_as_of or dt.date.today())
    return Results(a, expected, n, turnout_valid, turnout_text, groups_shown, groups_text, people)


def problem_state(p, today: dt.date, warning_days: int = 15) -> str:
    """已完成 / 逾期完成 / 逾期 / 即将到期 / 整改中 — the same judgement as the obligation engine's rule."""
    if p.status == ProblemStatus.DONE and p.completed_on and p.completed_on <= today:
        return "已完成" if p.completed_on <= p.deadline else "逾期完成"
    if today > p.deadline:
        return "逾期"
    if (p.deadline - today).days <= warning_days:
        return "即将到期"
    return "整改中"


def _attach_problems(people: list[PersonResult], today: dt.date) -> None:
    from .models import AppraisalProblem

    ids = [p.reportee.pk for p in people]
    by = {}
    for prob in AppraisalProblem.objects.filter(reportee_id__in=ids).select_related("owner").order_by("deadline", "pk"):
        by.setdefault(prob.reportee_id, []).append(prob)
    for p in people:
        p.problems = [{"problem": x.description, "category": x.get_category_display(), "owner": x.owner.name,
                       "deadline": x.deadline, "measures": x.measures, "status": problem_state(x, today),
                       "completed_on": x.completed_on, "evidence": x.evidence, "obj": x}
                      for x in by.get(p.reportee.pk, [])]
