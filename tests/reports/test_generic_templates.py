"""The generic built-in templates are true for any unit: demo units of every shape, and a sparse company built here.

稀疏控股 (SG) → 稀疏实业 (SG01, 党委 DW-SG01 with secretary 周书记; 纪委书记 吴纪委) → 综合部 (SG01-D1, 党支部
ZB-SG01-D1 with secretary 郑支书, whose code sorts before the committee's). Records: one party lecture by 郑支书,
one inspection, one campaign — nothing else.
"""

import datetime as dt
import re

import pytest

from lvzhi.cadres.models import Appointment
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.records import registry
from lvzhi.records.services import create_record
from lvzhi.reports import families, templating

pytestmark = pytest.mark.django_db
D = dt.date
KINDS = ["annual", "party_building", "branch", "integrity", "discipline", "ideology", "one_post"]
# the seed company's own prose, which no generic report may print (it is no record of any unit's)
SEED_PROSE = ["每月一调研，每周一督导", "首次盈利", "招才引智", "通报表彰", "坚定不移把方向", "学思践悟", "勇趟改革",
              "五个一流", "八项本领", "磅礴伟力", "领头雁", "稳居", "三种形式", "拉手共建”，围绕"]


def _person(unit, code, name, **fields):
    return Person.objects.create(code=code, name=name, gender="male", unit=unit, **fields)


@pytest.fixture
def sparse():
    group = Unit.objects.add_root(instance=Unit(code="SG", name="稀疏控股", kind="group", category="organ"))
    company = Unit.objects.add_child(group, instance=Unit(code="SG01", name="稀疏实业", kind="company", category="organ"))
    dept = Unit.objects.add_child(Unit.objects.get(pk=company.pk), instance=Unit(
        code="SG01-D1", name="综合部", kind="department", category="organ"))
    company = Unit.objects.get(pk=company.pk)
    sec = _person(company, "SG-1", "周书记", cadre_level="leadership")
    jw = _person(company, "SG-2", "吴纪委", cadre_level="leadership")
    zs = _person(dept, "SG-3", "郑支书", cadre_level="middle")
    committee = PartyOrg.objects.create(code="ZZ-SG01", name="中共稀疏实业委员会", kind="committee", unit=company,
                                        secretary=sec)
    branch = PartyOrg.objects.create(code="AA-SG01-D1", name="综合部党支部", kind="branch", unit=dept, parent=committee,
                                     secretary=zs)
    Appointment.objects.create(person=jw, unit=company, post="纪委书记", level="leadership", kind="transfer",
                               date=D(2020, 1, 1))
    everything = Scope.everything()
    create_record(registry.get("branch_activity"), {
        "party_org": branch, "kind": "party_lecture", "date": D(2023, 4, 6), "title": "专题党课", "lecturer": zs},
        actor="测试", scope=everything)
    create_record(registry.get("inspection"), {
        "unit": dept, "kind": "other", "date": D(2023, 5, 9), "title": "办公用品采购检查"}, actor="测试", scope=everything)
    create_record(registry.get("campaign"), {
        "unit": company, "title": "安全月", "form": "discussion", "year": 2023, "quarter": 2, "date": D(2023, 6, 1),
        "description": "各部门开展安全隐患排查"}, actor="测试", scope=everything)
    return {"company": company, "dept": dept, "sec": sec, "jw": jw, "zs": zs}


def _render(unit, kind, year, person=None):
    tpl = families.generic_template(kind)
    day = D(year + 1, 1, 10)
    return templating.render(tpl.body, unit=unit, year=year,
                             secretary=person or families.reporter(unit, kind, day), report_date="次年1月10日")


def _text(doc):
    return "\n".join(doc.plain_lines(("title", "author", "heading", "paragraph", "signature", "date")))


def _assert_true_for_the_unit(doc, *, seed_prose_allowed=False):
    text = _text(doc)
    assert "None" not in text and "0万" not in text and "·" not in text
    assert not re.search(r"[A-Za-z_]{3,}", text), re.findall(r"[A-Za-z_]{3,}", text)
    markers = re.findall(r"【待补充：([^】]+)】", text)
    assert all(not re.search(r"[A-Za-z]", m) for m in markers), markers
    if not seed_prose_allowed:
        assert not [p for p in SEED_PROSE if p in text], [p for p in SEED_PROSE if p in text]
    for (metric_id, _), fig in doc.figures.items():  # every printed figure has records (or a declared zero)
        token_printed = any(t.kind == "figure" and t.metric == metric_id for t in doc.tokens)
        if token_printed:
            assert fig.record_ids() or fig.detail.get("zero_declared"), metric_id
    assert all(b.text.strip() for b in doc.blocks)
    return text, markers


@pytest.mark.parametrize("kind", KINDS)
def test_every_generic_template_is_true_for_demo_units_of_every_shape(kind):
    for code in ["JH", "JH01", "JH02", "JH01-P01", "JH01-P01-W01"]:
        unit = Unit.objects.get(code=code)
        doc = _render(unit, kind, 2022)
        text, markers = _assert_true_for_the_unit(doc, seed_prose_allowed=code == "JH" or code.startswith("JH01"))  # JH01's records
        assert doc.first("signature"), code  # a name or a visible 【待补充：述职人…】, never empty


def test_the_demo_company_gets_figures_from_its_records_and_no_prompts_where_records_exist():
    company = Unit.objects.get(code="JH01")
    text, markers = _assert_true_for_the_unit(_render(company, "annual", 2022), seed_prose_allowed=True)
    assert "全年组织中心组学习" in text and "本人以有机硅厂为联系点" in text
    assert set(markers) == {"存在的问题和不足", "下步工作打算"}  # the writer's own sections only
    assert _render(company, "annual", 2022).first("signature") == _render(company, "integrity", 2022).first("author")


def test_a_sparse_company_gets_few_sentences_prompts_in_chinese_and_its_committee_secretary(sparse):
    company = sparse["company"]
    doc = _render(company, "annual", 2023)
    text, markers = _assert_true_for_the_unit(doc)
    assert doc.first("signature") == "周书记" and doc.first("author") == "周书记"  # not the branch's 郑支书
    assert "党委书记" in doc.first("title")
    assert "理论学习情况" in markers and "书记联系点" in markers
    assert "党课1次" in text  # the one lecture recorded
    assert "监督检查1次" in text and "办公用品采购检查" in text
    assert "“安全月”大家谈，各部门开展安全隐患排查。" in text  # the campaign's own words
    assert "本人讲党课" in "".join(markers)  # the committee secretary gave none: a prompt, not “0次”
    assert not re.search(r"[^0-9.]0次", text)


def test_each_kind_has_its_reporter(sparse):
    company, dept = sparse["company"], sparse["dept"]
    assert _render(company, "discipline", 2023).first("signature") == "吴纪委"
    assert _render(dept, "branch", 2023).first("signature") == "郑支书"
    assert "党支部书记" in _render(dept, "branch", 2023).first("title")
    one_post = _render(company, "one_post", 2023)
    assert one_post.first("signature") == "【待补充：述职人】"
    assert _render(company, "one_post", 2023, person=sparse["zs"]).first("signature") == "郑支书"
    lecture = _text(_render(dept, "branch", 2023))
    assert "本人讲党课1次" in lecture


def test_a_unit_with_no_records_gets_a_short_report_of_prompts(sparse):
    empty = Unit.objects.add_child(Unit.objects.get(code="SG"), instance=Unit(
        code="SG02", name="空白公司", kind="company", category="organ"))
    for kind in KINDS:
        doc = _render(empty, kind, 2023)
        text, markers = _assert_true_for_the_unit(doc)
        paragraphs = [doc.text_of(b) for b in doc.blocks if b.kind == "paragraph"]
        assert len(markers) >= 3, kind
        # apart from the opening sentence, every paragraph is a prompt
        assert all("【待补充：" in p for p in paragraphs[1:]), (kind, paragraphs)


def test_the_manifest_lists_one_generic_template_per_kind_and_the_seed_example():
    entries = families.manifest()
    kinds = {e["kind"] for e in entries if e["key"].startswith("generic-")}
    assert kinds == set(KINDS)
    assert any(e["key"] == "builtin" for e in entries)
    for tpl in families.sync_builtin_templates().values():
        templating.check(tpl.body)
        assert tpl.is_builtin and tpl.unit_id is None
    before = {k: t.pk for k, t in families.sync_builtin_templates().items()}
    assert before == {k: t.pk for k, t in families.sync_builtin_templates().items()}  # unchanged files: no new versions
