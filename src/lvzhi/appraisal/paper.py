"""Paper ballots in bulk from Excel: a template with one row per ballot (选票编号, 评议组, then one column per
person and per person × indicator), and an import that checks every cell first and writes all or nothing, with
errors naming the sheet, the row and the column."""

from __future__ import annotations

import io

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from lvzhi.audit.actors import Actor
from lvzhi.org.scoping import Scope

from .models import RATINGS, Appraisal, AppraisalStatus, Ballot, BallotSource
from .services import OVERALL, AppraisalError, _check_write, log_change

SHEET = "纸质选票"
NUMBER, GROUP = "选票编号", "评议组"
MAX_ROWS = 5000


def columns(a: Appraisal) -> list[tuple[str, str, str]]:
    """(header, reportee id, 总体 | indicator id) for every rating column, in order."""
    reportees = list(a.reportees.select_related("person", "party_org", "unit"))
    indicators = list(a.indicators.all())
    out = []
    for r in reportees:
        org = r.party_org.name if r.party_org_id else r.unit.name
        base = f"{r.person.name}（{org}）"
        out.append((base, str(r.pk), OVERALL))
        for i in indicators:
            out.append((f"{base}·{i.name}", str(r.pk), str(i.pk)))
    return out


def template(a: Appraisal) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    headers = [NUMBER, GROUP] + [h for h, _, _ in columns(a)]
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FDE9E7")
    ws.freeze_panes = "C2"
    groups = ",".join(a.groups.values_list("name", flat=True))
    dv_group = DataValidation(type="list", formula1=f'"{groups}"', allow_blank=False)
    dv_rating = DataValidation(type="list", formula1='"' + ",".join(RATINGS) + '"', allow_blank=True)
    ws.add_data_validation(dv_group)
    ws.add_data_validation(dv_rating)
    dv_group.add(f"B2:B{MAX_ROWS}")
    from openpyxl.utils import get_column_letter

    if len(headers) > 2:
        dv_rating.add(f"C2:{get_column_letter(len(headers))}{MAX_ROWS}")
    for idx, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = max(10, min(40, len(h) * 2 + 2))
    notes = wb.create_sheet("填写说明")
    for line in ["每行一张纸质选票：“选票编号”写选票上的编号（同一次述职评议中不能重复），“评议组”从下拉列表选择。",
                 "每位述职人一列总体评价；设有测评指标时另有“述职人·指标”列。评价填 好、较好、一般、差；未评的留空（视为弃权）。",
                 "导入时先检查全部单元格，任何一处有错都不写入，并列出“第N行「列名」”和原因。"]:
        notes.append([line])
    notes.column_dimensions["A"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_paper(a: Appraisal, data: bytes, *, actor: Actor, scope: Scope) -> int:
    """Import paper ballots; returns how many. Raises AppraisalError with every problem found (nothing written)."""
    _check_write(scope, a.unit)
    if a.status != AppraisalStatus.OPEN:
        raise AppraisalError("只有在测评期间才能录入纸质选票。")
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise AppraisalError("无法读取该文件：请上传由“下载纸质选票模板”得到的 Excel（.xlsx）文件。") from None
    if SHEET not in wb.sheetnames:
        raise AppraisalError(f"文件中没有“{SHEET}”工作表。")
    ws = wb[SHEET]
    rows = ws.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    cols = columns(a)
    expected = [NUMBER, GROUP] + [h for h, _, _ in cols]
    errors = []
    missing = [h for h in expected if h not in header]
    extra = [h for h in header if h and h not in expected]
    if missing:
        errors.append(f"「{SHEET}」第1行缺少列：" + "、".join(f"「{h}」" for h in missing))
    if extra:
        errors.append(f"「{SHEET}」第1行有不认识的列：" + "、".join(f"「{h}」" for h in extra)
                      + "（述职人或指标有变化时请重新下载模板）")
    if len(set(h for h in header if h)) != len([h for h in header if h]):
        errors.append(f"「{SHEET}」第1行有重复的列名。")
    if errors:
        raise AppraisalError("\n".join(errors))
    pos = {h: header.index(h) for h in expected}
    groups = {g.name: g for g in a.groups.all()}
    seen = set(a.ballots.filter(source=BallotSource.PAPER).values_list("paper_number", flat=True))
    in_file: dict[str, int] = {}
    ballots = []
    for rowno, row in enumerate(rows, start=2):
        cells = [_text(v) for v in row]
        if not any(cells):
            continue
        if len(ballots) >= MAX_ROWS:
            errors.append(f"「{SHEET}」超过{MAX_ROWS}张选票，请分批导入。")
            break

        def get(h, cells=cells):
            i = pos[h]
            return cells[i] if i < len(cells) else ""

        number, group_name = get(NUMBER), get(GROUP)
        if not number:
            errors.append(f"「{SHEET}」第{rowno}行「{NUMBER}」：不能为空。")
        elif number in seen:
            errors.append(f"「{SHEET}」第{rowno}行「{NUMBER}」：选票“{number}”已经录入过。")
        elif number in in_file:
            errors.append(f"「{SHEET}」第{rowno}行「{NUMBER}」：与第{in_file[number]}行重复。")
        else:
            in_file[number] = rowno
        group = groups.get(group_name)
        if group is None:
            errors.append(f"「{SHEET}」第{rowno}行「{GROUP}」：“{group_name}”不是本次的评议组（应为 {'、'.join(groups)}）。"
                          if group_name else f"「{SHEET}」第{rowno}行「{GROUP}」：不能为空。")
        marks: dict = {}
        for h, rid, key in cols:
            v = get(h)
            if not v:
                continue
            if v not in RATINGS:
                errors.append(f"「{SHEET}」第{rowno}行「{h}」：“{v[:20]}”不是有效的评价（应为 好、较好、一般、差，或留空）。")
                continue
            marks.setdefault(rid, {})[key] = v
        ballots.append(Ballot(appraisal=a, group=group, source=BallotSource.PAPER, paper_number=number, marks=marks)
                       if group else None)
    if errors:
        shown = errors[:50] + ([f"……另有{len(errors) - 50}处错误"] if len(errors) > 50 else [])
        raise AppraisalError("\n".join(shown))
    if not ballots:
        raise AppraisalError(f"「{SHEET}」中没有选票。")
    with transaction.atomic():
        Ballot.objects.bulk_create(ballots)
        log_change(actor, "update", a, after={"导入纸质选票": f"{len(ballots)}张"}, unit_id=a.unit_id)
    return len(ballots)
