"""Sections 二 and 三 start from evidence: last year's commitments with their state now, and suggested paragraphs
built only from the evidence, each citing it.

The organisation is ``small_org`` (tests/reports/conftest.py).
"""

import pytest

from lvzhi.org.models import Role, RoleAssignment, Unit, User
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.reports import evidence, suggest
from lvzhi.reports.models import DutyReport, ReportStatus

pytestmark = pytest.mark.django_db


def _groups(scope, unit, year=2023):
    return {g["key"]: g["items"] for g in evidence.evidence_for(scope, unit, year, "annual")}


def test_last_years_commitments_carry_their_state_and_the_records_behind_it(small_org):
    items = _groups(Scope.everything(), small_org["company"])[evidence.COMMITMENTS]
    by_text = {i["text"]: i for i in items}
    appraisal = [i for i in items if i["source"] == "述职评议"]
    assert [i["state"] for i in appraisal] == ["done", "open"]
    assert "理论学习不够深入" in appraisal[0]["text"] and "2023年6月1日完成整改" in appraisal[0]["text"]
    assert "谈心谈话覆盖不全" in appraisal[1]["text"] and "已逾期，尚未完成" in appraisal[1]["text"]
    plans = [i for i in items if i["source"] == "上年度述职报告"]
    assert [i["state"] for i in plans] == ["done", "open", "unknown"]
    assert plans[0]["records"][0]["url"].endswith(f"/rectification/{small_org['rect']['台账不全'].pk}/")
    assert "2023年3月1日完成整改" in plans[0]["text"]
    assert "物资出库未登记" in plans[1]["text"] and "已逾期" in plans[1]["text"]
    assert plans[2]["records"] == [] and "请说明落实情况" in plans[2]["text"]
    assert all(i["url"] for i in by_text.values())


def test_a_draft_of_last_year_is_used_when_nothing_was_finalised_and_another_kind_is_not(small_org):
    DutyReport.objects.filter(pk=small_org["last"].pk).update(status=ReportStatus.DRAFT, writer_texts={"plans": "一是抓好“台账不全”整改。"})
    plans = [i for i in _groups(Scope.everything(), small_org["company"])[evidence.COMMITMENTS] if i["source"] == "上年度述职报告"]
    assert len(plans) == 1 and plans[0]["state"] == "done"
    items = evidence.evidence_for(Scope.everything(), small_org["company"], 2023, "integrity")[3]["items"]
    assert not [i for i in items if i["source"] == "上年度述职报告"]


def test_suggested_paragraphs_come_only_from_evidence_and_cite_it(small_org):
    scope = Scope.everything()
    groups = _groups(scope, small_org["company"])
    found = {s.key: s for s in suggest.suggest(scope, small_org["company"], 2023, kind="annual")}
    problems, plans = found["problems"].paragraphs, found["plans"].paragraphs
    assert problems and len(problems) == len(plans)
    assert [p.text[:2] for p in problems] == [f"{o}是" for o in "一二三四"[:len(problems)]]
    every_item = {i["text"] for items in groups.values() for i in items}
    for p in problems + plans:
        assert p.cites and all(c["text"] in every_item and c["url"] for c in p.cites)
    open_text = next(p for p in problems if p.text.startswith(next(
        f"{o}是问题整改" for o in "一二三四" if any(q.text.startswith(f"{o}是问题整改") for q in problems))))
    assert "物资出库未登记" in open_text.text and "私车公养" in open_text.text
    unkept = next(p for p in problems if "上年度承诺" in p.text)
    assert "谈心谈话覆盖不全" in unkept.text and "理论学习不够深入" not in unkept.text  # done is not a problem


def test_no_evidence_no_paragraph(small_org):
    assert suggest.paragraphs({}, 2023) == {"problems": [], "plans": []}
    only_open = suggest.paragraphs({evidence.OPEN: [{"text": "甲", "url": "/x", "finding": "甲"}]}, 2023)
    assert [p.text for p in only_open["problems"]] == ["一是问题整改还不到位。甲。"]
    assert only_open["plans"][0].cites == [{"text": "甲", "url": "/x"}]


def test_a_single_section_for_problems_and_plans_gets_both(small_org):
    found = suggest.suggest(Scope.everything(), small_org["company"], 2023, kind="one_post",
                            sections=[{"key": "plans", "label": "存在的问题和下步打算"}])
    assert [s.key for s in found] == ["plans"]
    texts = [p.text for p in found[0].paragraphs]
    assert any("问题整改还不到位" in t for t in texts) and any("抓好问题整改" in t for t in texts)


def test_confidential_rectifications_only_for_allowed_roles(small_org):
    clerk = _groups(scope_for(small_org["clerk"]), small_org["company"])
    jiwei = _groups(scope_for(small_org["discipline"]), small_org["company"])
    assert not any("私车公养" in i["text"] for i in clerk[evidence.OPEN])
    assert any("私车公养" in i["text"] for i in jiwei[evidence.OPEN])
    clerk_text = " ".join(p.text for s in suggest.suggest(scope_for(small_org["clerk"]), small_org["company"], 2023) for p in s.paragraphs)
    assert "私车公养" not in clerk_text and "物资出库未登记" in clerk_text


def test_the_writer_page_shows_suggestions_with_their_evidence_and_404_outside(small_org, client):
    report = DutyReport.objects.create(unit=small_org["company"], year=2023, template=small_org["template"], secretary=small_org["sec"])
    client.force_login(small_org["clerk"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "建议段落" in page and 'data-accept-section="problems"' in page and 'data-accept-section="plans"' in page
    assert "上年度述职报告提出" in page and "待说明" in page and "已落实" in page
    assert f"/records/rectification/{small_org['rect']['物资出库未登记'].pk}/" in page
    assert "请语言模型起草" not in page  # no model configured
    # a generic template's sections start empty: no seed text for another unit
    assert "学思践悟" not in page and "以更高的标准提升政治能力" not in page
    outsider = User.objects.create(username="jy_outsider")
    RoleAssignment.objects.create(user=outsider, unit=Unit.objects.get(code="JH01"), role=Role.ORGANIZER)
    client.force_login(outsider)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.post(f"/reports/{report.pk}/draft/problems/").status_code == 404


def test_the_cli_and_the_api_give_the_same_suggestions(small_org):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("report", "--unit", "JY01", "--year", "2023", "--kind", "annual", "--suggest", stdout=out)
    text = out.getvalue()
    expected = suggest.suggest(Scope.everything(), small_org["company"], 2023, kind="annual")
    assert "【存在的问题和不足】建议段落" in text and "【下步工作打算】建议段落" in text
    for s in expected:
        for p in s.paragraphs:
            assert p.text in text
    report = DutyReport.objects.create(unit=small_org["company"], year=2023, template=small_org["template"],
                                       secretary=small_org["sec"])
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(small_org["clerk"])
    body = api.get(f"/api/reports/{report.pk}/suggestions/").json()
    clerk = suggest.suggest(scope_for(small_org["clerk"]), small_org["company"], 2023, kind="annual")
    assert [[p["text"] for p in s["paragraphs"]] for s in body["sections"]] == [[p.text for p in s.paragraphs] for s in clerk]
    assert all(e["url"].startswith("http") for s in body["sections"] for p in s["paragraphs"] for e in p["evidence"])
    outsider = User.objects.create(username="jy_api_outsider")
    RoleAssignment.objects.create(user=outsider, unit=Unit.objects.get(code="JH01"), role=Role.ORGANIZER)
    api.force_authenticate(outsider)
    assert api.get(f"/api/reports/{report.pk}/suggestions/").status_code == 404


def test_a_branch_secretarys_appraisal_problem_is_the_branchs_commitment_and_a_count_for_the_company(small_org):
    import datetime as dt

    from lvzhi.appraisal.models import AppraisalProblem, Reportee
    from lvzhi.org.models import PartyOrg

    branch = PartyOrg.objects.get(code="ZB-JY01-W1")
    r = Reportee.objects.create(appraisal=small_org["appraisal"], person=small_org["sec"], party_org=branch,
                                unit=small_org["shop"], role="branch_secretary")
    AppraisalProblem.objects.create(reportee=r, unit=small_org["shop"], description="支部活动形式单一", owner=small_org["sec"],
                                    measures="丰富形式", date=dt.date(2023, 1, 20), deadline=dt.date(2023, 8, 31))
    company = [i for i in _groups(Scope.everything(), small_org["company"])[evidence.COMMITMENTS] if i["source"] == "述职评议"]
    assert [i["state"] for i in company] == ["done", "open", "open"]
    assert company[2]["text"] == "2022年度述职评议指出各党支部（党总支）书记问题1个，已完成整改0个，尚未完成1个。"
    assert "支部活动形式单一" in company[2]["records"][0]["text"]
    shop = evidence.evidence_for(Scope.everything(), small_org["shop"], 2023, "branch")[3]["items"]
    assert [i["text"] for i in shop] == ["2022年度述职评议指出“支部活动形式单一”，整改时限2023年8月31日，已逾期，尚未完成。"]
