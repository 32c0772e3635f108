"""Missing is never zero, and the right person signs — on a sparse company of our own beside the demo company.

稀疏集团 (SP) → 稀疏公司 (SP01) → 一分厂 (SP01-P1). The company has a 党委 (DW-SP01) and, on the same unit, its
机关党支部 (ZB-SP01-A, whose code and kind text sort first). The committee secretary changes mid-2023: 钱旧书记 until
2023-06-01, then 孙新书记. The company has one study record in 2023 and nothing else.
"""

import datetime as dt
import re

import pytest

from lvzhi.cadres.models import Appointment
from lvzhi.metrics.compute import Period, compute
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.records.models import KeepingStatus, RecordKeeping
from lvzhi.records.services import create_record
from lvzhi.reports import services, templating

pytestmark = pytest.mark.django_db
D = dt.date


def _person(unit, code, name, **fields):
    return Person.objects.create(code=code, name=name, gender="female", unit=unit, **fields)


@pytest.fixture
def sparse():
    group = Unit.objects.add_root(instance=Unit(code="SP", name="稀疏集团", kind="group", category="organ"))
    company = Unit.objects.add_child(group, instance=Unit(code="SP01", name="稀疏公司", kind="company", category="organ"))
    plant = Unit.objects.add_child(Unit.objects.get(pk=company.pk), instance=Unit(
        code="SP01-P1", name="一分厂", kind="plant", category="grassroots", established_on=D(2010, 5, 1)))
    old = _person(company, "SP-1", "钱旧书记", cadre_level="leadership")
    new = _person(company, "SP-2", "孙新书记", cadre_level="leadership")
    branch_sec = _person(company, "SP-3", "李支部书记", cadre_level="middle")
    committee = PartyOrg.objects.create(code="DW-SP01", name="中共稀疏公司委员会", kind="committee", unit=company,
                                        secretary=new)
    branch = PartyOrg.objects.create(code="ZB-SP01-A", name="稀疏公司机关党支部", kind="branch", unit=company,
                                     parent=committee, secretary=branch_sec)
    Appointment.objects.create(person=old, unit=company, post="党委书记、董事长", level="leadership", kind="promotion",
                               date=D(2019, 3, 1), ended_on=D(2023, 6, 1))
    Appointment.objects.create(person=new, unit=company, post="党委书记、董事长", level="leadership", kind="transfer",
                               date=D(2023, 6, 1))
    create_record(registry.get("study_session"), {
        "unit": company, "party_org": committee, "kind": "follow_up", "date": D(2023, 3, 6),
        "title": "集中跟进学习"}, actor="测试", scope=Scope.everything())
    return {"company": company, "plant": plant, "old": old, "new": new, "branch": branch, "committee": committee}


def _render(unit, year=2023, body=None, day=None):
    day = day or D(year + 1, 1, 10)
    return templating.render(body or services.builtin_template().body, unit=unit, year=year,
                             secretary=services.default_secretary(unit, day), report_date=f"{day.year}年{day.month}月{day.day}日")


def test_one_record_of_a_type_does_not_make_the_others_zero(sparse):
    company, period = sparse["company"], Period.year(2023)
    assert compute("study.follow_up", company, period).value == 1
    seminar = compute("study.central_group_seminar", company, period)
    assert seminar.value is None and "未声明" in seminar.missing
    assert compute("integrity.accountability", company, period).value is None  # nothing entered at all


def test_a_declaration_makes_zero_a_zero_for_its_subtree_and_year_only(sparse):
    company, plant = sparse["company"], sparse["plant"]
    RecordKeeping.objects.create(unit=company, record_type="study_session", year=2023, status=KeepingStatus.KEPT,
                                 date=D(2024, 1, 3), declared_by=sparse["new"])
    assert compute("study.central_group_seminar", company, Period.year(2023)).value == 0
    assert compute("study.central_group_seminar", plant, Period.year(2023)).value == 0  # the subtree
    assert compute("study.central_group_seminar", company, Period.year(2022)).value is None  # another year
    assert compute("integrity.inspections", company, Period.year(2023)).value is None  # another type
    # one figure checked and found zero, the others of its type still missing
    RecordKeeping.objects.create(unit=company, record_type="accountability", metric="integrity.accountability",
                                 year=2023, status=KeepingStatus.VERIFIED_ZERO, date=D(2024, 1, 3))
    assert compute("integrity.accountability", company, Period.year(2023)).value == 0


def test_rates_without_records_are_missing(sparse):
    company = sparse["company"]
    coverage = compute("integrity.talk_coverage", company, Period.year(2023))  # cadres exist, no talk recorded
    assert coverage.value is None
    assert compute("integrity.rectification_rate", company, Period.year(2023)).value is None


def test_the_sparse_report_marks_every_gap_in_chinese_and_never_prints_none_or_zero(sparse):
    doc = _render(sparse["company"])
    text = "\n".join(doc.plain_lines(("title", "author", "heading", "paragraph", "signature", "date")))
    assert "None" not in text and "0万" not in text
    assert not re.search(r"[A-Za-z_]{3,}", text), re.findall(r"[A-Za-z_]{3,}", text)
    assert "·" not in text
    markers = re.findall(r"【待补充：([^】]+)】", text)
    assert len(markers) >= 20
    assert all(not re.search(r"[A-Za-z]", m) for m in markers)
    assert "【待补充：中心组专题研讨学习次数】" in text
    assert "集中跟进学习1次" in text
    # no figure is printed as a number unless records (or a declaration) stand behind it
    for (metric_id, _), fig in doc.figures.items():
        if fig.value is not None:
            assert fig.value != 0 or fig.detail.get("zero_declared"), metric_id
    assert doc.first("signature") == "孙新书记" and doc.first("author") == "孙新书记"


def test_value_access_never_prints_none(sparse):
    body = ('{{ m("study.central_group_seminar").value }}；{{ m("study.follow_up").value }}；'
            '{{ contact().years_since_start }}；{{ campaign(1).form }}；{{ business_peak(contact().unit_obj).amount }}；'
            '{{ fact("strategy") }}；{% if m("media.likes").value > 10 %}多{% else %}少{% endif %}；'
            '{{ m("media.likes").value * 2 }}；{{ none_value }}')
    body = body.replace("{{ none_value }}", "{{ ranking().best }}")
    doc = _render(sparse["company"], body=body)
    line = doc.plain_lines()[0]
    assert "None" not in line
    parts = line.split("；")
    assert parts[0] == "【待补充：中心组专题研讨学习次数】" and parts[1] == "1"
    assert parts[2] == "【待补充：书记联系点投产年数】"  # a part of a missing fact, named in Chinese
    assert parts[3] == "【待补充：一季度主题活动形式】"
    assert parts[4] == "【待补充：经营成果金额】"
    assert parts[5] == "【待补充：发展战略】"
    assert parts[6] == "少" and parts[7] == "【待补充：点赞数】"
    assert parts[8].startswith("【待补充：新媒体排行")


def test_the_signer_is_the_committee_secretary_in_office_on_the_report_date(sparse):
    company = sparse["company"]
    assert services.highest_party_org(company, D(2023, 1, 1)) == sparse["committee"]
    assert services.default_secretary(company, D(2023, 1, 10)) == sparse["old"]
    assert services.default_secretary(company, D(2023, 6, 1)) == sparse["new"]
    assert services.default_secretary(company, D(2024, 1, 10)) == sparse["new"]
    doc = _render(company, year=2022, day=D(2023, 1, 10))
    assert doc.first("signature") == "钱旧书记"
    # a committee dissolved before the date: the branch is then the highest organisation
    PartyOrg.objects.filter(pk=sparse["committee"].pk).update(dissolved_on=D(2023, 12, 31))
    assert services.default_secretary(company, D(2024, 1, 10)).name == "李支部书记"


def test_a_unit_without_a_party_org_gets_a_marked_signature_not_an_empty_one(sparse):
    doc = _render(sparse["plant"])
    assert doc.first("signature") == "【待补充：述职人（党组织书记）】"


def test_the_demo_company_is_signed_by_its_committee_secretary(company):
    committee = PartyOrg.objects.get(unit=company, kind="committee")
    assert services.default_secretary(company, D(2023, 1, 10)) == committee.secretary


def test_personal_figures_count_the_person_reporting(sparse):
    company, new, old = sparse["company"], sparse["new"], sparse["old"]
    scope = Scope.everything()
    for talker, kind, day in ((new, "routine", D(2023, 7, 3)), (new, "heart", D(2023, 8, 3)), (old, "routine", D(2023, 2, 3)),
                              (new, "admonition", D(2023, 9, 3))):
        create_record(registry.get("integrity_talk"), {"unit": company, "kind": kind, "date": day, "talker": talker,
                                                       "title": "谈话", "people": [sparse["old"]] if talker == new else [new]},
                      actor="测试", scope=scope)
    session = create_record(registry.get("study_session"), {
        "unit": company, "party_org": sparse["committee"], "kind": "central_group", "date": D(2023, 9, 6),
        "title": "中心组学习", "attendees": [new, old]}, actor="测试", scope=scope)
    period = Period.year(2023)
    assert compute("personal.talks_led", company, period, new).value == 2  # the admonition is not counted
    assert compute("personal.talks_led", company, period, old).value == 1
    assert compute("personal.talk_people", company, period, new).value == 1
    assert compute("personal.study_attended", company, period, new).value == 1
    assert list(compute("personal.study_attended", company, period, new).records) == [session]
    assert compute("personal.talks_led", company, period).value is None  # nobody reporting: missing, not 0
    # nothing of the person's in a type that has records: missing unless the type is declared kept
    assert compute("personal.speeches", company, period, new).value is None
    doc = _render(company, body='本人开展廉政谈话{{ m("personal.talks_led") }}次，参加学习{{ m("personal.study_attended") }}次，'
                                '讲党课{{ m("personal.lectures_given") }}次。')
    assert doc.plain_lines() == ["本人开展廉政谈话2次，参加学习1次，讲党课【待补充：本人讲党课次数】次。"]
