"""Synthetic organisation: the unit tree, Party organisations and people of a scenario, with realistic shapes.

Everything is drawn from one ``random.Random(seed)``, so the same scenario and seed give the same rows.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

from lvzhi.org.models import PartyOrg, Person, Unit

from . import scenarios as sp
from . import words
from .writer import Writer

PLACES = ["江北", "临港", "滨海", "东岳", "西山", "南湖", "北源", "青峰", "金川", "长河", "丰泽", "安澜", "云岭", "海岳",
          "嘉禾", "平川", "石门", "白鹭", "红星", "远航"]
INDUSTRIES = ["石化", "化肥", "氯碱", "新材料", "精细化工", "化工物流", "热电", "化工装备", "煤化工", "盐化工", "氟化工", "农化"]
PLANT_NAMES = words.PLANT_NAMES
DEPARTMENT_NAMES = words.DEPARTMENT_NAMES
LEADER_POSTS = ["党委书记、董事长", "党委副书记、总经理", "党委副书记、工会主席", "纪委书记", "副总经理", "副总经理",
                "总会计师", "总工程师"]


@dataclass
class UnitRow:
    pk: int
    code: str
    name: str
    kind: str
    path: str
    company: "Company | None" = None  # the company this unit belongs to (itself for a company)


@dataclass
class Branch:
    pk: int
    unit_id: int
    company: "Company"
    organ: bool
    members: list[int] = field(default_factory=list)  # person ids (full and probationary)
    full: list[int] = field(default_factory=list)
    committee: list[int] = field(default_factory=list)
    secretary: int | None = None
    groups: list[int] = field(default_factory=list)  # Party group ids
    non_members: list[int] = field(default_factory=list)  # people of the branch's unit outside the Party
    probationary: list[int] = field(default_factory=list)  # members generated as 预备党员


@dataclass
class Company:
    unit: UnitRow
    committee_id: int = 0
    leaders: list[int] = field(default_factory=list)
    plants: list[UnitRow] = field(default_factory=list)
    departments: list[UnitRow] = field(default_factory=list)
    branches: list[Branch] = field(default_factory=list)
    cadres: list[int] = field(default_factory=list)  # middle cadres and key posts of the whole company
    new_cadres: list[tuple[int, int, dt.date]] = field(default_factory=list)  # (person, unit, appointed on) in the years
    contact_point: int | None = None  # the secretary's contact point
    contact_plant: UnitRow | None = None  # … and the plant it follows
    channel: int | None = None  # the company's media channel


@dataclass
class Org:
    top: UnitRow
    units: list[UnitRow]
    companies: list[Company]
    branches: list[Branch]
    general_branches: list[tuple[int, int, int | None]]  # (id, unit id, secretary)
    people: int = 0
    members: int = 0


_PY: dict[str, tuple[str, str]] = {}


def pinyin_of(name: str) -> tuple[str, str]:
    """Pinyin keys from per-character readings (cached): the names are drawn from ~500 characters."""
    full, initials = [], []
    for ch in name:
        if ch not in _PY:
            syl = lazy_pinyin(ch, errors="ignore")
            ini = lazy_pinyin(ch, style=Style.FIRST_LETTER, errors="ignore")
            _PY[ch] = ("".join(syl).lower(), "".join(ini).lower())
        a, b = _PY[ch]
        full.append(a)
        initials.append(b)
    return "".join(full), "".join(initials)


def _blocks(n_items: int, n_owners: int) -> list[int]:
    """Owner index of each item, in contiguous, near-equal blocks."""
    return [i * n_owners // n_items for i in range(n_items)] if n_owners else []


def build(sc: sp.Scenario, w: Writer, rng: random.Random, first_year: int, last_year: int) -> Org:
    top_model = Unit(code=sc.code, name=sc.name, kind="company" if sc.top_is_company else "group", category="organ",
                     established_on=dt.date(1990, 1, 1), tracked_since=dt.date(first_year, 1, 1))
    top_obj = Unit.objects.add_root(instance=top_model)
    top = UnitRow(top_obj.pk, top_obj.code, top_obj.name, top_obj.kind, top_obj.path)
    units, child_count = _units(sc, w, rng, top)
    companies = [u.company for u in units if u.company is not None and u.company.unit is u]
    Unit.objects.filter(pk=top.pk).update(numchild=child_count.get(top.path, 0))
    org = Org(top, units, companies, [], [])
    _party_orgs(sc, w, rng, org)
    _people(sc, w, rng, org, first_year, last_year)
    return org


# --- units ------------------------------------------------------------------------------------------------

def _units(sc, w, rng, top: UnitRow):
    t = w.table(Unit)
    units: list[UnitRow] = [top]
    top.company = Company(top)
    level = [top]
    children: dict[str, list[tuple[str, dict]]] = {}
    for depth, count in enumerate(sc.companies, start=1):
        owners = _blocks(count, len(level))
        nxt = []
        for i in range(count):
            parent = level[owners[i]]
            code = f"{sc.code}-C{depth}{i + 1:04d}"
            name = f"{PLACES[i % len(PLACES)]}{INDUSTRIES[(i // len(PLACES) + depth) % len(INDUSTRIES)]}有限公司" \
                if depth == 1 else f"{PLACES[(i * 7) % len(PLACES)]}{INDUSTRIES[i % len(INDUSTRIES)]}第{i + 1}分公司"
            row = UnitRow(0, code, name, "company", "")
            row.company = Company(row)
            children.setdefault(parent.code, []).append((code, {"row": row, "parent": parent}))
            nxt.append(row)
        level = nxt
    owners = _blocks(sc.leaves, len(level))
    per_company: dict[int, int] = {}
    for i in range(sc.leaves):
        per_company[owners[i]] = per_company.get(owners[i], 0) + 1
    seen: dict[int, int] = {}
    for i in range(sc.leaves):
        ci = owners[i]
        k = seen.get(ci, 0)
        seen[ci] = k + 1
        company = level[ci]
        n_depts = max(1, round(per_company[ci] * (1 - sp.PLANT_SHARE)))
        if k < n_depts:
            code, kind = f"{company.code}-D{k + 1:02d}", "department"
            name = DEPARTMENT_NAMES[k % len(DEPARTMENT_NAMES)]
        else:
            code, kind = f"{company.code}-P{k - n_depts + 1:02d}", "plant"
            name = PLANT_NAMES[(k - n_depts + ci) % len(PLANT_NAMES)]
        owner = company.company
        assert owner is not None  # every company row carries its Company
        row = UnitRow(0, code, name, kind, "", owner)
        (owner.departments if kind == "department" else owner.plants).append(row)
        children.setdefault(company.code, []).append((code, {"row": row, "parent": company}))
    # Paths in code order among siblings (Unit.node_order_by = code), breadth first so parents come first.
    child_count: dict[str, int] = {}
    queue = [top]
    while queue:
        parent = queue.pop(0)
        kids = sorted(children.get(parent.code, []), key=lambda kv: kv[0])
        child_count[parent.path] = len(kids)
        for step, (_, item) in enumerate(kids, start=1):
            row = item["row"]
            row.path = Unit._get_path(parent.path, len(parent.path) // Unit.steplen + 1, step)
            units.append(row)
            queue.append(row)
    for row in units[1:]:
        grassroots = row.kind == "plant"
        established = dt.date(1985 + (len(row.code) * 7 + row.path.count("0")) % 30, 6, 1)
        row.pk = t.add(path=row.path, depth=len(row.path) // Unit.steplen, numchild=0, code=row.code, name=row.name,
                       kind=row.kind, category="grassroots" if grassroots else "organ", established_on=established,
                       dissolved_on=None, tracked_since=None, version=1)
    # numchild is written afterwards in one statement per distinct count (treebeard reads it for tree pages)
    w.after.append(("numchild", {r.pk: child_count.get(r.path, 0) for r in units[1:] if child_count.get(r.path)}))
    return units, child_count


# --- Party organisations -----------------------------------------------------------------------------------

def _party_orgs(sc, w, rng, org: Org) -> None:
    t = w.table(PartyOrg)
    est = dt.date(2000, 1, 1)
    parent_committee: dict[str, int] = {}
    for c in org.companies:  # companies come in tree order: a parent's committee exists before its children's
        parent_code = next((u.code for u in org.units if c.unit.path.startswith(u.path) and u.kind in ("company", "group")
                            and len(u.path) == len(c.unit.path) - Unit.steplen), None)
        c.committee_id = t.add(code=f"DW-{c.unit.code}", name=f"中共{c.unit.name}委员会", kind="committee",
                               unit_id=c.unit.pk, parent_id=parent_committee.get(parent_code) if parent_code else None, secretary_id=None,
                               established_on=est, dissolved_on=None, version=1)
        parent_committee[c.unit.code] = c.committee_id
    # Branches: one per department; companies without departments get an office branch for their leaders;
    # the rest spread over the plants.
    slots: list[tuple[Company, UnitRow, bool]] = []
    for c in org.companies:
        if c.departments:
            slots += [(c, d, True) for d in c.departments]
        else:
            slots.append((c, c.unit, True))
    plants = [(c, p) for c in org.companies for p in c.plants]
    remaining = max(0, sc.branches - len(slots))
    general: dict[int, int] = {}
    for c, p in plants:
        general[p.pk] = t.add(code=f"ZZ-{p.code}", name=f"{p.name}党总支", kind="general_branch", unit_id=p.pk,
                              parent_id=c.committee_id, secretary_id=None, established_on=est, dissolved_on=None,
                              version=1)
        org.general_branches.append((general[p.pk], p.pk, None))
    owners = _blocks(remaining, len(plants))
    for i in range(remaining):
        c, p = plants[owners[i]]
        slots.append((c, p, False))
    for n, (c, u, organ) in enumerate(slots, start=1):
        parent = c.committee_id if organ else general[u.pk]
        name = f"{u.name}党支部" if organ else f"{u.name}第{n}党支部"
        pk = t.add(code=f"ZB-{u.code}-{n:05d}", name=name, kind="branch", unit_id=u.pk, parent_id=parent,
                   secretary_id=None, established_on=est, dissolved_on=None, version=1)
        b = Branch(pk, u.pk, c, organ)
        c.branches.append(b)
        org.branches.append(b)


# --- people ------------------------------------------------------------------------------------------------

def _name(rng) -> str:
    given = rng.choice(words.GIVEN_CHARS) + (rng.choice(words.GIVEN_CHARS) if rng.random() < 0.7 else "")
    return rng.choice(words.SURNAMES) + given


def _people(sc, w, rng, org: Org, first_year: int, last_year: int) -> None:
    t = w.table(Person)
    # Branch sizes: uneven (a few tiny and a few oversized ones, which the structure check reports), summing to
    # the scenario's members.
    weights = [rng.uniform(0.25, 1.75) for _ in org.branches]
    scale = sc.members / sum(weights)
    sizes = [max(2, round(x * scale)) for x in weights]
    counter = [0]
    probationary: set[int] = set()

    def person(unit_id, *, member: bool, org_id=None, level="none", post="", key=False, born=(1962, 2002)) -> int:
        counter[0] += 1
        name = _name(rng)
        full, initials = pinyin_of(name)
        year = rng.randint(*born)
        birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        edu = rng.choices(["doctorate", "postgraduate", "bachelor", "college", "secondary"], [2, 12, 46, 25, 15])[0]
        school_dfc = edu in ("doctorate", "postgraduate") or rng.random() < 0.15
        status = ("probationary" if rng.random() < 0.06 else "member") if member else "none"
        joined = dt.date(min(year + 22, first_year - 1), rng.randint(1, 12), 1)
        pid = t.add(
            code=f"{sc.code}{counter[0]:07d}", name=name, gender="female" if rng.random() < 0.3 else "male",
            birth_date=birth, education=edu, degree={"doctorate": "doctor", "postgraduate": "master",
                                                     "bachelor": "bachelor"}.get(edu, "none"),
            school=rng.choice(words.DOUBLE_FIRST_CLASS_SCHOOLS if school_dfc else words.OTHER_SCHOOLS),
            double_first_class=school_dfc, major=rng.choice(words.MAJORS), unit_id=unit_id,
            post=post, cadre_level=level, is_key_post=key, is_reserve_cadre=False, party_status=status,
            member_since=dt.date(min(year + 25, first_year - 1), 7, 1) if member else None, party_org_id=org_id,
            joined_on=joined, left_on=None, pinyin=full, pinyin_initials=initials, version=1)
        if status == "probationary":
            probationary.add(pid)
        return pid

    appointments = w.table(_appointment_model(), "干部任免（期初在任）")
    span = (last_year - first_year + 1) * 365
    for c in org.companies:
        office = c.branches[0] if c.branches else None
        for post in LEADER_POSTS[:sp.LEADERSHIP_PER_COMPANY]:
            pid = person(c.unit.pk, member=True, org_id=office.pk if office else None, level="leadership", post=post,
                         born=(1963, 1985))
            c.leaders.append(pid)
            if office:
                office.members.append(pid)
                office.full.append(pid)
            appointments.add(person_id=pid, unit_id=c.unit.pk, post=post, level="leadership", kind="promotion",
                             date=dt.date(first_year - rng.randint(2, 8), rng.randint(1, 12), 1), ended_on=None,
                             document="", created_at=w.created_at, updated_at=w.created_at, created_by_id=None)
    for b, size in zip(org.branches, sizes, strict=False):
        for _ in range(size):
            r = rng.random()
            level, key, post = "none", False, "职工"
            if r < sp.MIDDLE_CADRE_SHARE:
                level, post = "middle", rng.choice(["车间主任", "部长", "副部长", "副厂长", "科长"])
            elif r < sp.MIDDLE_CADRE_SHARE + sp.KEY_POST_SHARE:
                key, post = True, rng.choice(["会计", "出纳", "采购员", "仓库管理员", "招标专员"])
            pid = person(b.unit_id, member=True, org_id=b.pk, level=level, post=post, key=key)
            b.members.append(pid)
            if pid in probationary:
                b.probationary.append(pid)
            if level != "none" or key:
                b.company.cadres.append(pid)
            if level == "middle":
                # most middle cadres were appointed before the generated years; some in them (new cadres)
                if rng.random() < 0.12:
                    day = dt.date(first_year, 1, 1) + dt.timedelta(days=rng.randrange(span))
                    b.company.new_cadres.append((pid, b.unit_id, day))
                else:
                    day = dt.date(first_year - rng.randint(1, 10), rng.randint(1, 12), 1)
                appointments.add(person_id=pid, unit_id=b.unit_id, post=post, level="middle", kind="promotion",
                                 date=day, ended_on=None, document="", created_at=w.created_at,
                                 updated_at=w.created_at, created_by_id=None)
        b.full = [p for p in b.members]  # probationary share is small; the quorum check reads statuses itself
        for _ in range(round(size * sp.NON_MEMBER_SHARE)):
            b.non_members.append(person(b.unit_id, member=False))
    org.people = counter[0]
    org.members = sum(sizes) + len(org.companies) * sp.LEADERSHIP_PER_COMPANY
    _officers(w, rng, org)


def _appointment_model():
    from lvzhi.cadres.models import Appointment

    return Appointment


def _officers(w, rng, org: Org) -> None:
    """Secretaries, branch committees and Party groups (written as updates and new rows after the people)."""
    t = w.table(PartyOrg)
    through = w.table(PartyOrg.committee_members.through, "支部委员")
    secretaries: dict[int, int] = {}
    for c in org.companies:
        if c.leaders:
            secretaries[c.committee_id] = c.leaders[0]
            for pid in c.leaders[:7]:
                through.add(partyorg_id=c.committee_id, person_id=pid)
    for b in org.branches:
        if not b.members:
            continue
        b.secretary = b.members[0]
        secretaries[b.pk] = b.secretary
        if len(b.full) >= sp.COMMITTEE_FROM:
            b.committee = [b.secretary, *rng.sample(b.full[1:], 4 if len(b.full) >= 30 else 2)]
            for pid in b.committee:
                through.add(partyorg_id=b.pk, person_id=pid)
        if len(b.members) > sp.GROUP_THRESHOLD:
            for g in range(1, 3 if len(b.members) <= 45 else 4):
                b.groups.append(t.add(code=f"XZ-{b.pk}-{g}", name=f"第{g}党小组", kind="group", unit_id=b.unit_id,
                                      parent_id=b.pk, secretary_id=rng.choice(b.members), established_on=None,
                                      dissolved_on=None, version=1))
    by_unit: dict[int, list[Branch]] = {}
    for b in org.branches:
        by_unit.setdefault(b.unit_id, []).append(b)
    for i, (pk, unit_id, _) in enumerate(org.general_branches):
        first = next((b for b in by_unit.get(unit_id, []) if b.members), None)
        if first is not None:
            secretaries[pk] = first.members[-1]
            org.general_branches[i] = (pk, unit_id, first.members[-1])
    w.after.append(("secretary", secretaries))
