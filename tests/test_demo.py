import datetime as dt

import pytest

from lvzhi.demo import people
from lvzhi.demo.loader import load_demo
from lvzhi.org.models import PartyOrg, Person, RoleAssignment, Unit, User

pytestmark = pytest.mark.django_db


def _counts():
    return (Unit.objects.count(), PartyOrg.objects.count(), Person.objects.count(), User.objects.count(),
            RoleAssignment.objects.count())


def test_loading_the_demo_twice_duplicates_nothing():
    before = _counts()
    assert load_demo(echo=lambda *_: None) == []
    assert _counts() == before


def test_demo_company_has_the_seeds_proportions():
    company = Unit.objects.get(code="JH01")
    branches = PartyOrg.objects.filter(company.subtree_q("unit__"), kind="branch").count()
    members = Person.objects.filter(company.subtree_q("unit__"), left_on__isnull=True).exclude(party_status="none").count()
    cadres = Person.objects.filter(company.subtree_q("unit__"), left_on__isnull=True, cadre_level__in=["leadership", "middle"]).count()
    assert 55 <= branches <= 70
    assert 1300 <= members <= 1700
    assert 120 <= cadres <= 220
    assert Unit.objects.filter(kind="plant").count() == 10


def test_post_80s_share_of_middle_cadres_changes_between_years():
    def share(day):
        m = people.middle_cadres_at(day)
        return sum(1980 <= p.birth.year <= 1989 for p in m) / len(m)

    assert share(dt.date(2022, 12, 31)) - share(dt.date(2021, 12, 31)) > 0.03


def test_every_role_has_a_demo_account():
    roles = set(RoleAssignment.objects.values_list("role", flat=True))
    assert roles == {"admin", "secretary", "organizer", "discipline", "propaganda", "branch_secretary", "readonly"}
