"""Event rules: each 党委会, 三重一大 matter, appointment, rectification and meeting is judged on its own."""

import datetime as dt

import pytest

from lvzhi.obligations.engine import DONE, DUE_SOON, LATE, NA, PENDING

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


# --- 第一议题 -------------------------------------------------------------------------------------------

def test_committee_meeting_needs_its_own_first_agenda_study(tc, events):
    with_study = b.committee_meeting(tc.committee, D(2022, 3, 8))
    without = b.committee_meeting(tc.committee, D(2022, 12, 31))
    b.study(tc.company, "first_agenda", D(2022, 3, 8), meeting=with_study)
    b.study(tc.company, "central_group", D(2022, 12, 31), meeting=without)  # not a first-agenda study
    cells = events(tc.company, "study.first_agenda")
    assert cells[with_study.pk].state == DONE and cells[with_study.pk].record_type == "study_session"
    assert cells[without.pk].state == LATE
    assert "没有第一议题" in cells[without.pk].detail
    # before the meeting plus its grace days it is not late yet
    assert events(tc.company, "study.first_agenda", as_of=D(2022, 12, 30))[without.pk].state == DUE_SOON


# --- 前置研究 --------------------------------------------------------------------------------------------

def test_matter_on_the_list_needs_an_earlier_pre_review(tc, events):
    b.pre_review_rule(tc.company, threshold="100")
    early, late, same_day, missing = (b.matter(tc.plant, D(2022, m, 10)) for m in (3, 4, 5, 6))
    b.pre_review(early, D(2022, 3, 1))
    b.pre_review(late, D(2022, 4, 20))
    b.pre_review(same_day, D(2022, 5, 10))
    small = b.matter(tc.plant, D(2022, 7, 1), amount="99.99")
    other_type = b.matter(tc.plant, D(2022, 7, 2), matter_type="对外捐赠")
    cells = events(tc.company, "governance.pre_review")
    assert cells[early.pk].state == DONE
    assert cells[late.pk].state == LATE and "晚于决策日期（2022-04-10）" in cells[late.pk].detail
    assert cells[same_day.pk].state == LATE  # the same day is not "before"
    assert cells[missing.pk].state == LATE and "没有党委前置研究" in cells[missing.pk].detail
    assert small.pk not in cells and other_type.pk not in cells  # not caught by the list: nothing owed


def test_pre_review_list_of_an_ancestor_applies_and_only_from_its_date(tc, events):
    b.pre_review_rule(tc.group, threshold=None, date=D(2022, 6, 1))
    before = b.matter(tc.plant, D(2022, 5, 31), amount="1")
    after = b.matter(tc.plant, D(2022, 6, 1), amount="1")
    cells = events(tc.company, "governance.pre_review")
    assert before.pk not in cells
    assert cells[after.pk].state == LATE


# --- 任前廉政谈话 --------------------------------------------------------------------------------------

def test_appointment_needs_a_talk_on_or_before_its_date(tc, check, events):
    people = [b.person(tc.plant, n) for n in ("甲", "乙", "丙", "丁", "戊")]
    on_day, collective, after, too_early, future = (
        b.appointment(p, tc.plant, day) for p, day in zip(people, [D(2022, 3, 15), D(2022, 4, 1), D(2022, 5, 10),
                                                                  D(2022, 6, 1), D(2022, 12, 20)], strict=False))
    b.talk(tc.company, "pre_appointment", D(2022, 3, 15), [people[0]])
    b.talk(tc.company, "collective_pre_appointment", D(2022, 3, 28), [people[1], people[3]])  # 丁: > 180 days before
    b.talk(tc.company, "pre_appointment", D(2022, 5, 13), [people[2]])
    b.talk(tc.company, "routine", D(2022, 12, 1), [people[4]])  # a routine talk is not a pre-appointment talk
    cells = events(tc.company, "integrity.pre_appointment_talk", as_of=D(2022, 12, 15))
    assert cells[on_day.pk].state == DONE and cells[collective.pk].state == DONE
    assert cells[after.pk].state == LATE
    assert cells[after.pk].detail == "任前廉政谈话（2022-05-13）晚于任职日期（2022-05-10）"
    assert cells[too_early.pk].state == DONE  # 65 days before: inside the 180-day window
    assert cells[future.pk].state == DUE_SOON  # appointment in five days, no talk yet
    b.appointment(people[3], tc.plant, D(2022, 12, 1), level="leadership", post="副总经理")
    cells = check(tc.company, "integrity.pre_appointment_talk", as_of=D(2023, 1, 1))
    later = [c for c in cells.values() if c.subject.label.endswith("任副总经理")][0]
    assert later.state == LATE  # the March talk is more than 180 days before December


# --- 整改 ----------------------------------------------------------------------------------------------

def test_rectifications_by_their_deadline(tc, events):
    on_time = b.rectification(tc.plant, D(2022, 6, 30), status="done", completed_on=D(2022, 6, 30))
    done_late = b.rectification(tc.plant, D(2022, 6, 30), status="verified", completed_on=D(2022, 7, 5))
    open_late = b.rectification(tc.plant, D(2022, 11, 30))
    open_soon = b.rectification(tc.plant, D(2022, 12, 20))
    open_later = b.rectification(tc.plant, D(2022, 12, 31))
    carried = b.rectification(tc.plant, D(2021, 12, 1), day=D(2021, 10, 1))
    closed_2021 = b.rectification(tc.plant, D(2021, 12, 1), status="done", completed_on=D(2021, 11, 1),
                                  day=D(2021, 10, 1))
    cells = events(tc.company, "integrity.rectification", as_of=D(2022, 12, 10))
    assert cells[on_time.pk].state == DONE
    assert cells[done_late.pk].state == LATE and "逾期至2022-07-05" in cells[done_late.pk].detail
    assert cells[open_late.pk].state == LATE and "尚未完成" in cells[open_late.pk].detail
    assert cells[open_soon.pk].state == DUE_SOON  # warning: 15 days before the deadline
    assert cells[open_later.pk].state == PENDING
    assert cells[carried.pk].state == LATE  # a 2021 rectification still open stays a 2022 problem
    assert closed_2021.pk not in cells
    assert events(tc.company, "integrity.rectification", as_of=D(2022, 12, 16))[open_later.pk].state == DUE_SOON


def test_confidential_rectification_is_masked_for_those_who_may_not_see_it(tc):
    from lvzhi.obligations.engine import evaluate
    from lvzhi.org.scoping import Scope

    r = b.rectification(tc.plant, D(2022, 3, 31))
    r.finding.person = tc.members[1]
    r.finding.save()
    organiser = Scope(read_paths=(tc.company.path,), roles=frozenset({"organizer"}))
    discipline = Scope(read_paths=(tc.company.path,), confidential_paths=(tc.company.path,))
    for scope, shown in ((organiser, False), (discipline, True)):
        ev = evaluate(tc.company, year=2022, as_of=D(2022, 12, 31), scope=scope, rule_ids=["integrity.rectification"])
        [cell] = ev.cells()
        assert cell.state == LATE
        assert ("交接班记录不完整" in cell.subject.label) is shown


# --- 到会人数 --------------------------------------------------------------------------------------------

def test_quorum_of_general_and_committee_meetings(tc, events):
    m = tc.members  # 7 full members, 3 of them on the 支委会
    meetings = {
        "general_ok": b.activity(tc.branch, "general_meeting", D(2022, 3, 1), attendees=m[:4]),
        "general_low": b.activity(tc.branch, "general_meeting", D(2022, 6, 1), attendees=m[:3]),
        "committee_ok": b.activity(tc.branch, "committee_meeting", D(2022, 3, 2), attendees=m[:2]),
        "committee_low": b.activity(tc.branch, "committee_meeting", D(2022, 4, 2), attendees=m[:1]),
        "expected_given": b.activity(tc.branch, "general_meeting", D(2022, 9, 1), attendees=m[:4], expected=9),
        "lecture": b.activity(tc.branch, "party_lecture", D(2022, 9, 2), attendees=m[:1]),
    }
    cells = events(tc.company, "branch.quorum")
    state = {name: cells[a.pk].state for name, a in meetings.items() if a.pk in cells}
    assert state == {"general_ok": DONE, "general_low": LATE, "committee_ok": DONE, "committee_low": LATE,
                     "expected_given": LATE}
    assert cells[meetings["general_low"].pk].detail == "2022年6月1日实到3人，应到7人（当日有表决权的正式党员），未超过半数"


def test_members_who_joined_after_the_meeting_are_not_expected(tc, events):
    for i in range(4):
        b.person(tc.workshop, f"新党员{i}", party_org=tc.branch, member_since=D(2022, 10, 1))
    a = b.activity(tc.branch, "general_meeting", D(2022, 3, 1), attendees=tc.members[:4])
    assert events(tc.company, "branch.quorum")[a.pk].state == DONE


# --- 支部设置 --------------------------------------------------------------------------------------------

def test_branch_structure(tc, check):
    cells = check(tc.company, "branch.structure")
    assert cells[("一车间党支部", "2022")].state == DONE
    assert cells[("财务部党支部", "2022")].state == DONE  # 3 full members, no 支委会 needed
    b.person(tc.dept, "财务4", party_org=tc.dept_branch, status="probationary")
    tc.dept_branch.members.filter(name="财务3").update(party_status="probationary")
    cell = check(tc.company, "branch.structure")[("财务部党支部", "2022")]
    assert cell.state == LATE and cell.detail == "2022-12-31：正式党员2人，不足3人"
    tc.branch.committee_members.clear()
    cells = check(tc.company, "branch.structure")
    assert cells[("一车间党支部", "2022")].detail == "2022-12-31：正式党员7人，应设支部委员会"



def test_quorum_and_structure_share_one_roster(tc):
    """The two roster checks of one evaluation read the Party rosters once (its cost on the province was most of
    theirs, built twice), with the same cells as each evaluated alone — whose rosters cover fewer organisations."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.membership.models import OrgPost
    from lvzhi.obligations.engine import evaluate

    b.activity(tc.branch, "general_meeting", D(2022, 3, 1), attendees=tc.members[:4])
    b.activity(tc.branch, "committee_meeting", D(2022, 4, 2), attendees=tc.members[:1])
    rules = ["branch.quorum", "branch.structure"]

    def cells(ev):
        return sorted((c.rule.rule_id, c.subject.ref, c.period.key, c.state, c.detail) for c in ev.cells())

    with CaptureQueriesContext(connection) as q:
        both = evaluate(tc.company, year=2022, as_of=D(2023, 6, 30), rule_ids=rules)
    assert sum(OrgPost._meta.db_table in x["sql"] for x in q.captured_queries) == 1
    alone = [c for r in rules for c in cells(evaluate(tc.company, year=2022, as_of=D(2023, 6, 30), rule_ids=[r]))]
    assert cells(both) == sorted(alone) and {c[0] for c in alone} == set(rules)

def test_events_in_untracked_periods_are_not_applicable(tc, events):
    tc.company.tracked_since = D(2022, 7, 1)
    tc.company.save()
    early = b.rectification(tc.plant, D(2022, 3, 31))
    later = b.rectification(tc.plant, D(2022, 9, 30))
    cells = events(tc.company, "integrity.rectification")
    assert cells[early.pk].state == NA and cells[later.pk].state == LATE
