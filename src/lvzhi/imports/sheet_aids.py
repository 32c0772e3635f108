"""What makes an exported sheet or a blank template easy to fill in and print, as office users expect of Excel:
a frozen header row, filters, drop-down lists for every fixed choice and for the units, organisations and people
the user may refer to (on a hidden 选项 sheet), widths that fit the content, and a print setup (landscape, one page
wide, header row repeated). Works on openpyxl's write-only sheets: ``prepare`` before the first row, ``finish``
after the last.
"""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from lvzhi.org.models import PartyOrg, Person, Unit
from lvzhi.records import cells
from lvzhi.records.registry import RecordType

LISTS_SHEET = "选项"
MAX_LIST = 20_000  # a longer list (a whole province's people) would only slow Excel down; the cell stays free text
SPARE_ROWS = 1000  # drop-downs reach this far below the data, for rows the user adds
REQUIRED_FILL = PatternFill("solid", fgColor="F3D7D5")
LEGEND = "表头红底的列为必填列；带下拉箭头的列可从列表中选择（单位、党组织、人员也可直接填写编码）。"
WIDTH = {"date": 12, "datetime": 12, "bool": 8, "int": 10, "decimal": 12, "unit": 24, "party_org": 30,
         "person": 18, "people": 36, "record": 22, "records": 30, "file": 20}


def width(rt: RecordType, column) -> float:
    """Characters wide: the header or the kind's usual content, whichever is wider (CJK counts double)."""
    kind = cells.kind_of(rt, column)
    header = 2 * len(rt.header(column)) + 2
    if kind == "choice":
        labels = [str(label) for _, label in rt.model_field(column.field).flatchoices]
        content = 2 * max((len(label) for label in labels), default=4) + 4
    elif kind == "text":
        f = None if rt.is_virtual(column) else rt.model_field(column.field)
        limit = getattr(f, "max_length", None) or 200
        content = 14 if limit <= 32 else 24 if limit <= 100 else 40
    else:
        content = WIDTH.get(kind, 16)
    return float(min(max(header, content), 48))


def header_row(rt: RecordType, columns, cell_factory):
    bold = Font(bold=True)
    row = []
    for c in columns:
        cell = cell_factory(rt.header(c))
        cell.font = bold
        if rt.is_required(c):
            cell.fill = REQUIRED_FILL
        row.append(cell)
    return row


def prepare(ws, rt: RecordType, columns) -> None:
    """Before the first row: widths, the frozen header, the print setup."""
    for i, c in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width(rt, c)
    ws.freeze_panes = "A2"
    print_setup(ws)


def print_setup(ws) -> None:
    """Landscape A4, one page wide (as many down as needed), the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = "1:1"


def finish(ws, rt: RecordType, columns, rows: int, lists: "Lists") -> None:
    """After the last row: the filter over the data, drop-downs, the print area."""
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{rows + 1}"
    ws.print_area = f"A1:{last}{rows + 1}"
    bottom = rows + 1 + SPARE_ROWS
    for i, c in enumerate(columns, start=1):
        dv = lists.validation(rt, c)
        if dv is not None:
            letter = get_column_letter(i)
            dv.add(f"{letter}2:{letter}{bottom}")
            ws.data_validations.append(dv)


class Lists:
    """The hidden 选项 sheet of a workbook: one column per list (a choice's labels, the units / organisations /
    people in the user's scope), shared by every sheet that offers it."""

    def __init__(self, scope=None):
        self.scope = scope
        self.columns: dict[str, list[str]] = {}
        self.titles: dict[str, str] = {}  # the hidden sheet's header, in words
    def _values(self, rt: RecordType, column) -> tuple[str, list[str], bool] | None:
        """(list key, values, strict) for a column, or None when it gets no drop-down."""
        kind = cells.kind_of(rt, column)
        if kind == "choice":
            labels = [str(label) for _, label in rt.model_field(column.field).flatchoices]
            key = f"{rt.key}.{column.field}"
            self.titles.setdefault(key, f"{rt.verbose_name}·{rt.header(column)}")
            return key, labels, True
        if kind == "bool":
            self.titles.setdefault("bool", "是或否")
            return "bool", ["是", "否"], True
        model = {"unit": Unit, "party_org": PartyOrg, "person": Person}.get(kind)
        if model is None or self.scope is None:
            return None
        key = model._meta.model_name
        self.titles.setdefault(key, str(model._meta.verbose_name))
        if key not in self.columns:
            from lvzhi.records.selectors import readable

            qs = readable(self.scope, model)
            qs = qs.order_by("path") if model is Unit else qs.order_by("code")
            names = list(qs.values_list("name", "code")[:MAX_LIST + 1])
            self.columns[key] = [f"{n}（{c}）" for n, c in names] if len(names) <= MAX_LIST else []
        return key, self.columns[key], False  # a code or a plain name is welcome too: warn, don't stop

    def validation(self, rt: RecordType, column) -> DataValidation | None:
        found = self._values(rt, column)
        if found is None or not found[1]:
            return None
        key, values, strict = found
        self.columns.setdefault(key, values)
        index = list(self.columns).index(key) + 1
        letter = get_column_letter(index)
        dv = DataValidation(type="list", formula1=f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}",
                            allow_blank=True, showDropDown=False)
        dv.showErrorMessage = True
        dv.errorStyle = "stop" if strict else "warning"
        dv.errorTitle = "不在列表中"
        dv.error = (f"请从列表中选择{rt.header(column)}。" if strict
                    else "列表中没有这一项；如果填写的是编码或准确的名称，可以继续。")
        return dv

    def write(self, wb) -> None:
        """The hidden sheet itself (call last; the drop-downs refer to it by name)."""
        if not self.columns:
            return
        ws = wb.create_sheet(LISTS_SHEET)
        ws.sheet_state = "hidden"
        lists = list(self.columns.values())
        ws.append([self.titles.get(key, key) for key in self.columns])
        for i in range(max(len(v) for v in lists)):
            ws.append([v[i] if i < len(v) else None for v in lists])
