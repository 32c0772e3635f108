"""Hostile files for every import: each record type's import gets every kind of bad file, through the shared
importer (the service behind the page and ``lvzhi import``), and refuses it whole with a clear Chinese error.
The database is compared before and after with ``backup.services.table_checksums()`` (row count and SHA-256 of
every table): nothing may change.

The page and command-line doors, and the 100 MB upload that must be refused before anything parses it, are
tried separately below; tests/imports/test_bad_files.py checks the row/column of each message in detail.
"""

from __future__ import annotations

import functools
import io
import re
import struct
import zipfile
import zlib
from collections import Counter

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from lvzhi.backup.services import table_checksums
from lvzhi.imports.exporter import export_records
from lvzhi.imports.importer import run_import
from lvzhi.imports.models import ImportJob
from lvzhi.org.scoping import Scope
from lvzhi.records import cells, registry

pytestmark = pytest.mark.django_db

TYPES = registry.all_types()
CJK = re.compile(r"[\u4e00-\u9fff]")
TRIED: Counter = Counter()  # hostile files imported, per case (printed at the end of the session)
MB = 1024 * 1024


# --- a good row of each type, to spoil one cell of ----------------------------------------------------------

def sample(rt) -> tuple[list[str], list]:
    """The headers and one exported row of an existing record of the type (so every other cell is valid)."""
    obj = rt.model._default_manager.order_by("pk").first()
    buf = io.BytesIO()
    export_records(rt, rt.model._default_manager.filter(pk=obj.pk), buf)
    rows = list(openpyxl.load_workbook(io.BytesIO(buf.getvalue()), read_only=True).worksheets[0].iter_rows(
        values_only=True))
    return [str(h) for h in rows[0]], list(rows[1])


def column_of(rt, kinds: tuple[str, ...]):
    """The first column of one of these kinds (None when the type has none)."""
    for c in rt.columns:
        if not rt.is_virtual(c) and cells.kind_of(rt, c) in kinds:
            return rt.header(c)
    return None


def xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>'),
}


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip archive of members deflated beforehand (so one large sheet is compressed once, not once per type)."""
    out, central = bytearray(), bytearray()
    for name, (packed, crc, size) in members.items():
        offset, raw = len(out), name.encode()
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw), 0) + raw
        out += packed
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(packed), size, len(raw),
                               0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


@functools.cache
def _blank_sheet(columns: int) -> tuple[bytes, int, int]:
    """Header cells pointing at shared strings 0…n-1, then 1,000,000 rows holding one empty cell each."""
    letters = [openpyxl.utils.get_column_letter(i + 1) for i in range(columns)]
    head = "".join(f'<c r="{col}1" t="s"><v>{i}</v></c>' for i, col in enumerate(letters))
    body = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(2, 1_000_002))
    xml = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
           f'2006/main"><dimension ref="A1:{letters[-1]}1000001"/><sheetData><row r="1">{head}</row>{body}'
           '</sheetData></worksheet>')
    return _deflate(xml.encode())


def million_blank_rows(headers) -> bytes:
    """The header, then 1,000,000 empty rows (as a sheet formatted down to its last row)."""
    strings = "".join(f"<si><t>{h}</t></si>" for h in headers)
    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              f'2006/main" count="{len(headers)}" uniqueCount="{len(headers)}">{strings}</sst>')
    members = {name: _deflate(xml.encode()) for name, xml in PARTS.items()}
    members["xl/sharedStrings.xml"] = _deflate(shared.encode())
    members["xl/worksheets/sheet1.xml"] = _blank_sheet(len(headers))
    return _zip(members)


def zip_bomb() -> bytes:
    """A workbook whose sheet inflates from ~50 KB to 50 MB (and would go on to hundreds in a real bomb)."""
    zeros = b'<?xml version="1.0"?><worksheet><sheetData>' + b" " * (50 * MB) + b"</sheetData></worksheet>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", zeros)
    return buf.getvalue()


def csv_bytes(rows, encoding: str) -> bytes:
    import csv

    text = io.StringIO()
    csv.writer(text).writerows([["" if v is None else v for v in row] for row in rows])
    return text.getvalue().encode(encoding)


def spoil(headers, row, header, value):
    row = list(row)
    row[headers.index(header)] = value
    return [headers, row]


# name → (file name, builder(rt, headers, row) → bytes or None when the case does not apply, expected words)
CASES = {
    "renamed_text": ("记录.xlsx", lambda rt, h, r: "这是改了扩展名的文本文件\n第二行".encode(), "不是 Excel（.xlsx）或 CSV 文件"),
    "zero_bytes": ("空.xlsx", lambda rt, h, r: b"", "文件是空的（0 字节）"),
    "zip_bomb": ("炸弹.xlsx", lambda rt, h, r: ZIP_BOMB, "疑似压缩炸弹"),
    "million_empty_rows": ("百万空行.xlsx", lambda rt, h, r: million_blank_rows(h), "没有数据行"),
    "million_empty_csv_lines": ("百万空行.csv", lambda rt, h, r: csv_bytes([h], "utf-8") + b"\r\n" * 1_000_000,
                                "没有数据行"),
    "formula": ("公式.xlsx", lambda rt, h, r: xlsx(spoil(h, r, h[0], "=cmd|' /C calc'!A0")), "单元格是公式"),
    "formula_in_csv": ("公式.csv", lambda rt, h, r: csv_bytes(spoil(h, r, h[-1], "=HYPERLINK(\"http://x\")"), "gbk"),
                       "单元格是公式"),
    "utf16_csv": ("utf16.csv", lambda rt, h, r: csv_bytes([h, r], "utf-16"), "编码"),
    "utf8_with_a_stray_byte_csv": ("混合编码.csv", lambda rt, h, r: csv_bytes([h, r], "utf-8") + b"\xa1\xa1,x\r\n",
                                   "编码"),
    "impossible_date": ("日期.xlsx", lambda rt, h, r: _spoil_kind(rt, h, r, ("date",), "2022-02-30"), "不存在"),
    "number_as_words": ("数字.xlsx", lambda rt, h, r: _spoil_kind(rt, h, r, ("int", "decimal"), "十二"), "应为"),
    "ten_thousand_characters": ("长文本.xlsx", lambda rt, h, r: _spoil_kind(rt, h, r, ("text",), "长" * 10_000),
                                "内容过长（10000 字"),
    "duplicate_headers": ("重复表头.xlsx", lambda rt, h, r: xlsx([[*h, h[0]], [*r, r[0]]]), "重复出现"),
}


def _spoil_kind(rt, headers, row, kinds, value):
    header = column_of(rt, kinds)
    return None if header is None or header not in headers else xlsx(spoil(headers, row, header, value))


ZIP_BOMB = zip_bomb()


@pytest.mark.parametrize("case", CASES)
def test_every_import_refuses_the_hostile_file_and_changes_nothing(case, client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    name, build, expected = CASES[case]
    page = client_as("dangban")  # signed in before the checksums: signing in writes its own rows
    before = table_checksums()
    tried = 0
    for rt in TYPES:
        headers, row = sample(rt)
        content = build(rt, headers, row)
        if content is None:
            continue  # the type has no column of that kind
        path = tmp_path / f"{rt.key}-{name}"
        path.write_bytes(content)
        result = run_import(rt, path, actor="测试", scope=Scope.everything(), filename=name)
        texts = [str(e) for e in result.errors]
        assert not result.ok and result.created == 0, (rt.key, texts)
        assert any(expected in t for t in texts), (rt.key, expected, texts[:5])
        assert all(CJK.search(t) for t in texts), texts  # every message is written in Chinese
        tried += 1
    assert tried >= (len(TYPES) if case not in ("impossible_date", "number_as_words") else 5)

    # The same file through the other two doors (for one type): the upload page and `lvzhi import`.
    rt = registry.get("study_session")
    content = build(rt, *sample(rt))
    path = tmp_path / name
    path.write_bytes(content)
    r = page.post(f"/imports/{rt.key}/upload/", {"file": SimpleUploadedFile(name, content)})
    assert r.status_code == 302, r.content.decode()[:300]
    html = page.get(r["Location"]).content.decode()
    assert expected in html and "数据库未做任何修改" in html
    err = io.StringIO()
    with pytest.raises(CommandError, match="数据库未做任何修改"):
        call_command("import", str(path), "--type", rt.key, stdout=io.StringIO(), stderr=err)
    assert expected in err.getvalue()
    TRIED[case] += tried + 2
    after = table_checksums()
    assert after[ImportJob._meta.db_table]["rows"] == before[ImportJob._meta.db_table]["rows"] + 1
    assert _without_jobs(after) == _without_jobs(before)


def _without_jobs(checksums: dict) -> dict:
    """The upload page keeps a record of each attempt (its import job); everything else must stay as it was."""
    return {t: v for t, v in checksums.items() if t != ImportJob._meta.db_table}


def test_a_100_mb_file_is_refused_by_its_size_before_it_is_read(tmp_path):
    path = tmp_path / "巨大.xlsx"
    with path.open("wb") as fh:  # sparse: 100 MB long, nothing written — parsing it would fail differently
        fh.truncate(100 * MB)
    before = table_checksums()
    for rt in TYPES:
        result = run_import(rt, path, actor="测试", scope=Scope.everything())
        assert [str(e) for e in result.errors] == ["文件：文件过大（100.0 MB），上限 20 MB。"], rt.key
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", str(path), "--type", "person", stdout=io.StringIO(), stderr=err)
    assert "文件过大（100.0 MB）" in err.getvalue()
    TRIED["100_mb"] += len(TYPES) + 1
    assert table_checksums() == before


def test_a_100_mb_upload_is_refused_before_the_body_is_read(client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = client_as("dangban")
    before = table_checksums()
    big = SimpleUploadedFile("巨大.xlsx", b"PK" + b"\0" * (100 * MB))
    r = page.post("/imports/study_session/upload/", {"file": big})
    assert r.status_code == 413 and "上传内容过大（100.0 MB），上限 20 MB" in r.content.decode()
    # The declared length alone decides: a body that is not there was never read (reading it would fail).
    for url in ("/imports/person/upload/", "/records/inspection/1/attachments/", "/reports/templates/new/"):
        r = page.generic("POST", url, b"", CONTENT_TYPE="multipart/form-data; boundary=x",
                         CONTENT_LENGTH=str(100 * MB))
        assert r.status_code == 413, url
    api = page.generic("POST", "/api/study-sessions/", b"", CONTENT_TYPE="application/json",
                       CONTENT_LENGTH=str(100 * MB))
    assert api.status_code == 413 and "上限 20 MB" in api.json()["detail"]
    assert not list((tmp_path / "media").rglob("*"))  # no upload was stored
    TRIED["100_mb"] += 5
    assert table_checksums() == before


def test_an_upload_just_over_the_limit_is_refused_by_the_page(client_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAX_UPLOAD_BYTES = 1 * MB
    r = client_as("dangban").post("/imports/study_session/upload/",
                                  {"file": SimpleUploadedFile("略大.xlsx", b"PK" + b"\0" * (MB + 10))})
    assert r.status_code == 200 and "文件过大（1.0 MB），上限 1 MB。" in r.content.decode()
    assert not ImportJob.objects.filter(filename="略大.xlsx").exists()


# --- exports neutralise formulas ----------------------------------------------------------------------------

PAYLOADS = ["=cmd|' /C calc'!A0", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+9)*cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://例子\",\"点我\")"]  # (leading tabs and line breaks are trimmed on entry)


def test_exports_neutralise_cells_that_a_spreadsheet_would_run(api_as, client_as, contact_plant, tmp_path):
    """Text entered through the API (which allows any text) comes out of every export as text, never a formula:
    the record export (page and CLI), and the compliance check export that quotes rule names."""
    rt = registry.get("inspection")
    api = api_as("jiwei")
    for i, payload in enumerate(PAYLOADS):
        r = api.post("/api/inspections/", {"unit": contact_plant.pk, "kind": "bidding", "date": f"2023-03-{i + 1:02d}",
                                            "title": payload}, format="json")
        assert r.status_code == 201, r.json()
    page = client_as("jiwei")
    content = b"".join(page.get(f"/imports/inspection/export.xlsx?unit={contact_plant.pk}&year=2023").streaming_content)
    out = tmp_path / "i.xlsx"
    call_command("export", "--type", "inspection", "--unit", "JH01-P03", "--year", "2023", "--out", str(out),
                 stdout=io.StringIO())
    for data in (content, out.read_bytes()):
        wb = openpyxl.load_workbook(io.BytesIO(data))  # not read-only: formulas keep their data type "f"
        titles = {}
        for row in wb.worksheets[0].iter_rows(min_row=2):
            cell = row[[c.value for c in wb.worksheets[0][1]].index(rt.header(_title(rt)))]
            assert cell.data_type != "f", cell.value
            titles[cell.value] = cell
        for payload in PAYLOADS:
            assert "'" + payload in titles, (payload, list(titles)[:10])
    # … and the neutralised export imports back to the very same text.
    from lvzhi.imports.importer import run_import as again

    before = rt.model.objects.count()
    rt.model.objects.filter(title__in=PAYLOADS).delete()
    result = again(rt, out, actor="测试", scope=Scope.everything())
    assert result.ok, [str(e) for e in result.errors]
    assert set(rt.model.objects.filter(title__in=PAYLOADS).values_list("title", flat=True)) == set(PAYLOADS)
    assert rt.model.objects.count() == before


def _title(rt):
    return next(c for c in rt.columns if c.field == "title")


def test_the_compliance_export_neutralises_rule_and_unit_names(client_as, contact_plant, tmp_path):
    from lvzhi.obligations.models import ObligationRule

    rule = ObligationRule.objects.filter(unit__isnull=True).order_by("rule_id").first()
    ObligationRule.objects.filter(pk=rule.pk).update(name="=cmd|' /C calc'!A0")
    type(contact_plant).objects.filter(pk=contact_plant.pk).update(name="+有机硅厂")
    r = client_as("dangban").get(f"/obligations/dashboard/export.xlsx?unit={contact_plant.pk}&year=2022")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    formulas = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not formulas
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "'=cmd|' /C calc'!A0" in values and any(v.startswith("'+有机硅厂") for v in values)
