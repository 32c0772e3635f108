"""Rules as data with versions: a revision adds a version, each period is judged by the version in force at
its end, a committee's own copy takes precedence in its subtree, and every change is audited."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lvzhi.audit.models import AuditEntry
from lvzhi.obligations.defaults import default_rule_rows, ensure_default_rules
from lvzhi.obligations.engine import DONE, LATE, evaluate
from lvzhi.obligations.models import ObligationRule
from lvzhi.obligations.selectors import rule_history, rules_in_force
from lvzhi.obligations.services import revise_rule
from lvzhi.org.scoping import Scope

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


def default(rule_id):
    return ObligationRule.objects.get(rule_id=rule_id, unit__isnull=True)


def organiser_of(unit):
    return Scope(read_paths=(unit.path,), write_paths={"obligations": (unit.path,)}, roles=frozenset({"organizer"}))


def test_every_database_starts_with_the_default_rules_and_their_sources():
    rows = default_rule_rows()
    assert len(rows) >= 25
    defaults = {r.rule_id: r for r in ObligationRule.objects.filter(unit__isnull=True)}
    assert set(defaults) == {r["rule_id"] for r in rows}
    assert all(r.source for r in defaults.values())
    assert defaults["branch.committee_meeting"].cadence == "month"
    assert defaults["branch.committee_meeting"].article == "第十二条"
    assert ensure_default_rules() == 0  # already there: nothing added


def test_rule_changed_mid_year_judges_each_period_by_the_version_in_force(tc, company):
    scope = organiser_of(tc.company)
    rule = default("branch.committee_meeting")
    copy = revise_rule(rule, {"cadence": "quarter"}, effective_from=D(2022, 7, 1), actor="测试", scope=scope,
                       unit=tc.company)
    assert copy.unit == tc.company and copy.rule_id == rule.rule_id and copy.effective_from == D(2022, 7, 1)
    b.monthly(tc.branch, "committee_meeting", 2022, months=[1, 2, 3, 4, 5, 6, 8])
    cells = evaluate(tc.company, year=2022, as_of=D(2023, 3, 1), rule_ids=[rule.rule_id]).cells()
    got = {c.period.key: (c.state, c.rule.pk) for c in cells if c.subject.label == "一车间党支部"}
    assert got == {**{f"2022-{m:02d}": (DONE, rule.pk) for m in range(1, 7)},
                   "2022-Q3": (DONE, copy.pk), "2022-Q4": (LATE, copy.pk)}
    # outside the copy's subtree (the demo company) the default still judges every month
    demo = evaluate(company, year=2022, as_of=D(2023, 3, 1), rule_ids=[rule.rule_id])
    assert {c.period.key for c in demo.cells()} == {f"2022-{m:02d}" for m in range(1, 13)}
    in_force = {r.rule_id: r for r in rules_in_force(tc.workshop, D(2022, 8, 1))}
    assert in_force["branch.committee_meeting"].pk == copy.pk
    assert {r.rule_id: r for r in rules_in_force(tc.workshop, D(2022, 6, 30))}["branch.committee_meeting"].pk == rule.pk


def test_revising_the_owners_version_ends_it_and_is_audited(tc):
    scope = organiser_of(tc.company)
    first = revise_rule(default("branch.themed_day"), {"min_count": 2}, effective_from=D(2022, 1, 1), actor="测试",
                        scope=scope, unit=tc.company)
    before = AuditEntry.objects.count()
    second = revise_rule(first, {"min_count": 1, "grace_days": 3}, effective_from=D(2022, 7, 1), actor="测试",
                         scope=scope)
    first.refresh_from_db()
    assert first.effective_to == D(2022, 6, 30) and first.min_count == 2 and first.version == 2
    assert second.effective_to is None and second.min_count == 1 and second.grace_days == 3
    entries = list(AuditEntry.objects.order_by("-seq")[:2])
    assert AuditEntry.objects.count() == before + 2
    assert {e.action for e in entries} == {"create", "update"}
    assert [v.pk for v in rule_history("branch.themed_day", tc.workshop)][-2:] == [first.pk, second.pk]
    b.monthly(tc.branch, "themed_day", 2022)
    cells = {c.period.key: c for c in evaluate(tc.company, year=2022, as_of=D(2023, 1, 31),
                                               rule_ids=["branch.themed_day"]).cells()
             if c.subject.label == "一车间党支部"}
    assert cells["2022-06"].state == LATE and cells["2022-06"].required == 2
    assert cells["2022-07"].state == DONE and cells["2022-07"].required == 1


def test_revisions_must_move_forward_and_stay_within_scope(tc):
    scope = organiser_of(tc.company)
    copy = revise_rule(default("branch.themed_day"), {}, effective_from=D(2022, 1, 1), actor="测试", scope=scope,
                       unit=tc.company)
    with pytest.raises(ValidationError):
        revise_rule(copy, {"min_count": 3}, effective_from=D(2021, 12, 31), actor="测试", scope=scope)
    with pytest.raises(ValidationError):
        revise_rule(copy, {"rule_id": "other"}, effective_from=D(2023, 1, 1), actor="测试", scope=scope)
    with pytest.raises(PermissionDenied):  # only administrators revise the defaults themselves
        revise_rule(default("branch.themed_day"), {}, effective_from=D(2023, 1, 1), actor="测试", scope=scope)
    with pytest.raises(PermissionDenied):
        revise_rule(copy, {}, effective_from=D(2023, 1, 1), actor="测试", scope=organiser_of(tc.dept))


def test_a_version_is_validated_as_data(tc):
    rule = ObligationRule(rule_id="x.test", name="测试", responsibility="party_building", subject="party_org",
                          record_type="branch_activity", record_filter="kind=committee_meeting; nonsense=1",
                          link="party_org", cadence="month", source="测试", effective_from=D(2022, 1, 1))
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "record_filter" in err.value.message_dict
    rule.record_filter, rule.link = "kind=committee_meeting", "no_such_field"
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "link" in err.value.message_dict
    rule.link, rule.cadence = "party_org", "event"
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert "cadence" in err.value.message_dict
    rule.cadence = "month"
    rule.full_clean()
    rule.save()
    overlapping = ObligationRule(**{f.attname: getattr(rule, f.attname) for f in rule._meta.concrete_fields
                                    if f.name not in ("id",)})
    overlapping.pk = None
    overlapping.effective_from = D(2022, 6, 1)
    with pytest.raises(ValidationError) as err:
        overlapping.full_clean()
    assert "effective_from" in err.value.message_dict


def test_rule_in_words(tc):
    rule = default("branch.committee_meeting")
    assert rule.subject_text == "设支部委员会的党支部"
    assert rule.record_text == "支部活动（活动类别：支部委员会）"
    assert rule.requirement_text == "每月不少于1次"
    assert default("integrity.routine_talk").subject_text == "班子成员、中层干部、人财物关键岗位人员（不含党委书记本人）"
    assert default("integrity.letters").subject_text == "基层厂"
