"""Party organisations that name their parent in the same sheet are written in bulk, one level at a time (parents
first): as many queries for 60 organisations as for 6, ids in file order (the round trip lists them as they came),
one audit entry each, and a missing parent or a circle refused whole, naming sheet, row and column."""

from __future__ import annotations

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lvzhi.audit.models import AuditEntry
from lvzhi.audit.services import verify_chain
from lvzhi.backup.services import table_checksums
from lvzhi.imports.dataset import import_dataset
from lvzhi.org.models import PartyOrg
from lvzhi.org.scoping import Scope

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything("测试")
ORG_HEAD = ["编码", "名称", "类型", "所在单位", "上级党组织"]


def _dataset(tmp_path, name, org_rows):
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "说明"
    info.append(["lvzhi 数据集", 1])
    ws = wb.create_sheet("党组织")
    for row in [ORG_HEAD, *org_rows]:
        ws.append(row)
    path = tmp_path / name
    wb.save(path)
    return path


def _tree(prefix: str, per_level: int) -> list[list]:
    """Three levels under the company's committee DW-JH01, parents first: general branches, branches, groups."""
    rows = []
    for i in range(per_level):
        rows.append([f"{prefix}-Z{i}", f"{prefix}第{i}党总支", "党总支", "JH01", "DW-JH01"])
    for i in range(per_level):
        rows.append([f"{prefix}-B{i}", f"{prefix}第{i}支部", "党支部", "JH01", f"{prefix}-Z{i}"])
    for i in range(per_level):  # by name and code, as a person types it
        rows.append([f"{prefix}-G{i}", f"{prefix}第{i}党小组", "党小组", "JH01", f"{prefix}第{i}支部（{prefix}-B{i}）"])
    return rows


def _import_counting(path) -> tuple:
    with CaptureQueriesContext(connection) as queries:
        result = import_dataset(path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    return result, len(queries.captured_queries)


def test_a_tree_is_written_level_by_level_in_as_many_queries_for_60_rows_as_for_6(tmp_path, company):
    _small, few = _import_counting(_dataset(tmp_path, "s.xlsx", _tree("TS", 2)))
    result, many = _import_counting(_dataset(tmp_path, "l.xlsx", _tree("TL", 20)))
    assert result.created == 60
    assert many == few, (few, many)  # row by row would be ~10 queries a row more
    orgs = {o.code: o for o in PartyOrg.objects.filter(code__startswith="TL-").select_related("parent")}
    assert orgs["TL-Z7"].parent.code == "DW-JH01"
    assert orgs["TL-B7"].parent.code == "TL-Z7"
    assert orgs["TL-G7"].parent.code == "TL-B7"
    file_order = [row[0] for row in _tree("TL", 20)]
    assert sorted(file_order, key=lambda code: orgs[code].pk) == file_order  # ids follow the file
    entries = AuditEntry.objects.filter(model="org.partyorg", object_id__in=[str(o.pk) for o in orgs.values()])
    assert entries.count() == 60
    assert entries.get(object_id=str(orgs["TL-G7"].pk)).after["parent_id"] == orgs["TL-B7"].pk
    assert verify_chain().ok


def test_a_child_listed_before_its_parent_lands_under_it(tmp_path, company):
    rows = _tree("TC", 3)
    path = _dataset(tmp_path, "c.xlsx", list(reversed(rows)))  # groups first, then branches, then their parents
    result = import_dataset(path, actor="测试", scope=EVERYTHING)
    assert result.ok, [str(e) for e in result.errors]
    assert PartyOrg.objects.get(code="TC-G2").parent.parent.parent.code == "DW-JH01"


def _refused(path) -> list[str]:
    before = table_checksums()
    result = import_dataset(path, actor="测试", scope=EVERYTHING)
    assert not result.ok
    assert table_checksums() == before  # every table's row count and checksum: nothing half-written
    return [str(e) for e in result.errors]


def test_a_parent_that_is_nowhere_is_named_and_nothing_is_written(tmp_path, company):
    rows = _tree("TM", 2) + [["TM-X", "孤儿支部", "党支部", "JH01", "TM-NOPE"]]
    errors = _refused(_dataset(tmp_path, "m.xlsx", rows))
    assert errors == ["「党组织」第8行「上级党组织」：找不到党组织“TM-NOPE”，或您无权访问"], errors


def test_a_circle_and_a_row_naming_itself_are_refused_whole(tmp_path, company):
    rows = _tree("TY", 2) + [["TY-A", "甲支部", "党支部", "JH01", "TY-C"],
                             ["TY-B", "乙支部", "党支部", "JH01", "TY-A"],
                             ["TY-C", "丙支部", "党支部", "JH01", "TY-B"],
                             ["TY-S", "自指支部", "党支部", "JH01", "TY-S"]]
    errors = _refused(_dataset(tmp_path, "y.xlsx", rows))
    circle = "上下级关系形成循环（某行的上级最终又以它为上级），无法导入"
    assert errors == [f"「党组织」第{n}行「上级党组织」：{circle}" for n in (8, 9, 10, 11)], errors


def test_a_bad_row_of_the_last_level_leaves_no_level_written(tmp_path, company):
    """A bad value in a row of the deepest level names its row and column; the levels above it are not kept."""
    rows = _tree("TV", 2)
    rows[-1][2] = "党委会"  # not a kind of organisation
    errors = _refused(_dataset(tmp_path, "v.xlsx", rows))
    assert any(e.startswith("「党组织」第7行「类型」：") for e in errors), errors
