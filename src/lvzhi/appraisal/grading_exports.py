"""党支部分类定级 out of the system: the Excel table (frozen header, one row per branch with every indicator and
the explanation), JSON and a plain table for the command line — all from ``grading.grade`` for one reader, so
the veto's grounds appear exactly where the page shows them."""

from __future__ import annotations

import io
from fractions import Fraction

from openpyxl import Workbook

from .exports import _sheet
from .grading import Grading
from .tally import fmt


def headers(g: Grading) -> list[str]:
    return ["党组织", "所在单位", "党员数", *[f"{i.name}（权重{fmt(Fraction(i.weight))}）" for i in g.indicators], "得分", "等次",
            "缺数据的指标", "说明", "计算说明"]


def rows(g: Grading) -> list[list]:
    out = []
    for r in g.rows:
        out.append([r.org.name, r.unit_name, r.members, *[v.text for v in r.values], r.score_text, r.level,
                    "、".join(r.missing) or "—", r.note, "\n".join(r.explanation)])
    return out


def _title(text: str) -> str:
    """A sheet name Excel accepts: no []:*?/\\ and at most 31 characters."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31]


def xlsx(gradings: list[Grading]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for g in gradings:
        ws = wb.create_sheet(_title(f"{g.unit.code}-{g.year}"))
        widths = [26, 18, 8, *[14] * len(g.indicators), 8, 8, 16, 18, 90]
        _sheet(ws, f"{g.unit.name}{g.year}年度党支部分类定级（{g.scheme.name}；截至{g.as_of:%Y-%m-%d}）", headers(g),
               rows(g), widths)
        summary = wb.create_sheet(_title(f"{g.unit.code}-{g.year}分布"))
        _sheet(summary, "等次分布", ["等次", "党支部数"], [[k, v] for k, v in g.distribution.items()], [12, 12])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def as_json(g: Grading) -> dict:
    return {
        "unit": g.unit.name, "unit_code": g.unit.code, "year": g.year, "as_of": g.as_of.isoformat(),
        "scheme": g.scheme.name, "levels": dict(g.levels), "distribution": g.distribution,
        "branches": [{
            "party_org": r.org.name, "code": r.org.code, "unit": r.unit_name, "members": r.members,
            "indicators": {v.indicator.name: {"value": None if v.value is None else round(float(v.value), 2),
                                              "weight": float(v.indicator.weight), "inputs": v.inputs,
                                              "missing": v.missing} for v in r.values},
            "score": None if r.score is None else round(float(r.score), 2), "level": r.level,
            "capped": r.capped, "missing": r.missing, "note": r.note, "explanation": r.explanation,
        } for r in g.rows],
    }


def as_table(g: Grading) -> str:
    lines = [f"{g.unit.name}{g.year}年度党支部分类定级（{g.scheme.name}，截至{g.as_of:%Y-%m-%d}）",
             "等次分布：" + "，".join(f"{k}{v}个" for k, v in g.distribution.items())]
    for r in g.rows:
        parts = "；".join(f"{v.indicator.name} {v.text}" for v in r.values)
        lines.append(f"  {r.org.name}：{r.score_text}分，{r.level}" + ("（否决项封顶）" if r.capped else "")
                     + (f"，缺数据：{'、'.join(r.missing)}" if r.missing else "") + f" —— {parts}")
    return "\n".join(lines) + "\n"
