import datetime as dt

import pytest

from lvzhi.obligations.engine import evaluate

from . import builders


@pytest.fixture
def tc(db):
    """A small tracked company of our own (see builders.py), beside the demo company."""
    return builders.company()


@pytest.fixture
def check():
    """check(unit, rule_id, year=2022, as_of=…) → {(subject label, period key): cell} for one rule."""

    def run(unit, rule_id, *, year=2022, as_of=dt.date(2023, 6, 30)):
        ev = evaluate(unit, year=year, as_of=as_of, rule_ids=[rule_id])
        cells = {(c.subject.label, c.period.key): c for c in ev.cells()}
        assert len(cells) == len(list(ev.cells())), "two cells share a subject label and period"
        return cells

    return run


@pytest.fixture
def events():
    """events(unit, rule_id, year=2022, as_of=…) → {event record id: cell} for an event rule."""

    def run(unit, rule_id, *, year=2022, as_of=dt.date(2023, 6, 30)):
        return {c.subject.pk: c for c in evaluate(unit, year=year, as_of=as_of, rule_ids=[rule_id]).cells()}

    return run
