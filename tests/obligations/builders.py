"""Small explicit builders for the engine tests: a tiny company of our own, beside the demo company.

测试集团 (TG) → 测试公司 (TC, tracked from 2021-01-01) → 一号厂 (TC-P1, plant) → 一车间 (TC-P1-W1), and 财务部 (TC-D1).
Party orgs: the company committee DW-TC, the workshop branch ZB-TC-P1-W1 (with a 支委会), the department branch
ZB-TC-D1 (without one) and a Party group under the workshop branch.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

from lvzhi.cadres.models import Appointment
from lvzhi.governance.models import MajorMatter, PreReview, PreReviewRule
from lvzhi.integrity.models import Finding, Inspection, IntegrityTalk, Rectification, ResponsibilityLetter
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.partybuilding.models import BranchActivity, CommitteeMeeting, StudySession

D = dt.date
_seq = count(1)


def add_unit(parent: Unit | None, code: str, name: str, **fields) -> Unit:
    node = Unit(code=code, name=name, **fields)
    return Unit.objects.add_root(instance=node) if parent is None else Unit.objects.add_child(parent, instance=node)


def person(unit: Unit, name: str, *, party_org=None, status="member", level="none", key_post=False,
           member_since=D(2010, 1, 1), joined_on=D(2005, 7, 1), left_on=None) -> Person:
    return Person.objects.create(code=f"T{next(_seq):05d}", name=name, gender="male", unit=unit, party_org=party_org,
                                 party_status=status, cadre_level=level, is_key_post=key_post,
                                 member_since=member_since if status != "none" else None, joined_on=joined_on,
                                 left_on=left_on)


@dataclass
class Company:
    group: Unit
    company: Unit
    plant: Unit
    workshop: Unit
    dept: Unit
    committee: PartyOrg
    branch: PartyOrg  # workshop branch, with a 支委会
    dept_branch: PartyOrg  # no 支委会
    group_org: PartyOrg  # 党小组
    secretary: Person
    members: list[Person]  # full members of the workshop branch
    committee_members: list[Person]


def company(tracked_since=D(2021, 1, 1)) -> Company:
    group = add_unit(None, "TG", "测试集团", kind="group", category="organ")
    comp = add_unit(group, "TC", "测试公司", kind="company", category="organ", tracked_since=tracked_since)
    plant = add_unit(comp, "TC-P1", "一号厂", kind="plant", category="grassroots", established_on=D(2000, 1, 1))
    workshop = add_unit(plant, "TC-P1-W1", "一车间", kind="workshop", category="grassroots")
    dept = add_unit(comp, "TC-D1", "财务部", kind="department", category="organ")
    committee = PartyOrg.objects.create(code="DW-TC", name="中共测试公司委员会", kind="committee", unit=comp)
    branch = PartyOrg.objects.create(code="ZB-TC-P1-W1", name="一车间党支部", kind="branch", unit=workshop,
                                     parent=committee)
    dept_branch = PartyOrg.objects.create(code="ZB-TC-D1", name="财务部党支部", kind="branch", unit=dept,
                                          parent=committee)
    group_org = PartyOrg.objects.create(code="ZB-TC-P1-W1-XZ1", name="一车间第1党小组", kind="group", unit=workshop,
                                        parent=branch)
    secretary = person(comp, "赵书记", level="leadership")
    committee.secretary = secretary
    committee.save()
    members = [person(workshop, f"党员{i}", party_org=branch) for i in range(1, 8)]
    branch.secretary = members[0]
    branch.save()
    branch.committee_members.set(members[:3])
    for i in range(1, 4):
        person(dept, f"财务{i}", party_org=dept_branch)
    dept_branch.secretary = Person.objects.get(name="财务1", unit=dept)
    dept_branch.save()
    # Adding sorted siblings moves existing nodes' paths: read the units back before anyone saves them.
    group, comp, plant, workshop, dept = (Unit.objects.get(pk=u.pk) for u in (group, comp, plant, workshop, dept))
    return Company(group, comp, plant, workshop, dept, committee, branch, dept_branch, group_org, secretary, members,
                   members[:3])


# --- records ---------------------------------------------------------------------------------------------

def activity(org: PartyOrg, kind: str, day: dt.date, attendees=(), expected=None, lecturer=None) -> BranchActivity:
    a = BranchActivity(party_org=org, kind=kind, date=day, title=f"{kind} {day}", expected_count=expected,
                       lecturer=lecturer)
    a.fill_derived()
    a.save()
    if attendees:
        a.attendees.set(attendees)
    return a


def monthly(org: PartyOrg, kind: str, year: int, months=range(1, 13), day: int = 15, attendees=()):
    return [activity(org, kind, D(year, m, day), attendees) for m in months]


def study(unit: Unit, kind: str, day: dt.date, meeting=None, party_org=None, is_ideology=False) -> StudySession:
    return StudySession.objects.create(unit=unit, kind=kind, date=day, title=f"{kind} {day}", meeting=meeting,
                                       party_org=party_org, is_ideology=is_ideology)


def committee_meeting(org: PartyOrg, day: dt.date, number: str | None = None) -> CommitteeMeeting:
    m = CommitteeMeeting(party_org=org, number=number or f"{day:%Y}-{next(_seq):03d}", date=day, title=f"{day}党委会")
    m.fill_derived()
    m.save()
    return m


def talk(unit: Unit, kind: str, day: dt.date, people) -> IntegrityTalk:
    t = IntegrityTalk.objects.create(unit=unit, kind=kind, date=day, title=f"{kind} {day}")
    t.people.set(people)
    return t


def appointment(p: Person, unit: Unit, day: dt.date, level="middle", post="副厂长", ended_on=None) -> Appointment:
    return Appointment.objects.create(person=p, unit=unit, post=post, level=level, date=day, ended_on=ended_on)


def pre_review_rule(unit: Unit, threshold="100", matter_type="物资项目采购", date=D(2020, 1, 1)) -> PreReviewRule:
    return PreReviewRule.objects.create(unit=unit, code=f"QZ-{next(_seq)}", matter_type=matter_type, category="funds",
                                        threshold=Decimal(threshold) if threshold is not None else None,
                                        source="测试清单", date=date)


def matter(unit: Unit, day: dt.date, amount="150", matter_type="物资项目采购") -> MajorMatter:
    return MajorMatter.objects.create(unit=unit, number=f"SZYD-{next(_seq):04d}", title=f"采购事项{day}", proposer="采购部",
                                      category="funds", matter_type=matter_type, amount=Decimal(amount),
                                      decision_body="management", date=day)


def pre_review(m: MajorMatter, day: dt.date) -> PreReview:
    r = PreReview(matter=m, date=day)
    r.fill_derived()
    r.save()
    return r


def rectification(unit: Unit, deadline: dt.date, *, status="open", completed_on=None, day=None) -> Rectification:
    day = day or deadline - dt.timedelta(days=30)
    inspection = Inspection.objects.create(unit=unit, kind="safety_production", date=day, title="安全检查")
    finding = Finding(inspection=inspection, description="交接班记录不完整")
    finding.fill_derived()
    finding.save()
    r = Rectification(finding=finding, measures="完善记录", deadline=deadline, status=status, completed_on=completed_on)
    r.fill_derived()
    r.save()
    return r


def letter(unit: Unit, year: int, day: dt.date | None = None) -> ResponsibilityLetter:
    return ResponsibilityLetter.objects.create(unit=unit, year=year, date=day or D(year, 2, 18))
