"""A second organisation for 党支部分类定级, shaped unlike the demo: a port group whose branches sit two levels down
in two companies; one branch with full records, one whose unit is tracked only from October (sparse), one set up
on 1 July (mid-year), one in a unit not tracked at all in 2022; its own scheme with a manual score and a 问责 veto."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lvzhi.appraisal import grading_services
from lvzhi.integrity.models import Accountability
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import BranchActivity

from .builders import add_unit

D = dt.date
EVERYTHING = Scope.everything()
AS_OF = D(2023, 1, 31)


@dataclass
class Port:
    root: Unit
    port: Unit
    logistics: Unit
    full: PartyOrg
    sparse: PartyOrg
    midyear: PartyOrg
    untracked: PartyOrg
    member: Person
    outsider: Person


def _activity(org, kind, day, n=[0]):  # noqa: B006 - a counter for distinct titles
    n[0] += 1
    return BranchActivity.objects.create(party_org=org, unit=org.unit, kind=kind, date=day, title=f"活动{n[0]}")


def _person(unit, code, name, org=None):
    return Person.objects.create(code=code, name=name, gender="male", unit=unit, party_org=org,
                                 party_status="member" if org else "none", member_since=D(2010, 7, 1) if org else None)


def port() -> Port:
    root = add_unit(None, "BJG", "滨江港务集团", kind="company", category="organ", tracked_since=D(2021, 1, 1))
    port_co = add_unit(root, "BJG-GK", "港口公司", kind="company")
    logistics = add_unit(root, "BJG-WL", "物流公司", kind="company")
    root = Unit.objects.get(pk=root.pk)
    port_co = Unit.objects.get(pk=port_co.pk)
    berth1 = add_unit(port_co, "BJG-GK-1", "一号码头", kind="department")
    port_co = Unit.objects.get(pk=port_co.pk)
    berth2 = add_unit(port_co, "BJG-GK-2", "二号码头", kind="department", tracked_since=D(2022, 10, 1))
    port_co = Unit.objects.get(pk=port_co.pk)
    yard = add_unit(port_co, "BJG-GK-3", "新建堆场", kind="department", tracked_since=D(2023, 1, 1))
    committee = PartyOrg.objects.create(code="BJG-DW", name="中共滨江港务集团委员会", kind="committee", unit=root)
    mk = dict(kind="branch", parent=committee)
    full = PartyOrg.objects.create(code="BJG-ZB1", name="一号码头党支部", unit=berth1, **mk)
    sparse = PartyOrg.objects.create(code="BJG-ZB2", name="二号码头党支部", unit=berth2, **mk)
    midyear = PartyOrg.objects.create(code="BJG-ZB3", name="物流公司党支部", unit=logistics,
                                      established_on=D(2022, 7, 1), **mk)
    untracked = PartyOrg.objects.create(code="BJG-ZB4", name="新建堆场党支部", unit=yard, **mk)
    member = _person(berth1, "BJ0001", "滨江甲", full)
    for i in range(2, 6):
        _person(berth1, f"BJ000{i}", f"一号队员{i}", full)
    outsider = _person(berth2, "BJ0100", "滨江群众")
    for q in range(4):  # full: every quarter's 党员大会 and 党课, a 主题党日 every month
        _activity(full, "general_meeting", D(2022, 3 * q + 2, 10))
        _activity(full, "party_lecture", D(2022, 3 * q + 2, 20))
    for m in range(1, 13):
        _activity(full, "themed_day", D(2022, m, 5))
    _activity(sparse, "general_meeting", D(2022, 11, 8))  # sparse: tracked from October
    _activity(sparse, "party_lecture", D(2022, 11, 9))
    _activity(sparse, "themed_day", D(2022, 10, 5))
    _activity(sparse, "themed_day", D(2022, 11, 5))
    for m in (8, 11):  # mid-year: 党员大会 in Q3 and Q4, 党课 only in Q3
        _activity(midyear, "general_meeting", D(2022, m, 3))
    _activity(midyear, "party_lecture", D(2022, 8, 4))
    for m in range(7, 13):
        _activity(midyear, "themed_day", D(2022, m, 6))
    _activity(midyear, "themed_day", D(2022, 6, 6))  # before it existed: not counted
    return Port(root, port_co, logistics, full, sparse, midyear, untracked, member, outsider)


def scheme(world: Port):
    """The group's own 2022 scheme: checks 50, rating 20, 主题党日 against 12 a year 20, manual 10, a 问责 veto."""
    s = grading_services.own_scheme(world.root, 2022, actor="测试", scope=EVERYTHING)
    return grading_services.update_scheme(s, actor="测试", scope=EVERYTHING, version=s.version, name="港务集团定级方案",
                                          levels={"先进": 95, "较好": 85, "一般": 70, "后进": 0}, source="测试依据",
                                          indicators=[
        {"name": "三会一课", "kind": "checks", "weight": "50", "rule_ids": ["branch.general_meeting", "branch.party_lecture"]},
        {"name": "书记测评", "kind": "rating", "weight": "20"},
        {"name": "主题党日", "kind": "records", "weight": "20", "record_type": "branch_activity",
         "record_kind": "themed_day", "target": "12"},
        {"name": "党委评定", "kind": "manual", "weight": "10"},
        {"name": "问责否决", "kind": "veto", "weight": "0", "cap": "一般"},
    ])


def accountability(person, day=D(2022, 9, 1), reason="港务问责保密事由"):
    return Accountability.objects.create(unit=person.unit, person=person, date=day, reason=reason, form="criticism")
