"""A second company, unlike the demo: 河川电力 (HC) — two plants, the first merged into the second on 30 June 2022
(its last day), members admitted, transferred in from both plants and from outside, one transferred out, one dead.

HC 河川电力有限公司 (tracked from 2021) ├ HC-A 甲电厂 (撤销日期 2022-06-30, last day) — branch ZB-A
                                       └ HC-B 乙电厂 — branch ZB-B (支委会 of 3 until 30 June, of 5 from 1 July)
ZB-B: 5 full members since 2015, plus 孙转出 (transferred out to an outside committee 2022-02-15) and 周故 (died
2022-02-20); 王预备 admitted 2022-02-01 (probationary, no vote); the three of ZB-A from 1 July; 李转入 from outside
on 1 August. Full members with a vote: 7 in January, 5 from 20 February, 8 from 1 July, 9 from 1 August.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count

from lvzhi.membership.models import MembershipEvent, OrgPost
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.partybuilding.models import BranchActivity

D = dt.date
_seq = count(1)


def add_unit(parent, code, name, **fields) -> Unit:
    node = Unit(code=code, name=name, **fields)
    return Unit.objects.add_root(instance=node) if parent is None else Unit.objects.add_child(parent, instance=node)


def person(unit: Unit, name: str) -> Person:
    """A person entered with no Party status: their Party life comes from events only."""
    return Person.objects.create(code=f"HC{next(_seq):04d}", name=name, gender="female", unit=unit)


def event(p: Person, kind: str, day, org=None, **fields) -> MembershipEvent:
    ev = MembershipEvent(person=p, kind=kind, date=day, party_org=org, **fields)
    ev.fill_derived()
    ev.full_clean()
    ev.save()
    return ev


def post(org, p, role, start=None, end=None) -> OrgPost:
    x = OrgPost(party_org=org, person=p, role=role, start_on=start, end_on=end)
    x.fill_derived()
    x.save()
    return x


def meeting(org, kind, day, attendees=(), expected=None) -> BranchActivity:
    a = BranchActivity(party_org=org, kind=kind, date=day, title=f"{kind} {day}", expected_count=expected)
    a.fill_derived()
    a.save()
    a.attendees.set(attendees)
    return a


@dataclass
class River:
    company: Unit
    plant_a: Unit
    plant_b: Unit
    committee: PartyOrg
    branch_a: PartyOrg
    branch_b: PartyOrg
    b_members: list[Person]  # the five full members of ZB-B since 2015
    a_members: list[Person]  # the three of ZB-A, moved to ZB-B on 1 July
    probationary: Person
    leaver: Person  # transferred out 2022-02-15
    dead: Person  # died 2022-02-20
    newcomer: Person  # transferred in from outside 2022-08-01


def build() -> River:
    comp = add_unit(None, "HC", "河川电力有限公司", kind="company", tracked_since=D(2021, 1, 1))
    plant_a = add_unit(comp, "HC-A", "甲电厂", kind="plant", dissolved_on=D(2022, 6, 30))
    plant_b = add_unit(comp, "HC-B", "乙电厂", kind="plant")
    comp, plant_a, plant_b = (Unit.objects.get(pk=u.pk) for u in (comp, plant_a, plant_b))
    committee = PartyOrg.objects.create(code="DW-HC", name="中共河川电力有限公司委员会", kind="committee", unit=comp)
    branch_a = PartyOrg.objects.create(code="ZB-HC-A", name="甲电厂党支部", kind="branch", unit=plant_a,
                                       parent=committee, dissolved_on=D(2022, 6, 30))
    branch_b = PartyOrg.objects.create(code="ZB-HC-B", name="乙电厂党支部", kind="branch", unit=plant_b,
                                       parent=committee)
    b_members = [person(plant_b, f"乙{i}") for i in range(1, 6)]
    for p in b_members:
        event(p, "admitted", D(2014, 3, 1), branch_b)
        event(p, "full", D(2015, 3, 1))
    a_members = [person(plant_a, f"甲{i}") for i in range(1, 4)]
    for p in a_members:
        event(p, "enrolled", None, branch_a)  # on the roll before records began
        event(p, "transfer", D(2022, 7, 1), branch_b, from_org=branch_a, letter_number=f"河组〔2022〕{p.pk}号")
    leaver, dead = person(plant_b, "孙转出"), person(plant_b, "周故")
    for p in (leaver, dead):
        event(p, "enrolled", D(2012, 7, 1), branch_b)
    event(leaver, "transfer", D(2022, 2, 15), None, from_org=branch_b, counterpart="中共某省电网公司委员会",
          letter_number="河组〔2022〕3号")
    event(dead, "died", D(2022, 2, 20))
    probationary = person(plant_b, "王预备")
    event(probationary, "admitted", D(2022, 2, 1), branch_b)
    newcomer = person(plant_b, "李转入")
    event(newcomer, "transfer", D(2022, 8, 1), branch_b, counterpart="中共某市供电公司委员会",
          letter_number="外组〔2022〕8号")
    for p, role in zip(b_members[:3], ("secretary", "member", "member"), strict=False):
        post(branch_b, p, role, D(2019, 7, 1), D(2022, 6, 30))
    for p, role in zip(b_members[:2] + a_members, ("secretary", "member", "member", "member", "member"), strict=False):
        post(branch_b, p, role, D(2022, 7, 1))
    return River(comp, plant_a, plant_b, committee, branch_a, branch_b, b_members, a_members, probationary, leaver,
                 dead, newcomer)
