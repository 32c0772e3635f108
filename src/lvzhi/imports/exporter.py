"""Writing records to XLSX: the same Chinese headers and cell formats that the importer reads back."""

from __future__ import annotations

from pathlib import Path

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from lvzhi.org.models import Unit
from lvzhi.records import cells
from lvzhi.records.registry import RecordType
from lvzhi.records.selectors import with_related

from . import sheet_aids, xlsx_rows
from .sheet_aids import Lists

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value):
    """Neutralise text that a spreadsheet would run as a formula (CSV/formula injection) with a leading quote.

    Text that already starts with quotes before such a character ("'=1") gets one more, so the importer, which
    removes exactly one, reads back what was stored.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_START):
        return "'" + value
    return value


def self_reference(rt: RecordType):
    """The column pointing at a record of the same type (a unit's or a Party organisation's parent), if any."""
    for c in rt.columns:
        if cells.kind_of(rt, c) in ("unit", "party_org", "record") and cells.related_model(rt, c) is rt.model:
            return c
    return None


def stable_order(rt: RecordType, qs: QuerySet) -> tuple:
    """The list's own order (newest first, the ledger's 逾期 first …) with ascending ids as the last tie-break:
    records re-imported get ids in file order, so export → import → export lists them the same way."""
    order = [o for o in (qs.query.order_by or rt.export_ordering) if o not in ("pk", "-pk", "id", "-id")]
    return (*order, "pk")


def export_rows(rt: RecordType, qs: QuerySet):
    """The records of ``qs`` in a stable order (``stable_order``), every parent before its children."""
    qs = with_related(rt, qs.order_by(*stable_order(rt, qs)))
    parent = self_reference(rt)
    if parent is None or rt.model is Unit:  # units come in tree-path order, parents first already
        yield from _with_people(rt, qs.iterator(chunk_size=2000))
        return
    objs = list(_with_people(rt, qs.iterator(chunk_size=2000)))
    yield from parents_first(objs, lambda o: getattr(o, f"{parent.field}_id"))


CHUNK = 2000


def _with_people(rt: RecordType, objs):
    """Records in chunks, each carrying its many-to-many people already written out (名称（编码）、…): one query
    per chunk and field on the link table, instead of a Person object per attendee (the demo has 100,000)."""
    from lvzhi.org.models import Person

    fields = [n for n in rt.m2m_fields if rt.model_field(n).related_model is Person]
    others = [n for n in rt.m2m_fields if n not in fields]
    chunk: list = []
    for obj in objs:
        chunk.append(obj)
        if len(chunk) >= CHUNK:
            yield from _label_chunk(rt, chunk, fields, others)
            chunk = []
    if chunk:
        yield from _label_chunk(rt, chunk, fields, others)


def _label_chunk(rt, chunk, fields, others):
    from django.db.models import prefetch_related_objects

    if others:
        prefetch_related_objects(chunk, *others)
    ids = [o.pk for o in chunk]
    for name in fields:
        f = rt.model_field(name)
        through, src, dst = f.remote_field.through, f.m2m_field_name(), f.m2m_reverse_field_name()
        labels: dict[int, list[str]] = {}
        rows = (through.objects.filter(**{f"{src}_id__in": ids}).order_by(f"{dst}__code")
                .values_list(f"{src}_id", f"{dst}__name", f"{dst}__code"))
        for owner, person, code in rows:
            labels.setdefault(owner, []).append(f"{person}（{code}）")
        for o in chunk:
            o.__dict__.setdefault("_people_labels", {})[name] = cells.MANY_SEP.join(labels.get(o.pk, []))
    return chunk


def parents_first(objs: list, parent_id) -> list:
    """``objs`` reordered so that each comes after its parent, keeping the given order otherwise."""
    by_pk = {o.pk: o for o in objs}
    placed: set = set()
    out = []

    def place(o, trail=()):
        if o.pk in placed or o.pk in trail:
            return
        p = parent_id(o)
        if p in by_pk:
            place(by_pk[p], (*trail, o.pk))
        placed.add(o.pk)
        out.append(o)

    for o in objs:
        place(o)
    return out


def _getter(rt: RecordType, column):
    if column.field in rt.m2m_fields and cells.kind_of(rt, column) == "people":
        def people(obj):
            labels = obj.__dict__.get("_people_labels")
            return labels[column.field] if labels is not None else cells.format_cell(rt, column, obj)
        return people
    return lambda obj: cells.format_cell(rt, column, obj)


def write_sheet(wb: Workbook, rt: RecordType, rows, title: str | None = None, lists: Lists | None = None) -> int:
    """One sheet of ``rt``: header row, then a row per record, with the aids of ``sheet_aids`` (frozen header,
    filter, drop-downs, widths, print setup). Returns the number of records written. Values go in as they are
    (openpyxl gives dates the yyyy-mm-dd format itself): a cell object per value would cost a third of the time."""
    columns = rt.columns
    ws = wb.create_sheet(title or rt.verbose_name[:31])
    sheet_aids.prepare(ws, rt, columns)
    xlsx_rows.stream_rows(ws)
    ws.append(sheet_aids.header_row(rt, columns, lambda v: WriteOnlyCell(ws, value=v)))
    getters = [_getter(rt, c) for c in columns]
    n = 0
    for obj in rows:
        ws.append([safe(get(obj)) for get in getters])
        n += 1
    sheet_aids.finish(ws, rt, columns, n, lists if lists is not None else Lists())
    return n


def export_records(rt: RecordType, qs: QuerySet, out: str | Path, scope=None) -> int:
    """Write ``qs`` to ``out``; returns the number of rows. Streams, so memory stays flat. With the user's
    ``scope``, reference columns offer the units, organisations and people they may name as drop-downs."""
    wb = Workbook(write_only=True)
    lists = Lists(scope)
    n = write_sheet(wb, rt, export_rows(rt, qs), lists=lists)
    lists.write(wb)
    wb.save(out)
    return n


def example_value(rt: RecordType, column):
    """The template's example as a typed cell: a real date, a number — what the user should enter."""
    text = column.example
    if not text:
        return None
    kind = cells.kind_of(rt, column)
    try:
        if kind in ("date", "datetime"):
            return cells.parse_date(text)
        if kind == "int":
            return cells.parse_int(text)
        if kind == "decimal":
            return float(cells.parse_decimal(text))
    except cells.CellError:
        pass
    return safe(text)


def blank_template(rt: RecordType, out: str | Path, scope=None) -> None:
    """A header row, one example row, and a sheet explaining each column; drop-downs as in an export."""
    wb = Workbook(write_only=True)
    columns = rt.columns
    ws = wb.create_sheet(rt.verbose_name[:31])
    sheet_aids.prepare(ws, rt, columns)
    ws.append(sheet_aids.header_row(rt, columns, lambda v: WriteOnlyCell(ws, value=v)))
    ws.append([example_value(rt, c) for c in columns])
    lists = Lists(scope)
    sheet_aids.finish(ws, rt, columns, 1, lists)
    notes = wb.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 80
    sheet_aids.print_setup(notes)
    notes.append(["列名", "是否必填", "说明"])
    for c in columns:
        notes.append([rt.header(c), "必填" if rt.is_required(c) else "选填", _explain(rt, c)])
    notes.append([])
    notes.append([sheet_aids.LEGEND])
    notes.append(["第1行是表头，请勿修改；示例行（第2行）请删除或改成真实数据后再导入。整个文件校验通过才会写入，任何一行有错都不会导入。"])
    lists.write(wb)
    wb.save(out)


def _explain_reference(rt: RecordType, column, many: bool) -> str:
    from lvzhi.records import registry

    model = cells.related_model(rt, column)
    target = registry.for_model(model)
    label = str(model._meta.verbose_name)
    if target is None or not target.ref_key:
        return f"所引用的{label}"
    parts = [cells.key_label(model, name) for name, _ in target.ref_parts]
    text = f"填写所引用{label}的{'/'.join(parts)}"
    if len(parts) > 1:
        text += f"（{parts[-1]}在您的范围内唯一时可只写{parts[-1]}）"
    return ("多个用顿号分隔；" if many else "") + text


def _explain(rt: RecordType, column) -> str:
    kind = cells.kind_of(rt, column)
    text = {
        "date": "日期，如 2022-03-15",
        "bool": "填“是”或“否”",
        "int": "整数",
        "decimal": "数字",
        "unit": "单位名称、编码，或“名称（编码）”；重名时请用编码或完整路径（集团/公司/厂）",
        "person": "姓名、工号，或“姓名（工号）”；重名时请用工号",
        "people": "多人用顿号“、”分隔；每人可写姓名、工号或“姓名（工号）”",
        "party_org": "党组织名称、编码，或“名称（编码）”",
    }.get(kind, "文本")
    if kind in ("record", "records"):
        text = _explain_reference(rt, column, many=kind == "records")
    if kind == "choice":
        text = "可选：" + "、".join(str(label) for _, label in rt.model_field(column.field).flatchoices)
    return "；".join(p for p in (text, column.help) if p)
