"""The 合规看板 from the stored results: its first screen (counts per rule and child unit × state) equals the
engine's, each rule's panel pages through every cell exactly once, and neither costs more queries as the tree grows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.obligations import dashboard as board
from lvzhi.obligations import stored
from lvzhi.obligations.engine import DONE, LATE
from lvzhi.obligations.models import StoredYear
from lvzhi.org.models import PartyOrg
from lvzhi.org.scoping import Scope

from . import builders as b
from .test_query_count import add_workshops

D = dt.date
TODAY = D(2022, 8, 15)
START, END = D(2022, 1, 1), D(2022, 12, 31)
EVERYONE = Scope.everything()
pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(settings):
    """Two companies under one group: late, due soon, pending and done cells in both."""
    settings.LVZHI_AS_OF = TODAY.isoformat()
    tc = b.company()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 7), attendees=tc.members[:2])
    b.activity(tc.dept_branch, "general_meeting", D(2022, 3, 1), attendees=[])
    b.talk(tc.workshop, "routine", D(2022, 3, 1), tc.members[:2])
    b.rectification(tc.plant, D(2022, 6, 30))
    tc.group.refresh_from_db()
    other = b.add_unit(tc.group, "TD", "第二公司", kind="company", category="organ", tracked_since=D(2021, 1, 1))
    shop = b.add_unit(other, "TD-W1", "二车间", kind="workshop", category="grassroots")
    branch = PartyOrg.objects.create(code="ZB-TD-W1", name="二车间党支部", kind="branch", unit=shop)
    people = [b.person(shop, f"二车间党员{i}", party_org=branch) for i in range(4)]
    branch.committee_members.set(people[:3])
    branch.secretary = people[0]
    branch.save()
    b.monthly(branch, "committee_meeting", 2022, months=range(1, 8), attendees=people[:2])
    b.rectification(shop, D(2022, 12, 31))
    tc.group.refresh_from_db()
    return tc


def _stored(on: bool) -> None:
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": on})


def _shape(s: dict) -> dict:
    rules = {v["rule_id"]: (v["totals"], v["layout"], v.get("coverage")) for sec in s["sections"] for v in sec["rules"]}
    children = {r["unit"].pk: {k: v for k, v in r.items() if k != "url"} for r in s["children"]["rows"]}
    return {"totals": s["totals"], "rules": rules, "children": children}


def _pages(unit, rule_id):
    """Every cell of a rule's panel, page after page: {(subject, period): state} and the pages' sizes."""
    seen: dict[tuple, str] = {}
    sizes = []
    page, last = 1, 1
    while page <= last:
        p = board.panel(EVERYONE, unit, START, END, TODAY, rule_id, page)
        last = p["pages"]["last"]
        if p["layout"] == "matrix":
            rows = p["matrix"]["rows"] if not p["matrix"]["big"] else []
            cells = [c for row in rows for c in row["cells"] if c]
            sizes.append(len(rows))
        else:
            cells = [c for c, _ in p["items"]]
            sizes.append(len(cells))
        for c in cells:
            assert (c.subject.ref, c.period.key) not in seen  # no cell on two pages
            seen[(c.subject.ref, c.period.key)] = c.state
        page += 1
    return seen, sizes


def test_stored_board_equals_the_engines(tree):
    stored.recompute(2022, unit=tree.group)
    for unit in (tree.group, tree.company):
        _stored(True)
        mine = board.summary(EVERYONE, unit, START, END, TODAY)
        _stored(False)
        reference = board.summary(EVERYONE, unit, START, END, TODAY)
        assert mine["computed_at"] is not None and reference["computed_at"] is None
        assert _shape(mine) == _shape(reference)
    totals = dict((s, n) for s, _, n in mine["totals"])
    assert totals[LATE] and totals[DONE] and totals["due_soon"] + totals["pending"]
    # the group's children: both companies, each with its own counts
    _stored(True)
    children = board.summary(EVERYONE, tree.group, START, END, TODAY)["children"]["rows"]
    assert {r["unit"].code for r in children} == {"TC", "TD"}


def test_panels_page_through_every_cell_once(tree, monkeypatch):
    stored.recompute(2022, unit=tree.group)
    monkeypatch.setattr(board, "SUBJECTS_PER_PAGE", 1)
    monkeypatch.setattr(board, "ITEMS_PER_PAGE", 1)
    for rule_id in ("branch.committee_meeting", "integrity.rectification"):
        _stored(True)
        mine, sizes = _pages(tree.group, rule_id)
        _stored(False)
        reference, _ = _pages(tree.group, rule_id)
        assert mine == reference and len(mine) > 1
        assert max(sizes) == 1 and len(sizes) > 1
    _stored(True)
    assert board.panel(EVERYONE, tree.group, START, END, TODAY, "no.such_rule") is None


def test_board_queries_do_not_grow_with_the_tree(tree):
    def reads() -> tuple[int, int]:
        counts = []
        for read in (lambda: board.summary(EVERYONE, tree.company, START, END, TODAY),
                     lambda: board.panel(EVERYONE, tree.company, START, END, TODAY, "branch.committee_meeting", 2)):
            with CaptureQueriesContext(connection) as ctx:
                read()
            counts.append(len(ctx.captured_queries))
        return counts[0], counts[1]

    add_workshops(tree, 2)
    stored.recompute(2022, unit=tree.group)
    _stored(True)
    small = reads()
    add_workshops(tree, 12, start=2)
    stored.recompute(2022, unit=tree.group)
    assert reads() == small
    assert small[0] <= 6, small  # the year, the units, the grouped counts, the rules, the child units


def test_api_rows_from_the_stored_results_equal_the_engines(tree):
    from lvzhi.obligations.selectors import StoredRows, check_results

    def rows(**filters):
        got = check_results(EVERYONE, tree.group, 2022, TODAY, **filters)
        if isinstance(got, StoredRows):  # read in pages of 3, as the API does
            got = [r for i in range(0, len(got), 3) for r in got[i:i + 3]]
        return sorted((r["rule_id"], r["subject_ref"], r["period"], r["state"], tuple(sorted(r["record_ids"])))
                      for r in got)

    stored.recompute(2022, unit=tree.group)
    for filters in ({}, {"state": LATE}, {"rule_id": "branch.committee_meeting", "period": "2022-05"},
                    {"responsibility": "integrity"}):
        _stored(True)
        assert isinstance(check_results(EVERYONE, tree.group, 2022, TODAY, **filters), StoredRows)
        mine = rows(**filters)
        _stored(False)
        assert mine == rows(**filters) and mine, filters
