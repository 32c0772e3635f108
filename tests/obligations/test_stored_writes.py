"""A write rewrites only its own stored cells: the rules its record type counts for, the subject its link names,
the period its date falls in (and its own event) — the same number of queries and rows however large the tree."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lvzhi.audit import anchors
from lvzhi.obligations import marks, stored
from lvzhi.obligations.models import ObligationRule, StoredResult, StoredYear
from lvzhi.obligations.periods import period_of
from lvzhi.obligations.services import revise_rule
from lvzhi.org.models import PartyOrg
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, services

from . import builders as b
from .test_query_count import add_workshops
from .test_stored import engine_cells, stored_cells

D = dt.date
TODAY = D(2022, 8, 15)
EVERYONE = Scope.everything()
pytestmark = pytest.mark.django_db


def _write(capture, org, day):
    """Create a 支部活动 through the records service; (queries, rewritten rows as (rule, kind, type, pk, period))."""
    since = timezone.now()
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        obj = services.create_record(registry.get("branch_activity"),
                                     {"party_org": org, "kind": "committee_meeting", "date": day, "title": f"会 {day}"},
                                     actor=None, scope=EVERYONE)
    rows = set(StoredResult.objects.filter(year=2022, computed_at__gte=since)
               .values_list("rule_id", "subject_kind", "subject_type", "subject_pk", "period_key", "version__cadence"))
    return obj, len(queries.captured_queries), rows


def test_a_write_rewrites_its_own_cells_only_and_costs_the_same_in_a_larger_tree(
        settings, django_capture_on_commit_callbacks):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    # The periodic audit anchor (once a minute per process) runs after a commit; on a slow machine it fell inside
    # one of the counted writes and not the other.
    settings.AUDIT_ANCHOR_SECONDS = -1
    tc = b.company()
    # A branch on the company itself: its unit's subtree is the whole company (every workshop below).
    org = PartyOrg.objects.create(code="ZB-JG", name="机关党支部", kind="branch", unit=tc.company)
    for k in range(4):
        b.person(tc.company, f"机关党员{k}", party_org=org)
    add_workshops(tc, 1)
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    _write(django_capture_on_commit_callbacks, org, D(2022, 5, 3))  # caches of the first write (content types …)
    before = StoredResult.objects.filter(year=2022).count()

    obj, small, rows = _write(django_capture_on_commit_callbacks, org, D(2022, 5, 10))
    assert rows, "the write's cells were rewritten"
    for rule_id, kind, stype, pk, period, cadence in rows:
        own_subject = (kind, pk) == ("party_org", org.pk) and period == period_of(cadence, D(2022, 5, 10)).key
        own_event = (kind, stype, pk) == ("event", "branch_activity", obj.pk)
        assert own_subject or own_event, (rule_id, kind, stype, pk, period)
    assert StoredResult.objects.filter(year=2022).count() == before + 1  # its quorum cell is new

    add_workshops(tc, 4, start=1)
    stored.recompute(2022, unit=tc.group)
    anchors._last["time"] = 0.0  # as if a minute had passed: with anchoring off, still no extra query
    _, large, more_rows = _write(django_capture_on_commit_callbacks, org, D(2022, 5, 20))
    assert large == small
    assert len(more_rows) == len(rows)
    assert stored_cells(tc.group) == engine_cells(tc.group)


def test_a_write_naming_too_many_cells_recomputes_its_rules_whole(settings, django_capture_on_commit_callbacks,
                                                                   monkeypatch):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    tc = b.company()
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    monkeypatch.setattr(marks, "MAX_FOCUS", 0)  # as a large import would
    _, _, rows = _write(django_capture_on_commit_callbacks, tc.branch, D(2022, 5, 10))
    months = {period for rule_id, _, _, _, period, _ in rows if rule_id == "branch.committee_meeting"}
    assert len(months) == 12  # the whole rule for the unit's subtree, not the month of the write
    assert stored_cells(tc.group) == engine_cells(tc.group)


def test_a_revised_rule_is_stale_at_once_and_recomputed_on_the_queue_with_progress(
        settings, django_capture_on_commit_callbacks, tmp_path):
    settings.LVZHI_AS_OF = TODAY.isoformat()
    settings.RULE_RECOMPUTE_INLINE = True
    settings.VAR_DIR = tmp_path
    tc = b.company()
    b.monthly(tc.branch, "committee_meeting", 2022, months=range(1, 7))
    stored.recompute(2022, unit=tc.group)
    StoredYear.objects.update_or_create(year=2022, defaults={"complete": True})
    rule = ObligationRule.objects.get(rule_id="branch.committee_meeting", unit__isnull=True)
    rows = StoredResult.objects.filter(year=2022, rule_id=rule.rule_id, unit__path__startswith=tc.company.path)
    with django_capture_on_commit_callbacks() as queued:
        revise_rule(rule, {"min_count": 2}, effective_from=D(2022, 5, 1), actor=None, scope=EVERYONE, unit=tc.company)
    # Until the queue has recomputed it, every row of the rule there is stale: a reader recomputes it first.
    assert rows.exists() and not rows.exclude(stale_from__lte=TODAY).exists()
    assert not StoredResult.objects.filter(year=2022, stale_from__lte=TODAY).exclude(rule_id=rule.rule_id).exists()
    assert [(j["year"], j["rules"]) for j in stored.progress()] == []  # queued on commit
    out = io.StringIO()
    stored.queued(2022, tc.company.pk, [rule.rule_id])  # what the queue shows until the task is done
    call_command("recompute", "--status", stdout=out)
    assert f"2022年 {rule.rule_id}：排队中" in out.getvalue()
    for callback in queued:
        callback()
    assert stored.progress() == []
    assert not rows.filter(stale_from__lte=TODAY).exists()
    assert stored_cells(tc.group) == engine_cells(tc.group)
