"""Paper ballots from Excel: every error names the sheet, the row and the column; all or nothing."""

import io

import pytest
from openpyxl import load_workbook

from lvzhi.appraisal import paper, services, tally

from .conftest import EVERYTHING, close

pytestmark = pytest.mark.django_db


def filled(a, rows):
    wb = load_workbook(io.BytesIO(paper.template(a)))
    ws = wb[paper.SHEET]
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_paper_ballots_all_or_nothing(make):
    a = make(groups=(("党委委员", 1, 6),), indicators=("履行主体责任",))
    headers = [h for h, _, _ in paper.columns(a)]
    assert len(headers) == 2 * a.reportees.count()
    n = len(headers)
    bad = filled(a, [["P-001", "党委委员"] + ["好"] * n,
                     ["P-002", "党员代表"] + ["好"] * n,
                     ["P-001", "党委委员"] + ["很好"] + ["好"] * (n - 1)])
    with pytest.raises(services.AppraisalError) as err:
        paper.import_paper(a, bad, actor="测试", scope=EVERYTHING)
    text = str(err.value)
    assert "「纸质选票」第3行「评议组」：“党员代表”不是本次的评议组" in text
    assert "「纸质选票」第4行「选票编号」：与第2行重复" in text
    assert f"「纸质选票」第4行「{headers[0]}」：“很好”不是有效的评价" in text
    assert not a.ballots.exists()
    good = filled(a, [[f"P-{i:03d}", "党委委员"] + ["好", "较好"] + [None] * (n - 2) for i in range(1, 6)])
    assert paper.import_paper(a, good, actor="测试", scope=EVERYTHING) == 5
    with pytest.raises(services.AppraisalError, match="已经录入过"):
        paper.import_paper(a, good, actor="测试", scope=EVERYTHING)
    close(a)
    p = tally.results(a).people[0]
    assert p.tallies["好"] == 5 and p.valid == 5
    assert p.indicator_scores == {"履行主体责任": 80}
    assert tally.results(a).people[1].valid == 0  # left blank: abstentions


def test_wrong_file_and_missing_columns(make):
    a = make()
    with pytest.raises(services.AppraisalError, match="无法读取该文件"):
        paper.import_paper(a, b"not a workbook", actor="测试", scope=EVERYTHING)
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = paper.SHEET
    wb.active.append(["选票编号", "评议组", "某某（某支部）"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(services.AppraisalError, match="第1行缺少列") as err:
        paper.import_paper(a, buf.getvalue(), actor="测试", scope=EVERYTHING)
    assert "不认识的列：「某某（某支部）」" in str(err.value)
