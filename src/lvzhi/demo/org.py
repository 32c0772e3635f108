"""Demo section "org": the unit tree, Party organisations, people and one account per role."""

from __future__ import annotations

import random

from lvzhi.audit.actors import DEMO
from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.org.access import grant_seed_role
from lvzhi.org.models import PartyOrg, Person, Role, Unit, User, pinyin_keys

from . import story
from .people import plan

ACTOR = DEMO

ACCOUNTS = [  # username, display name, role, unit code (None: the company), person post to link
    ("admin_demo", "系统管理员", Role.ADMIN, None, None),
    ("shuji", story.SECRETARY_NAME, Role.SECRETARY, None, "党委书记、董事长"),
    ("dangban", "党务干事", Role.ORGANIZER, None, None),
    ("jiwei", story.DISCIPLINE_SECRETARY_NAME, Role.DISCIPLINE, None, "纪委书记"),
    ("xuanchuan", "宣传干事", Role.PROPAGANDA, None, None),
    ("zhibu", "支部书记", Role.BRANCH_SECRETARY, f"{story.COMPANY['code']}-{story.CONTACT_PLANT}-W01", None),
    ("chakan", "只读用户", Role.READONLY, None, None),
]


def _add(parent: Unit | None, **fields) -> Unit:
    node = Unit(**fields)
    return Unit.objects.add_root(instance=node) if parent is None else Unit.objects.add_child(parent, instance=node)


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 1)
    changes: list[Change] = []

    # --- units
    group = _add(None, code=story.GROUP["code"], name=story.GROUP["name"], kind="group", category="organ")
    company = _add(group, code=story.COMPANY["code"], name=story.COMPANY["name"], kind="company", category="organ",
                   tracked_since=story.TRACKED_SINCE)
    units = {group.code: group, company.code: company}
    for s in story.SIBLINGS:
        units[s["code"]] = _add(group, code=s["code"], name=s["name"], kind="company", category="organ")
    for code, name in story.DEPARTMENTS:
        u = _add(company, code=f"{company.code}-{code}", name=name, kind="department", category="organ")
        units[u.code] = u
    for code, name, workshops, started in story.PLANTS:
        plant = _add(company, code=f"{company.code}-{code}", name=name, kind="plant", category="grassroots",
                     established_on=f"{started}-06-01")
        units[plant.code] = plant
        for w, wname in enumerate(workshops, start=1):
            u = _add(plant, code=f"{plant.code}-W{w:02d}", name=wname, kind="workshop", category="grassroots",
                     established_on=f"{started}-06-01")
            units[u.code] = u
    for u in Unit.objects.all():
        changes.append(Change(AuditAction.CREATE, u, after=snapshot(u, {}), unit_id=u.pk))

    # --- people
    people_plan = plan()
    people = []
    for p in people_plan:
        full, initials = pinyin_keys(p.name)
        people.append(Person(
            code=p.code, name=p.name, gender=p.gender, birth_date=p.birth, education=p.education, degree=p.degree,
            school=p.school, double_first_class=p.double_first_class, major=p.major, unit=units[p.unit], post=p.post,
            cadre_level=p.cadre_level if p.left_on is None else "none", is_key_post=p.is_key_post,
            is_reserve_cadre=p.reserve_since is not None, party_status=p.party_status, member_since=p.member_since,
            joined_on=p.joined_on, left_on=p.left_on, pinyin=full, pinyin_initials=initials,
        ))
    Person.objects.bulk_create(people, batch_size=1000)
    people = list(Person.objects.select_related("unit").order_by("code"))
    by_unit: dict[str, list[Person]] = {}
    for person in people:
        by_unit.setdefault(person.unit.code, []).append(person)

    # --- Party organisations: group and company committees, a general branch per plant with an office branch
    #     and one branch per workshop, one branch per organ department; Party groups in large branches.
    orgs: list[PartyOrg] = []
    members: dict[str, list[Person]] = {}

    def org(code, name, kind, unit, parent=None, people_in=()):
        o = PartyOrg.objects.create(code=code, name=name, kind=kind, unit=unit, parent=parent)
        orgs.append(o)
        members[code] = [p for p in people_in if p.party_status != "none" and p.left_on is None]
        return o

    org(f"DW-{group.code}", f"{group.name}委员会", "committee", group)
    committee = org(f"DW-{company.code}", f"中共{company.name}委员会", "committee", company)
    for s in story.SIBLINGS:
        org(f"DW-{s['code']}", f"中共{s['name']}委员会", "committee", units[s["code"]], parent=orgs[0])
    leaders = by_unit.get(company.code, [])
    for code, name in story.DEPARTMENTS:
        unit = units[f"{company.code}-{code}"]
        inside = by_unit.get(unit.code, []) + (leaders if code == "D01" else [])
        org(f"ZB-{unit.code}", f"{name.split('（')[0]}党支部", "branch", unit, committee, inside)
    for code, name, workshops, _ in story.PLANTS:
        plant = units[f"{company.code}-{code}"]
        general = org(f"ZZ-{plant.code}", f"{name}党总支", "general_branch", plant, committee)
        org(f"ZB-{plant.code}-JG", f"{name}机关党支部", "branch", plant, general, by_unit.get(plant.code, []))
        for w, wname in enumerate(workshops, start=1):
            unit = units[f"{plant.code}-W{w:02d}"]
            org(f"ZB-{unit.code}", f"{name}{wname}党支部", "branch", unit, general, by_unit.get(unit.code, []))

    # secretaries and committees
    secretary = next(p for p in leaders if p.post.startswith("党委书记"))
    committee.secretary = secretary
    committee.save(update_fields=["secretary"])
    committee.committee_members.set([p for p in leaders if p.left_on is None][:7])
    groups = []
    for o in orgs:
        inside = members.get(o.code, [])
        if o.kind == "general_branch":
            head = next((p for p in by_unit.get(o.unit.code, []) if p.post == "党总支书记" and p.left_on is None), None)
            o.secretary = head
            o.save(update_fields=["secretary"])
            continue
        if o.kind != "branch" or not inside:
            continue
        head = next((p for p in inside if p.post in ("车间主任", "部长", "党总支副书记、工会主席")), inside[0])
        o.secretary = head
        o.save(update_fields=["secretary"])
        full = [p for p in inside if p.party_status == "member"]
        if len(full) >= 7:
            others = [p for p in full if p.pk != head.pk]
            o.committee_members.set([head, *rng.sample(others, 4 if len(full) >= 30 else 2)])
        for p in inside:
            p.party_org = o
        if len(inside) > 30:
            for g in range(1, 3 if len(inside) < 45 else 4):
                groups.append(PartyOrg(code=f"{o.code}-XZ{g}", name=f"{o.name}第{g}党小组", kind="group",
                                       unit=o.unit, parent=o, secretary=rng.choice(inside)))
    PartyOrg.objects.bulk_create(groups)
    Person.objects.bulk_update([p for p in people if p.party_org_id], ["party_org"], batch_size=1000)
    for o in PartyOrg.objects.prefetch_related("committee_members"):
        changes.append(Change(AuditAction.CREATE, o, after=snapshot(o, {"committee_members": list(o.committee_members.all())}),
                              unit_id=o.unit_id))
    for person in people:
        changes.append(Change(AuditAction.CREATE, person, after=snapshot(person, {}), unit_id=person.unit_id))

    # --- accounts
    # Confidential roles go through a request by the administrator and a second person's approval, as they would
    # on a real installation (org.access): the first 党委书记 is approved by the operator, the 纪委书记 by the 党委书记.
    post_holder = {p.post: p for p in leaders if p.left_on is None}
    admin = None
    for username, display, role, unit_code, post in ACCOUNTS:
        user = User(username=username, first_name=display, person=post_holder.get(post) if post else None,
                    is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN)
        user.set_password(password)
        user.save()
        changes.append(Change(AuditAction.CREATE, user, after={"username": username, "role": role}))
        grant_seed_role(user, units[unit_code or company.code], role, actor=ACTOR, requester=admin)
        admin = admin or (user if role == Role.ADMIN else None)
    return changes
