"""How cells become values: empty cells keep a field's default, a key shared by several records is refused as
ambiguous, and people imported by Excel are as searchable as people entered by form."""

import datetime as dt

import pytest

from lvzhi.imports.importer import run_import
from lvzhi.org.models import PartyOrg, Person
from lvzhi.org.scoping import Scope
from lvzhi.records import registry, selectors, services

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything()


def test_an_empty_cell_keeps_the_fields_default(contact_plant, spreadsheet):
    inspection = services.create_record(registry.get("inspection"), {
        "unit": contact_plant, "kind": "bidding", "date": dt.date(2023, 2, 1), "title": "默认值测试"},
        actor="测试", scope=EVERYTHING)
    path = spreadsheet("f.xlsx", [["监督检查", "问题描述", "违反规定", "严重程度"],
                                       [inspection.number, "招标文件未归档", None, ""]])
    result = run_import(registry.get("finding"), path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    finding = inspection.findings.get()
    assert (finding.rule_broken, finding.severity, finding.date) == ("other", "general", dt.date(2023, 2, 1))


def test_a_new_form_starts_with_the_defaults_and_the_parents_date(client_as):
    form = client_as("jiwei").get("/records/finding/new/?inspection=7").context["form"]
    assert form.initial["severity"] == "一般" and form.initial["rule_broken"] == "其他制度"
    assert form.initial["inspection"] == "7" and "date" not in form.initial  # the finding takes its inspection's date


def test_a_key_that_several_records_share_is_ambiguous(spreadsheet):
    """Meeting numbers are unique per Party organisation only: 2023-01 of two committees cannot be told apart."""
    rt = registry.get("committee_meeting")
    orgs = list(PartyOrg.objects.filter(kind="general_branch").order_by("code")[:2])
    for org in orgs:
        services.create_record(rt, {"party_org": org, "number": "2023-01", "date": dt.date(2023, 1, 9),
                                    "title": f"{org.name}2023年第1次会议"}, actor="测试", scope=EVERYTHING)
    path = spreadsheet("a.xlsx", [["党委会", "议题"], ["2023-01", "研究年度工作要点"]])
    result = run_import(registry.get("agenda_item"), path, actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == [
        f"第2行「党委会」：党委会“2023-01”对应多条记录，请写成“党组织编码/会议编号”，如 {orgs[0].code}/2023-01"]
    # Written with the organisation's code (or its name), the meeting is one.
    path = spreadsheet("b.xlsx", [["党委会", "议题"], [f"{orgs[1].code}/2023-01", "研究年度工作要点"],
                                  [f"{orgs[0].name}/2023-01", "研究年度工作要点"]])
    result = run_import(registry.get("agenda_item"), path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    from lvzhi.partybuilding.models import AgendaItem

    assert sorted(AgendaItem.objects.filter(title="研究年度工作要点").values_list("meeting__party_org__code", flat=True)) \
        == sorted(o.code for o in orgs)


def test_people_imported_by_excel_are_found_by_pinyin(contact_plant, spreadsheet):
    path = spreadsheet("p.xlsx", [["工号", "姓名", "性别", "所在单位"], ["T-PY-1", "欧阳明远", "男", "JH01-P03"]])
    result = run_import(registry.get("person"), path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert Person.objects.get(code="T-PY-1").pinyin_initials == "oymy"
    found = selectors.filter_records(registry.get("person"), EVERYTHING, search="oymy")
    assert [p.code for p in found] == ["T-PY-1"]
