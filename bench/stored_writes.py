"""CPU time of one write's stored-results upkeep (issue 16): the touch inside the write's transaction and the
recomputation after commit, for a few record types and a rule revision, on a copy of a scale database whose year
has been recomputed (``lvzhi recompute --year 2024``). Never run on the shared benchmark databases: it writes.

    LVZHI_DATABASE_URL=postgres://…/lvzhi_<copy> LVZHI_AS_OF=2025-01-31 python bench/stored_writes.py [--profile]
"""

from __future__ import annotations

import cProfile
import datetime as dt
import os
import pstats
import sys
import time

import fixtures

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lvzhi.settings")
os.environ.setdefault("LVZHI_RULE_RECOMPUTE_INLINE", "1")  # measure the rule's recomputation in this process
import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from lvzhi.obligations import marks  # noqa: E402
from lvzhi.obligations.models import ObligationRule, StoredResult  # noqa: E402
from lvzhi.obligations.services import revise_rule  # noqa: E402
from lvzhi.org.models import PartyOrg, PartyOrgKind, Person, Unit  # noqa: E402
from lvzhi.org.scoping import Scope  # noqa: E402
from lvzhi.records import registry, services  # noqa: E402

YEAR = 2024
EVERYONE = Scope.everything()


cpu = fixtures.cpu


class Timer:
    """CPU and wall time of the touch (inside the transaction) and of the flush (after commit)."""

    def __init__(self):
        self.touch = self.flush = 0.0
        self.touch_wall = self.flush_wall = 0.0

    def __enter__(self):
        self._touch, self._flush = marks.touch, marks._flush
        self._queue = getattr(marks, "_queue", None)  # (absent before the rule's recomputation was queued)
        timer = self

        def touch(*a, **kw):
            c, w = cpu(), time.perf_counter()
            try:
                return timer._touch(*a, **kw)
            finally:
                timer.touch += cpu() - c
                timer.touch_wall += time.perf_counter() - w

        def flush(*a, **kw):
            c, w = cpu(), time.perf_counter()
            try:
                return timer._flush(*a, **kw)
            finally:
                timer.flush += cpu() - c
                timer.flush_wall += time.perf_counter() - w

        def queue(*a, **kw):  # a revised rule's recomputation (inline here: LVZHI_RULE_RECOMPUTE_INLINE=1)
            c, w = cpu(), time.perf_counter()
            try:
                return timer._queue(*a, **kw)
            finally:
                timer.flush += cpu() - c
                timer.flush_wall += time.perf_counter() - w

        marks.touch, marks._flush = touch, flush
        if self._queue is not None:
            marks._queue = queue
        return self

    def __exit__(self, *exc):
        marks.touch, marks._flush = self._touch, self._flush
        if self._queue is not None:
            marks._queue = self._queue


def branch() -> PartyOrg:
    return PartyOrg.objects.filter(kind=PartyOrgKind.BRANCH, unit__numchild=0).order_by("pk")[7]  # a leaf unit's


def writes(rule_too: bool):
    org = branch()
    people = list(Person.objects.filter(party_org=org).order_by("pk")[:3])
    ba = registry.get("branch_activity")
    yield "支部活动（主题党日）", lambda: services.create_record(
        ba, {"party_org": org, "kind": "themed_day", "date": dt.date(YEAR, 6, 3), "title": "基准写入"},
        actor=None, scope=EVERYONE)
    top = PartyOrg.objects.filter(kind=PartyOrgKind.BRANCH).order_by("unit__depth", "pk").first()
    yield "支部活动（顶层单位的支部：其单位子树即全省）", lambda: services.create_record(
        ba, {"party_org": top, "kind": "themed_day", "date": dt.date(YEAR, 6, 4), "title": "基准写入"},
        actor=None, scope=EVERYONE)
    yield "谈心谈话（支部活动，3人）", lambda: services.create_record(
        ba, {"party_org": org, "kind": "heart_talk", "date": dt.date(YEAR, 5, 9), "title": "基准谈心谈话",
             "attendees": people}, actor=None, scope=EVERYONE)
    from lvzhi.integrity.models import Rectification

    rect = Rectification.objects.filter(unit=org.unit).order_by("pk").first() or \
        Rectification.objects.filter(unit__numchild=0, status="open").order_by("pk").first()
    rr = registry.get("rectification")
    yield "整改（更新完成日期）", lambda: services.update_record(
        rr, rect, {"status": "done", "completed_on": rect.deadline}, actor=None, scope=EVERYONE)
    newcomer = Person.objects.filter(unit=org.unit, party_org__isnull=True).order_by("pk").first() or people[-1]
    yield "党组织任职（一人加入支部委员会）", lambda: services.create_record(
        registry.get("org_post"), {"party_org": org, "person": newcomer, "role": "member",
                                   "start_on": dt.date(YEAR, 7, 1)}, actor=None, scope=EVERYONE)
    if not rule_too:
        return
    rule = ObligationRule.objects.get(rule_id="branch.themed_day", unit__isnull=True, effective_to__isnull=True)
    yield "规则修订（默认规则，全树）", lambda: revise_rule(rule, {"grace_days": rule.grace_days + 1},
                                                     effective_from=dt.date(YEAR, 7, 1), actor=None, scope=EVERYONE,
                                                     unit=Unit.objects.get(path=org.unit.path[:-Unit.steplen]))


def main(profile: bool) -> None:
    ref_c = cpu()
    list(StoredResult.objects.filter(year=YEAR, rule_id="branch.committee_meeting").values_list("pk", "count")[:20000])
    ref = cpu() - ref_c
    print(f"reference: 20,000 stored rows read: {ref * 1000:.0f} ms CPU; load {os.getloadavg()[0]:.2f}")
    for rule_too, pass_ in ((False, "cold"), (True, "warm")):  # the first pass fills caches and connections
        for name, write in writes(rule_too):
            before = StoredResult.objects.filter(year=YEAR).count()
            prof = cProfile.Profile() if profile and pass_ == "warm" else None
            with Timer() as t, CaptureQueriesContext(connection) as q:
                if prof:
                    prof.enable()
                c, w = cpu(), time.perf_counter()
                with transaction.atomic():
                    write()
                    inside, inside_wall = cpu() - c, time.perf_counter() - w
                if prof:
                    prof.disable()
            after = StoredResult.objects.filter(year=YEAR).count()
            print(f"[{pass_}] {name}: in the write's transaction {inside * 1000:.0f} ms CPU ({inside_wall * 1000:.0f} "
                  f"wall), of which touch {t.touch * 1000:.0f} ms CPU ({t.touch_wall * 1000:.0f} wall); after commit "
                  f"{t.flush * 1000:.0f} ms CPU ({t.flush_wall * 1000:.0f} wall); {len(q)} queries; rows {before}→{after}")
            if prof:
                pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main("--profile" in sys.argv)
