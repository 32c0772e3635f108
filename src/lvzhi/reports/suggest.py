"""Suggested paragraphs for sections 二 (problems) and 三 (plans), built only from the evidence — the year's check
findings and late obligations, open rectifications, falling figures and last year's commitments — each citing its
evidence. The writer accepts (inserts) or edits them; nothing is written into a report without the writer.

Optionally an on-premises language model drafts the wording (``llm.py``); its draft is offered only when the
verifier (``verify.py``) finds no number, date, person or unit that the evidence does not state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lvzhi.org.models import Unit
from lvzhi.org.scoping import Scope

from .commitments import OPEN as COMMITMENT_OPEN
from .evidence import COMMITMENTS, DECLINES, LATE, OPEN, evidence_for

ORDINALS = "一二三四五六七八九十"
PROBLEMS, PLANS = "problems", "plans"
SECTION_LABELS = {PROBLEMS: "存在的问题和不足", PLANS: "下步工作打算"}
SHOWN = 5  # items named in one paragraph; the rest are “等N项” and still cited


@dataclass
class Paragraph:
    text: str
    cites: list[dict] = field(default_factory=list)  # [{"text", "url"}]


@dataclass
class Suggestion:
    """The suggested paragraphs for one writer section, and (when asked) the model's draft and its verdict."""

    key: str
    label: str
    paragraphs: list[Paragraph]
    draft: str = ""
    draft_rejected: list[str] = field(default_factory=list)  # the verifier's reasons, in Chinese
    draft_error: str = ""  # the model could not be asked (timeout, HTTP error …), in Chinese

    @property
    def evidence(self) -> list[dict]:
        seen: dict[str, dict] = {}
        for p in self.paragraphs:
            for c in p.cites:
                seen.setdefault(c["text"], c)
        return list(seen.values())


def _named(items: list[dict], key: str) -> str:
    names = list(dict.fromkeys(i[key] for i in items if i.get(key)))
    return "、".join(f"“{n}”" for n in names[:SHOWN])  # the sentence goes on with “等”


def _listed(items: list[dict]) -> str:
    shown = "；".join(i["text"].rstrip("。") for i in items[:SHOWN])
    return shown + (f"；另有{len(items) - SHOWN}项" if len(items) > SHOWN else "") + "。"


def _cites(items: list[dict]) -> list[dict]:
    return [{"text": i["text"], "url": i.get("url", "")} for i in items]


def paragraphs(groups: dict[str, list[dict]], year: int) -> dict[str, list[Paragraph]]:
    """Problems and plans from the evidence groups; an empty group gives no paragraph (nothing is claimed)."""
    late, open_, declines = groups.get(LATE, []), groups.get(OPEN, []), groups.get(DECLINES, [])
    unkept = [i for i in groups.get(COMMITMENTS, []) if i.get("state") == COMMITMENT_OPEN]
    problems: list[tuple[str, list[dict]]] = []
    plans: list[tuple[str, list[dict]]] = []
    if late:
        problems.append((f"制度执行还有差距。{year}年检查发现：{_listed(late)}", late))
        rules = _named(late, "rule")
        plans.append((f"严格执行制度规定。对{rules}等检查发现的逾期事项和覆盖缺口逐项补齐，按期完成。"
                      if rules else "严格执行制度规定。对检查发现的逾期事项和覆盖缺口逐项补齐，按期完成。", late))
    if open_:
        problems.append((f"问题整改还不到位。{_listed(open_)}", open_))
        plans.append((f"抓好问题整改。对{_named(open_, 'finding')}等问题压实整改责任，在整改时限内完成并验收销号。", open_))
    if declines:
        problems.append((f"部分工作比上年有所下降。{_listed(declines)}", declines))
        plans.append((f"扭转下降的指标。针对{_named(declines, 'label')}等指标比上年减少的情况查找原因，制定改进措施。", declines))
    if unkept:
        problems.append((f"上年度承诺和述职评议指出的问题还没有全部落实。{_listed(unkept)}", unkept))
        plans.append(("兑现上年度承诺。对尚未落实的事项明确责任人和完成时限，逐项跟踪到位。", unkept))

    def numbered(parts):
        return [Paragraph(f"{ORDINALS[i] if i < len(ORDINALS) else i + 1}是{text}", _cites(items))
                for i, (text, items) in enumerate(parts)]

    return {PROBLEMS: numbered(problems), PLANS: numbered(plans)}


def section_map(keys: list[str]) -> dict[str, list[str]]:
    """Which suggestions go to which writer section: problems to ``problems`` and plans to ``plans``; a template with
    one section for both (“存在的问题和下步打算”, key ``plans``) gets both there."""
    out: dict[str, list[str]] = {}
    if PROBLEMS in keys:
        out[PROBLEMS] = [PROBLEMS]
    if PLANS in keys:
        out[PLANS] = [PLANS] if PROBLEMS in keys else [PROBLEMS, PLANS]
    return out


def suggest(scope: Scope, unit: Unit, year: int, *, kind: str | None = None, sections: list[dict] | None = None,
            groups: list[dict] | None = None, draft: str | None = None) -> list[Suggestion]:
    """The suggestions for the writer sections ``sections`` (``templating.writer_sections``; default: problems and
    plans). ``draft``: the key of one section whose wording the language model should draft (when configured)."""
    from . import llm

    if groups is None:
        groups = evidence_for(scope, unit, year, kind)
    built = paragraphs({g["key"]: g["items"] for g in groups}, year)
    sections = sections if sections is not None else [{"key": k, "label": v} for k, v in SECTION_LABELS.items()]
    labels = {s["key"]: s["label"] for s in sections}
    out = []
    for key, parts in section_map(list(labels)).items():
        s = Suggestion(key, labels[key], [p for part in parts for p in built[part]])
        if draft == key:
            llm.draft_into(s, unit=unit, year=year)
        out.append(s)
    return out
