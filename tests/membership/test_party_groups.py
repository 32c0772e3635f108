"""党小组 membership with dates: who belongs to a group on a day, and its 党小组会 judged against that day's group —
on 河川电力 (builders.py): a group of ZB-B whose members come, move on and leave the Party mid-year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from lvzhi.membership.attendance import expected_people
from lvzhi.membership.models import GroupMembership
from lvzhi.membership.selectors import roster
from lvzhi.obligations.engine import DONE, LATE, evaluate
from lvzhi.obligations.models import ObligationRule
from lvzhi.org.models import PartyOrg

from .builders import meeting

D = dt.date


def place(group, p, start=None, end=None):
    g = GroupMembership(group=group, person=p, start_on=start, end_on=end)
    g.fill_derived()
    g.full_clean()
    g.save()
    return g


@pytest.fixture
def group(river):
    g = PartyOrg.objects.create(code="DXZ-HC-B-1", name="乙电厂运行党小组", kind="group", unit=river.plant_b,
                                parent=river.branch_b)
    m = river.b_members
    place(g, m[0])
    place(g, m[1], D(2021, 1, 1), D(2022, 4, 30))  # moved to another group: 30 April is the last day here
    place(g, river.leaver)  # transferred out of the Party organisation on 15 February
    place(g, river.a_members[0], D(2022, 7, 1))  # came with the merged plant
    return g


def test_the_group_of_each_day(river, group):
    m = river.b_members
    names = lambda day: sorted(s.person_id for s in roster(group, day))  # noqa: E731
    assert names(D(2022, 2, 1)) == sorted([m[0].pk, m[1].pk, river.leaver.pk])
    assert names(D(2022, 2, 15)) == sorted([m[0].pk, m[1].pk])  # off the roll, off the group
    assert names(D(2022, 4, 30)) == sorted([m[0].pk, m[1].pk]) and names(D(2022, 5, 1)) == [m[0].pk]
    assert names(D(2022, 7, 1)) == sorted([m[0].pk, river.a_members[0].pk])
    assert [p.pk for p in expected_people(group, "group_meeting", D(2022, 3, 10))] == [m[0].pk, m[1].pk]
    assert roster(river.branch_b, D(2022, 3, 10))  # the branch's own roll is unchanged by the groups


def test_a_group_meeting_is_judged_against_its_days_group(river, group):
    ObligationRule.objects.create(rule_id="x.group_quorum", name="党小组会到会过半", responsibility="party_building",
                                  check_type="quorum", subject="event", subject_filter="kind=group_meeting",
                                  cadence="event", source="测试", effective_from=D(2019, 1, 1))
    m = river.b_members
    march = meeting(group, "group_meeting", D(2022, 3, 10), [m[0]])  # 1 of 2
    june = meeting(group, "group_meeting", D(2022, 6, 10), [m[0]])  # 1 of 1 (乙2 moved on in April)
    cells = {c.subject.pk: c for c in evaluate(river.company, year=2022, as_of=D(2023, 1, 31),
                                               rule_ids=["x.group_quorum"]).cells()}
    assert cells[march.pk].state == LATE and "应到2人" in cells[march.pk].detail
    assert cells[june.pk].state == DONE and "应到1人" in cells[june.pk].detail


def test_only_groups_and_dates_in_order(river, group):
    with pytest.raises(ValidationError, match="不是党小组"):
        place(river.branch_b, river.b_members[2])
    with pytest.raises(ValidationError, match="早于"):
        place(group, river.b_members[2], D(2022, 5, 1), D(2022, 4, 1))
