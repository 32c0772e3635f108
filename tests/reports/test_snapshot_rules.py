"""A finalised report keeps the rule versions that judged its unit's year (they were silently empty before)."""

import datetime as dt
import json

import pytest
from django.db.models import Q

from lvzhi.obligations.models import ObligationRule
from lvzhi.obligations.services import revise_rule
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.reports import services

pytestmark = pytest.mark.django_db


def _unit(code, name, parent=None, kind="company"):
    node = Unit(code=code, name=name, kind=kind)
    if parent is None:
        return Unit.objects.add_root(instance=node)
    return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), instance=node)


def _in_force(year):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (ObligationRule.objects.filter(unit__isnull=True, effective_from__lte=end)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start)))


def test_the_snapshot_names_the_rule_versions_of_the_year(users, company):
    scope = scope_for(users["shuji"])
    report = services.create_report(unit=company, year=2022, template=services.builtin_template(),
                                    actor=users["shuji"], scope=scope)
    snapshot = services._snapshot(report, services.render_document(report))
    rules = snapshot["rule_versions"]
    expected = set(_in_force(2022).values_list("pk", flat=True))
    assert expected and expected <= {r["id"] for r in rules}
    one = next(r for r in rules if r["id"] == min(expected))
    rule = ObligationRule.objects.get(pk=one["id"])
    assert (one["rule_id"], one["name"], one["source"]) == (rule.rule_id, rule.name, rule.source)
    json.dumps(snapshot)  # stored as JSON


def test_rules_in_force_follow_the_unit_subtree_and_the_year(db):
    """A second organisation, other tree: a plant's own copy counts from the year it starts, another company's
    copy never does."""
    group = _unit("T-YS", "远山集团")
    plant = _unit("T-YS-01", "远山一厂", parent=group, kind="plant")
    elsewhere = _unit("T-BC", "别处公司")
    base = _in_force(2022).filter(effective_to__isnull=True).order_by("rule_id").first()
    everything = Scope.everything()
    own = revise_rule(base, {"min_count": base.min_count + 1}, effective_from=dt.date(2023, 3, 1), actor="测试",
                      scope=everything, unit=plant)
    foreign = revise_rule(base, {"min_count": base.min_count + 2}, effective_from=dt.date(2022, 1, 1), actor="测试",
                          scope=everything, unit=elsewhere)

    group, plant = Unit.objects.get(pk=group.pk), Unit.objects.get(pk=plant.pk)  # paths move as roots are sorted
    ids_2022 = {r["id"] for r in services.rules_in_force(group, 2022)}
    ids_2023 = {r["id"] for r in services.rules_in_force(group, 2023)}
    assert base.pk in ids_2022 and base.pk in ids_2023
    assert own.pk not in ids_2022 and own.pk in ids_2023
    assert foreign.pk not in ids_2022 | ids_2023
    plant_2023 = {r["id"]: r for r in services.rules_in_force(plant, 2023)}
    assert plant_2023[own.pk]["unit"] == "T-YS-01" and plant_2023[own.pk]["min_count"] == base.min_count + 1
