"""Bad import files are refused whole, with 第N行「列名」：原因 (or a message about the file), and change nothing.

Each bad file goes through the three doors — the service, the CLI and the upload page — and every table's row
count (and the audit chain's tail) is compared before and after.
"""

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from lvzhi.audit.models import AuditEntry
from lvzhi.imports.importer import run_import
from lvzhi.imports.models import ImportJob
from lvzhi.org.models import Person
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import StudySession
from lvzhi.records import registry, services

pytestmark = pytest.mark.django_db

KEY = "study_session"
RT = registry.get(KEY)
HEADERS = ["所属单位", "学习类别", "日期", "学习主题", "主讲/发言人", "参加人员"]
PLANT = "有机硅厂（JH01-P03）"


def good_row(ctx, **changes) -> list:
    row = {"所属单位": PLANT, "学习类别": "中心组集体学习", "日期": "2023-03-15", "学习主题": "坏文件测试",
           "主讲/发言人": ctx["speaker"], "参加人员": ctx["attendees"]}
    row.update(changes)
    return [row.get(h) for h in HEADERS]


@pytest.fixture
def ctx(contact_plant):
    people = list(Person.objects.filter(unit__path__startswith=contact_plant.path).order_by("code")[:3])
    return {"speaker": f"{people[0].name}（{people[0].code}）", "attendees": "、".join(p.code for p in people[1:])}


def _same_name_twice(ctx, contact_plant):
    for code in ("T-SAME-1", "T-SAME-2"):
        Person.objects.create(code=code, name="同名测试", gender="male", unit=contact_plant)


def _existing_session(ctx, contact_plant):
    services.create_record(RT, {"unit": contact_plant, "kind": "central_group", "date": dt.date(2023, 3, 15),
                                "title": "坏文件测试"}, actor="测试", scope=Scope.everything())


def _without(column, rows):
    i = HEADERS.index(column)
    return [r[:i] + r[i + 1:] for r in rows]


# name → (file name, its content: rows or bytes, setup, [(row, column, part of the message)])
CASES = {
    "wrong_headers": ("wrong.xlsx", lambda c: [[*HEADERS[:3], "主题名称", *HEADERS[4:]], good_row(c)], None,
                      [(1, "主题名称", "不是“学习”的列"), (1, "学习主题", "缺少必填列")]),
    "missing_required_column": ("missing.xlsx", lambda c: _without("学习类别", [HEADERS, good_row(c)]), None,
                                [(1, "学习类别", "缺少必填列")]),
    "bad_date": ("date.xlsx", lambda c: [HEADERS, good_row(c), good_row(c, 日期="2022-02-30", 学习主题="二")], None,
                 [(3, "日期", "日期“2022-02-30”不存在")]),
    "unknown_person": ("person.xlsx", lambda c: [HEADERS, good_row(c, **{"主讲/发言人": "查无此人"})], None,
                       [(2, "主讲/发言人", "找不到人员“查无此人”")]),
    "ambiguous_person": ("same.xlsx", lambda c: [HEADERS, good_row(c, 参加人员="同名测试")], _same_name_twice,
                         [(2, "参加人员", "人员“同名测试”对应多个（编码 T-SAME-1、T-SAME-2）")]),
    "duplicate_rows": ("dup.xlsx", lambda c: [HEADERS, good_row(c), good_row(c, 所属单位="JH01-P03")], None,
                       [(3, "所属单位", "与第2行重复")]),
    "duplicates_existing_record": ("exists.xlsx", lambda c: [HEADERS, good_row(c)], _existing_session,
                                   [(2, "所属单位", "数据库中已有相同的学习")]),
    "empty_file": ("empty.xlsx", lambda c: b"", None, [(None, "", "文件是空的（0 字节）")]),
    "header_only": ("header.xlsx", lambda c: [HEADERS], None, [(None, "", "文件中没有数据行")]),
    "text_renamed_xlsx": ("notes.xlsx", lambda c: "这是一个文本文件\n".encode(), None,
                          [(None, "", "文件不是 Excel（.xlsx）或 CSV 文件")]),
    "gbk_csv": ("gbk.csv", lambda c: [HEADERS, good_row(c), good_row(c, 学习类别="读书会", 学习主题="二")], None,
                [(3, "学习类别", "“读书会”不是可选值")]),
    "formula_cell": ("formula.xlsx", lambda c: [HEADERS, good_row(c, 学习主题="=A1&B1")], None,
                     [(2, "学习主题", "单元格是公式")]),
    "several_problems_at_once": ("several.xlsx", lambda c: [
        HEADERS, good_row(c, 日期="2022-02-30"), good_row(c, **{"主讲/发言人": "查无此人", "学习主题": "二"}),
        good_row(c, 学习主题="三"), good_row(c, 学习主题="三", 所属单位="有机硅厂")], None,
        [(2, "日期", "不存在"), (3, "主讲/发言人", "找不到人员“查无此人”"), (5, "所属单位", "与第4行重复")]),
}


def table_counts() -> dict:
    """Rows per table (import jobs aside: the page keeps a record of the attempt) and the audit chain's tail."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models(include_auto_created=True)
              if m is not ImportJob}
    counts["audit tail"] = AuditEntry.objects.order_by("-seq").values_list("hash", flat=True).first()
    return counts


def _service(path, name, users, page):
    result = run_import(RT, path, actor=users["dangban"], scope=Scope.everything(), filename=name)
    assert not result.ok and result.created == 0
    return [(e.row, e.column, e.message) for e in result.errors], [str(e) for e in result.errors]


def _cli(path, name, users, page):
    err = io.StringIO()
    with pytest.raises(CommandError, match="数据库未做任何修改"):
        call_command("import", str(path), "--type", KEY, stdout=io.StringIO(), stderr=err)
    lines = [line for line in err.getvalue().splitlines() if line.startswith(("第", "文件"))]
    return None, lines


def _page(path, name, users, page):
    r = page.post(f"/imports/{KEY}/upload/", {"file": SimpleUploadedFile(name, path.read_bytes())})
    assert r.status_code == 302, r.content.decode()[:500]
    html = page.get(r["Location"]).content.decode()
    assert 'id="import-errors"' in html and "数据库未做任何修改" in html
    job = ImportJob.objects.get(pk=int(r["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert job.status == "failed" and job.created == 0
    for e in job.errors:
        assert e["message"] in html
    return [(e["row"], e["column"], e["message"]) for e in job.errors], [e["text"] for e in job.errors]


DOORS = {"service": _service, "cli": _cli, "page": _page}


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("case", CASES)
def test_bad_file_is_refused_whole_with_the_row_and_column(case, door, ctx, contact_plant, users, client_as,
                                                           spreadsheet, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    name, content, setup, expected = CASES[case]
    path = spreadsheet(name, content(ctx))
    if setup:
        setup(ctx, contact_plant)
    page = client_as("dangban")  # signed in before counting: a sign-in writes its own log rows
    before = table_counts()

    errors, texts = DOORS[door](path, name, users, page)

    assert table_counts() == before
    for row, column, message in expected:
        where = f"第{row}行" if row else "文件"
        text = f"{where}「{column}」：" if column else f"{where}："
        assert any(t.startswith(text) and message in t for t in texts), (text, message, texts)
        if errors is not None:
            assert any(e[0] == row and e[1] == column and message in e[2] for e in errors), errors


def test_a_good_gbk_csv_imports(ctx, spreadsheet):
    path = spreadsheet("ok.csv", [HEADERS, good_row(ctx), good_row(ctx, 学习主题="第二次")])
    result = run_import(RT, path, actor="测试", scope=Scope.everything())
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 2
    assert StudySession.objects.filter(title__in=["坏文件测试", "第二次"], unit__code="JH01-P03").count() == 2
    assert set(StudySession.objects.get(title="第二次").attendees.values_list("code", flat=True)) == set(
        ctx["attendees"].split("、"))


def test_every_importable_type_knows_what_a_repeated_row_is():
    """A file uploaded twice is refused, not doubled: every type has a natural key (what the record is)."""
    assert [rt.key for rt in registry.all_types() if not rt.natural_key] == []


def test_a_natural_key_of_plain_fields_names_the_unit():
    """Two units' records alike in everything but their unit are two records, not a repeated row: a key made of
    plain fields only (no reference that belongs to one unit) must include the unit. The province's export would
    not import again when 宣传稿件 was keyed by 媒体、发表日期、标题 (two companies, one title in the group paper)."""
    def plain(rt, name):
        field = rt.model._meta.get_field(name)
        return not field.is_relation

    loose = [rt.key for rt in registry.all_types() if rt.unit_field and rt.natural_key
             and rt.natural_key not in (("code",), ("number",)) and rt.unit_field not in rt.natural_key
             and all(plain(rt, n) for n in rt.natural_key)]
    assert loose == []


def test_two_companies_may_publish_alike_but_one_company_not_twice(spreadsheet):
    rt = registry.get("publication")
    headers = [rt.header(c) for c in rt.columns if c.field in ("unit", "date", "title", "medium", "level")]
    a = ["JH01-P03", "2023-03-15", "安全月活动纪实", "集团报", "集团级"]
    b = ["JH01-P01", *a[1:]]
    result = run_import(rt, spreadsheet("p.xlsx", [headers, a, b]), actor="测试", scope=Scope.everything())
    assert result.ok, [str(e) for e in result.errors]
    assert result.created == 2
    result = run_import(rt, spreadsheet("q.xlsx", [headers, a]), actor="测试", scope=Scope.everything())
    assert not result.ok and result.created == 0


def test_a_repeated_row_without_numbers_is_refused_by_its_natural_key(contact_plant, spreadsheet):
    rt = registry.get("inspection")
    headers = [rt.header(c) for c in rt.columns if c.field in ("unit", "kind", "date", "title")]
    row = ["JH01-P03", "安全生产", "2023-03-15", "重复检查"]
    result = run_import(rt, spreadsheet("i.xlsx", [headers, row, row]), actor="测试", scope=Scope.everything())
    assert [str(e) for e in result.errors] == ["第3行「被检查单位」：与第2行重复（被检查单位、监督类别、检查日期、检查事项相同）"]


def test_a_reference_names_the_key_a_person_types(spreadsheet):
    rt = registry.get("finding")
    path = spreadsheet("f.xlsx", [["监督检查", "问题描述"], ["第三号", "某问题"], ["1", "按数据库编号"]])
    result = run_import(rt, path, actor="测试", scope=Scope.everything())
    assert [str(e) for e in result.errors] == ["第2行「监督检查」：找不到检查编号为“第三号”的监督检查，或您无权访问",
                                               "第3行「监督检查」：找不到检查编号为“1”的监督检查，或您无权访问"]


def test_a_dataset_over_the_size_limit_is_called_too_large_not_something_else(settings, spreadsheet):
    """The CLI used to answer “not a dataset” for a workbook over the limit (the size check was swallowed)."""
    path = spreadsheet("big.xlsx", [["说明"], ["x" * 2000]])
    settings.MAX_UPLOAD_BYTES = 1024
    with pytest.raises(CommandError, match=r"文件过大（.* MB），上限 0 MB"):
        call_command("import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
