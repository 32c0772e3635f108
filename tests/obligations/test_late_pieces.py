"""The report's late items per rule inside a page's reused result (its evidence) read the stored rows per piece of
the subtree (``web.pieces``: the unit's own rows, each child's subtree), each kept while its piece is unchanged: after
writes in one piece or another they equal the items read whole, and a write in one piece reads that piece's rows
again, not the others'."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.obligations import stored
from lvzhi.obligations.defaults import ensure_default_rules
from lvzhi.obligations.late import late_by_rule
from lvzhi.obligations.models import StoredYear
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import BranchActivity
from lvzhi.records import registry, services
from lvzhi.web import datacache

from . import builders as b

D = dt.date
TODAY = D(2023, 3, 1)  # the year judged whole: yearly coverage rules have gaps (their first ten named)
EVERYONE = Scope.everything()
# committed data: a transaction that wrote reuses nothing
pytestmark = pytest.mark.django_db(transaction=True)
_runs = itertools.count()


@pytest.fixture
def world(settings):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    settings.RESULTS_REFRESH = "inline"
    settings.RULE_RECOMPUTE_INLINE = True
    datacache.forget()
    ensure_default_rules()  # loaded by a migration: emptied with everything else after a transactional test
    tc = b.company()
    for i in range(4, 9):  # 15 members in two pieces: a coverage gap names its first ten and counts the rest
        b.person(tc.dept, f"财务{i}", party_org=tc.dept_branch)
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 5), attendees=tc.members[:2])
    b.activity(tc.dept_branch, "general_meeting", D(2022, 3, 1), attendees=[])
    b.talk(tc.workshop, "routine", D(2022, 3, 1), tc.members[:2])
    b.rectification(tc.plant, D(2022, 6, 30))
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    return tc


def _items(rules) -> list:
    return [(r.rule_id, r.rule_name, r.count, r.named, r.subjects, [(p.kind, p.text, p.subject_refs) for p in r.problems])
            for r in rules]


def _kept(unit, shown):
    """As the evidence reads them: inside a reused result being computed (a new one each time)."""
    return datacache.cached("test.late_pieces", (next(_runs),),
                            lambda: _items(late_by_rule(EVERYONE, unit, 2022, TODAY, shown)))


def _whole(unit, shown):
    return _items(late_by_rule(EVERYONE, unit, 2022, TODAY, shown))


def _save(org, kind, day):
    services.create_record(registry.get("branch_activity"),
                           {"party_org": org, "kind": kind, "date": day, "title": f"{kind} {day}"},
                           actor=None, scope=EVERYONE)


@pytest.mark.parametrize("shown", [0, 2])
def test_late_items_kept_per_piece_equal_the_items_read_whole_after_writes(world, shown):
    tc = world
    assert _kept(tc.company, shown) == _whole(tc.company, shown)
    writes = [
        (tc.branch, "committee_meeting", D(2022, 5, 10)),  # the plant's piece
        (tc.dept_branch, "general_meeting", D(2022, 5, 12)),  # the department's
        (tc.branch, "committee_meeting", D(2022, 6, 10)),
        (tc.dept_branch, "party_lecture", D(2022, 2, 1)),
    ]
    before = _whole(tc.company, shown)
    for org, kind, day in writes:
        _save(org, kind, day)
        assert _kept(tc.company, shown) == _whole(tc.company, shown), (org.code, kind, day)
        assert _kept(tc.group, shown) == _whole(tc.group, shown), (org.code, kind, day)
    assert _whole(tc.company, shown) != before, "the writes change the late items"
    BranchActivity.objects.filter(party_org=tc.branch, date__gte=D(2022, 5, 1)).delete()  # not through a service
    stored.recompute(2022, unit=tc.group)
    assert _kept(tc.company, shown) == _whole(tc.company, shown)


def test_a_write_in_one_piece_reads_that_piece_again_only(world):
    tc = world
    _kept(tc.company, 0)
    _save(tc.dept_branch, "general_meeting", D(2022, 5, 12))
    with CaptureQueriesContext(connection) as seen:
        kept = _kept(tc.company, 0)
    read = [q["sql"] for q in seen.captured_queries if "obligations_storedresult" in q["sql"]]
    assert any(f"{tc.dept.path}%" in sql for sql in read), read
    assert not any(f"{tc.plant.path}%" in sql for sql in read), "the plant's piece was read again"
    assert kept == _whole(tc.company, 0)
