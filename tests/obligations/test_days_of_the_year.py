"""Facts on a day, judged set-wise: the quorum check's roster of each meeting's own day (committee seats counted by
bisection, members with a vote, the unit's tracked days) and the periods a count rule's subject owes (runs of
periods found by bisection) — on a company shaped unlike the demo and 河川电力: members who join the Party, move
in from a branch whose unit is dissolved on 30 June and leave mid-year, committee posts that overlap, follow one
another and end on a meeting's eve, a plant set up on 1 April.

Each meeting sits on a day where something changes (the day before, the day itself): a roster a day off, or a
unit's days off by one, changes a figure below."""

from __future__ import annotations

import datetime as dt

import pytest

from lvzhi.membership.models import Attendance, MembershipEvent, OrgPost
from lvzhi.membership.selectors import Rosters
from lvzhi.obligations.engine import DONE, LATE, NA, evaluate
from lvzhi.org.models import PartyOrg, Unit

from . import builders as b

D = dt.date
AS_OF = D(2023, 1, 31)


def _event(p, kind, day, org=None, **fields):
    ev = MembershipEvent(person=p, kind=kind, date=day, party_org=org, **fields)
    ev.fill_derived()
    ev.full_clean()
    ev.save()


def _post(org, p, role, start=None, end=None):
    x = OrgPost(party_org=org, person=p, role=role, start_on=start, end_on=end)
    x.fill_derived()
    x.save()


@pytest.fixture
def shaped(tc):
    """tc (builders.company: 一车间党支部 with 7 full members, no events) plus:
    二号厂 (dissolved 2022-06-30) with its branch: 钱迁 (enrolled there 2015, transferred to 一车间 on 1 July) and
    孙留 (stays on its roll); 三号厂 (established 2022-04-01) with its branch; in 一车间: 李新 (joins the Party
    2022-05-10), 周走 (leaves 2022-09-01: last day 31 August), 吴预 (probationary: no vote);
    一车间's committee by dated posts: 党员1 secretary all along; 党员2 member to 30 June and deputy 20 June –
    31 July (overlapping: one seat); 党员3 member 1 March – 31 August; 党员4 member from 1 September."""
    p2 = b.add_unit(Unit.objects.get(pk=tc.company.pk), "TC-P2", "二号厂", kind="plant", category="grassroots",
                    dissolved_on=D(2022, 6, 30))
    p3 = b.add_unit(Unit.objects.get(pk=tc.company.pk), "TC-P3", "三号厂", kind="plant", category="grassroots",
                    established_on=D(2022, 4, 1))
    branch2 = PartyOrg.objects.create(code="ZB-TC-P2", name="二号厂党支部", kind="branch", unit=p2,
                                      parent=tc.committee)
    branch3 = PartyOrg.objects.create(code="ZB-TC-P3", name="三号厂党支部", kind="branch", unit=p3,
                                      parent=tc.committee)
    w1 = tc.branch
    workshop = Unit.objects.get(pk=tc.workshop.pk)
    mover = b.person(workshop, "钱迁", status="none", member_since=None)  # works in 一车间 all year
    _event(mover, "enrolled", D(2015, 3, 1), branch2)
    _event(mover, "transfer", D(2022, 7, 1), w1, from_org=branch2)
    b.person(p2, "孙留", party_org=branch2)
    b.person(p3, "郑三", party_org=branch3)
    PartyOrg.objects.create(code="ZB-TC-P1-W2", name="一车间第二党支部", kind="branch", unit=tc.workshop,
                            parent=tc.committee, established_on=D(2022, 4, 1), dissolved_on=D(2022, 10, 31))
    PartyOrg.objects.create(code="ZB-TC-P1-W3", name="一车间第三党支部", kind="branch", unit=tc.workshop,
                            parent=tc.committee, established_on=D(2022, 4, 2), dissolved_on=D(2022, 10, 31))
    PartyOrg.objects.create(code="ZB-TC-P1-W4", name="一车间第四党支部", kind="branch", unit=tc.workshop,
                            parent=tc.committee, established_on=D(2022, 4, 1), dissolved_on=D(2022, 10, 30))
    newcomer = b.person(workshop, "李新", party_org=w1, member_since=D(2022, 5, 10))
    leaver = b.person(workshop, "周走", party_org=w1, left_on=D(2022, 9, 1))
    b.person(workshop, "吴预", party_org=w1, status="probationary")
    m = tc.members
    _post(w1, m[0], "secretary")
    _post(w1, m[1], "member", None, D(2022, 6, 30))
    _post(w1, m[1], "deputy", D(2022, 6, 20), D(2022, 7, 31))
    _post(w1, m[2], "member", D(2022, 3, 1), D(2022, 8, 31))
    _post(w1, m[3], "member", D(2022, 9, 1))
    return tc, branch2, branch3, mover, newcomer, leaver


def _quorum(unit):
    return {c.subject.pk: c for c in evaluate(unit, year=2022, as_of=AS_OF, rule_ids=["branch.quorum"]).cells()}


# committee meetings of 一车间: day → seats held that day
SEATS = {D(2022, 2, 28): 2, D(2022, 3, 1): 3, D(2022, 6, 20): 3, D(2022, 6, 30): 3, D(2022, 7, 1): 3,
         D(2022, 7, 31): 3, D(2022, 8, 1): 2, D(2022, 8, 31): 2, D(2022, 9, 1): 2}
# general meetings of 一车间: day → members with a vote that day (7 full members, 李新 from 10 May, 钱迁 from
# 1 July, 周走 to 31 August; 吴预 has none)
VOTES = {D(2022, 5, 9): 8, D(2022, 5, 10): 9, D(2022, 6, 30): 9, D(2022, 7, 1): 10, D(2022, 8, 31): 10,
         D(2022, 9, 1): 9}


def test_each_meeting_is_judged_against_the_roster_of_its_own_day(shaped):
    tc, *_ = shaped
    w1, m = tc.branch, tc.members
    committee = {day: b.activity(w1, "committee_meeting", day, attendees=m[:2]) for day in SEATS}
    general = {day: b.activity(w1, "general_meeting", day, attendees=m[:5]) for day in VOTES}
    cells = _quorum(tc.company)
    whole = Rosters([w1.pk])  # the Stints themselves, not the counts kept by day number
    for day, seats in SEATS.items():
        cell = cells[committee[day].pk]
        assert f"应到{seats}人（当日支部委员）" in cell.detail, (day, cell.detail)
        assert len(whole.committee(w1.pk, day)) == seats
        assert cell.state == (DONE if 2 * 2 > seats else LATE), day  # 2 present
    for day, votes in VOTES.items():
        cell = cells[general[day].pk]
        assert f"应到{votes}人（当日有表决权的正式党员）" in cell.detail, (day, cell.detail)
        assert len([s for s in whole.members(w1.pk, day) if s.voting]) == votes
        assert cell.state == (DONE if 5 * 2 > votes else LATE), day  # 5 present


def test_recorded_attendance_wins_over_the_attendee_list(shaped):
    tc, *_ = shaped
    w1, m = tc.branch, tc.members
    day = D(2022, 8, 1)
    listed = b.activity(w1, "committee_meeting", day, attendees=m[:1])  # 1 of 2: not more than half
    recorded = b.activity(w1, "committee_meeting", day, attendees=m[:1])
    for p, status in ((m[0], "present"), (m[2], "present"), (m[1], "absent")):
        Attendance.objects.create(activity=recorded, person=p, status=status, reason="" if status == "present"
                                  else "duty", unit=recorded.unit)
    nobody = b.activity(w1, "committee_meeting", day, attendees=m[:2])
    Attendance.objects.create(activity=nobody, person=m[0], status="absent", reason="sick", unit=nobody.unit)
    cells = _quorum(tc.company)
    assert cells[listed.pk].state == LATE and "实到1人，应到2人" in cells[listed.pk].detail
    assert cells[recorded.pk].state == DONE and "实到2人，应到2人" in cells[recorded.pk].detail
    assert cells[nobody.pk].state == LATE and "实到0人" in cells[nobody.pk].detail  # rows, none present


def test_a_units_meetings_are_judged_only_on_its_days(shaped):
    tc, branch2, branch3, *_ = shaped
    last = b.activity(branch2, "general_meeting", D(2022, 6, 30), attendees=[])
    after = b.activity(branch2, "general_meeting", D(2022, 7, 1), attendees=[])
    before = b.activity(branch3, "general_meeting", D(2022, 3, 31), attendees=[])
    first = b.activity(branch3, "general_meeting", D(2022, 4, 1), attendees=[])
    cells = _quorum(tc.company)
    # 二号厂's last day: 孙留 and 钱迁 (who moves on 1 July) have a vote, nobody came
    assert cells[last.pk].state == LATE and "应到2人" in cells[last.pk].detail
    assert cells[after.pk].state == NA and cells[after.pk].detail == "不在检查范围内"  # 孙留 still on its roll
    assert cells[before.pk].state == NA and cells[before.pk].detail == "不在检查范围内"
    assert cells[first.pk].state == LATE and "应到1人" in cells[first.pk].detail


def test_the_periods_owed_follow_each_subjects_days(shaped, check):
    tc, branch2, branch3, mover, newcomer, leaver = shaped
    months = check(tc.company, "branch.themed_day", as_of=AS_OF)
    owed = {name: [f"2022-{i:02d}" for i in range(1, 13) if months[(name, f"2022-{i:02d}")].state != NA]
            for name in ("二号厂党支部", "三号厂党支部", "一车间党支部", "一车间第二党支部",
                                                          "一车间第三党支部", "一车间第四党支部")}
    assert owed["二号厂党支部"] == [f"2022-{i:02d}" for i in range(1, 7)]  # dissolved on its last day, 30 June
    assert owed["三号厂党支部"] == [f"2022-{i:02d}" for i in range(4, 13)]  # set up on 1 April
    assert len(owed["一车间党支部"]) == 12
    # their own days, in one unit alive all year: 1 April – 31 October, a day less at the start, at the end
    assert owed["一车间第二党支部"] == [f"2022-{i:02d}" for i in range(4, 11)]
    assert owed["一车间第三党支部"] == [f"2022-{i:02d}" for i in range(5, 11)]
    assert owed["一车间第四党支部"] == [f"2022-{i:02d}" for i in range(4, 10)]
    talks = {c.subject.pk: c for c in evaluate(tc.company, year=2022, as_of=AS_OF,
                                                rule_ids=["branch.heart_talk"]).cells()}
    assert talks[mover.pk].state != NA  # a member all year, in two branches
    assert talks[newcomer.pk].state == NA and talks[leaver.pk].state == NA  # joined / left during the year
    assert all(talks[p.pk].state != NA for p in tc.members)
