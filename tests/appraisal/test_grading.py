"""党支部分类定级 on a second organisation (a port group: branches two levels down, sparse data, a mid-year branch,
an untracked one): exact scores from checks, records and manual scores; missing is marked, not zero; the veto
caps the level and shows its grounds only to confidential readers."""

import datetime as dt
from fractions import Fraction

import pytest

from lvzhi.appraisal import grading, grading_services
from lvzhi.appraisal.grading_models import GradingScheme
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope

from . import grading_world as gw

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    w = gw.port()
    s = gw.scheme(w)
    manual = s.indicators.get(name="党委评定")
    grading_services.set_manual_scores(manual, {w.full.pk: ("90", "党建品牌突出")}, actor="测试", scope=gw.EVERYTHING)
    return w


def plain(w):
    """A 党务干事-like reader of the whole group: no confidential rights."""
    return Scope(read_paths=(w.root.path,), write_paths={"reports": (w.root.path,)})


def secret(w):
    return Scope(read_paths=(w.root.path,), confidential_paths=(w.root.path,))


def rows(w, scope=None, unit=None):
    g = grading.grade(unit or w.root, 2022, scope=scope or gw.EVERYTHING, as_of=gw.AS_OF)
    return g, {r.org.code: r for r in g.rows}


def value(row, name):
    return next(v for v in row.values if v.indicator.name == name)


def test_scores_from_checks_records_and_manual_scores_are_exact(world):
    g, by = rows(world)
    assert g.scheme.name == "港务集团定级方案"
    assert [i.name for i in g.indicators] == ["三会一课", "书记测评", "主题党日", "党委评定"]
    full = by["BJG-ZB1"]
    assert value(full, "三会一课").value == 100 and value(full, "主题党日").value == 100
    assert value(full, "党委评定").value == 90 and "党建品牌突出" in value(full, "党委评定").inputs
    assert full.score == Fraction(100 * 50 + 100 * 20 + 90 * 10, 80) and full.level == "先进"
    assert full.members == 5
    mid = by["BJG-ZB3"]
    assert value(mid, "三会一课").value == 75  # Q3 and Q4 only; Q4's 党课 missing
    assert "逾期" in value(mid, "三会一课").inputs
    themed = value(mid, "主题党日")
    assert themed.value == Fraction(6 * 365 * 100, 12 * 184)  # the June activity predates the branch
    assert "记录6条" in themed.inputs and "按184/365折算" in themed.inputs
    assert mid.note == "2022年07月01日成立"
    assert mid.score == (75 * 50 + themed.value * 20) / 70 and mid.level == "一般"


def test_explanation_adds_up_to_the_level(world):
    g, by = rows(world)
    for row in g.rows:
        used = [(Fraction(str(v.indicator.weight)), v.value) for v in row.values if v.value is not None]
        if not used:
            assert row.score is None and row.level == grading.UNRATED
            continue
        assert row.score == sum(w * x for w, x in used) / sum(w for w, _ in used)
        assert row.level == grading.level_for(row.score, g.levels)
        assert any(line.startswith("得分 = ") for line in row.explanation)
        assert f"评定为“{row.level}”" in row.explanation[-1]


def test_missing_data_is_marked_not_zero(world):
    g, by = rows(world)
    sparse = by["BJG-ZB2"]  # tracked from 1 October: Q4 only, target pro-rated to 92 days
    assert sparse.missing == ["书记测评", "党委评定"]
    assert value(sparse, "书记测评").text == "缺数据" and value(sparse, "书记测评").value is None
    assert value(sparse, "三会一课").value == 100
    assert value(sparse, "主题党日").value == Fraction(2 * 365 * 100, 12 * 92)
    assert sparse.level == "较好"
    assert any("缺数据，不计入，其余按权重重新归一" in line for line in sparse.explanation)
    untracked = by["BJG-ZB4"]
    assert untracked.score is None and untracked.level == "无法评定"
    assert untracked.missing == ["三会一课", "书记测评", "主题党日", "党委评定"]
    assert g.distribution == {"先进": 1, "较好": 1, "一般": 1, "后进": 0, "无法评定": 1}


def test_veto_caps_the_level_and_only_confidential_readers_see_why(world):
    gw.accountability(world.member)
    gw.accountability(world.outsider)  # not on any branch's roll: caps nothing
    _, by = rows(world, secret(world))
    full = by["BJG-ZB1"]
    assert full.level == "一般" and full.capped and full.raw_level == "先进"
    assert full.grounds == ["2022-09-01滨江甲受到问责（通报批评）"]
    assert any("滨江甲受到问责" in line and "由“先进”调整为“一般”" in line for line in full.explanation)
    assert not by["BJG-ZB2"].capped and by["BJG-ZB2"].level == "较好"
    _, seen = rows(world, plain(world))
    row = seen["BJG-ZB1"]
    assert row.level == "一般" and row.capped and row.grounds == []
    text = "\n".join(row.explanation)
    assert "适用否决项“问责否决”" in text and "滨江甲" not in text and "问责（" not in text and "通报批评" not in text
    # A second 问责 changes nothing a plain reader sees: no count.
    gw.accountability(world.member, dt.date(2022, 10, 1))
    _, again = rows(world, plain(world))
    assert again["BJG-ZB1"].explanation == row.explanation
    assert len(rows(world, secret(world))[1]["BJG-ZB1"].grounds) == 2


def test_a_veto_that_changes_nothing_is_not_shown_to_plain_readers(world):
    from lvzhi.org.models import Person

    someone = Person.objects.create(code="BJ0200", name="物流乙", gender="male", unit=world.logistics,
                                    party_org=world.midyear, party_status="member", member_since=dt.date(2015, 1, 1))
    gw.accountability(someone, dt.date(2022, 8, 1))
    _, seen = rows(world, plain(world))
    assert seen["BJG-ZB3"].level == "一般" and not seen["BJG-ZB3"].capped
    assert not any("否决" in line for line in seen["BJG-ZB3"].explanation)
    _, full = rows(world, secret(world))
    assert any("物流乙受到问责" in line and "不受影响" in line for line in full["BJG-ZB3"].explanation)


def test_a_reader_sees_only_branches_of_their_units(world):
    port_only = Scope(read_paths=(world.port.path,))
    g, by = rows(world, port_only, unit=world.port)
    assert set(by) == {"BJG-ZB1", "BJG-ZB2", "BJG-ZB4"}


def test_the_most_specific_scheme_applies(world, company):
    default = GradingScheme.objects.get(unit__isnull=True, year__isnull=True)
    assert default.ordered_levels() == [("先进", 95), ("较好", 85), ("一般", 70), ("后进", 0)]
    assert "支部工作条例" in default.source
    assert grading.scheme_for(company, 2022) == default
    own = grading.scheme_for(world.root, 2022)
    assert own.unit == world.root and grading.scheme_for(Unit.objects.get(code="BJG-GK-1"), 2022) == own
    assert grading.scheme_for(world.root, 2023) == default
    sub = grading_services.own_scheme(world.port, 2022, actor="测试", scope=gw.EVERYTHING)
    assert grading.scheme_for(Unit.objects.get(code="BJG-GK-2"), 2022) == sub
    assert [i.name for i in sub.indicators.all()] == [i.name for i in own.indicators.all()]


def test_a_bad_scheme_is_refused_whole_with_each_fault_named(world):
    s = grading.scheme_for(world.root, 2022)
    before = (s.version, list(s.indicators.values_list("name", "weight")))
    with pytest.raises(grading_services.GradingError) as exc:
        grading_services.update_scheme(s, actor="测试", scope=gw.EVERYTHING, version=s.version, name="改", source="",
                                       levels={"先进": 95, "一般": 95}, indicators=[
            {"name": "甲", "kind": "checks", "weight": "十"},
            {"name": "乙", "kind": "records", "weight": "10", "record_type": "branch_activity", "record_kind": "无此类"},
            {"name": "丙", "kind": "veto", "cap": "优秀"}])
    msg = str(exc.value)
    for part in ("第1个指标“甲”的权重“十”不是数字", "最低分不能相同", "“乙”的记录类型不可用", "“乙”须填写大于0的年度目标数",
                 "否决项“丙”须写明否决后最高等次", "“甲”须至少选择一条检查规则"):
        assert part in msg, (part, msg)
    s.refresh_from_db()
    assert (s.version, list(s.indicators.values_list("name", "weight"))) == before


def test_manual_scores_are_checked_and_audited(world):
    from lvzhi.audit.models import AuditEntry

    s = grading.scheme_for(world.root, 2022)
    manual = s.indicators.get(name="党委评定")
    with pytest.raises(grading_services.GradingError, match="0到100"):
        grading_services.set_manual_scores(manual, {world.sparse.pk: ("120", "")}, actor="测试", scope=gw.EVERYTHING)
    n = AuditEntry.objects.count()
    assert grading_services.set_manual_scores(manual, {world.sparse.pk: ("80", "补录"), world.full.pk: ("", "")},
                                              actor="测试", scope=gw.EVERYTHING) == 2
    assert AuditEntry.objects.count() == n + 2
    _, by = rows(world)
    assert value(by["BJG-ZB2"], "党委评定").value == 80 and value(by["BJG-ZB1"], "党委评定").value is None


def test_star_rating_is_just_another_scheme(world):
    """星级评定: five levels named by stars, the veto capping at 三星 — no code involved."""
    s = grading.scheme_for(world.root, 2022)
    rows_ = [{"name": i.name, "kind": i.kind, "weight": str(i.weight), "rule_ids": i.rule_ids,
              "record_type": i.record_type, "record_kind": i.record_kind, "target": str(i.target or ""),
              "cap": "三星" if i.kind == "veto" else ""} for i in s.indicators.all()]
    grading_services.update_scheme(s, actor="测试", scope=gw.EVERYTHING, version=s.version, name="星级", source="",
                                   levels={"五星": 95, "四星": 90, "三星": 80, "二星": 60, "一星": 0}, indicators=rows_)
    gw.accountability(world.member)
    g, by = rows(world, plain(world))
    assert [n for n, _ in g.levels] == ["五星", "四星", "三星", "二星", "一星"]
    assert by["BJG-ZB1"].raw_level == "五星" and by["BJG-ZB1"].level == "三星" and by["BJG-ZB1"].capped
    assert by["BJG-ZB2"].level == "四星"  # 90.32
    assert by["BJG-ZB3"].level == "三星"  # 81.91
