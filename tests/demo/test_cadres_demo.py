"""The demo's cadre records, checked by querying what was loaded: every career of the people plan is an
appointment, and the seed's 2022 cadre figures (SEED-FIGURES rows 3, 15–19) fall in DEMO-STORY's ranges and
differ from 2021."""

import datetime as dt

import pytest

from lvzhi.cadres.models import Appointment, Recruitment, ReserveEntry
from lvzhi.demo.people import plan

pytestmark = pytest.mark.django_db

YEARS = (2021, 2022)
BORN_80S = {"person__birth_date__year__gte": 1980, "person__birth_date__year__lte": 1989}
BORN_90S = {"person__birth_date__year__gte": 1990, "person__birth_date__year__lte": 1999}


def per_year(qs):
    return {y: qs.filter(date__year=y).count() for y in YEARS}


def test_every_planned_career_is_an_appointment_with_its_dates():
    recorded = {(a.person.code, a.unit.code, a.post, a.level, a.date, a.ended_on)
                for a in Appointment.objects.select_related("person", "unit")}
    planned = {(p.code, c.unit, c.post, c.level, c.start, c.end) for p in plan() for c in p.careers}
    assert planned == recorded
    in_2022 = {k for k in planned if k[4].year == 2022}
    assert len(in_2022) >= 15
    assert all(Appointment.objects.get(person__code=code, post=post, date=day).document.endswith("号")
               for code, _, post, _, day, _ in in_2022)


def test_kind_is_promotion_on_first_entering_a_level():
    for a in Appointment.objects.select_related("person"):
        earlier = Appointment.objects.filter(person=a.person, level=a.level, date__lt=a.date).exists()
        assert a.kind == ("transfer" if earlier else "promotion"), a


def test_two_post_80s_into_the_leadership_in_2022():
    into_leadership = Appointment.objects.filter(level="leadership", kind="promotion", **BORN_80S)
    counts = per_year(into_leadership)
    assert counts[2022] == 2 and counts[2021] != 2


def test_new_middle_cadres():
    counts = per_year(Appointment.objects.filter(level="middle", kind="promotion"))
    assert 10 <= counts[2022] <= 30 and counts[2022] != counts[2021]


def test_contact_plant_gets_young_postgraduate_leaders():
    young = Appointment.objects.filter(unit__code="JH01-P03", level="middle", kind="promotion",
                                       person__education__in=["postgraduate", "doctorate"], **BORN_80S)
    counts = per_year(young)
    assert 2 <= counts[2022] <= 10 and counts[2022] != counts[2021]
    assert young.filter(date__year=2022, date__gt=dt.date(2022, 1, 5)).count() == counts[2022]  # after it became the contact point


def test_two_post_90s_reserve_cadres_in_2022():
    entries = ReserveEntry.objects.filter(action="enter")
    assert per_year(entries.filter(**BORN_90S)) == {2021: 0, 2022: 2}
    planned = {(p.code, p.reserve_since) for p in plan() if p.reserve_since}
    assert set(entries.values_list("person__code", "date")) == planned


def test_double_first_class_graduates_hired():
    dfc = per_year(Recruitment.objects.filter(person__double_first_class=True))
    assert 20 <= dfc[2022] <= 60 and dfc[2022] != dfc[2021]
    assert set(Recruitment.objects.values_list("channel", flat=True)) == {"campus"}
    planned = {p.code for p in plan() if p.post == "技术员" and p.joined_on.year in YEARS}
    assert set(Recruitment.objects.values_list("person__code", flat=True)) == planned


def _share_80s(day):
    held = Appointment.objects.filter(level="middle", date__lte=day).exclude(ended_on__lte=day)
    years = [a.person.birth_date.year for a in held.select_related("person")]
    return 100 * sum(1980 <= y <= 1989 for y in years) / len(years)


def test_post_80s_share_of_middle_cadres_rises_a_few_points():
    ends = {y: dt.date(y, 12, 31) for y in (2020, 2021, 2022)}
    change_2022 = _share_80s(ends[2022]) - _share_80s(ends[2021])
    change_2021 = _share_80s(ends[2021]) - _share_80s(ends[2020])
    assert 1 <= change_2022 <= 15
    assert round(change_2022, 1) != round(change_2021, 1)
