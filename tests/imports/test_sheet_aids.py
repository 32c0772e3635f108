"""Templates and exports help the person filling them in: frozen header, filters, drop-downs for every fixed choice
and for the organisations and people in scope, widths, print setup, real dates — read back with openpyxl."""

import datetime as dt
import shutil
import subprocess

import openpyxl
import pytest
from django.core.management import call_command

from lvzhi.imports.exporter import blank_template, export_records
from lvzhi.org.scoping import Scope, scope_for
from lvzhi.records import cells, registry, selectors

pytestmark = pytest.mark.django_db


def _aids(ws):
    validations = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in ws.data_validations.dataValidation}
    return validations


def _choice_columns(rt):
    return [i for i, c in enumerate(rt.columns) if cells.kind_of(rt, c) in ("choice", "bool")]


@pytest.mark.parametrize("key", ["branch_activity", "rectification", "person", "integrity_talk"])
def test_a_template_has_every_aid(tmp_path, key, users):
    rt = registry.get(key)
    path = tmp_path / "t.xlsx"
    blank_template(rt, path, scope=scope_for(users["dangban"]))
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.print_title_rows == "$1:$1" and ws.print_area
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    validations = _aids(ws)
    letters = [openpyxl.utils.get_column_letter(i + 1) for i in _choice_columns(rt)]
    assert letters and all(validations[x].errorStyle == "stop" for x in letters)
    for letter in letters:  # every choice's list holds exactly the labels the importer accepts
        column = rt.columns[openpyxl.utils.column_index_from_string(letter) - 1]
        ref = validations[letter].formula1.split("!")[1].replace("$", "")
        listed = [c.value for c in wb["选项"][ref.split(":")[0][0]][1:]]
        allowed = ["是", "否"] if cells.kind_of(rt, column) == "bool" else [
            str(label) for _, label in rt.model_field(column.field).flatchoices]
        assert [v for v in listed if v is not None] == allowed
    assert wb["选项"].sheet_state == "hidden"
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(i + 1)].width for i in range(len(rt.columns))]
    assert len(set(widths)) > 2  # fitted per column, not one width for all
    example = {rt.header(c): ws.cell(2, i + 1).value for i, c in enumerate(rt.columns)}
    for c in rt.columns:
        if cells.kind_of(rt, c) == "date" and c.example:
            assert isinstance(example[rt.header(c)], dt.datetime)  # a real date, not text
    notes = [r[0] for r in wb["填写说明"].iter_rows(values_only=True) if r and r[0]]
    assert any("表头红底的列为必填列" in n for n in notes)


def test_an_export_offers_the_organisations_in_scope_and_keeps_its_rows_filterable(tmp_path, users):
    rt = registry.get("branch_activity")
    scope = scope_for(users["zhibu"])
    path = tmp_path / "e.xlsx"
    n = export_records(rt, selectors.filter_records(rt, scope), path, scope=scope)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    assert ws.auto_filter.ref.endswith(str(n + 1)) and ws.freeze_panes == "A2"
    orgs = _aids(ws)["B"]  # 党组织 (after 活动编号): a warning, since a code or a plain name is also fine
    assert orgs.errorStyle == "warning"
    listed = {c.value for c in wb["选项"]["A"][1:] if c.value}
    visible = {f"{o.name}（{o.code}）" for o in selectors.readable(scope, registry.get("party_org").model)}
    assert listed == visible and len(listed) < 20  # the branch secretary's own part of the tree only


@pytest.mark.slow
def test_a_template_prints_one_page_wide(tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice 未安装")
    path = tmp_path / "t.xlsx"
    call_command("template", "--type", "branch_activity", "--out", str(path))
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=300, check=True)
    info = subprocess.run(["pdfinfo", str(tmp_path / "t.pdf")], capture_output=True, text=True).stdout
    assert "Pages:           2" in info  # the sheet and its 填写说明, each one page (the list sheet is hidden)


def test_the_templates_example_is_what_an_import_accepts(tmp_path, spreadsheet):
    """The example row, kept as it is, passes every cell rule (its references name the demo company)."""
    from lvzhi.imports.importer import run_import

    rt = registry.get("study_session")
    path = tmp_path / "t.xlsx"
    blank_template(rt, path, scope=Scope.everything())
    result = run_import(rt, path, actor="测试", scope=Scope.everything())
    assert result.ok, [str(e) for e in result.errors]


def test_lvzhi_template_is_listed_in_the_help_and_writes_the_blank_template(tmp_path, capsys):
    """`lvzhi template --type T --out F` (issue 19) through the lvzhi command itself, as a clerk would type it."""
    from lvzhi import cli

    assert cli.main(["--help"]) == 0
    assert "template --type T --out FILE" in capsys.readouterr().out
    path = tmp_path / "模板.xlsx"
    assert cli.main(["template", "--type", "study_session", "--out", str(path)]) == 0
    assert "导入模板" in capsys.readouterr().out
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.freeze_panes == "A2" and ws.cell(1, 1).value
    with pytest.raises(SystemExit):  # an unknown type: a Chinese error, no file
        cli.main(["template", "--type", "no_such_type", "--out", str(tmp_path / "x.xlsx")])
    assert "未知的记录类型“no_such_type”" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
