"""Tallies, turnout, weights, thresholds and ties — on the second organisation (research institute)."""

import datetime as dt
from fractions import Fraction

import pytest

from lvzhi.appraisal import services, tally
from lvzhi.appraisal.models import Reportee

from .conftest import EVERYTHING, close

pytestmark = pytest.mark.django_db


def test_default_reportees_follow_the_tree_on_the_meeting_day(inst):
    rows, missing = services.default_reportees(inst.root, dt.date(2023, 1, 15))
    got = [(r["role"], r["party_org"].name, r["person"].name) for r in rows]
    assert got[0] == ("committee_secretary", "中共海川材料研究院委员会", "林院长")
    # 党总支 and branches with a secretary; the dissolved one and the one set up later are not there.
    assert {g[1] for g in got[1:]} == {"研究院科研党总支", "高分子实验室党支部", "综合办公室党支部"}
    assert missing == ["离退休党支部"]


def test_tallies_add_up_and_abstentions_do_not_count(make, vote):
    a = make(groups=(("党委委员", 40, 6), ("职工代表", 60, 6)))
    n = a.reportees.count()
    for ratings in (["好"] * n, ["较好"] * n, ["好", None, "一般", "差"], ["差"] * n, ["好"] * n):
        vote(a, "党委委员", ratings)
    for _ in range(3):
        vote(a, "职工代表", ["一般"] * n)
    with pytest.raises(tally.ResultsNotAvailable):
        tally.results(a)
    close(a)
    res = tally.results(a)
    assert res.ballots == 8 and res.expected == 12 and res.turnout_valid  # 8 × 3 ≥ 12 × 2
    first, second = res.people[0], res.people[1]
    assert first.tallies == {"好": 3, "较好": 1, "一般": 3, "差": 1} and first.valid == 8
    assert second.tallies == {"好": 2, "较好": 1, "一般": 3, "差": 1} and second.valid == 7  # one abstained
    assert sum(second.tallies.values()) == second.valid
    assert first.satisfaction == Fraction(4, 8)
    # 职工代表 has 3 ballots (< 5): no group breakdown, no group weights — every valid ballot counts the same.
    assert not res.groups_shown
    assert first.rating_score == Fraction(3 * 100 + 80 + 3 * 60 + 0, 8)
    assert any("不单独显示" in line for line in first.explanation)
    assert not any("职工代表" in line for line in first.explanation)


def test_turnout_under_two_thirds_makes_the_rating_invalid(make, vote):
    a = make(groups=(("党委委员", 50, 9),), component_weights={"测评": 100})
    n = a.reportees.count()
    for _ in range(5):
        vote(a, "党委委员", ["好"] * n)
    close(a)
    res = tally.results(a)
    assert not res.turnout_valid and res.ballots == 5  # 5 × 3 = 15 < 9 × 2 = 18
    p = res.people[0]
    assert p.valid == 0 and p.tallies == {"好": 0, "较好": 0, "一般": 0, "差": 0}
    assert p.grade == "无法评定" and "测评无效" in p.explanation[0]


def test_turnout_exactly_two_thirds_is_valid(make, vote):
    a = make(groups=(("党委委员", 50, 9),), component_weights={"测评": 100})
    n = a.reportees.count()
    for _ in range(6):
        vote(a, "党委委员", ["好"] * n)
    close(a)
    res = tally.results(a)
    assert res.turnout_valid and res.people[0].valid == 6


def test_group_weights_apply_when_every_group_has_five(make, vote):
    a = make(groups=(("党委委员", 30, 6), ("职工代表", 70, 6)), component_weights={"测评": 100})
    n = a.reportees.count()
    for _ in range(5):
        vote(a, "党委委员", ["好"] * n)
    for _ in range(5):
        vote(a, "职工代表", ["一般"] * n)
    close(a)
    res = tally.results(a)
    assert res.groups_shown
    p = res.people[0]
    assert p.rating_score == Fraction(30 * 100 + 70 * 60, 100) == 72
    assert p.score == 72 and p.grade == "一般"  # 60 ≤ 72 < 80


def test_thresholds_and_ties(make, vote):
    a = make(groups=(("党委委员", 1, 6),), component_weights={"测评": 1},
             grade_thresholds={"好": 90, "较好": 80, "一般": 60, "差": 0})
    reps = list(a.reportees.all())
    assert len(reps) == 4
    # Person 0: 好,好,好,好,一般 → 92; person 1: 好×4,较好 → 96; person 2: 好,好,好,较好,较好 → 92 (tie with 0);
    # person 3: 好×2, 较好×3 → 88.
    columns = [["好", "好", "好", "好", "一般"], ["好", "好", "好", "好", "较好"], ["好", "好", "好", "较好", "较好"],
               ["好", "好", "较好", "较好", "较好"]]
    for i in range(5):
        vote(a, "党委委员", [col[i] for col in columns])
    services.update_settings(a, actor="测试", scope=EVERYTHING, grade_thresholds={"好": 92, "较好": 88, "一般": 60, "差": 0})
    close(a)
    res = tally.results(a)
    by = {p.reportee.pk: p for p in res.people}
    scores = [by[r.pk].score for r in reps]
    assert scores == [92, 96, 92, 88]
    assert [by[r.pk].grade for r in reps] == ["好", "好", "好", "较好"]  # on the line = that grade
    assert [by[r.pk].rank for r in reps] == [2, 1, 2, 4]  # equal scores share a rank


def test_combined_score_uses_component_weights_and_indicators(make, vote, inst):
    a = make(groups=(("党委委员", 1, 6),), indicators=("抓基层党建成效",),
             component_weights={"测评": 30, "日常考核": 40, "指标": 30})
    n = a.reportees.count()
    for _ in range(5):
        vote(a, "党委委员", ["好"] * n, indicators={"抓基层党建成效": "一般"})
    close(a)
    res = tally.results(a)
    p = res.people[0]
    assert p.indicator_scores == {"抓基层党建成效": 60}
    assert p.daily_judged > 0  # the institute's own obligations from 1 July 2022
    expected = (Fraction(100) * 30 + p.daily * 40 + Fraction(60) * 30) / 100
    assert p.score == expected
    assert [c[0] for c in p.components] == ["测评", "日常考核", "指标"]
    assert any("综合得分" in line and "日常考核" in line for line in p.explanation)


def test_one_time_code_and_closed_appraisal(make, vote):
    a = make()
    group = a.groups.first()
    code = services.issue_codes(a, group, 1, actor="测试", scope=EVERYTHING)[0]
    r = a.reportees.first()
    services.cast_ballot(a, code.lower().replace("-", " "), {str(r.pk): {"总体": "好"}})  # forgiving typing
    with pytest.raises(services.AppraisalError, match="无效或已经使用"):
        services.cast_ballot(a, code, {str(r.pk): {"总体": "好"}})
    with pytest.raises(services.AppraisalError, match="不是有效的评价"):
        services.cast_ballot(a, services.issue_codes(a, group, 1, actor="测试", scope=EVERYTHING)[0],
                             {str(r.pk): {"总体": "很好"}})
    other = services.issue_codes(a, group, 1, actor="测试", scope=EVERYTHING)[0]
    close(a)
    with pytest.raises(services.AppraisalError, match="不在测评期间"):
        services.cast_ballot(a, other, {str(r.pk): {"总体": "好"}})
    assert not a.codes.exists()  # unused codes are destroyed at closing


def test_settings_are_validated(make):
    a = make()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_settings(a, actor="测试", scope=EVERYTHING, grade_thresholds={"好": 80, "较好": 90, "一般": 60, "差": 0})
    with pytest.raises(ValidationError):
        services.update_settings(a, actor="测试", scope=EVERYTHING, component_weights={"业绩": 100})
    with pytest.raises(services.AppraisalError):
        services.set_groups(a, [("党委委员", 1, 5)], actor="测试", scope=EVERYTHING)  # open: groups fixed
    assert Reportee.objects.filter(appraisal=a).count() == 4
