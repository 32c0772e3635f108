"""The workbench's first tasks from the stored results: the same tasks and numbers as the whole late list, read
eight rows at a time — on a tree built here (not the demo), with more late items than are shown."""

import datetime as dt

import pytest

from lvzhi.obligations import stored
from lvzhi.obligations.engine import LATE
from lvzhi.obligations.models import StoredYear
from lvzhi.obligations.selectors import warnings_for
from lvzhi.org.scoping import Scope
from lvzhi.web import selectors

from . import builders as b
from .test_query_count import add_workshops

TODAY = dt.date(2022, 8, 15)
pytestmark = pytest.mark.django_db


def test_first_tasks_from_the_stored_rows_equal_the_whole_list_cut_to_eight(settings):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    tc = b.company()
    add_workshops(tc, 6)
    scope = Scope.everything()
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    items, _ = warnings_for(scope, year=2022, as_of=TODAY, unit=tc.company)  # every late and due soon cell
    items.sort(key=lambda c: (c.state != LATE, -(c.due or c.period.end).toordinal()))
    assert len(items) > selectors.FIRST_TASKS_SHOWN  # the cut matters
    todo = selectors.own_todo.__wrapped__(scope, tc.company, 2022, TODAY)
    assert (todo["late"], todo["total"]) == (sum(c.state == LATE for c in items), len(items))
    shown = items[:selectors.FIRST_TASKS_SHOWN]
    assert [(r["state"], r["due"]) for r in todo["rows"]] == [(c.state, c.due) for c in shown]
    # each task shown is one of the list's, at a place with its own order key (ties may be cut either way)
    key = {(c.rule.name, c.subject.label, c.period.label): (c.state, c.due or c.period.end) for c in items}
    assert [key[(r["rule"], r["subject"], r["period"])] for r in todo["rows"]] == [
        (c.state, c.due or c.period.end) for c in shown]
