"""Reading the stored results costs a fixed number of queries, whatever the size of the tree."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.obligations import dashboard as board
from lvzhi.obligations import stored, stored_reads
from lvzhi.obligations.engine import evaluate
from lvzhi.obligations.models import StoredYear
from lvzhi.obligations.selectors import checked, late_obligations
from lvzhi.org.scoping import Scope

from . import builders as b
from .test_query_count import add_workshops

D = dt.date
TODAY = D(2022, 8, 15)
pytestmark = pytest.mark.django_db


def _reads(unit) -> tuple[int, ...]:
    """Queries of: the dashboard's evaluation, the summary by state, the report's late items, the 合规看板's
    first screen (its counts, then the whole view model)."""
    scope = Scope.everything()
    counts = []
    for read in (lambda: board.build(checked(scope, unit, D(2022, 1, 1), D(2022, 12, 31), TODAY)),
                 lambda: stored_reads.summary(unit, 2022, TODAY),
                 lambda: late_obligations(scope, unit, 2022, TODAY),
                 lambda: stored_reads.board(unit, 2022, TODAY),
                 lambda: board.summary(scope, unit, D(2022, 1, 1), D(2022, 12, 31), TODAY)):
        with CaptureQueriesContext(connection) as ctx:
            read()
        counts.append(len(ctx.captured_queries))
    return tuple(counts)


def test_stored_reads_do_not_grow_with_the_tree(settings):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    tc = b.company()
    add_workshops(tc, 2)
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    small = _reads(tc.company)
    add_workshops(tc, 12, start=2)
    stored.recompute(2022, unit=tc.group)
    large = _reads(tc.company)
    assert large == small
    assert small[1] == 1  # the summary is one grouped query (on the count rows)
    assert small[3] <= 4  # the board: one grouped query on the count rows (by child in SQL; PostgreSQL: work_mem)
    assert small[0] <= 8 and small[2] <= 8 and small[4] <= 8
    # ... which read the count rows, not every stored row
    with CaptureQueriesContext(connection) as ctx:
        stored_reads.summary(tc.company, 2022, TODAY)
        stored_reads.board(tc.company, 2022, TODAY)
    assert not any("obligations_storedresult" in q["sql"] for q in ctx.captured_queries)
    # and what the dashboard shows is what the engine says
    ev = evaluate(tc.company, year=2022, as_of=TODAY)
    mine = checked(Scope.everything(), tc.company, D(2022, 1, 1), D(2022, 12, 31), TODAY)
    assert board.build(mine)["totals"] == board.build(ev)["totals"]
    assert {r.rule_id: r.totals for r in mine.results} == {r.rule_id: r.totals for r in ev.results}
