"""`engine.stream` (what `lvzhi check` writes from) holds one rule's cells and subjects at a time: nothing of an
earlier rule — no cell, no subject selection — stays alive while a later rule is judged. Counted on the live
objects themselves, so a cache or list kept for the whole run fails here (it cost 33 MB on the province)."""

import datetime as dt
import gc
import io
import json

import pytest

from lvzhi.obligations.engine import Cell, evaluate, stream
from lvzhi.obligations.export import table, write_json
from lvzhi.obligations.subjects import Subject

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


def _live(kind):
    gc.collect()
    return [o for o in gc.get_objects() if type(o) is kind]


def test_stream_holds_one_rule_at_a_time(tc):
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    b.activity(tc.branch, "heart_talk", D(2022, 5, 10), attendees=tc.members[:4])
    assert not _live(Cell)
    order = [r.rule_id for r in stream(tc.company, year=2022, as_of=D(2023, 1, 31))[1]]
    assert not _live(Cell) and not _live(Subject)
    kinds = set()
    for r in stream(tc.company, year=2022, as_of=D(2023, 1, 31))[1]:
        # only this rule's cells (the loop's ``r`` held the one before while this one was judged)
        assert len(_live(Cell)) <= len(r.cells)
        kinds |= {c.subject.kind for c in r.cells}
        if r.rule_id == order[-1]:
            # Every shared subject selection has served its last rule: the only subjects alive are those of
            # this rule's cells, though the generator and its context are still alive.
            mine = {id(c.subject) for c in r.cells}
            assert [s.ref for s in _live(Subject) if id(s) not in mine] == []
        r = None  # noqa: PLW2901 - the next rule is judged without this one
    assert {"person", "party_org", "event"} <= kinds


def _cells(cells):
    return [(c.rule.rule_id, c.subject.ref, c.subject.label, c.period.key, c.state, c.count, c.record_ids, c.detail,
             c.due) for c in cells]


def test_a_person_rule_is_judged_a_chunk_at_a_time(tc):
    """``stream(chunk=n)`` (what `lvzhi check` uses) judges a rule counting people n people at a time: while a chunk
    is read no cell and no person of another chunk is alive, and the chunks give the whole rule's cells in order."""
    b.activity(tc.branch, "heart_talk", D(2022, 5, 10), attendees=tc.members[:4])
    whole = evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=["branch.heart_talk"]).results[0]
    expected = _cells(whole.cells)
    people = {c.subject.pk for c in whole.cells}
    assert len(people) > 4
    del whole
    [r] = stream(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=["branch.heart_talk"], chunk=2)[1]
    assert r.parts is not None and r.cells == []
    seen, sizes = [], []
    for part in r.chunks():
        assert len(_live(Cell)) == len(part)
        assert {s.pk for s in _live(Subject) if s.kind == "person"} <= {c.subject.pk for c in part}
        sizes.append(len({c.subject.pk for c in part}))
        seen += _cells(part)
        del part
    assert seen == expected and max(sizes) <= 2 and len(sizes) >= 3


def test_chunked_output_is_the_same_text(tc):
    """The files and the table of a check judged in chunks are those of the whole check, byte for byte."""
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    b.activity(tc.branch, "heart_talk", D(2022, 5, 10), attendees=tc.members[:4])

    def text(chunk, include_done):
        out = io.StringIO()
        head, results = stream(tc.company, year=2022, as_of=D(2023, 1, 31), chunk=chunk)
        late = write_json(head, results, out, include_done=include_done)
        head, results = stream(tc.company, year=2022, as_of=D(2023, 1, 31), chunk=chunk)
        return out.getvalue(), late, table(head, results)

    for include_done in (False, True):
        assert text(2, include_done) == text(None, include_done)
    as_dict = json.loads(text(2, True)[0])
    assert any(r["rule_id"] == "branch.heart_talk" and r["items"] for r in as_dict["rules"])


@pytest.mark.parametrize("rule_id", ["dues.arrears", "member.training_hours"])
def test_membership_person_checks_in_chunks(tc, rule_id):
    """Dues and training hours (one cell per member a year, 400,000 at the central scale) are judged in chunks too,
    with the whole rule's cells in the same order."""
    whole = _cells(evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=[rule_id]).cells())
    [r] = stream(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=[rule_id], chunk=2)[1]
    parts = [_cells(part) for part in r.chunks()]
    assert r.parts is not None and len(parts) >= 3 and len(whole) > 4
    assert [c for part in parts for c in part] == whole


def test_quorum_is_judged_a_chunk_of_meetings_at_a_time(tc):
    """The quorum check (one cell per meeting, ~320,000 at the central scale) is judged in chunks of meetings by
    their dates: while a chunk is read only its cells are alive, a day's meetings stay in one chunk, the chunks give
    the whole rule's cells in order, and the branch-structure check after it reads the same roster (one query of
    the posts for both) with the cells it has alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lvzhi.membership.models import OrgPost

    m = tc.members
    for month in range(1, 11):
        b.activity(tc.branch, "general_meeting", D(2022, month, 1), attendees=m[:month % 7])
        b.activity(tc.branch, "committee_meeting", D(2022, month, 1), attendees=m[:month % 3])
        b.activity(tc.dept_branch, "general_meeting", D(2022, month, 20), attendees=tc.dept_branch.members.all()[:2])
    rules = ["branch.quorum", "branch.structure"]
    whole = {r: _cells(evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=[r]).cells()) for r in rules}
    assert {c[4] for c in whole["branch.quorum"]} >= {"done", "late"}
    with CaptureQueriesContext(connection) as q:
        results = stream(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=rules, chunk=3)[1]
        quorum = next(results)
        assert quorum.rule_id == "branch.quorum" and quorum.parts is not None and quorum.cells == []
        seen, days = [], []
        for part in quorum.chunks():
            assert len(_live(Cell)) == len(part) and 0 < len(part) <= 4
            days.append({c.period.key for c in part})
            seen += _cells(part)
            del part
        got_structure = _cells(next(results).cells)
    assert seen == whole["branch.quorum"] and len(days) >= 7
    assert all(not (a & b_) for i, a in enumerate(days) for b_ in days[i + 1:])  # a day in one chunk only
    assert got_structure == whole["branch.structure"]
    assert sum(OrgPost._meta.db_table in x["sql"] for x in q.captured_queries) == 1


def test_an_organisation_rule_is_judged_a_chunk_of_cells_at_a_time(tc):
    """A count rule over Party organisations (20,000 branches × 12 months at the central scale) is judged about
    ``chunk`` cells at a time — whole organisations, each with all its periods — while the rule after it that
    selects the same organisations gets the same cells as alone."""
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 12))
    b.monthly(tc.dept_branch, "committee_meeting", 2022, months=range(3, 6))
    rules = ["branch.committee_meeting", "branch.general_meeting"]
    whole = {r: _cells(evaluate(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=[r]).cells()) for r in rules}
    results = stream(tc.company, year=2022, as_of=D(2023, 1, 31), rule_ids=rules, chunk=4)
    got = {}
    for r in results[1]:
        assert r.parts is not None and r.cells == []
        parts = []
        for part in r.chunks():
            assert len(_live(Cell)) == len(part) and len({c.subject.pk for c in part}) == 1  # 4 // 12 → 1 org
            parts.append(_cells(part))
            del part
        got[r.rule_id] = parts
        r = None  # noqa: PLW2901 - the next rule is judged without this one
    for rule_id in rules:
        assert [c for part in got[rule_id] for c in part] == whole[rule_id]
    assert len(got["branch.general_meeting"]) >= 2
