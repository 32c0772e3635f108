"""A report rendered inside a page's reused result (the preview) keeps its figures and its facts one by one
(``metrics.compute.compute_kept``, ``templating._KeptFacts``): after writes of the records they read — in one piece
of the subtree or another, and of a unit above the report's (its threshold, its unit facts, its declarations) —
the document equals one rendered from scratch, token for token."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from lvzhi.governance.models import PreReviewRule
from lvzhi.ideology.models import Campaign, CampaignForm
from lvzhi.org.models import UnitFact
from lvzhi.partybuilding.models import BranchActivity
from lvzhi.reports import services, templating
from lvzhi.web import datacache
from obligations import builders as b  # tests/ is on the path (its conftest)

D = dt.date
# committed data: a transaction that wrote reuses nothing
pytestmark = pytest.mark.django_db(transaction=True)
_runs = itertools.count()


@pytest.fixture
def tc(settings):
    settings.RESULTS_REFRESH = "inline"
    datacache.forget()
    tc = b.company()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 4), attendees=tc.members[:2])
    b.talk(tc.workshop, "routine", D(2022, 3, 1), tc.members[:2])
    b.pre_review_rule(tc.group, threshold="200")  # a unit above the report's
    return tc


def _document(doc) -> tuple:
    tokens = [(t.text, t.kind, t.label, t.metric, t.unit_id, t.value, t.records, t.reason) for t in doc.tokens]
    return [(k.kind, doc.text_of(k)) for k in doc.blocks], tokens, doc.warnings


def _render(unit):
    body = services.builtin_template().body
    return templating.render(body, unit=unit, year=2022, secretary=services.default_secretary(unit, D(2023, 1, 10)))


def _kept(unit):
    return datacache.cached("test.preview_kept", (next(_runs),), lambda: _document(_render(unit)))


def test_a_preview_with_kept_figures_and_facts_equals_one_rendered_from_scratch_after_writes(tc):
    unit = tc.company
    assert _kept(unit) == _document(_render(unit))
    writes = [
        lambda: Campaign.objects.create(unit=tc.plant, title="安全生产月", form=CampaignForm.values[0], year=2022, quarter=2,
                                         date=D(2022, 5, 1)),
        lambda: PreReviewRule.objects.filter(unit=tc.group).update(threshold=Decimal("50")),
        lambda: UnitFact.objects.create(unit=tc.group, key="strategy", label="发展战略", value="高端化",
                                        date=D(2020, 1, 1)),  # a unit above the report's
        lambda: BranchActivity.objects.filter(pk=b.activity(tc.dept_branch, "org_life_meeting", D(2022, 6, 1)).pk)
        .update(theme="对照检查"),
        lambda: b.talk(tc.dept, "routine", D(2022, 4, 1), []),
        lambda: UnitFact.objects.filter(unit=tc.group).update(value="差异化"),
    ]
    for i, write in enumerate(writes):
        before = _kept(unit)
        write()
        after = _kept(unit)
        fresh = _document(_render(unit))
        differ = [(x, y) for part in range(3) for x, y in zip(after[part], fresh[part], strict=False) if x != y]
        assert after == fresh, (i, differ[:3])
        assert after != before, f"write {i} changes the report"
