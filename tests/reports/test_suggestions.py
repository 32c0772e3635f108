"""Sections 二 and 三 start from evidence: last year's commitments with their state now, and suggested paragraphs
built only from the evidence, each citing it — on a small organisation built here.

建议实业 (JY01, 党委 周书记) → 一车间 (JY01-W1, 党支部). 2022: a finding “台账不全” rectified in 2023, a finding
“物资出库未登记” still open, last year's 述职评议 with one problem done and one open, last year's report (final) whose
plans name both findings and one line naming nothing. 2023 (the report's year): one more open rectification of a
finding naming a person (confidential: 纪委 only).
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from lvzhi.appraisal.models import Appraisal, AppraisalProblem, Reportee
from lvzhi.integrity.models import Finding, Inspection, Rectification
from lvzhi.org.access import grant_seed_role
from lvzhi.org.models import PartyOrg, Person, Role, RoleAssignment, Unit, User
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.reports import evidence, families, suggest
from lvzhi.reports.models import DutyReport, ReportStatus

pytestmark = pytest.mark.django_db
D = dt.date
PLANS_2022 = "一是抓好“台账不全”问题的整改。\n二是推动“物资出库未登记”问题整改到位。\n三是持续提升政治能力。"


@pytest.fixture
def org():
    group = Unit.objects.add_root(instance=Unit(code="JY", name="建议控股", kind="group", category="organ"))
    company = Unit.objects.add_child(group, instance=Unit(code="JY01", name="建议实业", kind="company", category="organ"))
    shop = Unit.objects.add_child(Unit.objects.get(pk=company.pk), instance=Unit(
        code="JY01-W1", name="一车间", kind="workshop", category="production"))
    company = Unit.objects.get(pk=company.pk)
    sec = Person.objects.create(code="JY-1", name="周书记", gender="male", unit=company, cadre_level="leadership")
    worker = Person.objects.create(code="JY-2", name="钱保管", gender="male", unit=shop)
    committee = PartyOrg.objects.create(code="DW-JY01", name="中共建议实业委员会", kind="committee", unit=company,
                                        secretary=sec)
    PartyOrg.objects.create(code="ZB-JY01-W1", name="一车间党支部", kind="branch", unit=shop, parent=committee,
                            secretary=sec)
    rect = {}
    for day, desc, person, done in ((D(2022, 5, 9), "台账不全", None, D(2023, 3, 1)),
                                    (D(2022, 9, 1), "物资出库未登记", None, None),
                                    (D(2023, 4, 2), "私车公养", worker, None)):
        insp = Inspection.objects.create(unit=shop, kind="other", date=day, title=f"{desc}检查")
        f = Finding.objects.create(inspection=insp, unit=shop, date=day, description=desc, person=person)
        rect[desc] = Rectification.objects.create(
            finding=f, unit=shop, owner=sec, measures="逐项整改", date=day, deadline=day + dt.timedelta(days=90),
            status="done" if done else "open", completed_on=done)
    appraisal = Appraisal.objects.create(unit=company, year=2022, title="2022年度述职评议", meeting_date=D(2023, 1, 20))
    reportee = Reportee.objects.create(appraisal=appraisal, person=sec, unit=company, role="committee_secretary")
    for desc, done in (("理论学习不够深入", D(2023, 6, 1)), ("谈心谈话覆盖不全", None)):
        AppraisalProblem.objects.create(reportee=reportee, unit=company, description=desc, owner=sec, measures="制定计划",
                                        date=D(2023, 1, 20), deadline=D(2023, 9, 30),
                                        status="done" if done else "open", completed_on=done)
    template = families.default_template(company, "annual")
    last = DutyReport.objects.create(unit=company, year=2022, template=template, secretary=sec,
                                     status=ReportStatus.FINAL, writer_texts={"plans": PLANS_2022},
                                     snapshot={"writer_texts": {"plans": PLANS_2022}})
    clerk = User.objects.create(username="jy_dangban")
    RoleAssignment.objects.create(user=clerk, unit=company, role=Role.ORGANIZER)
    discipline = User.objects.create(username="jy_jiwei")
    with transaction.atomic():
        grant_seed_role(discipline, company, Role.DISCIPLINE)
    with override_settings(LVZHI_AS_OF="2024-01-10"):
        yield {"company": company, "shop": shop, "sec": sec, "rect": rect, "last": last, "template": template,
               "clerk": clerk, "discipline": discipline, "appraisal": appraisal}


def _groups(scope, unit, year=2023):
    return {g["key"]: g["items"] for g in evidence.evidence_for(scope, unit, year, "annual")}


def test_last_years_commitments_carry_their_state_and_the_records_behind_it(org):
    items = _groups(Scope.everything(), org["company"])[evidence.COMMITMENTS]
    by_text = {i["text"]: i for i in items}
    appraisal = [i for i in items if i["source"] == "述职评议"]
    assert [i["state"] for i in appraisal] == ["done", "open"]
    assert "理论学习不够深入" in appraisal[0]["text"] and "2023年6月1日完成整改" in appraisal[0]["text"]
    assert "谈心谈话覆盖不全" in appraisal[1]["text"] and "已逾期，尚未完成" in appraisal[1]["text"]
    plans = [i for i in items if i["source"] == "上年度述职报告"]
    assert [i["state"] for i in plans] == ["done", "open", "unknown"]
    assert plans[0]["records"][0]["url"].endswith(f"/rectification/{org['rect']['台账不全'].pk}/")
    assert "2023年3月1日完成整改" in plans[0]["text"]
    assert "物资出库未登记" in plans[1]["text"] and "已逾期" in plans[1]["text"]
    assert plans[2]["records"] == [] and "请说明落实情况" in plans[2]["text"]
    assert all(i["url"] for i in by_text.values())


def test_a_draft_of_last_year_is_used_when_nothing_was_finalised_and_another_kind_is_not(org):
    DutyReport.objects.filter(pk=org["last"].pk).update(status=ReportStatus.DRAFT, writer_texts={"plans": "一是抓好“台账不全”整改。"})
    plans = [i for i in _groups(Scope.everything(), org["company"])[evidence.COMMITMENTS] if i["source"] == "上年度述职报告"]
    assert len(plans) == 1 and plans[0]["state"] == "done"
    items = evidence.evidence_for(Scope.everything(), org["company"], 2023, "integrity")[3]["items"]
    assert not [i for i in items if i["source"] == "上年度述职报告"]


def test_suggested_paragraphs_come_only_from_evidence_and_cite_it(org):
    scope = Scope.everything()
    groups = _groups(scope, org["company"])
    found = {s.key: s for s in suggest.suggest(scope, org["company"], 2023, kind="annual")}
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


def test_no_evidence_no_paragraph(org):
    assert suggest.paragraphs({}, 2023) == {"problems": [], "plans": []}
    only_open = suggest.paragraphs({evidence.OPEN: [{"text": "甲", "url": "/x", "finding": "甲"}]}, 2023)
    assert [p.text for p in only_open["problems"]] == ["一是问题整改还不到位。甲。"]
    assert only_open["plans"][0].cites == [{"text": "甲", "url": "/x"}]


def test_a_single_section_for_problems_and_plans_gets_both(org):
    found = suggest.suggest(Scope.everything(), org["company"], 2023, kind="one_post",
                            sections=[{"key": "plans", "label": "存在的问题和下步打算"}])
    assert [s.key for s in found] == ["plans"]
    texts = [p.text for p in found[0].paragraphs]
    assert any("问题整改还不到位" in t for t in texts) and any("抓好问题整改" in t for t in texts)


def test_confidential_rectifications_only_for_allowed_roles(org):
    clerk = _groups(scope_for(org["clerk"]), org["company"])
    jiwei = _groups(scope_for(org["discipline"]), org["company"])
    assert not any("私车公养" in i["text"] for i in clerk[evidence.OPEN])
    assert any("私车公养" in i["text"] for i in jiwei[evidence.OPEN])
    clerk_text = " ".join(p.text for s in suggest.suggest(scope_for(org["clerk"]), org["company"], 2023) for p in s.paragraphs)
    assert "私车公养" not in clerk_text and "物资出库未登记" in clerk_text


def test_the_writer_page_shows_suggestions_with_their_evidence_and_404_outside(org, client):
    report = DutyReport.objects.create(unit=org["company"], year=2023, template=org["template"], secretary=org["sec"])
    client.force_login(org["clerk"])
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "建议段落" in page and 'data-accept-section="problems"' in page and 'data-accept-section="plans"' in page
    assert "上年度述职报告提出" in page and "待说明" in page and "已落实" in page
    assert f"/records/rectification/{org['rect']['物资出库未登记'].pk}/" in page
    assert "请语言模型起草" not in page  # no model configured
    # a generic template's sections start empty: no seed text for another unit
    assert "学思践悟" not in page and "以更高的标准提升政治能力" not in page
    outsider = User.objects.create(username="jy_outsider")
    RoleAssignment.objects.create(user=outsider, unit=Unit.objects.get(code="JH01"), role=Role.ORGANIZER)
    client.force_login(outsider)
    assert client.get(f"/reports/{report.pk}/").status_code == 404
    assert client.post(f"/reports/{report.pk}/draft/problems/").status_code == 404
