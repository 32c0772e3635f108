"""Sheets read through calamine (imports.xlsx_fast) give exactly the values of the XML reader, and every sheet it
could read otherwise is left to the XML reader; wherever the sheet is cut into pieces for calamine."""

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


def _both(path, title, piece=None):
    """(rows through calamine, or None where the workbook rules it out; rows of the XML reader; rows as the
    importer reads them) and how many rows calamine gave; ``piece``: bytes of XML calamine reads at a time."""
    book = Book(path)
    try:
        if piece is not None:
            book._fast._piece = piece
        fast = book._fast.rows(title, book.path_of(title), lambda: book._xml_rows(title))
        fast = list(fast) if fast is not None else None
        by_calamine = book._fast.by_calamine.get(title, 0)
        slow = list(book.rows(title, fast=False))
        through_book = list(book.rows(title))
    finally:
        book.close()
    return fast, slow, through_book, by_calamine


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
    fast, slow, through_book, by_calamine = _both(path, "数据")
    assert fast is not None and by_calamine == len(fast), "the fast path is taken for a plain sheet"
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
    fast, slow, through_book, by_calamine = _both(path, "数据")
    assert fast is None or by_calamine == 0
    assert through_book == slow
    if case == "5.0":
        assert slow[1][1][0] == 5.0 and type(slow[1][1][0]) is float
    if case == "formula":
        assert slow[1][1][0] == "=1+2"


def _long_sheet(path, rows=400, marker_at=None, write_only=True):
    """A sheet of ``rows`` varied rows (blank rows, rows starting further right, dates, numbers, text with XML's
    special characters); ``marker_at``: that row's second cell a formula (which the fast path leaves alone)."""
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("数据") if write_only else wb.active
    if write_only:
        stream_rows(ws)
    else:
        ws.title = "数据"
    ws.append(["编码", "名称", "日期", "数量", "备注"])
    for i in range(rows):
        if i % 37 == 5:
            ws.append([])
        elif i % 41 == 7:
            ws.append([None, None, dt.date(2024, 1, 1 + i % 28), i])
        else:
            ws.append([f"A-{i}", f"第{i}行 <&> \t制表", dt.datetime(2023, 1 + i % 12, 1 + i % 28), i * 7,
                       "=1+1" if i == marker_at else (None if i % 3 else "备注")])
    wb.save(path)
    return path


@pytest.mark.parametrize("piece", [300, 2000, 1 << 20], ids=["a row a piece", "a few rows a piece", "one piece"])
@pytest.mark.parametrize("write_only", [True, False], ids=["our export (inline strings)", "shared strings"])
def test_a_sheet_cut_into_pieces_comes_out_as_the_xml_reader_reads_it(tmp_path, piece, write_only):
    path = _long_sheet(tmp_path / "long.xlsx", write_only=write_only)
    fast, slow, through_book, by_calamine = _both(path, "数据", piece=piece)
    assert by_calamine == len(fast) > 380
    assert fast == _trimmed(slow) and _types(fast) == _types(_trimmed(slow))
    assert through_book == fast


def test_rows_after_a_piece_calamine_would_read_otherwise_come_from_the_xml_reader(tmp_path):
    path = _long_sheet(tmp_path / "late.xlsx", marker_at=300)
    fast, slow, through_book, by_calamine = _both(path, "数据", piece=2000)
    assert 250 < by_calamine < 300, "calamine read the pieces before the formula's"
    assert _trimmed(fast) == _trimmed(slow) and through_book == fast
    formula = next(values for n, values in fast if values[:1] == ["A-300"])
    assert formula[4] == "=1+1"


def test_a_sheet_whose_data_starts_below_and_right_of_a1_is_numbered_as_in_the_file(tmp_path):
    """Calamine counts its rows from the first one with a value: row numbers (named in every error) and columns
    are the file's, in any piece."""
    path = tmp_path / "offset.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "数据"
    for r in range(3, 60):
        ws.cell(row=r, column=3, value=f"值{r}")
        ws.cell(row=r, column=5, value=r)
    wb.save(path)
    for piece in (None, 400):
        fast, slow, _through_book, by_calamine = _both(path, "数据", piece=piece)
        assert by_calamine == 57
        assert fast == _trimmed(slow)
        assert fast[0] == (3, [None, None, "值3", None, 3])


@pytest.mark.parametrize("case", ["row without its number", "comment"])
def test_a_sheet_that_cannot_be_cut_between_rows_is_left_to_the_xml_reader(tmp_path, case):
    path = _long_sheet(tmp_path / "plain.xlsx", rows=20)
    if case == "row without its number":
        path = _rewrite(path, b'<row r="3">', b"<row>")
    else:
        path = _rewrite(path, b'<row r="3">', b'<!-- </row><row r="9"> --><row r="3">')
    fast, slow, through_book, by_calamine = _both(path, "数据", piece=1 << 20)
    assert by_calamine == 0
    assert through_book == slow


@pytest.mark.parametrize("snippet", [b"<f>1+1</f>", b'<f t="shared" si="0"/>', b"<f/>", b'<c t="e">', b'<c t="d">',
                                     b'<c t="str">', b"<rPh sb=\"0\">", b"<!-- x -->", b"<![CDATA[x]]>", b"<?pi x?>",
                                     b"<family val=\"2\"/>", b"<font/>", b'<c t="n">', b"<v>-1</v>", b"<v>5.0</v>",
                                     b"_x0041_", b"<row>", b'<row spans="1:2">', b'<row spans="1:2" r="3">', b""])
def test_a_piece_is_refused_exactly_where_one_of_the_markers_is_in_it(snippet):
    """The first look (a pass for the tags, one for the types) refuses what asking each marker would, no more."""
    from lvzhi.imports import xlsx_fast as fx

    rows = b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c>' + snippet + b"</row>"
    naive = (any(m in rows for m in (*fx._MARKERS, *fx._SHEET_MARKERS)) or fx._ESCAPE.search(rows) is not None
             or fx._NUMBER.search(rows) is not None or fx._ROW_WITHOUT_NUMBER.search(rows) is not None)
    assert fx._refused(rows) == naive
    assert naive == (snippet not in (b"<family val=\"2\"/>", b"<font/>", b'<c t="n">', b'<row spans="1:2" r="3">', b""))
