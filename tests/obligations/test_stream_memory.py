"""`engine.stream` (what `lvzhi check` writes from) holds one rule's cells and subjects at a time: nothing of an
earlier rule — no cell, no subject selection — stays alive while a later rule is judged. Counted on the live
objects themselves, so a cache or list kept for the whole run fails here (it cost 33 MB on the province)."""

import datetime as dt
import gc

import pytest

from lvzhi.obligations.engine import Cell, stream
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
