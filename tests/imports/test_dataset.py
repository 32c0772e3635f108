"""The whole dataset in one workbook: out, into an empty database, and back out again — cell for cell, with the same
checks and the same report; hostile workbooks are refused whole, naming sheet, row and column."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pytest
from django.core.management import call_command

import per_database
from lvzhi.backup.services import table_checksums
from lvzhi.imports.dataset import import_dataset, is_dataset, plan_order
from lvzhi.obligations.engine import evaluate
from lvzhi.obligations.export import as_json
from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.reports import services as report_services
from lvzhi.reports import templating

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything("测试")
AS_OF = dt.date(2023, 1, 10)


def _check_json(unit_code: str, year: int) -> dict:
    ev = evaluate(Unit.objects.get(code=unit_code), year=year, as_of=AS_OF, scope=EVERYTHING)
    return as_json(ev)


def _report_md(unit_code: str, year: int) -> bytes:
    unit = Unit.objects.get(code=unit_code)
    document = templating.render(report_services.builtin_template().body, unit=unit, year=year,
                                 secretary=report_services.default_secretary(unit), report_date=f"{year + 1}年1月10日")
    return report_services.render_live(document, "md", year)


def test_the_order_puts_every_sheet_after_what_it_names():
    order = [s.rt.key for s in plan_order()]
    assert order[:4] == ["unit", "party_org", "person", "unit_fact"]
    assert order.index("inspection") < order.index("finding") < order.index("rectification")
    assert order.index("contact_point") < order.index("contact_visit")
    deferred = {s.rt.key: [c.field for c in s.deferred] for s in plan_order() if s.deferred}
    assert deferred == {"party_org": ["secretary", "committee_members"]}  # the one cycle: organisation ↔ people


@pytest.mark.slow
def test_the_demo_dataset_comes_back_cell_for_cell(tmp_path, fresh_database, lvzhi_cli, workbook_cells):
    first = tmp_path / "demo.xlsx"
    call_command("export", "--all", "--out", str(first))
    assert is_dataset(first)
    env = fresh_database("copy")
    assert lvzhi_cli(env, "manage", "migrate", "-v0").returncode == 0
    r = lvzhi_cli(env, "import", first)
    assert r.returncode == 0, r.stdout + r.stderr
    again = tmp_path / "again.xlsx"
    lvzhi_cli(env, "export", "--all", "--out", again)
    original, copy = workbook_cells(first), workbook_cells(again)
    assert list(original) == list(copy)
    for sheet in original:
        assert original[sheet] == copy[sheet], sheet
    assert sum(len(rows) - 1 for name, rows in original.items() if name != "说明") > 12_000

    # The copy is checked and reported exactly as the original.
    r = lvzhi_cli(env, "check", "--unit", "JH01", "--year", "2022", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert json.loads(r.stdout) == _check_json("JH01", 2022)
    out = tmp_path / "copy.md"
    lvzhi_cli(env, "report", "--unit", "JH01", "--year", "2022", "--format", "md", "--out", out)
    assert out.read_bytes() == _report_md("JH01", 2022)


@pytest.mark.slow
@per_database.only_on_postgresql  # ~110 s; SQLite's write path is the demo's round trip above (CI time)
def test_a_generated_company_moves_whole_too(tmp_path, fresh_database, lvzhi_cli, workbook_cells):
    """Another organisation: the `company` scale scenario (its own tree, people, five years of records)."""
    source = fresh_database("source")
    lvzhi_cli(source, "manage", "migrate", "-v0")
    r = lvzhi_cli(source, "scale-data", "--scenario", "company", "--years", "2", "--seed", "7")
    assert r.returncode == 0, r.stdout + r.stderr
    first, again = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    lvzhi_cli(source, "export", "--all", "--out", first)
    target = fresh_database("target")
    lvzhi_cli(target, "manage", "migrate", "-v0")
    r = lvzhi_cli(target, "import", first)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    lvzhi_cli(target, "export", "--all", "--out", again)
    assert workbook_cells(first) == workbook_cells(again)
    top = json.loads(lvzhi_cli(source, "check", "--year", "2022", "--as-of", AS_OF.isoformat(), "--format", "json").stdout)
    assert json.loads(lvzhi_cli(target, "check", "--year", "2022", "--as-of", AS_OF.isoformat(), "--format", "json")
                      .stdout) == top
    for env, name in ((source, "s.md"), (target, "t.md")):
        lvzhi_cli(env, "report", "--unit", top["unit_code"], "--year", "2022", "--format", "md", "--out", tmp_path / name)
    assert (tmp_path / "s.md").read_bytes() == (tmp_path / "t.md").read_bytes()


@pytest.mark.slow
def test_the_per_type_path_of_the_readme_and_findings_under_their_own_inspections(tmp_path, fresh_database, lvzhi_cli):
    """README: 单位 → 党组织（暂不导入书记、委员）→ 人员 → 党组织（更新书记、委员）→ 记录. Findings used to point at
    inspections by database id and exports listed them newest first: re-imported, a finding landed under another
    inspection. Now they name the inspection's number."""
    files = {}
    for key in ("unit", "party_org", "person", "inspection", "finding", "rectification"):
        files[key] = tmp_path / f"{key}.xlsx"
        call_command("export", "--type", key, "--out", str(files[key]))
    env = fresh_database("per-type")
    lvzhi_cli(env, "manage", "migrate", "-v0")
    steps = [("unit",), ("party_org", "--skip-columns", "书记,委员"), ("person",), ("party_org", "--mode", "update"),
             ("inspection",), ("finding",), ("rectification",)]
    for key, *extra in steps:
        r = lvzhi_cli(env, "import", files[key], "--type", key, *extra)
        assert r.returncode == 0, (key, r.stdout, r.stderr[-3000:])
    from lvzhi.integrity.models import Finding, Rectification
    from lvzhi.org.models import PartyOrg

    here = {f.number: (f.inspection.number, f.description) for f in Finding.objects.select_related("inspection")}
    fixes = {r.number: (r.finding.number, r.status, r.completed_on) for r in Rectification.objects.select_related("finding")}
    secretaries = dict(PartyOrg.objects.values_list("code", "secretary__code"))
    check = ("import json, sys\n"
             "from lvzhi.integrity.models import Finding, Rectification\nfrom lvzhi.org.models import PartyOrg\n"
             "print(json.dumps({'f': {f.number: [f.inspection.number, f.description] for f in Finding.objects.all()},"
             "'r': {r.number: [r.finding.number, r.status, str(r.completed_on) if r.completed_on else None]"
             " for r in Rectification.objects.all()},"
             "'s': dict(PartyOrg.objects.values_list('code', 'secretary__code'))}, ensure_ascii=False))")
    r = lvzhi_cli(env, "manage", "shell", "-v0", "-c", check)
    there = json.loads(r.stdout)
    assert there["f"] == {k: list(v) for k, v in here.items()} and len(here) >= 40
    assert there["r"] == {k: [a, b, str(c) if c else None] for k, (a, b, c) in fixes.items()}
    assert there["s"] == secretaries and any(there["s"].values())


def _dataset(tmp_path, name, sheets: dict[str, list[list]]):
    """A dataset workbook with the given sheets (title → rows including the header)."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "说明"
    info.append(["lvzhi 数据集", 1])
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


UNIT_HEAD = ["编码", "名称", "上级单位", "类型", "机关/基层"]
ORG_HEAD = ["编码", "名称", "类型", "所在单位", "上级党组织"]


def _refused(path, *, actor="测试", scope=EVERYTHING):
    before = table_checksums()
    result = import_dataset(path, actor=actor, scope=scope)
    assert not result.ok
    assert table_checksums() == before  # every table's row count and checksum
    return [str(e) for e in result.errors]


def test_a_missing_sheet_that_another_needs(tmp_path):
    path = _dataset(tmp_path, "m.xlsx", {"整改": [["问题", "整改措施", "整改时限"], ["WT-2031-0001", "补齐台账", "2031-06-30"]]})
    errors = _refused(path)
    assert "「整改」第2行「问题」：找不到问题编号为“WT-2031-0001”的检查发现问题，或您无权访问" in errors
    assert "「整改」：工作簿中没有「检查发现问题」工作表，它引用的记录须已在数据库中" in errors


def test_an_unknown_extra_sheet(tmp_path):
    path = _dataset(tmp_path, "u.xlsx", {"单位": [UNIT_HEAD, ["T-X1", "新公司", "", "公司", "基层"]],
                                         "我的备注": [["随便写"], ["1"]]})
    errors = _refused(path)
    assert any(e.startswith("「我的备注」：不是数据集中的工作表") for e in errors), errors


def test_a_reference_cycle_that_cannot_be_resolved(tmp_path, company):
    path = _dataset(tmp_path, "c.xlsx", {"党组织": [ORG_HEAD, ["T-A", "甲支部", "党支部", "JH01", "T-B"],
                                                      ["T-B", "乙支部", "党支部", "JH01", "T-A"]]})
    errors = _refused(path)
    assert "「党组织」第2行「上级党组织」：上下级关系形成循环（某行的上级最终又以它为上级），无法导入" in errors
    assert "「党组织」第3行「上级党组织」：上下级关系形成循环（某行的上级最终又以它为上级），无法导入" in errors


def test_a_child_before_its_parent_is_fine(tmp_path, company):
    path = _dataset(tmp_path, "p.xlsx", {"党组织": [ORG_HEAD, ["T-C", "丙党小组", "党小组", "JH01", "T-D"],
                                                      ["T-D", "丁支部", "党支部", "JH01", "DW-JH01"]]})
    result = import_dataset(path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    from lvzhi.org.models import PartyOrg

    assert PartyOrg.objects.get(code="T-C").parent.code == "T-D"


def test_a_sheet_the_importing_role_may_not_write(tmp_path, users):
    path = _dataset(tmp_path, "r.xlsx", {"问责": [["所属单位", "被问责人", "问责日期", "问责事由", "问责方式"],
                                                  ["JH01", "P000001", "2022-05-05", "失职", "诫勉"]]})
    user = users["xuanchuan"]
    errors = _refused(path, actor=user, scope=scope_for(user))
    assert errors == ["「问责」：您没有导入问责的权限，请删除该工作表或请有权限的人导入"]


def test_a_row_refused_while_written_names_its_sheet(tmp_path, users):
    """Units are created row by row by their service, which checks what preparing could not (only an administrator
    adds a top unit): a row it refuses is named like any other, with its sheet, and nothing is written."""
    path = _dataset(tmp_path, "w.xlsx", {"单位": [UNIT_HEAD, ["T-W1", "新公司", "", "公司", "基层"]]})
    user = users["dangban"]
    errors = _refused(path, actor=user, scope=scope_for(user))
    assert any("「单位」第2行：只有系统管理员可以新建顶级单位。" in e for e in errors), errors


def test_the_same_key_twice(tmp_path):
    path = _dataset(tmp_path, "k.xlsx", {"单位": [UNIT_HEAD, ["T-K1", "新公司", "", "公司", "基层"],
                                                  ["T-K1", "又一个新公司", "", "公司", "基层"]]})
    errors = _refused(path)
    assert "「单位」第3行「编码」：与第2行重复（编码相同）" in errors


def test_a_key_that_exists_already_is_refused_in_create_mode_and_updated_in_update_mode(tmp_path, company):
    path = _dataset(tmp_path, "e.xlsx", {"单位": [["编码", "名称"], ["JH01", "江海化工（改名测试）"]]})
    errors = _refused(path)
    assert errors == ["「单位」第2行「编码」：数据库中已有相同的单位（编码相同），不重复导入；要修改已有记录请用“按编号更新”方式导入"]
    result = import_dataset(path, actor="测试", scope=EVERYTHING, mode="update")
    assert result.ok and result.updated == 1, [str(e) for e in result.errors]
    company.refresh_from_db()
    assert company.name == "江海化工（改名测试）"
    from lvzhi.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(model="org.unit", object_id=str(company.pk)).order_by("-seq").first()
    assert entry.action == "update" and entry.after == {"name": "江海化工（改名测试）"}


def test_the_data_page_exports_and_imports_a_dataset_for_administrators(tmp_path, client_as, company):
    admin = client_as("admin_demo")
    assert client_as("dangban").get("/imports/dataset/").status_code == 403
    page = admin.get("/imports/dataset/")
    assert page.status_code == 200 and "导出整个数据集" in page.content.decode()
    response = admin.get("/imports/dataset/export.xlsx", {"unit": company.pk})
    path = tmp_path / "down.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.sheetnames[:4] == ["说明", "单位", "党组织", "人员"]
    assert not any(r and r[0] == "问责" and r[1] for r in wb["说明"].iter_rows(values_only=True))  # not hers to see

    upload = _dataset(tmp_path, "up.xlsx", {"单位": [UNIT_HEAD, ["T-W1", "网页导入车间", "JH01", "车间", "基层"]]})
    with upload.open("rb") as fh:
        r = admin.post("/imports/dataset/", {"file": fh, "mode": "create"})
    assert r.status_code == 302
    job_page = admin.get(r.url).content.decode()
    assert "已导入" in job_page and "新增 1 条" in job_page
    assert Unit.objects.get(code="T-W1").parent_unit == company
    with upload.open("rb") as fh:  # the same file again: refused at once, nothing doubled
        again = admin.post("/imports/dataset/", {"file": fh, "mode": "create"}).content.decode()
    assert "该文件已于" in again and Unit.objects.filter(code="T-W1").count() == 1
