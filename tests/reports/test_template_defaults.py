"""Which template a unit uses is data: defaults per unit and kind, `lvzhi templates`, `lvzhi report --template/--kind/
--person`, the choice on the report pages, and the 默认报告模板 sheet of the dataset workbook."""

import datetime as dt
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from lvzhi.audit.models import AuditEntry
from lvzhi.imports.dataset import export_dataset, import_dataset
from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.org.scoping import Scope
from lvzhi.reports import families, services, templating
from lvzhi.reports.models import DefaultTemplate, ReportTemplate

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything("测试")


@pytest.fixture
def other():
    """稀疏集团 → 乙公司 (党委, secretary 冯书记) with a saved template of its own."""
    group = Unit.objects.add_root(instance=Unit(code="YY", name="乙集团", kind="group", category="organ"))
    company = Unit.objects.add_child(group, instance=Unit(code="YY01", name="乙公司", kind="company", category="organ"))
    sec = Person.objects.create(code="YY-1", name="冯书记", gender="male", unit=company, cadre_level="leadership")
    PartyOrg.objects.create(code="DW-YY01", name="中共乙公司委员会", kind="committee", unit=company, secretary=sec)
    tpl = services.save_template(name="乙公司意识形态述职", body="@标题 {{ unit.name }}||意识形态\n一、总体情况\n推送{{ m(\"media.posts\") }}条。",
                                 unit=company, actor="测试", scope=EVERYTHING, kind="ideology", trial_year=2023)
    return {"company": company, "sec": sec, "template": tpl}


def _md(path):
    return path.read_text(encoding="utf-8")


def test_the_demo_company_keeps_the_seed_example_and_other_units_get_the_generic_family():
    jh01, jh02, workshop = (Unit.objects.get(code=c) for c in ("JH01", "JH02", "JH01-P01-W01"))
    assert families.default_template(jh01).key == services.BUILTIN_KEY
    assert families.default_template(jh01, "integrity").key == "generic-integrity"
    assert families.default_template(jh02).key == "generic-annual"
    assert families.natural_kind(workshop) == "branch"
    assert families.default_template(workshop).key == "generic-branch"


def test_lvzhi_report_gives_the_seed_for_the_demo_company_and_the_generic_report_elsewhere(tmp_path):
    out = tmp_path / "jh01.md"
    call_command("report", "--unit", "JH01", "--year", "2022", "--format", "md", "--out", str(out))
    unit = Unit.objects.get(code="JH01")
    seed = templating.render(services.builtin_template().body, unit=unit, year=2022,
                             secretary=services.default_secretary(unit, dt.date(2023, 1, 10)), report_date="2023年1月10日")
    assert _md(out) == services.render_live(seed, "md", 2022).decode()
    call_command("report", "--unit", "JH02", "--year", "2022", "--format", "md", "--out", str(tmp_path / "jh02.md"))
    text = _md(tmp_path / "jh02.md")
    assert "每月一调研" not in text and "【待补充：理论学习情况】" in text


def test_template_by_name_or_file_kind_and_person(tmp_path, other):
    company = other["company"]
    out = tmp_path / "a.md"
    call_command("report", "--unit", "YY01", "--year", "2023", "--template", "通用：纪委书记述责述廉报告",
                 "--person", "冯书记", "--format", "md", "--out", str(out))
    assert "乙公司纪委书记" in _md(out) and "冯书记" in _md(out)
    call_command("report", "--unit", "YY01", "--year", "2023", "--kind", "ideology", "--format", "md", "--out", str(out))
    assert "意识形态工作责任制述职报告" in _md(out)  # the generic ideology template: no default for 乙公司 yet
    families.set_default_template(unit=company, kind="ideology", template=other["template"], actor="测试",
                                  scope=EVERYTHING)
    call_command("report", "--unit", "YY01", "--year", "2023", "--kind", "ideology", "--format", "md", "--out", str(out))
    assert "一、总体情况" in _md(out)  # now 乙公司's own template
    assert "【待补充：推送信息条数】" in _md(out)
    body = tmp_path / "own.txt"
    body.write_text("@标题 文件模板\n一、情况\n{{ unit.name }}。\n@落款 {{ secretary }}\n", encoding="utf-8")
    call_command("report", "--unit", "YY01", "--year", "2023", "--template", str(body), "--format", "md", "--out", str(out))
    assert "乙公司。" in _md(out) and "冯书记" in _md(out)
    with pytest.raises(CommandError, match="找不到模板“没有这个模板”"):
        call_command("report", "--unit", "YY01", "--year", "2023", "--template", "没有这个模板", "--out", str(out))
    with pytest.raises(CommandError, match="找不到人员“无名氏”"):
        call_command("report", "--unit", "YY01", "--year", "2023", "--person", "无名氏", "--out", str(out))


def test_lvzhi_templates_lists_every_template_by_name_with_the_units_defaults(capsys):
    call_command("templates", "--unit", "JH01")
    lines = capsys.readouterr().out.splitlines()
    names = [ln.split("\t")[0] for ln in lines if "\t" in ln]
    assert names[0].startswith("示例：") and "通用：党支部书记抓基层党建工作述职报告" in names
    seed_line = next(ln for ln in lines if ln.startswith("示例："))
    assert "江海化工股份有限公司默认：党委书记年度述职" in seed_line
    assert not re.search(r"[A-Za-z_]{4,}", "\n".join(lines).replace("lvzhi report --template", "").replace("--kind", ""))


def test_setting_a_default_is_audited_and_bounded_to_the_templates_own_units(other):
    company, tpl = other["company"], other["template"]
    row = families.set_default_template(unit=company, kind="ideology", template=tpl, actor="测试", scope=EVERYTHING)
    assert AuditEntry.objects.filter(model__icontains="defaulttemplate", object_id=str(row.pk)).exists()
    assert families.default_template(company, "ideology") == tpl
    jh02 = Unit.objects.get(code="JH02")
    with pytest.raises(Exception, match="属于乙公司"):
        families.set_default_template(unit=jh02, kind="ideology", template=tpl, actor="测试", scope=EVERYTHING)


def test_the_pages_offer_the_default_and_set_it(client_as, users):
    c = client_as("shuji")
    page = c.get("/reports/").content.decode()
    assert re.search(r'selected>示例：江海化工党委书记年度述职报告（种子报告）（党委书记年度述职，第\d+版，本单位默认）', page)
    listing = c.get("/reports/templates/").content.decode()
    assert "默认：党委书记年度述职" in listing and "纪委书记述责述廉" in listing
    generic = families.generic_template("integrity")
    r = c.post(f"/reports/templates/{generic.pk}/default/")
    assert r.status_code == 302
    unit = Unit.objects.get(code="JH01")
    assert DefaultTemplate.objects.get(unit=unit, kind="integrity").template_key == "generic-integrity"
    # a report created from the page for 述责述廉 is signed by the 纪委书记, not the Party secretary
    r = c.post("/reports/", {"template": families.generic_template("discipline").pk, "year": 2022})
    report = services.DutyReport.objects.order_by("-pk").first()
    assert r.status_code == 302 and report.secretary == families.reporter(unit, "discipline", dt.date(2023, 1, 10))
    assert report.secretary != services.default_secretary(unit, dt.date(2023, 1, 10))


def test_defaults_and_templates_travel_in_the_dataset_workbook(tmp_path, other):
    company, tpl = other["company"], other["template"]
    families.set_default_template(unit=company, kind="ideology", template=tpl, actor="测试", scope=EVERYTHING)
    families.set_default_template(unit=company, kind="annual", template=families.generic_template("party_building"),
                                  actor="测试", scope=EVERYTHING)
    first = tmp_path / "yy.xlsx"
    export_dataset(first, scope=EVERYTHING, unit=company)
    wb = openpyxl.load_workbook(first)
    rows = [list(r) for r in wb["默认报告模板"].iter_rows(values_only=True)]
    assert rows[0] == ["单位", "述职类别", "模板标识"]
    assert sorted(r[1:] for r in rows[1:]) == [["党委书记年度述职", "generic-party-building"],
                                               ["意识形态工作责任制述职", tpl.key]]
    assert [r[-1] for r in wb["报告模板"].iter_rows(values_only=True)][1:] == ["意识形态工作责任制述职"]
    # keep only the template sheets (and the rules sheet they follow), remove both here, import: both come back
    keep = {"说明", "报告模板", "默认报告模板", next(t for t in wb.sheetnames if "规则" in t)}
    for title in list(wb.sheetnames):
        if title not in keep:
            del wb[title]
    part = tmp_path / "part.xlsx"
    wb.save(part)
    DefaultTemplate.objects.filter(unit=company).delete()
    ReportTemplate.objects.filter(key=tpl.key).delete()
    result = import_dataset(part, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert families.default_template(company, "ideology").body == tpl.body
    assert families.default_template(company, "annual").key == "generic-party-building"
    again = tmp_path / "again.xlsx"
    export_dataset(again, scope=EVERYTHING, unit=company)
    wb2 = openpyxl.load_workbook(again)
    for title in ("报告模板", "默认报告模板"):
        assert [list(r) for r in wb[title].iter_rows(values_only=True)] == \
               [list(r) for r in wb2[title].iter_rows(values_only=True)], title


def test_a_bad_default_row_names_sheet_row_and_column(tmp_path, other):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["lvzhi 数据集", 1])
    export_dataset(tmp_path / "x.xlsx", scope=EVERYTHING, unit=other["company"])
    rules_title = next(t for t in openpyxl.load_workbook(tmp_path / "x.xlsx").sheetnames if "规则" in t)
    src = openpyxl.load_workbook(tmp_path / "x.xlsx")[rules_title]
    ws = wb.create_sheet(rules_title)
    for row in src.iter_rows(values_only=True):
        ws.append(list(row))
    d = wb.create_sheet("默认报告模板")
    d.append(["单位", "述职类别", "模板标识"])
    d.append(["YY01", "年终总结", "generic-annual"])
    d.append(["YY01", "党委书记年度述职", "no-such-template"])
    wb.save(tmp_path / "bad.xlsx")
    result = import_dataset(tmp_path / "bad.xlsx", actor="测试", scope=EVERYTHING)
    errors = [str(e) for e in result.errors]
    assert not result.ok
    assert any("默认报告模板" in e and "第2行" in e and "述职类别" in e and "年终总结" in e for e in errors), errors
    assert any("第3行" in e and "模板标识" in e and "no-such-template" in e for e in errors), errors
    assert not DefaultTemplate.objects.filter(unit=other["company"]).exists()


def test_a_template_sheet_written_before_the_kind_column_still_imports(tmp_path, other):
    export_dataset(tmp_path / "x.xlsx", scope=EVERYTHING, unit=other["company"])
    src = openpyxl.load_workbook(tmp_path / "x.xlsx")
    rules_title = next(t for t in src.sheetnames if "规则" in t)
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["lvzhi 数据集", 1])
    ws = wb.create_sheet(rules_title)
    for row in src[rules_title].iter_rows(values_only=True):
        ws.append(list(row))
    t = wb.create_sheet("报告模板")
    t.append(["模板标识", "版本", "名称", "所属单位", "修改说明", "模板正文"])
    t.append(["old-yy", 1, "旧模板", "YY01", "", "一、情况\n{{ unit.name }}。"])
    wb.save(tmp_path / "old.xlsx")
    result = import_dataset(tmp_path / "old.xlsx", actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert ReportTemplate.objects.get(key="old-yy").kind == "annual"


def test_a_draft_from_a_generic_template_shows_its_prompts_and_empty_writer_boxes(client_as):
    c = client_as("shuji")
    r = c.post("/reports/", {"template": families.generic_template("annual").pk, "year": 2022})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    text = re.sub(r"<[^>]+>", "", page)  # figures and facts are links to their records
    assert "【待补充：存在的问题和不足】" in text and "本人以有机硅厂为联系点" in text
    assert re.search(r'<textarea[^>]*name="writer_problems"[^>]*>\s*</textarea>', page)
