"""A deterministic plan of the demo company's people and cadre careers.

The plan is recomputed from the seed whenever a demo section needs it, so the org section (people) and the
cadres section (appointments, recruitment, reserve pool) always agree without storing anything extra.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import lru_cache

from . import story

PLANT_MIDDLE_POSTS = ["厂长", "党总支书记", "副厂长", "副厂长", "副厂长", "总工程师", "党总支副书记、工会主席",
                      "安全总监", "厂长助理"]
DEPT_MIDDLE_POSTS = ["部长", "副部长", "副部长", "部长助理"]
KEY_POST_DEPTS = {"D07": ("会计", 7), "D08": ("采购员", 8)}  # 人财物关键岗位
CONTACT_PLANT_NEW_POSTS = ("厂长", "副厂长", "总工程师")  # filled in 2022 by post-80s graduate cadres


@dataclass
class Career:
    """One appointment: post, level, unit, effective date, end date (None = still held)."""

    post: str
    level: str  # leadership | middle
    unit: str  # unit code
    start: dt.date
    end: dt.date | None = None


@dataclass
class PersonPlan:
    code: str
    name: str
    gender: str
    birth: dt.date
    education: str
    degree: str
    school: str
    double_first_class: bool
    major: str
    unit: str
    post: str
    cadre_level: str = "none"
    is_key_post: bool = False
    reserve_since: dt.date | None = None
    party_status: str = "none"
    member_since: dt.date | None = None
    party_org: str = ""  # set by the org loader once branches are known
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    careers: list[Career] = field(default_factory=list)


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self) -> str:
        for _ in range(100):
            surname = self.rng.choice(story.SURNAMES)
            given = "".join(self.rng.choice(story.GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2, 2))))
            name = surname + given
            # A few namesakes are realistic (and exercise the ambiguity messages), but not many.
            if name not in self.used or self.rng.random() < 0.01:
                self.used.add(name)
                return name
        return name


def _date(rng: random.Random, year: int, month_from: int = 1, month_to: int = 12) -> dt.date:
    month = rng.randint(month_from, month_to)
    return dt.date(year, month, rng.randint(1, 28))


def _education(rng: random.Random, birth_year: int, cadre: bool) -> tuple[str, str, str, bool, str]:
    roll = rng.random()
    young = birth_year >= 1985
    if cadre and roll < (0.45 if young else 0.2) or roll < 0.08:
        edu, degree = "postgraduate", "master"
    elif roll < (0.85 if cadre else 0.55):
        edu, degree = "bachelor", "bachelor"
    else:
        edu, degree = "college", "none"
    if edu == "college":
        school = rng.choice(story.OTHER_SCHOOLS[-3:])
        dfc = False
    else:
        dfc = rng.random() < (0.45 if young else 0.25)
        school = rng.choice(story.DOUBLE_FIRST_CLASS_SCHOOLS if dfc else story.OTHER_SCHOOLS[:-3])
    major = rng.choice(story.MAJORS_MAIN if rng.random() < 0.55 else story.MAJORS_OTHER)
    return edu, degree, school, dfc, major


@lru_cache(maxsize=1)
def plan() -> tuple[PersonPlan, ...]:
    rng = random.Random(story.SEED)
    names = _Names(rng)
    people: list[PersonPlan] = []
    counter = [0]

    def person(unit: str, post: str, birth_year: int, *, cadre: bool = False, member_p: float = 0.6,
               joined: int | None = None) -> PersonPlan:
        counter[0] += 1
        birth = dt.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))
        edu, degree, school, dfc, major = _education(rng, birth_year, cadre)
        is_member = cadre or rng.random() < member_p
        joined_year = joined or min(story.REPORT_YEAR, birth_year + rng.randint(21, 25))
        p = PersonPlan(
            code=f"P{counter[0]:06d}", name=names.make(), gender="male" if rng.random() < 0.72 else "female",
            birth=birth, education=edu, degree=degree, school=school, double_first_class=dfc, major=major,
            unit=unit, post=post, joined_on=_date(rng, joined_year, 7, 8),
        )
        if is_member:
            since = max(birth_year + 19, joined_year - rng.randint(-2, 6))
            p.party_status = "member" if since <= story.REPORT_YEAR - 1 else "probationary"
            p.member_since = _date(rng, min(since, story.REPORT_YEAR), 1, 11)
        people.append(p)
        return p

    company = story.COMPANY["code"]
    plants = [f"{company}-{code}" for code, *_ in story.PLANTS]
    depts = [f"{company}-{code}" for code, _ in story.DEPARTMENTS]

    # --- leadership team: nine at the end of 2022; two of them (post-80s) promoted from middle posts in 2022,
    #     replacing two who retired at 60 (born 1962).
    for i, (post, year) in enumerate(story.LEADERSHIP_POSTS):
        p = person(company, post, year, cadre=True)
        if i == 0:
            p.name = story.SECRETARY_NAME
        elif i == 3:
            p.name = story.DISCIPLINE_SECRETARY_NAME
        p.cadre_level = "leadership"
        if year >= 1980:  # promoted in 2022 from a middle post they held since 2018
            p.careers.append(Career("副部长" if i == 7 else "副厂长", "middle", depts[4] if i == 7 else plants[6],
                                    dt.date(2018, 3, 1), dt.date(2022, 6, 30)))
            p.careers.append(Career(post, "leadership", company, dt.date(2022, 7, 1)))
            p.education, p.degree = "postgraduate", "master"
        else:
            p.careers.append(Career(post, "leadership", company, _date(rng, rng.randint(2008, 2019))))
    for post in ("副总经理", "党委副书记"):
        p = person(company, post, 1962, cadre=True)
        p.careers.append(Career(post, "leadership", company, dt.date(2012, 5, 1), dt.date(2022, 6, 30)))
        p.left_on = dt.date(2022, 6, 30)
        p.post = f"原{post}（已退休）"

    # --- middle cadres. Each post has a holder at the end of 2022; some holders are new in 2022 (or 2021) and
    #     replaced someone who retired (born 1962 retire in 2022, born 1961 in 2021) or was promoted.
    posts = [(u, post) for u in plants for post in PLANT_MIDDLE_POSTS] + \
            [(u, post) for u in depts for post in DEPT_MIDDLE_POSTS]
    rng.shuffle(posts)
    contact_unit = f"{company}-{story.CONTACT_PLANT}"
    contact_posts = [i for i, (u, post) in enumerate(posts) if u == contact_unit and post in CONTACT_PLANT_NEW_POSTS]
    new_2022 = set(contact_posts) | set(rng.sample([i for i in range(len(posts)) if i not in contact_posts], 15))
    new_2021 = set(rng.sample([i for i in range(len(posts)) if i not in new_2022], 11))
    for i, (unit, post) in enumerate(posts):
        if i in new_2022 or i in new_2021:
            year = 2022 if i in new_2022 else 2021
            # the predecessor
            if i in contact_posts or rng.random() < 0.85:
                old = person(unit, f"原{post}（已退休）", 1962 if year == 2022 else 1961, cadre=True)
                retire = dt.date(old.birth.year + 60, old.birth.month, old.birth.day)
                old.careers.append(Career(post, "middle", unit, _date(rng, rng.randint(2006, 2016)), retire))
                old.left_on = retire
            # the successor: mostly post-80s from the grassroots
            birth_year = rng.randint(1982, 1988) if (i in contact_posts or rng.random() < 0.8) else rng.randint(1975, 1979)
            p = person(unit, post, birth_year, cadre=True)
            start = _date(rng, year, 3, 11)
            if i in contact_posts:
                p.education, p.degree, p.major = "postgraduate", "master", rng.choice(story.MAJORS_MAIN)
                start = dt.date(2022, 3, 15)
            p.careers.append(Career(post, "middle", unit, start))
        else:
            birth_year = rng.choice([rng.randint(1963, 1979)] * 3 + [rng.randint(1980, 1986)])
            p = person(unit, post, birth_year, cadre=True)
            p.careers.append(Career(post, "middle", unit, _date(rng, rng.randint(2008, 2020))))
        p.cadre_level = "middle"

    # --- workshops: a head (grassroots cadre) and a crew each; departments: staff, some in key posts.
    for code, _, workshops, _ in story.PLANTS:
        for w in range(1, len(workshops) + 1):
            unit = f"{company}-{code}-W{w:02d}"
            head = person(unit, "车间主任", rng.randint(1968, 1990), cadre=True)
            head.cadre_level = "grassroots"
            for _ in range(rng.randint(2, 3)):
                lead = person(unit, "工段长", rng.randint(1970, 1992), member_p=0.8)
                lead.is_key_post = rng.random() < 0.3
            for _ in range(rng.randint(40, 52)):
                person(unit, rng.choice(["操作工", "操作工", "操作工", "技术员", "维修工", "化验员"]),
                       rng.randint(1964, 2000), member_p=0.6)
    for code, _ in story.DEPARTMENTS:
        unit = f"{company}-{code}"
        key_post, key_n = KEY_POST_DEPTS.get(code, ("", 0))
        for k in range(rng.randint(10, 14)):
            p = person(unit, key_post if k < key_n else "业务主管", rng.randint(1965, 1998), member_p=0.75)
            p.is_key_post = k < key_n
    # warehouse keepers in the storage plant are key posts too
    for p in people:
        if p.unit.startswith(f"{company}-P10-W03") and p.post == "操作工" and rng.random() < 0.3:
            p.post, p.is_key_post = "仓库保管员", True

    # --- graduates hired in 2021 and 2022 (the recruitment figures)
    for year, n, dfc_share in ((2021, 48, 0.45), (2022, 57, 0.6)):
        for _ in range(n):
            unit = rng.choice([f"{company}-{c}-W{w:02d}" for c, _, ws, _ in story.PLANTS for w in range(1, len(ws) + 1)]
                              + depts[4:])
            p = person(unit, "技术员", year - rng.randint(22, 26), member_p=0.35, joined=year)
            dfc = rng.random() < dfc_share
            p.double_first_class = dfc
            p.school = rng.choice(story.DOUBLE_FIRST_CLASS_SCHOOLS if dfc else story.OTHER_SCHOOLS[:-3])
            if p.education == "college":
                p.education, p.degree = "bachelor", "bachelor"

    # --- reserve cadre pool: 18 entered 2019–2021, two post-90s entered in 2022
    candidates = [p for p in people if p.cadre_level in ("grassroots", "none") and 1984 <= p.birth.year <= 1989
                  and p.education in ("bachelor", "postgraduate") and p.left_on is None]
    for p in rng.sample(candidates, 18):
        p.reserve_since = _date(rng, rng.randint(2019, 2021))
    young = [p for p in people if p.cadre_level == "none" and 1990 <= p.birth.year <= 1993
             and p.education == "postgraduate" and p.left_on is None and p.reserve_since is None]
    for p in rng.sample(young, 2):
        p.reserve_since = dt.date(2022, 9, 20)
    for p in people:
        if p.reserve_since and p.party_status == "none":
            p.party_status, p.member_since = "member", dt.date(p.birth.year + 21, 6, 1)
    return tuple(people)


def middle_cadres_at(day: dt.date) -> list[PersonPlan]:
    """Who held a middle post on ``day`` according to the plan (used to check the demo's own figures)."""
    return [p for p in plan() for c in p.careers
            if c.level == "middle" and c.start <= day and (c.end is None or c.end > day)]
