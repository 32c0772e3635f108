"""Demo section "cadres": every career in the people plan as an appointment, the reserve-cadre pool and the
graduates hired in 2021 and 2022.

The plan (demo/people.py) is the single source: the org section made the people from it, this section records
how they got their posts, so the 2022 figures (2名80后进入班子, **人进入中层, 2名90后入选后备, 招聘“双一流”**名)
come out of the records.
"""

from __future__ import annotations

import random
from collections import defaultdict

from lvzhi.audit.services import Change
from lvzhi.cadres.models import Appointment, Recruitment, ReserveEntry
from lvzhi.org.models import Person, Unit

from . import story
from .partybuilding.common import bulk
from .people import plan

ISSUERS = {"leadership": "江集党干", "middle": "江化党干"}  # the group appoints the leadership, the company the rest
RESERVE_REASON = "经民主推荐、组织考察，列入公司后备干部人才库"
GRADUATE_YEARS = (2021, 2022)


def _documents(rng: random.Random, careers) -> dict[tuple[str, object], str]:
    """任免文号 per (level, date): numbered in date order within each issuer and year, with gaps for other files."""
    numbers: dict[tuple[str, object], str] = {}
    last: dict[tuple[str, int], int] = defaultdict(int)
    for level, day in sorted({(c.level, c.start) for c in careers}, key=lambda k: (k[1], k[0])):
        key = (ISSUERS[level], day.year)
        last[key] += rng.randint(1, 4)
        numbers[(level, day)] = f"{ISSUERS[level]}〔{day.year}〕{last[key]}号"
    return numbers


def load(password: str) -> list[Change]:
    rng = random.Random(story.SEED + 3)
    people = plan()
    persons = {p.code: p for p in Person.objects.filter(code__in=[pp.code for pp in people])}
    units = dict(Unit.objects.values_list("code", "pk"))
    documents = _documents(rng, [c for pp in people for c in pp.careers])

    appointments = []
    for pp in people:
        levels_held: set[str] = set()
        for c in sorted(pp.careers, key=lambda c: c.start):
            kind = "transfer" if c.level in levels_held else "promotion"
            levels_held.add(c.level)
            appointments.append(Appointment(person=persons[pp.code], unit_id=units[c.unit], post=c.post, level=c.level,
                                            kind=kind, date=c.start, ended_on=c.end,
                                            document=documents[(c.level, c.start)]))
    appointments.sort(key=lambda a: (a.date, a.person.code))

    reserve = [ReserveEntry(person=persons[pp.code], unit_id=units[pp.unit], action="enter", date=pp.reserve_since,
                            reason=RESERVE_REASON) for pp in people if pp.reserve_since]
    reserve.sort(key=lambda r: (r.date, r.person.code))

    hires = [Recruitment(person=persons[pp.code], unit_id=units[pp.unit], channel="campus", date=pp.joined_on)
             for pp in people if pp.post == "技术员" and pp.joined_on and pp.joined_on.year in GRADUATE_YEARS]
    hires.sort(key=lambda r: (r.date, r.person.code))
    return bulk(Appointment, appointments) + bulk(ReserveEntry, reserve) + bulk(Recruitment, hires)
