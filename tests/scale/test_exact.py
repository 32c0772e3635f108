"""The set-based rewrites made for scale give exactly what the direct, per-item computation gives."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import Q

from lvzhi.metrics.compute import Period, compute
from lvzhi.obligations.engine import evaluate
from lvzhi.org.models import PartyOrg, Person
from lvzhi.partybuilding.models import BranchActivity
from lvzhi.scale.generate import generate
from lvzhi.scale.scenarios import TINY

pytestmark = pytest.mark.django_db
YEAR = 2024


@pytest.fixture
def top():
    return generate(TINY, years=2, end_year=YEAR).top


def test_quorum_expects_the_members_of_the_meeting_day(top):
    # members who join or leave within the year count only on the days they belong
    from lvzhi.membership.models import MembershipEvent

    with_events = MembershipEvent.objects.values("person_id")
    people = list(Person.objects.filter(unit__path__startswith=top.path, party_status="member",
                                        party_org__kind="branch").exclude(pk__in=with_events).order_by("pk")[:40])
    for i, p in enumerate(people):
        if i % 2:
            p.member_since = dt.date(YEAR, 1 + i % 12, 15)
        else:
            p.left_on = dt.date(YEAR, 1 + i % 12, 10)
        p.save()
    ev = evaluate(top, year=YEAR, as_of=dt.date(YEAR + 1, 1, 31), rule_ids=["branch.quorum"])
    cells = list(ev.cells())
    assert cells
    histories: dict[int, list] = {}  # the generator's Party-life events (transfers, admissions), read directly
    for e in MembershipEvent.objects.order_by("pk"):
        histories.setdefault(e.person_id, []).append(e)
    for cell in cells:
        a = BranchActivity.objects.get(pk=cell.subject.pk)
        if a.expected_count:
            expected = a.expected_count
        elif a.kind == "committee_meeting":
            expected = PartyOrg.objects.get(pk=a.party_org_id).committee_members.count()
        else:
            expected = Person.objects.filter(
                Q(left_on__isnull=True) | Q(left_on__gt=a.date), Q(member_since__isnull=True) | Q(member_since__lte=a.date),
                party_org_id=a.party_org_id, party_status="member").exclude(pk__in=with_events).count()
            expected += sum(1 for evs in histories.values() if _on_the_day(evs, a.date) == (a.party_org_id, "member"))
        present = a.attendees.count()
        assert re.search(f"实到{present}人，应到{expected}人", cell.detail), (cell.detail, present, expected)


def _on_the_day(events, day):
    """(organisation, status) on ``day`` for the generator's shapes: 期初登记, 转入 (internal or from outside), 入党."""
    org = status = None
    for e in sorted(events, key=lambda e: (e.date or dt.date.min, e.pk)):
        if e.date and e.date > day:
            break
        org, status = e.party_org_id, "probationary" if e.kind == "admitted" else "member"
    return org, status


def test_shares_and_coverage_equal_their_two_direct_counts(top):
    from lvzhi.cadres.models import Appointment
    from lvzhi.integrity.models import IntegrityTalk

    period = Period.year(YEAR)
    share = compute("cadres.middle_80s_share", top, period)
    held = Appointment.objects.filter(top.subtree_q("unit__"), level="middle", date__lte=period.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=period.end))
    total = held.values("person").distinct().count()
    part = held.filter(person__birth_date__year__gte=1980, person__birth_date__year__lte=1989) \
        .values("person").distinct().count()
    assert share.detail == {"numerator": part, "denominator": total} and total > 0

    coverage = compute("integrity.talk_coverage", top, period)
    required = Person.objects.filter(top.subtree_q("unit__"),
                                     Q(cadre_level__in=["leadership", "middle"]) | Q(is_key_post=True)).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=period.end), Q(joined_on__isnull=True) | Q(joined_on__lte=period.end))
    talked = IntegrityTalk.people.through.objects.filter(
        integritytalk__in=IntegrityTalk.objects.filter(top.subtree_q("unit__"), kind="routine",
                                                       date__gte=period.start, date__lte=period.end)).values("person")
    assert coverage.detail["required"] == required.count() > 0
    assert coverage.detail["covered"] == required.filter(pk__in=talked).count()
