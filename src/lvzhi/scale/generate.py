"""One generation run: the organisation once, then every year's records, in one transaction.

Audit: synthetic rows are written in bulk, and the audit chain gets **one entry per table written** (action
导入, the row count and the id range in ``after``) rather than one per row: hashing millions of per-row
snapshots would cost more than generating the data and tells an auditor nothing more about a synthetic set.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from lvzhi.audit.actors import SCALE
from lvzhi.org.models import Unit

from . import membership, others, party
from . import org as org_gen
from .scenarios import SCENARIOS, Scenario
from .writer import Writer

DEFAULT_END_YEAR = 2024  # fixed, so a run never depends on today's date
ACTOR = SCALE


@dataclass
class Result:
    scenario: Scenario
    top: Unit
    first_year: int
    last_year: int
    rows: int
    people: int
    members: int
    branches: int
    seconds: float


def exists(sc: Scenario) -> Unit | None:
    return Unit.objects.filter(code=sc.code).first()


def generate(sc: Scenario | str, *, years: int = 1, seed: int = 1, end_year: int = DEFAULT_END_YEAR,
             progress=lambda n: None) -> Result:
    import time

    sc = SCENARIOS[sc] if isinstance(sc, str) else sc
    if exists(sc) is not None:
        raise ValueError(f"规模测试数据“{sc.name}”（{sc.code}）已存在；如需重建，请换一个空数据库。")
    started = time.perf_counter()
    first_year, last_year = end_year - years + 1, end_year
    rng = random.Random(f"{sc.key}:{seed}")
    with transaction.atomic():
        w = Writer(progress)
        stamp = dt.datetime(first_year, 1, 1, tzinfo=dt.timezone.utc)
        o = org_gen.build(sc, w, rng, first_year, last_year)
        party.contact_points(w, o, first_year, stamp)
        pairs = party.co_building_pairs(w, o, first_year, stamp)
        others.once(w, rng, o, first_year, stamp)
        rolls = membership.once(w, rng, o, first_year, last_year, stamp)
        for year in range(first_year, last_year + 1):
            stamp = dt.datetime(year, 12, 31, tzinfo=dt.timezone.utc)
            party.branch_year(w, rng, o, year, stamp)
            meetings = party.committee_year(w, rng, o, year, stamp)
            party.outreach_year(w, rng, o, year, stamp, pairs)
            others.governance_year(w, rng, o, year, stamp, meetings)
            others.integrity_year(w, rng, o, year, stamp)
            others.ideology_year(w, rng, o, year, stamp)
            others.cadres_year(w, rng, o, year, stamp)
            membership.year(w, rng, o, rolls, year, stamp)
        rows = w.finish(ACTOR, {"scenario": sc.key, "seed": seed, "years": [first_year, last_year]})
    top = Unit.objects.get(pk=o.top.pk)
    return Result(sc, top, first_year, last_year, rows, o.people, o.members, len(o.branches),
                  time.perf_counter() - started)


def expected_rows(sc: Scenario, years: int) -> int:
    """A rough row count for the progress bar (people, records and their many-to-many rows)."""
    per_branch_year = 150
    per_company_year = 1_500
    companies = 1 + sum(sc.companies)
    return int(sc.members * 1.4 + years * (sc.branches * per_branch_year + companies * per_company_year))
