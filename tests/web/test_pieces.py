"""A list's total and its 补录 per unit over a subtree are kept per piece of the subtree (the unit's own rows, each
child's subtree: ``web.pieces``): after any writes they equal a count from scratch, and a write recounts the rows of
its own piece only. On an organisation of our own (tests/obligations/builders.py: company → plant → workshop,
department), with records on the company itself, not only on its branches."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lvzhi.org.models import PartyOrg, Unit
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import BranchActivity
from lvzhi.records import backfill, registry, selectors
from lvzhi.web import datacache, resultscache, totals
from obligations import builders as b  # tests/ is on the path (its conftest)

# committed data: a transaction that wrote reuses nothing
pytestmark = pytest.mark.django_db(transaction=True)
TODAY = dt.date(2023, 3, 1)


@pytest.fixture
def org(settings):
    settings.RESULTS_REFRESH = "inline"
    datacache.forget()
    tc = b.company()
    own = PartyOrg.objects.create(code="ZB-TC-JG", name="公司机关党支部", kind="branch", unit=tc.company,
                                  parent=tc.committee)
    return tc, [tc.branch, tc.dept_branch, own]


def _listed(unit):
    rt = registry.get("branch_activity")
    qs = selectors.filter_records(rt, Scope.everything(), unit=unit)
    return rt, qs


def _kept(unit):
    """The total and 补录 per unit as the list page reads them (kept per piece)."""
    rt, qs = _listed(unit)
    counts = backfill.list_counts(rt, qs, TODAY, unit)
    return counts["total"], counts["backfilled"]


def _kept_total(unit) -> int:
    """The total as other lists (no 补录) and the API read it: ``web.totals.count`` per piece."""
    rt, qs = _listed(unit)
    return totals.count(qs, (unit, rt.unit_field))


def _direct(unit):
    rt, qs = _listed(unit)
    whole = backfill.list_counts.__wrapped__(rt, qs, TODAY)  # one grouped query, nothing kept
    assert whole["total"] == qs.count()
    return qs.count(), whole["backfilled"]


def _late(activity: BranchActivity, days: int) -> None:
    """Entered ``days`` after its date (补录 beyond 30 days)."""
    entered = timezone.make_aware(dt.datetime.combine(activity.date + dt.timedelta(days=days), dt.time(10)))
    BranchActivity.objects.filter(pk=activity.pk).update(created_at=entered)


def test_kept_per_piece_equals_counted_whole_after_random_writes(org):
    tc, orgs = org
    rng = random.Random(7)
    made = []
    for i in range(12):
        made.append(b.activity(orgs[i % 3], "themed_day", dt.date(2022, 1 + i % 12, 10)))
    _late(made[0], 45)
    _late(made[2], 90)
    for step in range(14):
        for unit in (tc.company, tc.plant, tc.group):
            assert _kept(unit) == _direct(unit), (step, unit.code)
            assert _kept_total(unit) == _direct(unit)[0], (step, unit.code)
        action = rng.choice(["add", "add", "delete", "move", "late", "rename"])
        if action == "add" or not made:
            made.append(b.activity(rng.choice(orgs), "party_lecture", dt.date(2022, rng.randint(1, 12), 5)))
        elif action == "delete":
            made.pop(rng.randrange(len(made))).delete()
        elif action == "move":  # to another branch, so to another unit and piece
            moved = rng.choice(made)
            target = rng.choice(orgs)
            BranchActivity.objects.filter(pk=moved.pk).update(party_org=target, unit=target.unit)
        elif action == "rename":  # a unit's name is what 补录 is listed by: a change of no piece's rows
            renamed = rng.choice([tc.company, tc.workshop, tc.dept])
            Unit.objects.filter(pk=renamed.pk).update(name=f"改名{step}")
        else:
            _late(rng.choice(made), rng.randint(31, 200))
    late = _kept(tc.company)[1]
    assert late, "the steps above left some 补录 to count"
    named = Unit.objects.filter(name=late[0]["unit"]).first()
    Unit.objects.filter(pk=named.pk).update(name="改了名的单位")  # no record written: the names are read anew
    assert _kept(tc.company) == _direct(tc.company) and late[0]["n"] == _kept(tc.company)[1][0]["n"]
    assert "改了名的单位" in {row["unit"] for row in _kept(tc.company)[1]}


def test_a_write_recounts_its_own_piece_only(org):
    tc, orgs = org
    for o in orgs:
        b.monthly(o, "themed_day", 2022, months=[1, 2, 3])
    before = _kept(tc.company)
    b.activity(tc.dept_branch, "party_lecture", dt.date(2022, 5, 5))
    with CaptureQueriesContext(connection) as seen:
        after = _kept(tc.company)
    assert after[0] == before[0] + 1 and after == _direct(tc.company)
    counted = [q["sql"] for q in seen.captured_queries if "partybuilding_branchactivity" in q["sql"]]
    # one recount for the total and the 补录 together, of the department's rows only (its path; the plant's and
    # the company's own rows are kept)
    dept = Unit.objects.get(pk=tc.dept.pk)
    assert len(counted) == 1, counted
    assert all(dept.path in sql for sql in counted), counted


def _statements(unit) -> int:
    datacache.forget()
    with CaptureQueriesContext(connection) as seen:
        _kept(unit)
    return len(seen.captured_queries)


def test_statements_do_not_grow_with_the_number_of_children(org, monkeypatch):
    """Pieces are looked up in one read and counted in one grouped query, however many children the unit has."""
    monkeypatch.setattr(resultscache, "CULL_EVERY", 10**9)  # its occasional cull is one more statement
    tc, orgs = org
    for o in orgs:
        b.activity(o, "themed_day", dt.date(2022, 2, 2))
    _statements(tc.company)  # this process's first look at the counter (whether it exists) is one more
    few = _statements(tc.company)
    company = Unit.objects.get(pk=tc.company.pk)
    for i in range(5):
        dept = b.add_unit(Unit.objects.get(pk=company.pk), f"TC-X{i}", f"新部门{i}", kind="department",
                          category="organ")
        branch = PartyOrg.objects.create(code=f"ZB-TC-X{i}", name=f"新部门{i}党支部", kind="branch", unit=dept,
                                         parent=tc.committee)
        b.activity(branch, "themed_day", dt.date(2022, 3, 3))
    company = Unit.objects.get(pk=company.pk)
    assert company.numchild == 7
    assert _statements(company) == few
    assert _kept(company) == _direct(company) and _kept(company)[0] == 8
