"""党员教育培训学时 (32 a year; 56 for branch secretaries), pro-rated by the months on the roll of each month's last
day — on 河川电力 (builders.py), whose members join, transfer and leave mid-year — and on the demo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from lvzhi.membership.models import TrainingRecord
from lvzhi.obligations.engine import DONE, LATE, NA, PENDING, evaluate
from lvzhi.partybuilding.models import StudySession

D = dt.date
RULES = ["member.training_hours", "secretary.training_hours"]


def trained(p, day, hours, title="专题培训"):
    t = TrainingRecord(person=p, date=day, hours=Decimal(hours), title=title, organiser="市委党校")
    t.fill_derived()
    t.full_clean()
    t.save()
    return t


def cells(unit, as_of, rule_id):
    ev = evaluate(unit, year=2022, as_of=as_of, rule_ids=[rule_id])
    return {c.subject.pk: c for c in ev.cells()}


def test_hours_are_pro_rated_by_the_months_on_the_roll(river):
    m = river.b_members
    trained(m[0], D(2022, 3, 1), 40)
    trained(m[1], D(2022, 3, 1), 30)
    study = StudySession.objects.create(unit=river.plant_b, party_org=river.branch_b, kind="branch_study",
                                        date=D(2022, 5, 10), title="学习党章", hours=Decimal("2.5"))
    study.attendees.set([m[1]])
    trained(m[2], D(2022, 3, 1), 30)
    trained(river.newcomer, D(2022, 9, 1), 14)  # on the roll from 1 August: 5 months → 13.3
    trained(river.probationary, D(2022, 6, 1), 29)  # admitted 1 February: 11 months → 29.3
    trained(river.leaver, D(2022, 1, 20), 3)  # transferred out 15 February: January only → 2.7
    trained(m[3], D(2023, 1, 5), 40)  # next year's: not this year's hours
    got = cells(river.company, D(2023, 1, 31), "member.training_hours")
    assert got[m[0].pk].state == DONE
    assert got[m[1].pk].state == DONE and "已有32.5学时" in got[m[1].pk].detail  # 30 + the study's 2.5
    assert got[m[2].pk].state == LATE and got[m[2].pk].detail.endswith("少2学时")
    assert got[river.newcomer.pk].state == DONE
    assert "5个月" in got[river.newcomer.pk].detail and "13.3学时" in got[river.newcomer.pk].detail
    assert got[river.probationary.pk].state == LATE and "11个月" in got[river.probationary.pk].detail
    assert got[river.leaver.pk].state == DONE and "1个月" in got[river.leaver.pk].detail
    assert got[river.dead.pk].state == LATE and "1个月" in got[river.dead.pk].detail  # died 20 February
    assert got[m[3].pk].state == LATE and "已有0学时" in got[m[3].pk].detail
    assert got[m[3].pk].rule.source.startswith("《2019—2023年全国党员教育培训工作规划》")

    # The branch secretary owes 56 (the whole year in the post); 40 is enough as a member only.
    sec = cells(river.company, D(2023, 1, 31), "secretary.training_hours")
    assert set(sec) == {m[0].pk} and sec[m[0].pk].state == LATE and sec[m[0].pk].detail.endswith("少16学时")
    trained(m[0], D(2022, 11, 20), 16, "书记培训班")
    assert cells(river.company, D(2023, 1, 31), "secretary.training_hours")[m[0].pk].state == DONE


def test_nothing_after_the_as_of_date_counts_and_the_year_is_pending_until_it_ends(river):
    m = river.b_members
    trained(m[1], D(2022, 3, 1), 20)
    trained(m[1], D(2022, 10, 15), 20)
    got = cells(river.company, D(2022, 9, 30), "member.training_hours")
    assert got[m[1].pk].state == PENDING and "已有20学时" in got[m[1].pk].detail
    assert cells(river.company, D(2023, 1, 31), "member.training_hours")[m[1].pk].state == DONE


def test_a_merged_plants_members_are_out_of_its_range(river):
    got = cells(river.company, D(2023, 1, 31), "member.training_hours")
    assert {got[p.pk].state for p in river.a_members} == {NA}  # their unit's last day was 30 June


@pytest.mark.parametrize("year", [2021, 2022])
def test_the_demo_company_meets_its_hours(company, year):
    ev = evaluate(company, year=year, as_of=D(2023, 6, 30), rule_ids=RULES)
    states = [c.state for c in ev.cells()]
    assert LATE not in states
    by_rule = {r.rule_id: r.totals["done"] for r in ev.results}
    assert by_rule["member.training_hours"] > 500 and by_rule["secretary.training_hours"] > 20
