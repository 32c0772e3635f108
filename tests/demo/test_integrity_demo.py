"""The demo company's clean-governance records (seed rows 20, 21, 23, 24, 25; planted gaps 3 and 4)."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Q

from lvzhi.cadres.models import Appointment
from lvzhi.demo import story
from lvzhi.integrity.models import (
    Accountability,
    DutyItem,
    DutyList,
    Finding,
    Inspection,
    IntegrityTalk,
    Rectification,
    ResponsibilityLetter,
    WarningEducation,
)
from lvzhi.org.models import Person, Unit
from lvzhi.records import registry

pytestmark = pytest.mark.django_db
YEARS = (2021, 2022)
PRE = ("pre_appointment", "collective_pre_appointment")


def _in(company, model, year, **kw):
    return model.objects.filter(company.subtree_q("unit__"), date__year=year, **kw)


def test_letters_cover_every_plant_each_year_signed_in_february(company):
    plants = set(Unit.objects.filter(company.subtree_q(), kind="plant").values_list("pk", flat=True))
    assert len(plants) == 10
    signed = {}
    for year in YEARS:
        letters = ResponsibilityLetter.objects.filter(year=year, kind="two_responsibilities")
        assert set(letters.values_list("unit_id", flat=True)) == plants and letters.count() == len(plants)
        assert all(x.date.year == year and x.date.month == 2 and x.signatory_id for x in letters)
        signed[year] = set(letters.values_list("unit_id", "signatory_id"))
    assert signed[2021] != signed[2022]  # a plant changed its general-branch secretary in 2021


def test_the_secretary_and_every_leader_have_a_duty_list_done_on_time(company):
    for year in YEARS:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        leaders = set(Appointment.objects.filter(company.subtree_q("unit__"), level="leadership", date__lte=last)
                      .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first)).values_list("person_id", flat=True))
        lists = DutyList.objects.filter(year=year)
        assert set(lists.values_list("person_id", flat=True)) == leaders
        assert list(lists.filter(role="first_responsible").values_list("person__name", flat=True)) == ["王振华"]
        assert lists.filter(role="dual_duty").count() == len(leaders) - 1
        items = DutyItem.objects.filter(duty_list__year=year)
        assert items.count() >= 3 * len(leaders)
        assert all(i.done_on and i.duty_list.date <= i.done_on <= i.date for i in items.select_related("duty_list"))


def test_supervision_figures_of_2022_are_in_range_and_differ_from_2021(company):
    ranges = {"safety_production": (20, 40), "wage_distribution": (5, 15), "bidding": (10, 25), "other": (10, 30)}
    counts = {y: Counter(_in(company, Inspection, y).values_list("kind", flat=True)) for y in YEARS}
    for kind, (low, high) in ranges.items():
        assert low <= counts[2022][kind] <= high, kind
        assert counts[2021][kind] != counts[2022][kind], kind
    for year in YEARS:
        inspections = _in(company, Inspection, year)
        assert inspections.filter(method="unannounced").count() > 0.7 * inspections.count()  # mostly 四不两直
        assert not inspections.filter(kind="other", kind_other="").exists()
        assert not inspections.filter(inspectors=None).exists()


def test_every_rectification_met_its_deadline_except_the_planted_one(company):
    rectifications = Rectification.objects.filter(company.subtree_q("unit__"))
    assert rectifications.count() == Finding.objects.filter(company.subtree_q("unit__")).count() > 20
    late = [r for r in rectifications if r.status == "open" or r.completed_on > r.deadline]
    assert len(late) == 1
    assert late[0].status == "open" and late[0].deadline == dt.date(2022, 11, 30) and late[0].completed_on is None
    assert late[0].date < late[0].deadline and late[0].finding.person_id is None  # visible to everyone


def test_findings_about_a_named_person_are_confidential(company):
    confidential = registry.get("finding").confidential_rows()
    for year in YEARS:
        named = _in(company, Finding, year).filter(confidential)
        assert named.exists()
        assert set(named.values_list("rule_broken", flat=True)) <= {"eight_rules", "red_lines"}
    talks = IntegrityTalk.objects.filter(registry.get("integrity_talk").confidential_rows(), date__year=2022)
    assert set(talks.values_list("kind", flat=True)) == {"reminder", "admonition"}
    assert Accountability.objects.filter(date__year=2022).count() == 1


def _routine_people(company, year):
    talks = _in(company, IntegrityTalk, year, kind="routine")
    return talks.count(), set(talks.values_list("people", flat=True))


def test_talk_figures_of_2022_are_in_range_and_differ_from_2021(company):
    (n21, people21), (n22, people22) = _routine_people(company, 2021), _routine_people(company, 2022)
    assert 150 <= len(people22) <= 260 and len(people22) > n22  # about 200 people, some talked to together
    assert (n21, len(people21)) != (n22, len(people22))
    collective = {y: IntegrityTalk.people.through.objects.filter(
        integritytalk__in=_in(company, IntegrityTalk, y, kind="collective_pre_appointment")).count() for y in YEARS}
    assert collective[2022] >= 10 and collective[2021] >= 3 and collective[2022] != collective[2021]


def _required(company, year):
    """Everyone owed a routine talk in the year: leadership and middle cadres in post at any time of it (appointment
    history), people recorded today as such or in a key post, all while employed."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    posted = Appointment.objects.filter(level__in=["leadership", "middle"], date__lte=last).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=first)).values("person_id")
    return (Person.objects.filter(company.subtree_q("unit__"))
            .filter(Q(pk__in=posted) | Q(cadre_level__in=["leadership", "middle"]) | Q(is_key_post=True))
            .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=last), Q(left_on__isnull=True) | Q(left_on__gt=first)))


def test_routine_talks_cover_every_required_person_in_both_years(company):
    for year in YEARS:
        required = _required(company, year)
        _, talked = _routine_people(company, year)
        assert 180 <= required.count() <= 240
        assert set(required.values_list("pk", flat=True)) <= talked
        # and each was talked to while employed
        for person, day in (IntegrityTalk.people.through.objects.filter(
                integritytalk__kind="routine", integritytalk__date__year=year)
                .values_list("person", "integritytalk__date")):
            p = Person.objects.get(pk=person)
            assert (p.joined_on is None or p.joined_on <= day) and (p.left_on is None or day < p.left_on)


def test_every_appointment_had_its_talk_in_time_except_the_planted_one(company):
    appointments = (Appointment.objects.filter(company.subtree_q("unit__"), date__year__in=YEARS)
                    .select_related("person"))
    assert appointments.count() >= 25
    late = []
    for a in appointments:
        talks = a.person.integrity_talks.filter(kind__in=PRE)
        if not talks.filter(date__lte=a.date, date__gte=a.date - dt.timedelta(days=180)).exists():
            late.append((a, list(talks)))
    assert len(late) == 1
    appointment, talks = late[0]
    assert appointment.date.year == 2022 and appointment.level == "middle"
    assert [(t.kind, 0 < (t.date - appointment.date).days <= 7) for t in talks] == [("pre_appointment", True)]


def test_collective_talks_precede_each_batch_of_appointments(company):
    for talk in IntegrityTalk.objects.filter(kind="collective_pre_appointment").prefetch_related("people"):
        people = list(talk.people.all())
        assert len(people) >= 2
        for person in people:
            appointed = Appointment.objects.filter(person=person, date__gte=talk.date,
                                                   date__lte=talk.date + dt.timedelta(days=45))
            assert appointed.exists(), (talk, person)


def test_warning_education_three_or_four_times_a_year(company):
    for year in YEARS:
        sessions = _in(company, WarningEducation, year)
        assert 3 <= sessions.count() <= 4
        assert all(s.audience == story.WARNING_AUDIENCE and s.participants > 100 for s in sessions)
    assert _in(company, WarningEducation, 2021).count() != _in(company, WarningEducation, 2022).count()
