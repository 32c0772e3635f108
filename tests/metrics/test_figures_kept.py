"""Inside a page's reused result (a report's preview, its evidence) the figures not counted with their type's —
shares, coverages, people, changes — and the declarations that let a figure be zero are kept one by one while the
tables they read are unchanged: after writes of records in one piece or another, and a declaration of a unit above
the report's, each equals the figure computed from scratch (value, reason, detail and the records behind it)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from lvzhi.metrics.catalogue import CATALOGUE
from lvzhi.metrics.compute import Period, compute, compute_kept, compute_many
from lvzhi.records.models import KeepingStatus, RecordKeeping
from lvzhi.web import datacache
from obligations import builders as b  # tests/ is on the path (its conftest)

D = dt.date
PERIOD = Period.year(2022)
# committed data: a transaction that wrote reuses nothing
pytestmark = pytest.mark.django_db(transaction=True)
_runs = itertools.count()
FIGURES = [m for m in CATALOGUE if not m.person_field]


@pytest.fixture
def tc(settings):
    settings.RESULTS_REFRESH = "inline"
    datacache.forget()
    tc = b.company()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 4), attendees=tc.members[:2])
    b.talk(tc.workshop, "routine", D(2022, 3, 1), tc.members[:2])
    b.appointment(tc.members[0], tc.plant, D(2021, 5, 1))
    return tc


def _seen(figure) -> tuple:
    detail = {k: (v._meta.label, v.pk) if hasattr(v, "_meta") else v for k, v in figure.detail.items()}
    return (figure.value, figure.missing, detail, str(figure.records.query) if figure.records is not None else None)


def _kept(unit) -> dict:
    """As a preview reads them: inside a reused result being computed (a new one each time)."""
    def figures():
        out = {m.id: _seen(compute_kept(m, unit, PERIOD)) for m in FIGURES}
        out.update({i: _seen(f) for i, f in compute_many([m.id for m in FIGURES], unit, PERIOD).items()})
        return out

    return datacache.cached("test.figures_kept", (next(_runs),), figures)


def _fresh(unit) -> dict:
    out = {m.id: _seen(compute(m, unit, PERIOD)) for m in FIGURES}
    out.update({i: _seen(f) for i, f in compute_many([m.id for m in FIGURES], unit, PERIOD).items()})
    return out


def test_figures_kept_one_by_one_equal_the_figures_computed_from_scratch_after_writes(tc):
    for unit in (tc.company, tc.plant):
        assert _kept(unit) == _fresh(unit)
    writes = [
        lambda: b.talk(tc.dept, "routine", D(2022, 4, 1), []),  # the department's piece
        lambda: b.activity(tc.branch, "party_lecture", D(2022, 5, 1), attendees=tc.members[2:5]),  # the plant's
        lambda: b.appointment(tc.members[1], tc.workshop, D(2022, 6, 1), level="leadership", post="厂长"),
        lambda: b.talk(tc.workshop, "routine", D(2022, 7, 1), tc.members[2:4]),
    ]
    for write in writes:
        write()
        for unit in (tc.company, tc.plant):
            assert _kept(unit) == _fresh(unit)
    # a declaration of the unit above the report's: a zero now stands where a figure was missing
    before = _kept(tc.company)
    for record_type in sorted({m.record_type for m in FIGURES}):
        RecordKeeping.objects.create(unit=tc.group, record_type=record_type, year=2022, status=KeepingStatus.KEPT,
                                     date=D(2023, 1, 5))
    after = _kept(tc.company)
    assert after == _fresh(tc.company)
    assert any(before[i][0] is None and after[i][0] == 0 for i in after), "a missing figure is now a declared zero"
