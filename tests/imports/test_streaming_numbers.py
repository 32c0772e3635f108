"""Numbers across chunks: a row left blank in an early chunk is numbered by the system; a number typed further down
the same sheet is the user's and must stay theirs — it may not be handed to the earlier blank row (the sheet is
read a chunk at a time, so the typed number is not known when the blank row is written)."""

import pytest

from lvzhi.audit.models import AuditAction, AuditEntry
from lvzhi.audit.services import verify_chain
from lvzhi.imports.importer import run_import
from lvzhi.org.scoping import Scope
from lvzhi.partybuilding.models import BranchActivity
from lvzhi.records import registry

pytestmark = pytest.mark.django_db
EVERYTHING = Scope.everything()
ACTIVITY = registry.get("branch_activity")
HEADERS = ["活动编号", "党组织", "活动类别", "日期", "主题"]


@pytest.fixture(autouse=True)
def tiny_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 10


def rows(n, typed):
    """n activities of 2031 (a year no fixture touches); ``typed`` = {row number: number typed in that row}."""
    out = [HEADERS]
    for i in range(n):
        out.append([typed.get(i + 2, ""), "ZB-JH01-D01", "党小组会", f"2031-03-{i % 28 + 1:02d}", f"编号测试{i}"])
    return out


def test_a_number_typed_in_a_late_chunk_stays_the_users(spreadsheet):
    typed = {25: "HD-2031-0001", 33: "HD-2031-0004"}
    result = run_import(ACTIVITY, spreadsheet("a.xlsx", rows(40, typed)), actor="测试", scope=EVERYTHING)
    assert result.ok and result.created == 40, [str(e) for e in result.errors]
    by_title = dict(BranchActivity.objects.filter(title__startswith="编号测试").values_list("title", "number"))
    assert by_title["编号测试23"] == "HD-2031-0001" and by_title["编号测试31"] == "HD-2031-0004"
    numbers = list(by_title.values())
    assert len(set(numbers)) == 40 and all(n.startswith("HD-2031-") for n in numbers)
    # the first blank row had been given HD-2031-0001 when its chunk was written: it moved on, and says so
    first = BranchActivity.objects.get(title="编号测试0")
    assert first.number != "HD-2031-0001"
    moved = AuditEntry.objects.get(model="partybuilding.branchactivity", object_id=str(first.pk),
                                   action=AuditAction.UPDATE)
    assert moved.before == {"number": "HD-2031-0001"} and moved.after == {"number": first.number}
    assert verify_chain().ok


def test_without_typed_numbers_the_blank_rows_are_numbered_in_order(spreadsheet):
    result = run_import(ACTIVITY, spreadsheet("a.xlsx", rows(25, {})), actor="测试", scope=EVERYTHING)
    assert result.ok and result.created == 25, [str(e) for e in result.errors]
    numbers = sorted(BranchActivity.objects.filter(title__startswith="编号测试").values_list("number", flat=True))
    assert numbers == [f"HD-2031-{i:04d}" for i in range(1, 26)]
    assert not AuditEntry.objects.filter(model="partybuilding.branchactivity", action=AuditAction.UPDATE).exists()
