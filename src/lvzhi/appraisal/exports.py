"""Spreadsheets: the 测评汇总表 (results, one row per person with the explanation) and the 整改清单 (every
problem with its owner, deadline, measures, status and evidence)."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import RATINGS
from .tally import Results, fmt, pct


def _safe(v):
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v
    return v


def _sheet(ws, title_row: str, headers: list[str], rows: list[list], widths: list[int]):
    ws.append([title_row])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(headers)
    for c in ws[2]:
        c.font = Font(bold=True)
    for row in rows:
        ws.append([_safe(v) for v in row])
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(2, ws.max_row)}"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    for row in ws.iter_rows(min_row=3):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.print_title_rows = "2:2"


def results_rows(res: Results) -> list[list]:
    rows = []
    for p in res.people:
        rows.append([p.rank or "—", p.name, p.org, p.role, *[p.tallies[r] for r in RATINGS], p.valid,
                     pct(p.satisfaction), fmt(p.rating_score), fmt(p.daily), fmt(p.indicator_score), fmt(p.score),
                     p.grade, len(p.problems), "\n".join(p.explanation)])
    return rows


RESULT_HEADERS = ["名次", "姓名", "党组织", "述职类别", *RATINGS, "有效票", "满意率", "测评得分", "日常考核", "指标得分",
                  "综合得分", "等次", "点评问题数", "计算说明"]


def results_xlsx(res: Results) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "测评汇总表"
    _sheet(ws, f"{res.appraisal.title} 测评汇总表（{res.turnout_text}；{res.groups_text}）", RESULT_HEADERS,
           results_rows(res), [6, 10, 24, 14, 6, 6, 6, 6, 8, 9, 9, 9, 9, 9, 6, 8, 90])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


PROBLEM_HEADERS = ["序号", "述职人", "党组织", "问题", "类别", "整改责任人", "整改措施", "整改时限", "状态", "完成日期", "完成佐证"]


def problem_rows(res: Results) -> list[list]:
    rows, n = [], 0
    for p in res.people:
        for x in p.problems:
            n += 1
            rows.append([n, p.name, p.org, x["problem"], x["category"], x["owner"], x["measures"], x["deadline"],
                         x["status"], x["completed_on"] or "", x["evidence"]])
    return rows


def rectification_xlsx(res: Results, today: dt.date) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "整改清单"
    _sheet(ws, f"{res.appraisal.title} 问题整改清单（截至{today:%Y-%m-%d}）", PROBLEM_HEADERS, problem_rows(res),
           [6, 10, 24, 40, 16, 10, 40, 12, 10, 12, 40])
    for row in ws.iter_rows(min_row=3, min_col=8, max_col=8):
        for c in row:
            c.number_format = "yyyy-mm-dd"
    for row in ws.iter_rows(min_row=3, min_col=10, max_col=10):
        for c in row:
            c.number_format = "yyyy-mm-dd"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def combined_xlsx(all_results: list[Results], today: dt.date) -> bytes:
    """One workbook for the CLI: 测评汇总表 and 整改清单 of each appraisal (sheet names carry the unit's code when
    there is more than one)."""
    wb = Workbook()
    wb.remove(wb.active)
    many = len(all_results) > 1
    for res in all_results:
        suffix = f"-{res.appraisal.unit.code}" if many else ""
        ws = wb.create_sheet(f"测评汇总表{suffix}"[:31])
        _sheet(ws, f"{res.appraisal.title} 测评汇总表（{res.turnout_text}；{res.groups_text}）", RESULT_HEADERS,
               results_rows(res), [6, 10, 24, 14, 6, 6, 6, 6, 8, 9, 9, 9, 9, 9, 6, 8, 90])
        ws = wb.create_sheet(f"整改清单{suffix}"[:31])
        _sheet(ws, f"{res.appraisal.title} 问题整改清单（截至{today:%Y-%m-%d}）", PROBLEM_HEADERS, problem_rows(res),
               [6, 10, 24, 40, 16, 10, 40, 12, 10, 12, 40])
    if not all_results:
        wb.create_sheet("测评汇总表").append(["没有已结束的述职评议。"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _num(x):
    return None if x is None else round(float(x), 2)


def as_json(a, res: Results | None, today: dt.date) -> dict:
    out = {"title": a.title, "unit": a.unit.name, "unit_code": a.unit.code, "year": a.year,
           "meeting_date": a.meeting_date.isoformat(), "status": a.get_status_display()}
    if res is None:
        out.update({"people": [], "note": "测评尚未结束，结果在结束后才能查看。"})
        return out
    out.update({"expected": res.expected, "ballots": res.ballots, "turnout_valid": res.turnout_valid,
                "turnout": res.turnout_text, "groups_shown": res.groups_shown, "groups": res.groups_text,
                "weights": a.component_weights, "thresholds": a.grade_thresholds, "people": []})
    for p in res.people:
        person = {"name": p.name, "person_code": p.reportee.person.code, "party_org": p.org, "role": p.role,
                  "tallies": dict(p.tallies), "valid": p.valid, "satisfaction": _num(p.satisfaction),
                  "rating_score": _num(p.rating_score), "daily": _num(p.daily),
                  "daily_done": p.daily_done, "daily_judged": p.daily_judged,
                  "indicators": {k: _num(v) for k, v in p.indicator_scores.items()},
                  "score": _num(p.score), "grade": p.grade, "rank": p.rank, "explanation": p.explanation,
                  "problems": [{"problem": x["problem"], "category": x["category"], "owner": x["owner"],
                                "deadline": x["deadline"].isoformat(), "measures": x["measures"],
                                "status": x["status"],
                                "completed_on": x["completed_on"].isoformat() if x["completed_on"] else None,
                                "evidence": x["evidence"]} for x in p.problems]}
        if res.groups_shown:
            person["groups"] = {g.name: {"tallies": g.tallies, "valid": g.valid, "score": _num(g.score)}
                                for g in p.groups}
        out["people"].append(person)
    return out


def as_table(a, res: Results | None) -> str:
    lines = [f"{a.title}（{a.unit.code}，{a.get_status_display()}，述职评议会 {a.meeting_date:%Y-%m-%d}）"]
    if res is None:
        lines.append("  测评尚未结束，结果在结束后才能查看。")
        return "\n".join(lines) + "\n"
    lines.append(f"  {res.turnout_text}；{res.groups_text}。")
    head = f"  {'名次':<4}{'姓名':<6}{'党组织':<22}{'好':>4}{'较好':>4}{'一般':>4}{'差':>4}{'有效':>4}{'满意率':>8}{'综合':>7} 等次  点评问题（整改状态）"
    lines.append(head)
    for p in res.people:
        probs = "；".join(f"{x['problem']}（{x['status']}）" for x in p.problems) or "—"
        lines.append(f"  {str(p.rank or '—'):<6}{p.name:<6}{p.org:<22}{p.tallies['好']:>5}{p.tallies['较好']:>5}"
                     f"{p.tallies['一般']:>5}{p.tallies['差']:>5}{p.valid:>5}{pct(p.satisfaction):>9}{fmt(p.score):>8}"
                     f"  {p.grade:<4}  {probs}")
    return "\n".join(lines) + "\n"
