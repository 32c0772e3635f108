"""A second, different small organisation for the appraisal tests: a research institute (not a company with
plants), its 党委 above a 党总支 with two branches, a branch without a secretary, a branch dissolved mid-year and
one set up after the meeting; tracked only from 1 July 2022 (sparse data)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count

from lvzhi.org.models import PartyOrg, Person, Unit

D = dt.date
_seq = count(1)


def add_unit(parent, code, name, **fields) -> Unit:
    node = Unit(code=code, name=name, **fields)
    return Unit.objects.add_root(instance=node) if parent is None else Unit.objects.add_child(parent, instance=node)


def person(unit, name, org=None) -> Person:
    return Person.objects.create(code=f"YJ{next(_seq):04d}", name=name, gender="female", unit=unit, party_org=org,
                                 party_status="member", member_since=D(2012, 7, 1))


@dataclass
class Institute:
    root: Unit
    lab: Unit
    office: Unit
    committee: PartyOrg
    general: PartyOrg
    lab_branch: PartyOrg
    office_branch: PartyOrg
    orphan: PartyOrg
    dissolved: PartyOrg
    later: PartyOrg
    secretary: Person
    people: dict


def institute() -> Institute:
    root = add_unit(None, "YJY", "海川材料研究院", kind="company", category="organ", tracked_since=D(2022, 7, 1))
    lab = add_unit(root, "YJY-L1", "高分子实验室", kind="department", category="grassroots")
    office = add_unit(root, "YJY-D1", "综合办公室", kind="department", category="organ")
    root, lab, office = (Unit.objects.get(pk=u.pk) for u in (root, lab, office))
    committee = PartyOrg.objects.create(code="YJY-DW", name="中共海川材料研究院委员会", kind="committee", unit=root)
    general = PartyOrg.objects.create(code="YJY-ZZ", name="研究院科研党总支", kind="general_branch", unit=root,
                                      parent=committee)
    lab_branch = PartyOrg.objects.create(code="YJY-ZB1", name="高分子实验室党支部", kind="branch", unit=lab,
                                         parent=general)
    office_branch = PartyOrg.objects.create(code="YJY-ZB2", name="综合办公室党支部", kind="branch", unit=office,
                                            parent=committee)
    orphan = PartyOrg.objects.create(code="YJY-ZB3", name="离退休党支部", kind="branch", unit=office, parent=committee)
    dissolved = PartyOrg.objects.create(code="YJY-ZB4", name="中试基地党支部", kind="branch", unit=lab, parent=general,
                                        dissolved_on=D(2022, 8, 31))
    later = PartyOrg.objects.create(code="YJY-ZB5", name="青年科研党支部", kind="branch", unit=lab, parent=general,
                                    established_on=D(2023, 3, 1))
    people = {n: person(u, n, o) for n, u, o in [
        ("林院长", root, None), ("周总支", root, general), ("许实验", lab, lab_branch), ("韩办公", office, office_branch),
        ("钱中试", lab, dissolved), ("孙青年", lab, later), ("吴组员", lab, lab_branch), ("郑组员", office, office_branch)]}
    for org, name in [(committee, "林院长"), (general, "周总支"), (lab_branch, "许实验"), (office_branch, "韩办公"),
                      (dissolved, "钱中试"), (later, "孙青年")]:
        org.secretary = people[name]
        org.save()
    return Institute(root, lab, office, committee, general, lab_branch, office_branch, orphan, dissolved, later,
                     people["林院长"], people)
