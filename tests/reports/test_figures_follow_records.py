"""Figures come from records: add records and exactly those figures move; another unit has its own figures."""

import datetime as dt
import re

import pytest

from lvzhi.integrity.models import Inspection, IntegrityTalk
from lvzhi.org.models import Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import CommitteeMeeting, StudySession
from lvzhi.records import registry
from lvzhi.records.services import create_record

pytestmark = pytest.mark.django_db


def _numbers(doc) -> dict[str, str]:
    return {t.metric: t.text for t in doc.tokens if t.kind == "figure" and t.unit_id and t.metric}


def test_adding_records_changes_exactly_their_figures(render_company, company):
    before = _numbers(render_company())
    scope = Scope.everything()
    meeting = CommitteeMeeting.objects.filter(unit=company, date__year=2022).first()
    create_record(registry.get("study_session"), {
        "unit": company, "party_org": meeting.party_org, "kind": "first_agenda", "date": dt.date(2022, 12, 30),
        "title": "补录的第一议题", "meeting": meeting}, actor="测试", scope=scope)
    for kind in ("safety_production", "wage_distribution", "bidding", "other"):
        create_record(registry.get("inspection"), {"unit": company, "kind": kind, "date": dt.date(2022, 12, 29),
                                                   "title": f"补录{kind}"}, actor="测试", scope=scope)
    talked = IntegrityTalk.objects.filter(date__year=2022, kind="routine").values("people")
    newcomer = Person.objects.filter(company.subtree_q("unit__"), cadre_level="none").exclude(pk__in=talked).first()
    create_record(registry.get("integrity_talk"), {"unit": company, "kind": "routine", "date": dt.date(2022, 12, 28),
                                                   "title": "补录谈话", "people": [newcomer]}, actor="测试", scope=scope)
    after = _numbers(render_company())
    changed = {k for k in before if before[k] != after.get(k)}
    expected = {"study.first_agenda", "integrity.inspections.safety_production", "integrity.inspections.wage_distribution",
                "integrity.inspections.bidding", "integrity.inspections.other", "integrity.routine_talks",
                "integrity.routine_talk_people"}
    assert changed == expected
    for k in expected:
        assert int(after[k]) == int(before[k]) + 1, k


def test_another_unit_gets_its_own_figures(render_company):
    company_doc = render_company()
    plant_doc = render_company(unit_code="JH01-P03")
    company_numbers, plant_numbers = _numbers(company_doc), _numbers(plant_doc)
    unit = Unit.objects.get(code="JH01-P03")
    inspections = Inspection.objects.filter(unit.subtree_q("unit__"), date__year=2022)
    expected = inspections.filter(kind="safety_production").count()
    assert inspections.exists(), "演示数据中有机硅厂应有监督检查记录"
    assert plant_numbers["integrity.inspections.safety_production"] == str(expected)
    assert int(company_numbers["integrity.inspections.safety_production"]) > expected
    assert plant_numbers != company_numbers
    # what the plant has no records for is marked, never printed as a number
    assert any("待补充" in t.text for t in plant_doc.tokens if t.kind == "missing")


def test_a_year_without_records_is_marked_missing_not_zero(render_company):
    doc = render_company(year=2019)
    text = "".join(doc.plain_lines())
    assert "【待补充：班子集中跟进学习次数】" in text
    assert "集中跟进学习0次" not in text
    assert doc.warnings


def test_the_routine_talk_people_figure_counts_distinct_people(render_company, company):
    doc = render_company()
    talks = IntegrityTalk.objects.filter(company.subtree_q("unit__"), date__year=2022, kind="routine")
    people = set(talks.values_list("people", flat=True)) - {None}
    assert _numbers(doc)["integrity.routine_talk_people"] == str(len(people))
    assert re.search(r"廉政谈话\d+次\d+人", "".join(doc.plain_lines()))


def test_first_agenda_figure_equals_study_sessions(render_company, company):
    n = StudySession.objects.filter(company.subtree_q("unit__"), date__year=2022, kind="first_agenda").count()
    assert _numbers(render_company())["study.first_agenda"] == str(n)
