"""Sheets read through calamine (imports.xlsx_fast) give exactly the values of the XML reader, and every sheet it
could read otherwise is left to the XML reader."""

import datetime as dt
import zipfile

import openpyxl
import pytest

from lvzhi.imports.xlsx import Book
from lvzhi.imports.xlsx_rows import stream_rows

ROWS = [
    ["编码", "名称", "日期", "数量", "比例", "是否", "备注"],
    ["A-1", " 前后有空格 ", dt.date(2024, 1, 2), 5, 0.25, True, "两行\n文字"],
    ["A-2", "回车\r在中间", dt.datetime(2024, 3, 4, 9, 30), 0.5, 1 / 3, False, ""],
    [None, "只有名称", dt.date(1950, 12, 31), 12345678901234, 2.5, None, None],
    ["A-4", "'=1+1", dt.date(1900, 1, 1), 0, 0.001, None, "&<>\"'"],
]


def _both(path, title):
    book = Book(path)
    try:
        fast = book._fast.rows(title, book.path_of(title))
        fast = list(fast) if fast is not None else None
        slow = list(book.rows(title, fast=False))
        through_book = list(book.rows(title))
    finally:
        book.close()
    return fast, slow, through_book


def _types(rows):
    return [[type(v) for v in values] for _, values in rows]


def _trimmed(rows):
    """Rows as the importer reads them: a cell past the end of a row is None, like a stored empty one (the XML
    reader gives the empty cells a row stores after its last value, calamine's rows end at the last value)."""
    out = []
    for number, values in rows:
        values = list(values)
        while values and values[-1] is None:
            values.pop()
        if values:
            out.append((number, values))
    return out


@pytest.mark.parametrize("write_only", [True, False], ids=["our export (inline strings)", "shared strings"])
def test_plain_sheets_come_out_the_same_through_calamine(tmp_path, write_only):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("数据") if write_only else wb.active
    if write_only:
        stream_rows(ws)
    else:
        ws.title = "数据"
    for row in ROWS:
        ws.append(row)
    if not write_only:
        ws["C9"] = "空行之后，从第3列开始"
    wb.save(path)
    fast, slow, through_book = _both(path, "数据")
    assert fast is not None, "the fast path is taken for a plain sheet"
    slow = _trimmed(slow)
    assert fast == slow and _types(fast) == _types(slow)
    assert through_book == fast
    assert slow[1][1][2] == dt.datetime(2024, 1, 2) and type(slow[1][1][3]) is int


def _cell_sheet(tmp_path, name, cells, number_format=None, epoch_1904=False):
    path = tmp_path / name
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.append(["甲", "乙"])
    for ref, value in cells.items():
        ws[ref] = value
        if number_format:
            ws[ref].number_format = number_format
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    wb.save(path)
    return path


def _rewrite(path, old: bytes, new: bytes):
    """The sheet's XML with ``old`` replaced: numbers as other writers store them."""
    out = path.with_name("re-" + path.name)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                assert old in data
                data = data.replace(old, new)
            dst.writestr(item, data)
    return out


@pytest.mark.parametrize("case", ["formula", "error", "time format", "1904 dates", "5.0", "1E3", "negative",
                                  "escape"])
def test_what_calamine_would_read_otherwise_is_left_to_the_xml_reader(tmp_path, case):
    if case == "formula":
        path = _cell_sheet(tmp_path, "f.xlsx", {"A2": "=1+2"})
    elif case == "error":
        path = _cell_sheet(tmp_path, "e.xlsx", {"A2": "#N/A"})
    elif case == "time format":
        path = _cell_sheet(tmp_path, "t.xlsx", {"A2": dt.time(12, 30)}, number_format="h:mm")
    elif case == "1904 dates":
        path = _cell_sheet(tmp_path, "m.xlsx", {"A2": dt.date(2024, 1, 2)}, epoch_1904=True)
    elif case == "5.0":
        path = _rewrite(_cell_sheet(tmp_path, "n.xlsx", {"A2": 5}), b"<v>5</v>", b"<v>5.0</v>")
    elif case == "1E3":
        path = _rewrite(_cell_sheet(tmp_path, "x.xlsx", {"A2": 1000}), b"<v>1000</v>", b"<v>1E3</v>")
    elif case == "negative":
        path = _cell_sheet(tmp_path, "g.xlsx", {"A2": -3})
    else:
        path = _cell_sheet(tmp_path, "s.xlsx", {"A2": "_x0041_"})
    fast, slow, through_book = _both(path, "数据")
    assert fast is None
    assert through_book == slow
    if case == "5.0":
        assert slow[1][1][0] == 5.0 and type(slow[1][1][0]) is float
    if case == "formula":
        assert slow[1][1][0] == "=1+2"
