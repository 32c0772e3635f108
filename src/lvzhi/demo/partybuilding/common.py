"""What the demo's record sections share: bulk creation with audit changes, the working calendar, and who
was where on a given day (read from the org section's rows and the people plan)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db import models

from lvzhi.audit.models import AuditAction
from lvzhi.audit.services import Change, snapshot
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.records.services import fill_derived

from .. import story
from ..people import plan

YEARS = story.PB_YEARS


def bulk(model: type[models.Model], objs: list, m2m: dict[str, list[list[int]]] | None = None) -> list[Change]:
    """Insert ``objs`` (and, per many-to-many field, one id list per object) in bulk; one audit change each."""
    m2m = m2m or {}
    for obj in objs:
        fill_derived(obj)
    model.objects.bulk_create(objs, batch_size=500)
    for name, lists in m2m.items():
        f = model._meta.get_field(name)
        through = f.remote_field.through
        src, dst = f"{f.m2m_field_name()}_id", f"{f.m2m_reverse_field_name()}_id"
        rows = [through(**{src: obj.pk, dst: pk}) for obj, pks in zip(objs, lists, strict=False) for pk in pks]
        through.objects.bulk_create(rows, batch_size=5000)
    return [Change(AuditAction.CREATE, obj, after=snapshot(obj, {n: lists[i] for n, lists in m2m.items()}),
                   unit_id=obj.unit_id) for i, obj in enumerate(objs)]


# --- calendar: statutory holidays and the weekend days worked instead
def _days(table: dict[int, list[str]]) -> set[dt.date]:
    return {dt.date(year, int(s[:2]), int(s[3:])) for year, days in table.items() for s in days}


HOLIDAYS = _days(story.HOLIDAYS)
WEEKEND_WORKDAYS = _days(story.WEEKEND_WORKDAYS)


def on(year: int, mmdd: str) -> dt.date:
    return dt.date(year, int(mmdd[:2]), int(mmdd[3:]))


def is_workday(day: dt.date) -> bool:
    return day in WEEKEND_WORKDAYS or (day.weekday() < 5 and day not in HOLIDAYS)


def workdays(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)
            if is_workday(first + dt.timedelta(days=i))]


def month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)


def pick_workday(rng: random.Random, first: dt.date, last: dt.date, avoid: set | None = None) -> dt.date:
    """A working day in [first, last] (not in ``avoid`` when possible); ``first`` itself if none is left."""
    days = workdays(first, last)
    free = [d for d in days if not avoid or d not in avoid]
    return rng.choice(free or days or [first])


def day_in_month(rng: random.Random, year: int, month: int, lo: int = 1, hi: int = 31, avoid=None) -> dt.date:
    end = month_end(year, month)
    return pick_workday(rng, dt.date(year, month, min(lo, end.day)), dt.date(year, month, min(hi, end.day)), avoid)


def monday_weeks(year: int) -> list[dt.date]:
    """The Mondays that lie in ``year`` (the compliance weeks: 2022 → 3 Jan … 26 Dec)."""
    day = dt.date(year, 1, 1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    out = []
    while day.year == year:
        out.append(day)
        day += dt.timedelta(days=7)
    return out


# --- who was where
@dataclass
class World:
    company: Unit
    units: dict[str, Unit]
    orgs: dict[str, PartyOrg]
    members: dict[int, list[Person]]  # PartyOrg pk → its current members (Person.party_org)
    committee: dict[int, list[Person]]  # PartyOrg pk → its committee members
    by_code: dict[str, Person]
    secretary: Person
    careers: list = field(default_factory=list)  # (level, start, end, person, post, unit code)

    @classmethod
    def build(cls) -> "World":
        company = Unit.objects.get(code=story.COMPANY["code"])
        units = {u.code: u for u in Unit.objects.filter(company.subtree_q())}
        people = list(Person.objects.filter(company.subtree_q("unit__")).order_by("code"))
        by_code = {p.code: p for p in people}
        orgs = {o.code: o for o in PartyOrg.objects.filter(company.subtree_q("unit__"))
                .select_related("unit", "secretary").prefetch_related("committee_members").order_by("code")}
        members: dict[int, list[Person]] = {}
        for p in people:
            if p.party_org_id and p.left_on is None and p.party_status != "none":
                members.setdefault(p.party_org_id, []).append(p)
        committee = {o.pk: sorted(o.committee_members.all(), key=lambda p: p.code) for o in orgs.values()}
        dw = orgs[f"DW-{company.code}"]
        careers = [(c.level, c.start, c.end, by_code[p.code], c.post, c.unit) for p in plan() for c in p.careers]
        return cls(company, units, orgs, members, committee, by_code, dw.secretary, careers)

    def holders_at(self, level: str, day: dt.date) -> list[Person]:
        """Who held a post of ``level`` on ``day`` (by the plan's careers), in code order."""
        found = {person.pk: person for lv, start, end, person, _, _ in self.careers
                 if lv == level and start <= day and (end is None or end > day)}
        return sorted(found.values(), key=lambda p: p.code)

    def post_since(self, person: Person) -> dt.date | None:
        """When ``person`` took up the post they hold now (None for posts without a recorded appointment)."""
        starts = [start for _, start, end, p, post, _ in self.careers if p.pk == person.pk and end is None]
        return max(starts) if starts else None

    @staticmethod
    def present(person: Person, day: dt.date) -> bool:
        """Employed and a Party member (full or probationary) on ``day``."""
        return (person.member_since is not None and person.member_since <= day
                and (person.joined_on is None or person.joined_on <= day)
                and (person.left_on is None or person.left_on > day))

    def org_units(self, kind: str) -> list[PartyOrg]:
        return [o for o in self.orgs.values() if o.kind == kind]


class Topics:
    """Study titles in date order: a recent event's title first, otherwise the next evergreen theme."""

    def __init__(self, rng: random.Random, year: int, fresh_days: int = 40, reuse: int = 1):
        self.events = [(on(year, d), title) for d, title in story.STUDY_EVENTS[year]]
        self.used = {title: 0 for _, title in self.events}
        self.fresh, self.reuse = dt.timedelta(days=fresh_days), reuse
        self.themes = list(story.STUDY_THEMES)
        rng.shuffle(self.themes)
        self.i = 0

    def next(self, day: dt.date) -> str:
        for start, title in self.events:
            if start <= day <= start + self.fresh and self.used[title] < self.reuse:
                self.used[title] += 1
                return title
        self.i += 1
        return f"学习习近平总书记关于{self.themes[(self.i - 1) % len(self.themes)]}的重要论述"
