"""Coverage rules: every required person or unit, the ratio, and the list of who is missing."""

import datetime as dt

import pytest

from lvzhi.obligations.engine import DONE, LATE, NA, evaluate
from lvzhi.obligations.selectors import late_obligations
from lvzhi.org.scoping import Scope

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def cadres(tc):
    """Middle cadres and key posts of the test company, with their appointment history."""
    people = {
        "老厂长": b.person(tc.plant, "老厂长", level="middle"),  # no appointment recorded: current level counts
        "副厂长": b.person(tc.plant, "副厂长", level="middle"),
        "新任科长": b.person(tc.plant, "新任科长", level="middle"),
        "退休部长": b.person(tc.dept, "退休部长", level="none", left_on=D(2022, 6, 30)),
        "会计": b.person(tc.dept, "会计", key_post=True),
        "操作工": b.person(tc.workshop, "操作工"),
    }
    b.appointment(people["副厂长"], tc.plant, D(2019, 3, 1))
    b.appointment(people["新任科长"], tc.plant, D(2022, 6, 1))  # appointed mid-year
    b.appointment(people["退休部长"], tc.dept, D(2015, 1, 1), ended_on=D(2022, 6, 30))
    return people


def coverage(unit, rule_id, year=2022, as_of=D(2023, 1, 31)):
    [result] = evaluate(unit, year=year, as_of=as_of, rule_ids=[rule_id]).results
    return result, result.coverage()


def test_routine_talk_coverage_and_who_is_missing(tc, cadres):
    b.talk(tc.company, "routine", D(2022, 3, 1), [cadres["老厂长"], cadres["副厂长"], tc.secretary])
    b.talk(tc.company, "reminder", D(2022, 4, 1), [cadres["会计"]])  # not a routine talk
    result, cov = coverage(tc.company, "integrity.routine_talk")
    states = {c.subject.label.split("（")[0]: c.state for c in result.cells}
    assert states == {"老厂长": DONE, "副厂长": DONE, "会计": LATE, "新任科长": NA, "退休部长": NA}
    # the committee's secretary is talked to from above, not by himself
    assert cov["required"] == 3 and cov["done"] == 2 and cov["ratio"] == pytest.approx(2 / 3)
    assert [c.subject.label.split("（")[0] for c in cov["missing"]] == ["会计"]


def test_a_cadre_appointed_mid_year_is_due_the_next_year(tc, cadres):
    result, _ = coverage(tc.company, "integrity.routine_talk", year=2023, as_of=D(2024, 1, 31))
    states = {c.subject.label.split("（")[0]: c.state for c in result.cells}
    assert states["新任科长"] == LATE and states["退休部长"] == NA  # retired in 2022: no longer owed


def test_promotion_between_levels_keeps_a_cadre_in_the_set(tc):
    p = b.person(tc.plant, "晋升者", level="leadership")
    b.appointment(p, tc.plant, D(2018, 3, 1), level="middle", ended_on=D(2022, 6, 30))
    b.appointment(p, tc.company, D(2022, 7, 1), level="leadership", post="副总经理")
    result, _ = coverage(tc.company, "integrity.routine_talk")
    [cell] = [c for c in result.cells if c.subject.label.startswith("晋升者")]
    assert cell.state == LATE  # in the set all year (middle, then leadership): owed in 2022


def test_heart_talk_covers_every_member_of_the_branch(tc):
    b.activity(tc.branch, "heart_talk", D(2022, 5, 1), attendees=tc.members[:5])
    b.activity(tc.branch, "heart_talk", D(2022, 11, 1), attendees=tc.members[4:6])
    newcomer = b.person(tc.workshop, "预备党员", party_org=tc.branch, status="probationary",
                        member_since=D(2022, 7, 1))
    result, cov = coverage(tc.company, "branch.heart_talk")
    missing = {c.subject.label.split("（")[0] for c in cov["missing"]}
    assert missing == {"党员7", "财务1", "财务2", "财务3"}
    assert next(c for c in result.cells if c.subject.pk == newcomer.pk).state == NA
    done = next(c for c in result.cells if c.subject.pk == tc.members[4].pk)
    assert done.count == 2 and len(done.record_ids) == 2


def test_letters_cover_every_plant(tc):
    second = b.add_unit(tc.company, "TC-P2", "二号厂", kind="plant", category="grassroots")
    b.letter(tc.plant, 2022)
    b.letter(second, 2021)
    result, cov = coverage(tc.company, "integrity.letters")
    assert cov["required"] == 2 and cov["done"] == 1
    assert [c.subject.label for c in cov["missing"]] == ["二号厂"]


def test_late_obligations_lists_late_items_and_coverage_gaps(tc, cadres):
    b.talk(tc.company, "routine", D(2022, 3, 1), [cadres["老厂长"], cadres["副厂长"]])
    b.rectification(tc.plant, D(2022, 11, 30))
    scope = Scope(read_paths=(tc.company.path,), confidential_paths=(tc.company.path,))
    problems = {p.rule_id: p for p in late_obligations(scope, tc.company, 2022, as_of=D(2023, 1, 31))}
    talk = problems["integrity.routine_talk"]
    assert talk.kind == "coverage" and talk.subjects == [f"会计（{cadres['会计'].code}）"]
    assert talk.text.startswith("例行廉政谈话全覆盖：应完成3，已完成2（66.7%），未完成：会计")
    rect = problems["integrity.rectification"]
    assert rect.kind == "late" and rect.record_type == "rectification"
    assert "整改时限2022-11-30，尚未完成" in rect.text and "党风廉政建设" in rect.source
    outsider = Scope(read_paths=(tc.dept.path,))
    assert late_obligations(outsider, tc.company, 2022) == []
