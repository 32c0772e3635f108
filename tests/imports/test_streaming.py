"""A sheet checked and written chunk by chunk (imports.streaming): an error in a late chunk still leaves nothing
written — whether earlier chunks were written already or not — and names its row; a row repeating one of an earlier
chunk is called a repeat of that row. The chunk size is made tiny so a hundred rows cross many chunks."""

import datetime as dt

import openpyxl
import pytest

from lvzhi.audit.models import AuditEntry
from lvzhi.audit.services import verify_chain
from lvzhi.backup.services import table_checksums
from lvzhi.imports import streaming
from lvzhi.imports.dataset import import_dataset
from lvzhi.imports.importer import run_import
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import StudySession
from lvzhi.records import registry

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything()
SESSION = registry.get("study_session")
HEADERS = ["所属单位", "学习类别", "日期", "学习主题"]


@pytest.fixture(autouse=True)
def tiny_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 20


def sessions(n, bad_row=None, repeat=None):
    """Rows of n study sessions; ``bad_row`` holds a date that does not exist, ``repeat`` = (row, of_row)."""
    rows = [HEADERS]
    for i in range(n):
        day = "2023-02-30" if i + 2 == bad_row else f"2023-03-{i % 28 + 1:02d}"
        rows.append(["JH01-P03", "中心组集体学习", day, f"分块导入测试{i}"])
    if repeat:
        row, of_row = repeat
        rows[row - 1] = list(rows[of_row - 1])
    return rows


def test_the_sheet_is_read_in_chunks():
    assert streaming.can_stream(SESSION, HEADERS)
    assert not streaming.can_stream(registry.get("party_org"), ["编码", "名称", "上级党组织"])  # parents first


def test_a_bad_row_in_a_late_chunk_leaves_nothing_written(spreadsheet):
    before = table_checksums()
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(120, bad_row=117)), actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == ["第117行「日期」：日期“2023-02-30”不存在"]
    assert result.created == 0 and result.rows == 120
    assert table_checksums() == before


def test_a_row_repeating_one_of_an_earlier_chunk_is_a_repeat(spreadsheet):
    before = table_checksums()
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(100, repeat=(95, 3))), actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == ["第95行「所属单位」：与第3行重复（所属单位、党组织、学习类别、日期、学习主题相同）"]
    assert table_checksums() == before


def test_a_clean_sheet_is_written_whole_with_an_audit_entry_per_record(spreadsheet):
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(65)), actor="测试", scope=EVERYTHING)
    assert result.ok and result.created == 65, [str(e) for e in result.errors]
    ids = set(StudySession.objects.filter(title__startswith="分块导入测试").values_list("pk", flat=True))
    assert len(ids) == 65
    assert sorted(int(e.object_id) for e in AuditEntry.objects.filter(seq__gt=last)) == sorted(ids)
    assert verify_chain().ok


def test_a_dataset_sheet_with_a_bad_row_in_a_late_chunk_writes_nothing(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["lvzhi 数据集", 1])
    ws = wb.create_sheet("学习")
    for row in sessions(90, bad_row=83):
        ws.append(row)
    path = tmp_path / "d.xlsx"
    wb.save(path)
    before = table_checksums()
    result = import_dataset(path, actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == ["「学习」第83行「日期」：日期“2023-02-30”不存在"]
    assert table_checksums() == before


def test_a_record_stored_before_the_import_is_refused_in_a_late_chunk(spreadsheet):
    """Each chunk asks the database only for records within its rows' dates: the one stored before is still found."""
    from lvzhi.org.models import Unit
    from lvzhi.records import services

    services.create_record(SESSION, {"unit": Unit.objects.get(code="JH01-P03"), "kind": "central_group",
                                     "date": dt.date(2023, 3, 16), "title": "分块导入测试99"},
                           actor="测试", scope=EVERYTHING)
    before = table_checksums()
    result = run_import(SESSION, spreadsheet("s.xlsx", sessions(120)), actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == [
        "第101行「所属单位」：数据库中已有相同的学习（所属单位、党组织、学习类别、日期、学习主题相同），不重复导入；"
        "要修改已有记录请用“按编号更新”方式导入"]
    assert table_checksums() == before


def test_attendees_are_written_by_id_and_a_name_not_found_is_named(spreadsheet):
    """Lists of people are resolved to ids without a Person object each; the errors are those of a single person."""
    from lvzhi.org.models import Person

    people = list(Person.objects.filter(unit__code="JH01-P03").order_by("code")[:3])
    listed = "、".join(f"{p.name}（{p.code}）" for p in people)
    rows = [[*HEADERS, "参加人员"], ["JH01-P03", "中心组集体学习", "2023-03-01", "名单测试一", listed],
            ["JH01-P03", "中心组集体学习", "2023-03-02", "名单测试二", f"{people[0].code}、查无此人"]]
    result = run_import(SESSION, spreadsheet("s.xlsx", rows), actor="测试", scope=EVERYTHING)
    assert [str(e) for e in result.errors] == ["第3行「参加人员」：找不到人员“查无此人”，或您无权访问"]
    result = run_import(SESSION, spreadsheet("s.xlsx", rows[:2]), actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    session = StudySession.objects.get(title="名单测试一")
    assert sorted(session.attendees.values_list("pk", flat=True)) == sorted(p.pk for p in people)
    entry = AuditEntry.objects.get(model="partybuilding.studysession", object_id=str(session.pk))
    assert entry.after["attendees"] == sorted(p.pk for p in people)
