"""党支部分类定级: each branch's score and level for a year, from the same facts the checks use — the obligation
engine's cells, the 述职评议 ratings, the records, the roll of the day — with every input written out.

Arithmetic is exact (``Fraction``). An indicator without data is *missing*, never zero: it drops out and the
other weights are renormalised, and the row says which are missing. A veto (问责 of someone on the branch's roll
that day) caps the level; its grounds are written only for readers with confidential rights over the branch's
unit. Others learn only that the cap lowered the level — no count, no name, nothing when it changed nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import cast

from django.db.models import Q

from lvzhi.org.models import PartyOrg, PartyOrgKind, Person, Unit
from lvzhi.org.scoping import Scope

from .grading_models import GradingIndicator, GradingScheme, IndicatorKind, ManualScore
from .tally import fmt

UNRATED = "无法评定"
BRANCH_KINDS = (PartyOrgKind.BRANCH,)  # 分类定级 grades 党支部; a 党总支 leads branches and is not graded
LISTED = 5  # late cells named in an indicator's inputs


@dataclass
class Value:
    indicator: GradingIndicator
    value: Fraction | None
    inputs: str
    missing: str = ""

    @property
    def text(self) -> str:
        return "缺数据" if self.value is None else fmt(self.value)


@dataclass
class BranchGrade:
    org: PartyOrg
    unit_name: str
    start: dt.date | None
    end: dt.date | None
    members: int
    note: str
    values: list[Value]
    score: Fraction | None = None
    raw_level: str = UNRATED
    level: str = UNRATED
    capped: bool = False  # the veto lowered the level (shown to everyone)
    grounds: list[str] = field(default_factory=list)  # the veto's grounds: confidential readers only
    missing: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    score_text = property(lambda self: fmt(self.score))


@dataclass
class Grading:
    scheme: GradingScheme
    unit: Unit
    year: int
    as_of: dt.date
    levels: list[tuple[str, float]]
    indicators: list[GradingIndicator]  # scored ones, in order
    vetoes: list[GradingIndicator]
    rows: list[BranchGrade]

    @property
    def distribution(self) -> dict[str, int]:
        out = {name: 0 for name, _ in self.levels}
        for r in self.rows:
            out[r.level] = out.get(r.level, 0) + 1
        return out if out.get(UNRATED) else {k: v for k, v in out.items() if k != UNRATED}


def scheme_for(unit: Unit, year: int) -> GradingScheme | None:
    """The most specific scheme for ``unit`` and ``year``: the nearest unit up the tree (the unit itself first)
    before the default, a scheme for the year before one for every year."""
    steplen = Unit.steplen
    ancestors = [unit.path[:i] for i in range(steplen, len(unit.path) + 1, steplen)]
    qs = (GradingScheme.objects.select_related("unit").filter(Q(unit__isnull=True) | Q(unit__path__in=ancestors))
          .filter(Q(year__isnull=True) | Q(year=year)))
    return max(qs, key=lambda s: (len(s.unit.path) if s.unit is not None else 0, s.year is not None), default=None)


def level_for(score: Fraction | None, levels: list[tuple[str, float]]) -> str:
    if score is None:
        return UNRATED
    for name, low in levels:  # best first: the highest level whose line the score reaches
        if score >= Fraction(str(low)):
            return name
    return levels[-1][0]


def branches(unit: Unit, year: int, scope: Scope) -> list[PartyOrg]:
    """党支部 in ``unit``'s subtree that the reader may see and that existed some day of the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = (PartyOrg.objects.filter(kind__in=BRANCH_KINDS, unit__path__startswith=unit.path)
          .filter(Q(established_on__isnull=True) | Q(established_on__lte=end))
          .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=start)))
    return list(scope.filter(qs, "unit").select_related("unit").order_by("unit__path", "code"))


def _window(org: PartyOrg, info, year: int, as_of: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The days of the year the branch existed and its unit was tracked, up to the as-of date (None: no day)."""
    starts = [dt.date(year, 1, 1), org.established_on, info.established_on if info else None,
              info.tracked_since if info else None]
    ends = [dt.date(year, 12, 31), as_of, org.dissolved_on, info.dissolved_on if info else None]
    if info is None or info.tracked_since is None:
        return None, None
    a, b = max(d for d in starts if d), min(d for d in ends if d)
    return (a, b) if a <= b else (None, None)


def grade(unit: Unit, year: int, *, scope: Scope, as_of: dt.date, scheme: GradingScheme | None = None) -> Grading:
    """Every branch of ``unit``'s subtree in the reader's scope, graded by the scheme for the unit and year."""
    from lvzhi.membership.selectors import Rosters
    from lvzhi.obligations.subjects import UnitIndex

    scheme = scheme or scheme_for(unit, year)
    if scheme is None:
        raise LookupError("没有可用的党支部分类定级方案：请先建立方案。")
    indicators = list(scheme.indicators.all())
    scored = [i for i in indicators if i.kind != IndicatorKind.VETO]
    vetoes = [i for i in indicators if i.kind == IndicatorKind.VETO]
    levels = scheme.ordered_levels()
    orgs = branches(unit, year, scope)
    index = UnitIndex(unit)
    windows = {o.pk: _window(o, index.by_id.get(o.unit_id), year, as_of) for o in orgs}
    rosters = Rosters([o.pk for o in orgs])
    day = min(dt.date(year, 12, 31), as_of)
    facts: dict[str, dict] = {
        IndicatorKind.CHECKS: _checks(unit, year, as_of, orgs, [i for i in scored if i.kind == IndicatorKind.CHECKS]),
        IndicatorKind.RATING: _ratings(year, orgs) if any(i.kind == IndicatorKind.RATING for i in scored) else {},
        IndicatorKind.MANUAL: _manual([i for i in scored if i.kind == IndicatorKind.MANUAL], orgs),
    }
    rows = []
    for o in orgs:
        start, end = windows[o.pk]
        last = min([d for d in (day, o.dissolved_on) if d])
        note = "；".join(x for x in (
            f"{o.established_on:%Y年%m月%d日}成立" if o.established_on and o.established_on.year == year else "",
            f"{o.dissolved_on:%Y年%m月%d日}撤销" if o.dissolved_on and o.dissolved_on.year == year else "") if x)
        values = []
        for ind in scored:
            if ind.kind == IndicatorKind.RECORDS:
                values.append(_records(ind, o, start, end, year))
            elif ind.kind == IndicatorKind.RATING:
                got = facts[ind.kind].get(o.pk, f"{year}年度没有该支部书记述职的述职评议")
                values.append(Value(ind, *got) if isinstance(got, tuple) else Value(ind, None, "", got))
            else:
                values.append(facts[ind.kind].get((ind.pk, o.pk))
                              or Value(ind, None, "", "尚未录入评分" if ind.kind == IndicatorKind.MANUAL else "没有数据"))
        rows.append(BranchGrade(o, o.unit.name, start, end, rosters.count(o.pk, last), note, values))
    grounds = _accountability(year, as_of, rosters, orgs) if vetoes else {}
    for row in rows:
        _score(row, levels, vetoes, grounds.get(row.org.pk, []), scope.sees_confidential(row.org.unit))
    return Grading(scheme, unit, year, as_of, levels, scored, vetoes, rows)


def _score(row: BranchGrade, levels, vetoes, grounds: list[str], confidential: bool) -> None:
    lines = []
    for v in row.values:
        w = Fraction(str(v.indicator.weight))
        head = f"{v.indicator.name}（{v.indicator.get_kind_display()}，权重{fmt(w)}）："
        if v.value is None:
            row.missing.append(v.indicator.name)
            lines.append(head + f"缺数据（{v.missing}），不计入。")
        else:
            lines.append(head + f"{v.inputs}，得{fmt(v.value)}分。")
    used = [(Fraction(str(v.indicator.weight)), v.indicator.name, v.value) for v in row.values if v.value is not None]
    total = sum(w for w, _, _ in used)
    if used and total:
        row.score = sum(w * x for w, _, x in used) / total
        lines.append("得分 = " + " + ".join(f"{name}{fmt(x)}分×{fmt(w)}" for w, name, x in used)
                     + f"，除以权重合计{fmt(total)} = {fmt(row.score)}分"
                     + (f"（{'、'.join(row.missing)}缺数据，不计入，其余按权重重新归一）" if row.missing else "") + "。")
    row.raw_level = row.level = level_for(row.score, levels)
    lines.append(f"按分数线（{'、'.join(f'{n}≥{low}分' for n, low in levels)}）评定为“{row.level}”。"
                 if row.score is not None else "没有可用数据，无法评定等次。")
    rank = {name: i for i, (name, _) in enumerate(levels)}
    for veto in vetoes:
        if not grounds or row.score is None:
            continue
        lowers = rank[row.level] < rank.get(veto.cap, len(levels))
        if confidential:
            row.grounds = list(grounds)
            lines.append(f"否决项“{veto.name}”：" + "；".join(grounds) + f"。等次最高为“{veto.cap}”"
                         + (f"，由“{row.level}”调整为“{veto.cap}”。" if lowers else "，本支部等次不受影响。"))
        elif lowers:
            lines.append(f"适用否决项“{veto.name}”，等次最高为“{veto.cap}”，由“{row.level}”调整为“{veto.cap}”"
                         "（依据属保密信息，仅纪检监察人员和党委书记可见）。")
        if lowers:
            row.level, row.capped = veto.cap, True
    row.explanation = lines


def _checks(unit, year, as_of, orgs, inds) -> dict:
    """(indicator, branch) → share of judged cells done: the branch's own cells and its 党小组's."""
    from lvzhi.obligations.engine import DONE, LATE, evaluate

    if not inds or not orgs:
        return {}
    ids = {o.pk for o in orgs}
    owner = {o: o for o in ids}
    owner.update(PartyOrg.objects.filter(kind=PartyOrgKind.GROUP, parent_id__in=ids).values_list("pk", "parent_id"))
    ev = evaluate(unit, year=year, as_of=as_of, rule_ids=sorted({r for i in inds for r in i.rule_ids}))
    names = {r.rule_id: r.rule.name for r in ev.results}
    cells: dict[tuple[int, str], list] = {}
    for c in ev.cells():
        if c.subject.kind == "party_org" and c.subject.pk in owner and c.state in (DONE, LATE):
            cells.setdefault((owner[c.subject.pk], c.rule.rule_id), []).append(c)
    out = {}
    for ind in inds:
        for o in ids:
            mine = [c for r in ind.rule_ids for c in cells.get((o, r), ())]
            done = sum(1 for c in mine if c.state == DONE)
            if not mine:
                rules = "、".join(names.get(r, r) for r in ind.rule_ids)
                out[(ind.pk, o)] = Value(ind, None, "", f"{rules}本年度截至{as_of:%Y-%m-%d}没有已到期的应办事项")
                continue
            late = [c for c in mine if c.state == LATE]
            named = "；".join(c.description for c in late[:LISTED]) + (f"等{len(late)}项" if len(late) > LISTED else "")
            out[(ind.pk, o)] = Value(ind, Fraction(done * 100, len(mine)),
                                     f"已到期应办{len(mine)}项、已完成{done}项" + (f"（逾期：{named}）" if late else ""))
    return out


def _ratings(year, orgs) -> dict:
    """Branch → the secretary's 测评得分 in the year's closed 述职评议 (the rating part only)."""
    from .models import Reportee, ReporteeRole
    from .tally import ResultsNotAvailable, results

    reps = list(Reportee.objects.filter(appraisal__year=year, party_org__in=orgs,
                                        role=ReporteeRole.BRANCH_SECRETARY).select_related("appraisal", "person"))
    by_appraisal: dict = {}
    for r in reps:
        by_appraisal.setdefault(r.appraisal, []).append(r)
    out: dict[int | None, tuple[Fraction, str] | str] = {}
    for a, mine in by_appraisal.items():
        try:
            res = {p.reportee.pk: p for p in results(a, with_daily=False).people}
        except ResultsNotAvailable:
            res = None
        for r in mine:
            key = r.party_org_id
            p = res.get(r.pk) if res is not None else None
            if res is None:
                out[key] = f"“{a.title}”尚未结束测评"
            elif p is None or p.rating_score is None:
                out[key] = f"“{a.title}”中{r.person.name}没有有效测评票"
            else:
                out[key] = (p.rating_score, f"“{a.title}”{r.person.name}测评：好{p.tallies['好']}票、较好"
                            f"{p.tallies['较好']}票、一般{p.tallies['一般']}票、差{p.tallies['差']}票，测评得分{fmt(p.rating_score)}")
    return out


def _manual(inds, orgs) -> dict:
    out = {}
    for s in ManualScore.objects.filter(indicator__in=inds, party_org__in=orgs).select_related("indicator"):
        out[(s.indicator_id, s.party_org_id)] = Value(s.indicator, Fraction(str(s.score)),
                                                      "党委评定" + (f"：{s.note}" if s.note else ""))
    return out


def _records(ind, org, start, end, year) -> Value:
    from lvzhi.records import registry

    if start is None:
        return Value(ind, None, "", "本年度该支部没有纳入记录范围的日子")
    model = registry.get(ind.record_type).model
    qs = model._default_manager.filter(party_org=org, date__gte=start, date__lte=end)
    if ind.record_kind:
        qs = qs.filter(kind=ind.record_kind)
    n = qs.count()
    days = (end - start).days + 1
    year_days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    target = Fraction(str(ind.target)) * days / year_days
    part = "" if days == year_days else f"（{start:%m月%d日}至{end:%m月%d日}共{days}天，按{days}/{year_days}折算）"
    value = min(Fraction(n) / target, Fraction(1)) * 100
    return Value(ind, value, f"记录{n}条，目标{fmt(target, 1)}条{part}，完成{fmt(Fraction(n) / target * 100, 1)}%"
                             + ("，超过目标按满分计" if n > target else ""))


def _accountability(year, as_of, rosters, orgs) -> dict[int, list[str]]:
    """Branch → the 问责 of people on its roll on the day (confidential text: for readers who may see it)."""
    from lvzhi.integrity.models import Accountability

    on_roll: dict[int, list] = {}
    for org_id, stints in rosters.stints.items():
        for s in stints:
            on_roll.setdefault(s.person_id, []).append((org_id, s))
    out: dict[int, list[str]] = {}
    for acc in (Accountability.objects.filter(date__year=year, date__lte=as_of, person_id__in=list(on_roll))
                .select_related("person").order_by("date", "pk")):
        for org_id, s in on_roll[acc.person_id]:
            if s.covers(acc.date):
                out.setdefault(org_id, []).append(f"{acc.date:%Y-%m-%d}{cast(Person, acc.person).name}受到问责（{acc.get_form_display()}）")
    return out
