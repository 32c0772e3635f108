"""Reading an uploaded spreadsheet safely and in a stream: XLSX (openpyxl read-only) or CSV.

Everything that can be refused before parsing is refused here with a Chinese message: size, type,
compression bombs, missing or duplicate headers.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from django.conf import settings

from .xlsx import Book, BrokenSheet

MAX_UNCOMPRESSED = 400 * 1024 * 1024  # an .xlsx whose parts inflate beyond this is refused (zip bomb)
MAX_RATIO = 200  # … as is one compressing better than 200:1 overall
MAX_COLUMNS = 200
# This many blank rows in a row end the data: sheets often claim a million formatted but empty rows, and reading
# them all would take minutes; real data with a gap this long is not a register anyone keeps.
BLANK_RUN_END = 10_000


class FileRejected(ValueError):
    """The file as a whole cannot be imported."""


@dataclass
class Sheet:
    headers: list[str]
    rows: Iterator[tuple[int, list]]  # (1-based row number in the file, values)
    total_hint: int | None  # rows the sheet claims to have (for progress), if known

    def close(self):
        closer = getattr(self, "_closer", None)
        if closer:
            closer()


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
                raise FileRejected("文件不是有效的 Excel（.xlsx）工作簿。")
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
    except zipfile.BadZipFile:
        raise FileRejected("文件不是有效的 Excel（.xlsx）工作簿，可能已损坏或只是改了扩展名。") from None
    if total > MAX_UNCOMPRESSED or total / packed > MAX_RATIO:
        raise FileRejected("文件解压后体积异常（疑似压缩炸弹），已拒绝。")


def _headers(raw: list) -> list[str]:
    headers = ["" if h is None else str(h).strip().replace("\n", "") for h in raw]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise FileRejected("第1行应为表头（列名），但它是空的。")
    if len(headers) > MAX_COLUMNS:
        raise FileRejected(f"表头有 {len(headers)} 列，超过上限 {MAX_COLUMNS} 列。")
    seen: dict[str, int] = {}
    for i, h in enumerate(headers, start=1):
        if not h:
            continue
        if h in seen:
            raise FileRejected(f"表头「{h}」重复出现（第 {seen[h]} 列和第 {i} 列），请删除重复的列。")
        seen[h] = i
    return headers


def _rows(rows: Iterator[tuple[int, list]], width: int) -> Iterator[tuple[int, list]]:
    """The data rows (numbered as in the file), blank ones left out; a long run of blank rows ends the data."""
    blank_run = 0
    last = 1
    for number, row in rows:
        cells = row[:width]
        blank_run += number - last - 1  # rows the file does not store at all are blank too
        last = number
        if blank_run >= BLANK_RUN_END:
            return
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            blank_run += 1
            if blank_run >= BLANK_RUN_END:
                return
            continue
        blank_run = 0
        yield number, cells


def _numbered(values, first_row: int) -> Iterator[tuple[int, list]]:
    for number, row in enumerate(values, start=first_row):
        yield number, list(row)


def open_sheet(path: str | Path, filename: str = "") -> Sheet:
    path = Path(path)
    check_size(path)
    name = (filename or path.name).lower()
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic.startswith(b"PK"):
        return _open_xlsx(path)
    if name.endswith(".csv"):
        return _open_csv(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRejected("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为 .xlsx”后再导入。")
    raise FileRejected("文件不是 Excel（.xlsx）或 CSV 文件。")


def check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise FileRejected("文件是空的（0 字节）。")
    if size > settings.MAX_UPLOAD_BYTES:
        raise FileRejected(f"文件过大（{size / 1048576:.1f} MB），上限 {settings.MAX_UPLOAD_BYTES // 1048576} MB。")


def open_workbook(path: str | Path) -> Book:
    """An .xlsx opened for streaming its rows after the size and zip-bomb checks; the caller closes it."""
    path = Path(path)
    check_size(path)
    with path.open("rb") as fh:
        if not fh.read(4).startswith(b"PK"):
            raise FileRejected("文件不是 Excel（.xlsx）工作簿。")
    _check_zip(path)
    try:
        return Book(path)
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise FileRejected(f"无法读取 Excel 文件：{exc.__class__.__name__}。请用 Excel 打开后另存为 .xlsx 再试。") from None


def book_rows(book: Book, title: str, *, fast: bool = True) -> Iterator[tuple[int, list]]:
    """A sheet's stored rows; a sheet whose XML is broken is refused as a whole."""
    try:
        yield from book.rows(title, fast=fast)
    except BrokenSheet as exc:
        raise FileRejected(f"{exc}。请用 Excel 打开后另存为 .xlsx 再试。") from None


def sheet_of(book: Book, title: str, *, headers_only: bool = False) -> Sheet:
    """One sheet of an open workbook as a Sheet (header row, then the data rows; ``headers_only``: for a look at
    the header, read from the XML's start, not through a reader that takes in the whole sheet first)."""
    rows = book_rows(book, title, fast=not headers_only)
    first = next(rows, None)
    if first is None:
        raise FileRejected("工作表是空的：第1行应为表头。")
    number, values = first
    headers = _headers(values if number == 1 else [])
    return Sheet(headers, _rows(rows, len(headers)), _row_hint(book, title))


def _row_hint(book: Book, title: str) -> int | None:
    """The number of data rows from the sheet's <dimension> element, for the progress bar (write-only workbooks,
    ours included, have none: then there is no total)."""
    try:
        with book.archive.open(book.path_of(title)) as fh:
            head = fh.read(4096)
    except Exception:  # noqa: BLE001 - only a hint
        return None
    m = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
    return max(int(m.group(1)) - 1, 0) if m and m.group(1) else None


def _open_xlsx(path: Path) -> Sheet:
    wb = open_workbook(path)
    try:
        if not wb.sheetnames:
            raise FileRejected("工作簿中没有工作表。")
        sheet = sheet_of(wb, wb.sheetnames[0])
    except FileRejected:
        wb.close()
        raise
    sheet._closer = wb.close
    return sheet


def _open_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise FileRejected("CSV 文件编码无法识别，请保存为 UTF-8 或 GBK 编码。")
    if "\x00" in text:
        raise FileRejected("CSV 文件含有二进制内容，不是文本文件。")
    reader = csv.reader(io.StringIO(text))
    try:
        first = next(reader)
    except StopIteration:
        raise FileRejected("CSV 文件是空的：第1行应为表头。") from None
    headers = _headers(first)
    width = len(headers)
    rows = ([v if v != "" else None for v in r[:width]] for r in reader)
    return Sheet(headers, _rows(_numbered(rows, 2), width), text.count("\n"))
