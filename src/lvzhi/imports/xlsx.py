"""Reading the rows of an .xlsx fast: openpyxl reads the workbook's parts (sheet list, shared strings, date styles),
the sheets' cells are read here, straight from their XML.

Why not openpyxl's read-only worksheets: opening one parses its whole sheet to look for a <dimension> element that
write-only workbooks (our exports) never have — every sheet was parsed once more at each open — and each cell
becomes several Python objects (a coordinate tuple, a dict, a rich-text object per inline string). On a
100,000-row dataset that alone took longer than the whole import may. The values are those openpyxl gives with
``data_only=False``: numbers as int or float, dates of date-formatted cells as datetimes, booleans, strings, and a
formula as its text (“=…”, which the importer refuses).
"""

from __future__ import annotations

from typing import Iterator

from lxml import etree  # type: ignore[import-untyped]  # installed with python-docx
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

from .xlsx_fast import FastReader, formats_read_alike

_NS = "{%s}" % SHEET_MAIN_NS
ROW, VALUE, FORMULA, INLINE, TEXT, RUN = (_NS + t for t in ("row", "v", "f", "is", "t", "r"))
_DIGITS = "0123456789"


class BrokenSheet(ValueError):
    """A sheet's XML cannot be read."""


class Book:
    """An .xlsx opened for reading rows: ``sheetnames``, ``rows(title)``, ``close()``."""

    def __init__(self, path):
        reader = ExcelReader(path, read_only=True)
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
        except Exception:
            reader.archive.close()
            raise
        wb = reader.wb
        self.archive = reader.archive
        self._strings = reader.shared_strings
        self._epoch = wb.epoch
        self._dates = set(wb._date_formats)
        self._deltas = set(wb._timedelta_formats)
        self._paths = {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()
                       if rel.target in reader.valid_files and "chartsheet" not in rel.Type}
        self._columns: dict[str, int] = {}
        strings = reader.package.find(SHARED_STRINGS)
        self._fast = FastReader(path, self.archive, strings.PartName[1:] if strings is not None else None,
                                formats_read_alike(wb))

    @property
    def sheetnames(self) -> list[str]:
        return list(self._paths)

    def path_of(self, title: str) -> str:
        return self._paths[title]

    def close(self) -> None:
        self._fast.close()
        self.archive.close()

    def rows(self, title: str, *, fast: bool = True) -> Iterator[tuple[int, list]]:
        """(row number, values) of every row the sheet stores, in order; a row's missing cells are None.
        ``fast``: through calamine where it reads the same values (``xlsx_fast``); not for a look at the header
        only (the fast path scans the whole sheet first)."""
        rows = self._fast.rows(title, self._paths[title], lambda: self._xml_rows(title)) if fast else None
        yield from rows if rows is not None else self._xml_rows(title)

    def _xml_rows(self, title: str) -> Iterator[tuple[int, list]]:
        columns = self._columns
        value = self._value
        expected = 1
        try:
            with self.archive.open(self._paths[title]) as src:
                # lxml's iterparse hands over the <row> elements only (the walk over every element stays in C)
                for _event, el in etree.iterparse(src, events=("end",), tag=ROW, huge_tree=True):
                    r = el.get("r")
                    number = int(r) if r else expected
                    expected = number + 1
                    values: list = []
                    for c in el:
                        ref = c.get("r")
                        if ref:
                            letters = ref.rstrip(_DIGITS)
                            col = columns.get(letters)
                            if col is None:
                                col = columns[letters] = column_index_from_string(letters) - 1
                            if col > len(values):
                                values.extend([None] * (col - len(values)))
                        # most cells of an export: an inline string, or an empty one (read as _value would)
                        if c.get("t") == "inlineStr":
                            if not len(c):
                                values.append(None)
                                continue
                            if len(c) == 1:
                                inline = c[0]
                                if inline.tag == INLINE and len(inline) == 1 and inline[0].tag == TEXT:
                                    values.append(inline[0].text or "")
                                    continue
                        values.append(value(c))
                    el.clear()
                    while el.getprevious() is not None:  # rows already read: let them go
                        del el.getparent()[0]
                    yield number, values
        except etree.XMLSyntaxError as exc:
            raise BrokenSheet(f"工作表「{title}」的内容无法读取（{exc}）") from None

    def _value(self, c):
        t = c.get("t", "n")
        v = None
        inline = None
        for sub in c:  # <f>, <v>, <is>: one pass over the cell's children
            tag = sub.tag
            if tag == VALUE:
                v = sub.text
            elif tag == FORMULA:
                return "=" + (sub.text or "")  # as openpyxl with data_only=False: the formula, not its result
            elif tag == INLINE:
                inline = sub
        if t == "inlineStr":
            if inline is None:
                return None
            text, runs = "", []
            for part in inline:
                if part.tag == TEXT:
                    text = text or part.text or ""
                elif part.tag == RUN:
                    runs.append(part.findtext(TEXT) or "")
            return text + "".join(runs)
        if not v:
            return None
        if t == "n":
            number = float(v) if ("." in v or "E" in v or "e" in v) else int(v)
            style = c.get("s")
            if style and int(style) in self._dates:
                try:
                    return from_excel(number, self._epoch, timedelta=int(style) in self._deltas)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if t == "s":
            return self._strings[int(v)]
        if t == "b":
            return bool(int(v))
        if t == "d":
            return from_ISO8601(v)
        return v  # "str" (a formula's cached text), "e" (an error such as #N/A)
