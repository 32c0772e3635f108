"""拉手共建, honours, outside evaluations and visits, innovation and the company's named facts."""

from __future__ import annotations

import datetime as dt
import random

from lvzhi.audit.services import Change
from lvzhi.org.models import UnitFact
from lvzhi.partybuilding import models as pb

from .. import story
from .common import YEARS, World, bulk, on, pick_workday

VISIT_WINDOWS = {  # titles that only make sense at some point of the story (2022)
    "示范党支部创建验收": ("09-01", "10-31"), "示范党支部专题采访": ("11-21", "12-20"), "困难企业扭亏脱困采访": ("08-15", "12-20"),
}
MODEL_BRANCH_DAY = {2021: "2021-06-28", 2022: "2022-11-16"}  # 集团示范 in 2021, then 省级示范


def model_branch_codes() -> list[tuple[str, str]]:
    """(branch code, brand) of story.MODEL_BRANCHES."""
    out = []
    for plant, workshop, brand in story.MODEL_BRANCHES:
        workshops = next(ws for code, _, ws, _ in story.PLANTS if code == plant)
        out.append((f"ZB-{story.COMPANY['code']}-{plant}-W{workshops.index(workshop) + 1:02d}", brand))
    return out


def _co_building(rng: random.Random, w: World) -> list[Change]:
    organ = sorted((o for o in w.org_units("branch") if o.code.startswith(f"ZB-{w.company.code}-D")), key=lambda o: o.code)
    grassroots = sorted((o for o in w.org_units("branch") if "-W" in o.code), key=lambda o: o.code)
    contact = [o for o in grassroots if o.code.startswith(f"ZB-{w.company.code}-{story.CONTACT_PLANT}-")]
    chosen = contact[:2] + rng.sample([o for o in grassroots if o not in contact], sum(story.CO_BUILDING_PAIRS.values()) - 2)
    rng.shuffle(chosen)
    partners = organ + rng.sample(organ, len(chosen) - len(organ)) if len(chosen) > len(organ) else organ[:len(chosen)]
    pairs, k = [], 0
    for year in YEARS:
        for _ in range(story.CO_BUILDING_PAIRS[year]):
            g, o = chosen[k], partners[k]
            k += 1
            pairs.append(pb.CoBuilding(grassroots_branch=g, organ_branch=o, date=pick_workday(
                rng, dt.date(year, 3 if year == 2021 else 2, 1), dt.date(year, 3 if year == 2021 else 2, 28)),
                title=f"{o.name}与{g.name}“拉手共建”"))
    changes = bulk(pb.CoBuilding, pairs)
    activities = []
    for year in YEARS:
        for n in range(story.CO_BUILDING_ACTIVITIES[year]):
            day = pick_workday(rng, dt.date(year, 3, 15), dt.date(year, 12, 20))
            existing = [p for p in pairs if p.date < day] or pairs[:1]
            pair = existing[n % len(existing)]
            focus, title = story.CO_BUILDING_ACTIVITIES_TOPICS[rng.randrange(len(story.CO_BUILDING_ACTIVITIES_TOPICS))]
            activities.append(pb.CoBuildingActivity(co_building=pair, date=max(day, pair.date), title=title,
                                                    focus=focus, participants=rng.randint(12, 40)))
    activities.sort(key=lambda a: a.date)
    return changes + bulk(pb.CoBuildingActivity, activities)


def _honours(rng: random.Random, w: World) -> list[Change]:
    rows = []
    models = [(w.orgs[code], brand) for code, brand in model_branch_codes()]
    for year in YEARS:
        day = dt.date.fromisoformat(MODEL_BRANCH_DAY[year])
        level, issuer, title = (("group", "集团党委", "集团示范党支部") if year == 2021 else
                                ("provincial", "省国资委党委", "省级示范党支部"))
        rows += [pb.Honour(unit=org.unit, kind="model_branch", title=title, level=level, party_org=org, brand=brand,
                           issuer=issuer, date=day) for org, brand in models]
        branches = [o for o in w.org_units("branch") if o not in [m for m, _ in models]]
        for org in sorted(rng.sample(branches, story.HONOURS[year]["five_strong"]), key=lambda o: o.code):
            rows.append(pb.Honour(unit=org.unit, kind="five_strong", title="“五强”党支部", level="group", party_org=org,
                                  issuer="集团党委", date=dt.date(year, 6, 28)))
        people = [p for ps in w.members.values() for p in ps if p.party_status == "member"
                  and p.member_since.year < year and (p.joined_on is None or p.joined_on.year < year)]
        for p in sorted(rng.sample(people, story.HONOURS[year]["four_excellent"]), key=lambda p: p.code):
            rows.append(pb.Honour(unit_id=p.unit_id, kind="four_excellent", title="“四优”党员", level="company", person=p,
                                  issuer="公司党委", date=dt.date(year, 6, 30)))
    return bulk(pb.Honour, rows)


def _external_visits(rng: random.Random, w: World) -> list[Change]:
    models = [w.orgs[code].unit for code, _ in model_branch_codes()]
    plant = w.units[f"{w.company.code}-{story.CONTACT_PLANT}"]
    rows = []
    for year in YEARS:
        templates = [t for t in story.EXTERNAL_VISITORS if year == 2022 or t[3] not in VISIT_WINDOWS]
        n = story.EXTERNAL_VISITS[year]
        chosen = (templates if year == 2022 else []) + [rng.choice(templates) for _ in range(n - len(templates) * (year == 2022))]
        for kind, visitor, level, title in chosen:
            first, last = VISIT_WINDOWS.get(title, ("01-10", "12-25"))
            day = pick_workday(rng, on(year, first), on(year, last))
            unit = rng.choice(models) if "示范党支部" in title else plant if "扭亏" in title else w.company
            rows.append(pb.ExternalVisit(unit=unit, kind=kind, visitor=visitor, level=level, date=day, title=title))
    rows.sort(key=lambda r: r.date)
    return bulk(pb.ExternalVisit, rows)


def _innovation(w: World) -> list[Change]:
    plant = w.units[f"{w.company.code}-{story.CONTACT_PLANT}"]
    centre = w.units[f"{w.company.code}-D09"]
    rows = []
    for year in YEARS:
        for title, kind, fills_gap, day, description in story.PRODUCTS[year]:
            platform = story.LAB_NAME if kind == "product" and year >= 2022 else ""
            rows.append(pb.Innovation(unit=centre if kind == "lab" else plant, kind=kind, title=title, platform=platform,
                                      fills_gap=fills_gap, date=dt.date.fromisoformat(day), description=description))
    return bulk(pb.Innovation, rows)


def load(rng: random.Random, w: World) -> list[Change]:
    facts = [UnitFact(unit=w.company, key=key, label=label, value=value, date=dt.date.fromisoformat(day))
             for key, label, value, day in story.UNIT_FACTS]
    return (_co_building(rng, w) + _honours(rng, w) + _external_visits(rng, w) + _innovation(w) + bulk(UnitFact, facts))
