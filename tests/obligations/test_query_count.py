"""The engine is set-based: its number of queries depends on the rules, never on the number of units."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.obligations.engine import evaluate
from lvzhi.obligations.models import ObligationRule
from lvzhi.org.models import PartyOrg

from . import builders as b

D = dt.date
pytestmark = pytest.mark.django_db


def add_workshops(tc, n: int, start: int = 0):
    """n more workshops, each with a branch (支委会 of three), members, meetings and talks."""
    plant = tc.plant
    for i in range(start, start + n):
        plant.refresh_from_db()
        unit = b.add_unit(plant, f"TC-P1-X{i:03d}", f"车间{i}", kind="workshop", category="grassroots")
        branch = PartyOrg.objects.create(code=f"ZB-X{i:03d}", name=f"车间{i}党支部", kind="branch", unit=unit)
        members = [b.person(unit, f"车间{i}党员{k}", party_org=branch) for k in range(4)]
        branch.committee_members.set(members[:3])
        branch.secretary = members[0]
        branch.save()
        b.monthly(branch, "committee_meeting", 2022, months=range(1, 12), attendees=members[:2])
        b.activity(branch, "general_meeting", D(2022, 3, 1), attendees=members[:3])
        b.activity(branch, "heart_talk", D(2022, 5, 1), attendees=members)
        cadre = b.person(unit, f"车间{i}主任", level="middle")
        b.appointment(cadre, unit, D(2022, 4, 1))
        b.talk(unit, "routine", D(2022, 3, 1), [cadre])
        b.rectification(unit, D(2022, 10, 31))


def queries_for(unit) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        ev = evaluate(unit, year=2022, as_of=D(2023, 1, 31))
    branches = {c.subject.pk for c in ev.cells() if c.rule.rule_id == "branch.committee_meeting"}
    return len(ctx.captured_queries), len(branches)


def test_query_count_does_not_grow_with_the_number_of_units(tc, django_assert_max_num_queries):
    add_workshops(tc, 2)
    small, small_branches = queries_for(tc.company)
    add_workshops(tc, 25, start=2)
    with django_assert_max_num_queries(small):
        large, large_branches = queries_for(tc.company)
    assert large_branches == small_branches + 25
    # and the bound itself is small: a handful of queries per rule
    rules = ObligationRule.objects.filter(unit__isnull=True).count()
    assert small <= 3 * rules + 5


def test_whole_demo_company_in_a_bounded_number_of_queries(company, django_assert_max_num_queries):
    rules = ObligationRule.objects.filter(unit__isnull=True).count()
    with django_assert_max_num_queries(3 * rules + 5):
        ev = evaluate(company, year=2022, as_of=D(2023, 1, 31))
    assert sum(1 for _ in ev.cells()) > 5000
