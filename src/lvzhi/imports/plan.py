"""What an import works with: its result (rows, counts, errors as 「工作表」第N行「列名」：原因) and its plan (the rows
parsed, resolved and matched, written only when nothing is wrong)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from lvzhi.org.scoping import Scope
from lvzhi.records.registry import RecordType

from .models import ImportMode

MAX_ERRORS = 500  # enough to fix a file; more would only hide the pattern
BATCH = 2000
KEEP_BUILT = 20_000
MODES = dict(ImportMode.choices)

@dataclass
class ImportError_:
    row: int | None
    column: str
    message: str
    sheet: str = ""

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row else ("" if self.sheet else "文件")
        sheet = f"「{self.sheet}」" if self.sheet else ""
        col = f"「{self.column}」" if self.column else ""
        return f"{sheet}{where}{col}：{self.message}"


@dataclass
class ImportResult:
    record_type: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[ImportError_] = field(default_factory=list)
    sheet: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, row, column, message) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(ImportError_(row, column, message, self.sheet))
        elif len(self.errors) == MAX_ERRORS:
            self.errors.append(ImportError_(None, "", f"错误超过 {MAX_ERRORS} 条，其余未列出。", self.sheet))


@dataclass
class Row:
    number: int  # the row's number in the file
    values: dict  # field → resolved value, only the sheet's columns
    deferred: dict = field(default_factory=dict)  # field → value naming a row of this same file
    existing: object = None  # the record this row updates (update / upsert)
    built: tuple | None = None  # (unsaved object, many-to-many values) from validation, kept for the bulk write


@dataclass
class Plan:
    """What an import would do, worked out without writing anything."""

    rt: RecordType
    mode: str
    columns: list  # the sheet's columns, in sheet order
    rows: list[Row] = field(default_factory=list)
    default_unit: object = None
    scope: Scope | None = None

    @property
    def new_rows(self) -> list[Row]:
        return [r for r in self.rows if r.existing is None]

    @property
    def changed_rows(self) -> list[Row]:
        return [r for r in self.rows if r.existing is not None]


Progress = Callable[[str, int, int | None], None]


def _noop(phase: str, done: int, total: int | None) -> None:
    return None
