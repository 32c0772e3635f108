"""A sheet's rows read by calamine (Rust, ``python-calamine``) where that gives the values ``xlsx.Book`` reads
from the XML itself: ~5× less CPU a row, checks included (162,000 rows of 支部活动: 1.7 s instead of ~9 s).

Only where the two readers cannot differ; otherwise ``None`` and the caller reads the XML as before:
- every number format of the workbook is one both take alike: general / numbers / text, or a plain date format
  (built-in 14–17 and 22, or a custom code made of y m d h s and separators only) — no times, durations, locales;
- the 1900 date system;
- the sheet holds no formula, error value, ISO date cell, phonetic run or ``_xHHHH_`` escape (calamine gives a
  formula's cached value, errors as empty cells and unescapes those; the XML reader keeps them), and no number
  written so that calamine's float would not tell how the XML reader types it (``5.0``, ``1E3``, 16 digits or
  more, a negative number: the XML reader's int or float comes from the text);
- every row carries its number (``<row r="…">``) and the sheet has no comment, CDATA section, processing
  instruction or DOCTYPE (``<!``, ``<?``): the sheet is cut between rows, below.

Calamine holds a whole sheet in memory, ~1 MB per MB of XML (a province's 支部活动: 132 MB of XML, 130 MB), so a
sheet is given to it in pieces: its rows cut into runs of ~``IMPORT_FAST_READ_MB`` MB of XML (at a ``</row>``),
each run wrapped as the one sheet of a small workbook in memory (the workbook's own styles and shared strings, the
sheet's own root and ``<sheetData>`` tags), read, and let go. A row's cells are the same wherever the sheet is cut.

Calamine's values are then mapped to the XML reader's: an empty cell is None, an integral number an int, a date
a datetime at midnight. A row ends at its last value and rows without any are skipped: the XML reader may also
give a stored empty cell after the last value (None) or a stored empty row — the same to every reader of the
rows, for which a cell past a row's end is None and a blank row is skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Callable, Iterator

from django.conf import settings
from openpyxl.utils.datetime import WINDOWS_EPOCH
from python_calamine import CalamineWorkbook

# numFmtIds both readers take as not dates (general, numbers, percentages, scientific, fractions, accounting, text)
_PLAIN_BUILTIN = frozenset([*range(0, 14), *range(37, 45), 48, 49])
_DATE_BUILTIN = frozenset([14, 15, 16, 17, 22])
_PLAIN_DATE = re.compile(r"(?i)[ymd]+(?:[-/. ][ymd]+)*(?: +h{1,2}(?::mm(?::ss)?)?)?")
_NUMBER_ONLY = re.compile(r'[0#,.%@ ;\-()$+"]*')
# what the fast path leaves to the XML reader, searched as plain bytes (one regex of alternatives tried at every
# position took 1 s for a 64 MB sheet, these 0.25 s): formulas, error / ISO date / formula text cells (t="e" …),
# phonetic runs; a rare false match elsewhere in the sheet only costs the fast path
_MARKERS = (b"<f>", b"<f ", b"<f/", b'"e"', b'"d"', b'"str"', b"<rPh")
# what would make a cut between rows (at "</row>") other than one: comments, CDATA, DOCTYPE, processing
# instructions (the XML declaration at the start excepted), a row without its number (calamine would count it from
# the piece's start)
_SHEET_MARKERS = (b"<!", b"<?")
# a piece's first look, one pass each instead of one per marker (~9 → 4 ms per MB of XML; a province's sheets hold
# 390 MB): any tag a marker above starts (a rich text run's <family> too: then the markers themselves are asked),
# and exactly the three type markers
_TAG_MARKS = re.compile(rb"<(?:[!?f]|rPh)")
_TYPE_MARKS = re.compile(rb'"(?:[ed]|str)"')
_ROW_WITHOUT_NUMBER = re.compile(rb"<row(?=[\s/>])(?![^>]*\sr=)")
_DECLARATION = re.compile(rb"\s*<\?xml[^>]*\?>")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# a number whose text makes the XML reader's type (int or float) other than calamine's float tells: a literal
# prefix, so the search jumps from one <v> to the next
_NUMBER = re.compile(rb"<v>(?:[-+]|\d+\.0*<|[\d.]*[eE]|\d{16})")
_OVERLAP = 64  # bytes kept between the blocks scanned, so a pattern split by a block's end is still seen
_BLOCK = 1 << 20


def formats_read_alike(wb) -> bool:
    """Whether every cell style's number format is one calamine and openpyxl both type the same way."""
    if wb.epoch != WINDOWS_EPOCH:
        return False
    for style in wb._cell_styles:
        fid = style.numFmtId
        if fid in _PLAIN_BUILTIN or fid in _DATE_BUILTIN:
            continue
        if fid < 164:
            return False  # times, durations, locale formats (27–36, 50–81 …)
        code = wb._number_formats[fid - 164]
        if _PLAIN_DATE.fullmatch(code) and re.search("(?i)[yd]", code):
            continue
        if _NUMBER_ONLY.fullmatch(code) and not re.search("(?i)[ymdhs]", code):
            continue
        return False
    return True


def has_refused(fh) -> bool:
    """Whether a part of the workbook (an open member: the shared strings) holds anything the fast path leaves to
    the XML reader."""
    tail = b""
    while True:
        block = fh.read(_BLOCK)
        if not block:
            return False
        text = tail + block
        if any(m in text for m in _MARKERS) or (b"_x" in text and _ESCAPE.search(text)) or _NUMBER.search(text):
            return True
        tail = block[-_OVERLAP:]


class FastReader:
    """Calamine's view of one workbook: its styles and shared strings, kept to wrap each piece of a sheet."""

    def __init__(self, path, archive, strings_path: str | None, formats_ok: bool):
        self._archive = archive
        self.usable = formats_ok and settings.IMPORT_FAST_READ_MB > 0
        self._strings = b""
        if self.usable and strings_path is not None:
            with archive.open(strings_path) as fh:
                self.usable = not has_refused(fh)
            if self.usable:
                self._strings = archive.read(strings_path)
        self._styles = b""
        if self.usable and _STYLES in archive.namelist():
            self._styles = archive.read(_STYLES)
        # each piece parses the shared strings again: pieces at least 8× their size keep that an eighth at most
        self._piece = max(settings.IMPORT_FAST_READ_MB * 1024 * 1024, 8 * len(self._strings))
        self.by_calamine: dict[str, int] = {}  # rows each sheet read gave through calamine (the rest: XML reader)

    def rows(self, title: str, member: str, slow: Callable[[], Iterator[tuple[int, list]]]
             ) -> Iterator[tuple[int, list]] | None:
        """The sheet's rows through calamine, or None where the workbook's formats rule it out. Each piece is
        checked before calamine reads it: from the first piece holding anything calamine could read otherwise
        (``_refused``), or that calamine cannot read (broken XML), the XML reader (``slow``) goes on after the rows
        read so far — which it would have read alike — and reads, or refuses, the rest as it would have."""
        if not self.usable:
            return None
        return self._read(title, member, slow)

    def _read(self, title: str, member: str, slow) -> Iterator[tuple[int, list]]:
        last = 0
        failed = False
        self.by_calamine[title] = 0
        try:
            for head, rows, tail in _pieces(self._archive, member, self._piece):
                if _refused(rows):
                    raise _Unreadable
                for number, values in _piece_rows(head + rows + tail, self._styles, self._strings):
                    last = number
                    self.by_calamine[title] += 1
                    yield number, values
        except _Unreadable:
            failed = True
        if failed or not last:  # the rest (or, where calamine saw no value at all, the whole) as the XML reader
            yield from (row for row in slow() if row[0] > last)

    def close(self) -> None:
        pass


class _Unreadable(Exception):
    """A piece of the sheet calamine cannot read, or could read otherwise."""


def _refused(rows: bytes) -> bool:
    """Whether a run of whole rows holds anything the fast path leaves to the XML reader (its rows are whole, so
    no marker is cut)."""
    if _TAG_MARKS.search(rows) is not None and any(m in rows for m in (*_MARKERS, *_SHEET_MARKERS)):
        return True
    return (_TYPE_MARKS.search(rows) is not None or (b"_x" in rows and _ESCAPE.search(rows) is not None)
            or _NUMBER.search(rows) is not None or _ROW_WITHOUT_NUMBER.search(rows) is not None)


_STYLES = "xl/styles.xml"  # where openpyxl reads them too (openpyxl.xml.constants.ARC_STYLE)
_ROOT = re.compile(rb"<([^\s?!/>]+)[^>]*>")
_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?(/?)>")
_END = b"</sheetData>"


def _pieces(archive, member: str, size: int) -> Iterator[tuple[bytes, bytes, bytes]]:
    """The sheet's XML cut into small sheets of their own: (the root tag and ``<sheetData>``, a run of whole rows
    of about ``size`` bytes, the closing tags). A sheet whose tags before its rows are not plain (a DOCTYPE, a
    comment, a processing instruction) is refused whole."""
    with archive.open(member) as fh:
        buf = fh.read(_BLOCK)
        while (data := _SHEET_DATA.search(buf)) is None:
            block = fh.read(_BLOCK)
            if not block:
                return
            buf += block
        root = _ROOT.search(buf)
        if root is None or data.group(1):  # <sheetData/>: no rows
            return
        before = buf[:data.start()]
        declaration = _DECLARATION.match(before)
        if any(m in before[declaration.end() if declaration else 0:] for m in _SHEET_MARKERS):
            raise _Unreadable
        head = buf[root.start():root.end()] + data.group(0)
        tail = b"</sheetData></" + root.group(1) + b">"
        buf = buf[data.end():]
        done = False
        while not done:
            while len(buf) < size and _END not in buf:
                block = fh.read(_BLOCK)
                if not block:
                    break
                buf += block
            end = buf.find(_END)
            limit = end if end >= 0 else len(buf)
            cut = buf.rfind(b"</row>", 0, min(size, limit))
            if cut < 0:  # a row longer than a piece: up to its end
                cut = buf.find(b"</row>", 0, limit)
            if end >= 0 and (limit <= size or cut < 0):
                rows, done = buf[:end], True
            elif cut >= 0:
                cut += len(b"</row>")
                rows, buf = buf[:cut], buf[cut:]
            else:  # no row ends here yet: read on; at the end of a sheet cut off, the rest as it is
                block = fh.read(_BLOCK)
                if block:
                    buf += block
                    continue
                rows, done = buf, True
            if rows.strip():
                yield head, rows, tail


def _piece_rows(piece: bytes, styles: bytes, strings: bytes) -> Iterator[tuple[int, list]]:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", _TYPES)
        z.writestr("_rels/.rels", _PACKAGE_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        if styles:
            z.writestr(_STYLES, styles)
        if strings:
            z.writestr("xl/sharedStrings.xml", strings)
        z.writestr("xl/worksheets/sheet1.xml", piece)
    del piece
    out.seek(0)
    try:
        book = CalamineWorkbook.from_filelike(out)
        try:
            sheet = book.get_sheet_by_name("S")
            start = sheet.start
            rows = sheet.to_python() if start is not None else []  # from the first row with data (iter_rows
            # would count from the sheet's first row, and make every row before this piece)
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - what is wrong with it, the XML reader tells
        raise _Unreadable from None
    if start is None:
        return
    yield from _rows(rows, *start)


_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}worksheet+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CT}styles+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}sharedStrings+xml"/></Types>')
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    f'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="{_REL}">'
    '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')


def _rows(rows: list, first_row: int, first_col: int) -> Iterator[tuple[int, list]]:
    """Calamine's rows (from its first row and column with data, at ``first_row``/``first_col``, 0-based) as the
    XML reader's: numbered as in the file, each from the sheet's first column."""
    lead: list = [None] * first_col
    date, datetime = dt.date, dt.datetime
    for number, row in enumerate(rows, start=first_row + 1):
        values = lead.copy()
        for v in row:
            t = type(v)
            if t is str:
                values.append(v or None)
            elif t is float:
                values.append(int(v) if v.is_integer() and -1e16 < v < 1e16 else v)
            elif t is date:
                values.append(datetime(v.year, v.month, v.day))
            else:
                values.append(v)  # a bool; a datetime of a date format with a time of day
        while values and values[-1] is None:
            values.pop()
        if values:
            yield number, values
