"""Every past meeting judged against its own day's roster; nothing after the as-of date counts; a merged unit's
meetings up to its last day judged normally — on 河川电力 (builders.py), whose members join, move and leave."""

from __future__ import annotations

import datetime as dt

import openpyxl

from lvzhi.membership.attendance import expected_people, preview
from lvzhi.membership.models import Attendance, MembershipEvent
from lvzhi.membership.selectors import committee_roster, roster
from lvzhi.membership.services import backfill_live
from lvzhi.obligations.engine import DONE, LATE, NA, PENDING, evaluate
from lvzhi.org.models import Person

from .builders import meeting

D = dt.date
AS_OF = D(2023, 1, 31)


def quorum_cells(unit, as_of=AS_OF):
    return {c.subject.pk: c for c in evaluate(unit, year=2022, as_of=as_of, rule_ids=["branch.quorum"]).cells()}


def test_the_roster_of_each_day_comes_from_the_events(river):
    b = river.branch_b
    jan = roster(b, on=D(2022, 1, 10))
    assert len(jan) == 7 and all(s.voting for s in jan)  # 5 + the leaver + the one who died
    march = roster(b, on=D(2022, 3, 15))
    assert (len(march), sum(s.voting for s in march)) == (6, 5)  # 王预备 is on the roll without a vote
    assert river.leaver.pk not in {s.person_id for s in roster(b, on=D(2022, 2, 15))}  # effective on its date
    assert river.leaver.pk in {s.person_id for s in roster(b, on=D(2022, 2, 14))}
    july = roster(b, on=D(2022, 7, 1))
    assert (len(july), sum(s.voting for s in july)) == (9, 8)
    assert sum(s.voting for s in roster(b, on=D(2022, 8, 1))) == 9
    assert len(roster(river.branch_a, on=D(2022, 6, 30))) == 3 and roster(river.branch_a, on=D(2022, 7, 1)) == []
    assert [p.name for p in committee_roster(b, D(2022, 6, 30))] == ["乙1", "乙2", "乙3"]
    assert len(committee_roster(b, D(2022, 7, 1))) == 5


def test_current_state_follows_the_events(river):
    river.leaver.refresh_from_db()
    assert (river.leaver.party_org_id, river.leaver.party_status) == (None, "none")
    for p in river.a_members:
        p.refresh_from_db()
        assert p.party_org_id == river.branch_b.pk and p.party_status == "member"
    river.probationary.refresh_from_db()
    assert river.probationary.party_status == "probationary" and river.probationary.member_since == D(2022, 2, 1)
    river.branch_b.refresh_from_db()  # the committee of today: the posts held now
    assert river.branch_b.committee_members.count() == 5 and river.branch_b.secretary == river.b_members[0]
    # 转正: recorded once, the status follows
    MembershipEvent.objects.create(person=river.probationary, kind="full", date=D(2023, 2, 1), unit=river.plant_b)
    river.probationary.refresh_from_db()
    assert river.probationary.party_status == "member"


def test_each_meeting_is_judged_against_its_own_days_roster(river):
    m = river.b_members
    general_march = meeting(river.branch_b, "general_meeting", D(2022, 3, 10), m[:3])  # 3 of 5 voting
    general_sept = meeting(river.branch_b, "general_meeting", D(2022, 9, 10), m[:3] + river.a_members[:1])  # 4 of 9
    committee_march = meeting(river.branch_b, "committee_meeting", D(2022, 3, 11), m[:2])  # 2 of 3
    committee_aug = meeting(river.branch_b, "committee_meeting", D(2022, 8, 11), m[:2])  # 2 of 5
    cells = quorum_cells(river.company)
    assert cells[general_march.pk].state == DONE
    assert "应到5人（当日有表决权的正式党员）" in cells[general_march.pk].detail
    assert cells[general_sept.pk].state == LATE and "应到9人" in cells[general_sept.pk].detail
    assert cells[committee_march.pk].state == DONE and "应到3人（当日支部委员）" in cells[committee_march.pk].detail
    assert cells[committee_aug.pk].state == LATE and "应到5人" in cells[committee_aug.pk].detail


def test_a_merged_units_meetings_up_to_its_last_day_are_judged_normally(river):
    last_day = meeting(river.branch_a, "general_meeting", D(2022, 6, 30), river.a_members[:2])
    cell = quorum_cells(river.company)[last_day.pk]
    assert cell.state == DONE and "应到3人" in cell.detail
    meeting(river.branch_a, "themed_day", D(2022, 6, 15))
    ev = evaluate(river.company, year=2022, as_of=AS_OF, rule_ids=["branch.themed_day"])
    a = {c.period.key: c.state for c in ev.cells() if c.subject.pk == river.branch_a.pk}
    assert a["2022-06"] == DONE and a["2022-05"] == LATE and a["2022-07"] == NA and a["2022-12"] == NA


def test_nothing_after_the_as_of_date_counts(river):
    everyone = [s.person_id for s in roster(river.branch_b, on=D(2022, 10, 15))]
    october = meeting(river.branch_b, "general_meeting", D(2022, 10, 15), Person.objects.filter(pk__in=everyone))
    early = D(2022, 9, 5)
    assert quorum_cells(river.company, as_of=early)[october.pk].state == PENDING
    assert quorum_cells(river.company, as_of=D(2022, 10, 16))[october.pk].state == DONE
    ev = evaluate(river.company, year=2022, as_of=early, rule_ids=["branch.general_meeting"])
    q4 = {c.period.key: c for c in ev.cells() if c.subject.pk == river.branch_b.pk}["2022-Q4"]
    assert q4.state == PENDING and q4.count == 0


def test_attendance_with_reasons_and_the_verdict_before_saving(river):
    day = D(2022, 7, 20)
    expected = expected_people(river.branch_b, "general_meeting", day)
    assert len(expected) == 8 and river.probationary not in expected
    assert preview(river.branch_b, "general_meeting", day, present=4)["ok"] is False
    told = preview(river.branch_b, "general_meeting", day, present=5)
    assert told["ok"] and told["message"] == "应到8人（当日有表决权的正式党员），实到5人，超过半数，检查将判为符合。"
    assert "至少需5人" in preview(river.branch_b, "general_meeting", day, present=4)["message"]
    a = meeting(river.branch_b, "general_meeting", day)  # no attendee list: attendance rows decide
    for i, p in enumerate(expected):
        status, reason = ("present", "") if i < 5 else ("absent", ["duty", "sick", "personal"][i - 5])
        Attendance.objects.create(activity=a, person=p, status=status, reason=reason, unit=a.unit)
    Attendance.objects.create(activity=a, person=river.probationary, status="sat_in", unit=a.unit)
    cell = quorum_cells(river.company)[a.pk]
    assert cell.state == DONE and cell.detail.startswith("2022年7月20日实到5人，应到8人")


def test_coverage_counts_only_the_days_someone_was_a_member(river):
    ev = evaluate(river.company, year=2022, as_of=AS_OF, rule_ids=["branch.heart_talk"])
    owed = {c.subject.pk for c in ev.cells() if c.state != NA}
    assert set(p.pk for p in river.b_members) <= owed
    assert river.leaver.pk not in owed and river.newcomer.pk not in owed and river.dead.pk not in owed


def test_existing_rolls_become_events_once(river):
    old = Person.objects.create(code="HC9999", name="老党员", gender="male", unit=river.plant_b,
                                party_org=river.branch_b, party_status="member", member_since=D(2001, 7, 1))
    assert old.pk in {s.person_id for s in roster(river.branch_b, on=D(2022, 3, 1))}  # counted before backfill
    backfill_live()
    assert backfill_live() == (0, 0)
    ev = MembershipEvent.objects.get(person=old)
    assert (ev.kind, ev.date, ev.party_org) == ("enrolled", D(2001, 7, 1), river.branch_b)
    assert old.pk in {s.person_id for s in roster(river.branch_b, on=D(2022, 3, 1))}


def test_events_import_from_excel(river, tmp_path):
    from lvzhi.imports.importer import run_import
    from lvzhi.org.scoping import Scope
    from lvzhi.records import registry

    rt = registry.get("membership_event")
    headers = [rt.header(c) for c in rt.columns]
    p = river.b_members[4]
    row = {"person": p.code, "kind": "组织关系转接", "date": "2022-11-01", "party_org": "", "from_org": "ZB-HC-B",
           "counterpart": "中共某省能源集团委员会", "letter_number": "河组〔2022〕21号", "status": "", "notes": ""}
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    wb.active.append([row[c.field] for c in rt.columns])
    path = tmp_path / "events.xlsx"
    wb.save(path)
    result = run_import(rt, path, actor="测试", scope=Scope.everything("测试"))
    assert result.ok, [e.message for e in result.errors]
    p.refresh_from_db()
    assert p.party_org_id is None
    assert p.pk in {s.person_id for s in roster(river.branch_b, on=D(2022, 10, 31))}
    assert p.pk not in {s.person_id for s in roster(river.branch_b, on=D(2022, 11, 1))}
