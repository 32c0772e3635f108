"""The workbench's first tasks from the stored results: the same tasks and numbers as the whole late list, read
eight rows at a time — on a tree built here (not the demo), with more late items than are shown."""

import datetime as dt

import pytest

from lvzhi.obligations import stored
from lvzhi.obligations.engine import LATE
from lvzhi.obligations.models import StoredYear
from lvzhi.obligations.selectors import warnings_for
from lvzhi.org.models import PartyOrg
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


@pytest.mark.django_db(transaction=True)  # committed data: a transaction that wrote reuses nothing
def test_first_tasks_kept_per_piece_follow_writes_in_one_piece(settings, django_capture_on_commit_callbacks):
    """The first tasks and the numbers are kept per piece of the subtree (the unit's own cells, each child's
    subtree): after writes in one workshop they are still the whole list's, and a read with nothing written reads
    no stored cell but the eight shown."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.obligations.defaults import ensure_default_rules
    from lvzhi.records import registry, services
    from lvzhi.web import datacache

    settings.LVZHI_AS_OF = TODAY.isoformat()
    settings.RESULTS_REFRESH = "inline"
    ensure_default_rules()  # loaded by a migration: gone if an earlier transactional test emptied the database
    datacache.forget()
    tc = b.company()
    add_workshops(tc, 4)
    scope = Scope.everything()
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    branches = list(PartyOrg.objects.filter(code__startswith="ZB-X").order_by("code"))

    def whole(unit):
        items, _ = warnings_for(scope, year=2022, as_of=TODAY, unit=unit)
        items.sort(key=lambda c: (c.state != LATE, -(c.due or c.period.end).toordinal()))
        return (sum(c.state == LATE for c in items), len(items),
                [(c.state, c.due or c.period.end) for c in items[:selectors.FIRST_TASKS_SHOWN]])

    def kept(unit):
        todo = selectors.own_todo.__wrapped__(scope, unit, 2022, TODAY)
        key = {(c.rule.name, c.subject.label, c.period.label): (c.state, c.due or c.period.end)
               for c in warnings_for(scope, year=2022, as_of=TODAY, unit=unit)[0]}
        return todo["late"], todo["total"], [key[(r["rule"], r["subject"], r["period"])] for r in todo["rows"]]

    seen = set()
    for step, branch in enumerate([None, branches[0], branches[0], branches[2], None]):
        if branch is not None:  # a 支委会 held: that workshop's late months get fewer
            with django_capture_on_commit_callbacks(execute=True):
                services.create_record(registry.get("branch_activity"),
                                       {"party_org": branch, "kind": "committee_meeting",
                                        "date": dt.date(2022, 1 + step, 20), "title": f"支委会 {step}"},
                                       actor=None, scope=scope)
        for unit in (tc.company, tc.plant):
            unit.refresh_from_db()
            expected = whole(unit)
            assert kept(unit) == expected, (step, unit.code)
            seen.add(expected[:2])
    assert len(seen) > 2  # the writes changed the numbers
    with CaptureQueriesContext(connection) as ctx:
        selectors.own_todo.__wrapped__(scope, tc.plant, 2022, TODAY)
    read = [q["sql"] for q in ctx.captured_queries if "obligations_storedresult" in q["sql"]]
    assert len(read) == 1 and '"obligations_storedresult"."id" IN' in read[0]  # the eight shown, by id
