"""The verifier of a language model's draft: every number, date, person and unit the draft states must be in the
evidence it was given. It returns the reasons (Chinese) a draft is rejected; none means the draft may be offered.

What it checks:
- numbers: Arabic (1,234 / 34.1 / 2.5万 / 34.1%) and Chinese numerals that count something (三十余次, 两个, 百分之十),
  compared by value, so “3” and “三” are the same figure;
- dates: 2023年3月5日, 3月5日, 2023-03-05, 2023年3月 — each must be a date of the evidence;
- names: every person, unit and Party organisation known to lvzhi that the draft names, and “X同志”, must appear in
  the evidence.
It does not understand sentences: a claim without a number, date or name (“受到表彰”) passes; the writer reads the
draft before accepting it, and the draft is shown beside its evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10**4, "亿": 10**8}
CN_CHARS = "".join(CN_DIGITS) + "".join(CN_UNITS) + "".join(CN_BIG)
# a Chinese numeral states a figure when a measure word follows it (possibly after 多/余/来)
MEASURES = "个次项人名家条年月日天周场期篇件批户元份位种起所处支场轮届遍课节门"
# set phrases of Party writing whose numerals state no figure of the unit
SET_PHRASES = ["四个意识", "四个自信", "两个维护", "两个确立", "三会一课", "一岗双责", "两学一做", "八项规定", "四风",
               "二十大", "十九大", "十八大", "二十届", "十九届", "十四五", "十三五", "中全会", "一把手", "第一议题",
               "第一责任", "一岗", "一线", "一体", "一起", "一切", "一直", "一致", "一定", "一道", "一些", "一步",
               "统一", "唯一", "之一", "一贯", "一年来", "一个时期", "进一步"]
NOT_NAMES = {"全体", "广大", "各位", "有关", "相关", "党员", "干部", "青年", "老", "年轻", "其他", "各级", "基层", "领导", "部分",
             "这些", "各位党员", "全体党员"}

ARABIC = re.compile(r"(?<![\d.])(\d{1,3}(?:[,，]\d{3})+|\d+)(?:\.(\d+))?\s*(万|亿)?")
CHINESE = re.compile(rf"(百分之)?([{CN_CHARS}](?:[{CN_CHARS}点]*[{CN_CHARS}])?)(?=([多余来]?)([{MEASURES}%％]?))")
DATES = [
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), ("y", "m", "d")),
    (re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月"), ("y", "m")),
    (re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日"), ("m", "d")),
]
COMRADE = re.compile(r"([\u4e00-\u9fff]{2,3})同志")


def chinese_value(s: str) -> Decimal | None:
    """三十五 → 35, 两万三千 → 23000, 三点五 → 3.5, 二〇二三 → 2023; None when it is no number."""
    whole, _, frac = s.partition("点")
    if frac and not all(c in CN_DIGITS for c in frac):
        return None
    if whole and all(c in CN_DIGITS for c in whole) and len(whole) > 1:  # digit by digit, as years are written
        value = Decimal("".join(str(CN_DIGITS[c]) for c in whole))
    else:
        total = section = number = 0
        for c in whole:
            if c in CN_DIGITS:
                number = CN_DIGITS[c]
            elif c in CN_UNITS:
                section += (number or 1) * CN_UNITS[c]
                number = 0
            elif c in CN_BIG:
                total += (section + number or 1) * CN_BIG[c]
                section = number = 0
            else:
                return None
        value = Decimal(total + section + number)
    if frac:
        value += Decimal("0." + "".join(str(CN_DIGITS[c]) for c in frac))
    return value


def _arabic(text: str) -> list[tuple[str, set[Decimal]]]:
    out = []
    for m in ARABIC.finditer(text):
        before = text[max(0, m.start() - 1):m.start()]
        after = text[m.end():m.end() + 1]
        line_start = m.start() == 0 or text[m.start() - 1] == "\n"
        if before == "第" or (line_start and after in (".", "、", "）", ")")):
            continue  # an ordinal or a list number
        try:
            raw = Decimal(m.group(1).replace(",", "").replace("，", "") + (f".{m.group(2)}" if m.group(2) else ""))
        except InvalidOperation:
            continue
        values = {raw}
        if m.group(3):
            values.add(raw * CN_BIG[m.group(3)])
        out.append((m.group(0).strip(), values))
    return out


def _chinese(text: str, *, counting_only: bool) -> list[tuple[str, Decimal]]:
    out = []
    for m in CHINESE.finditer(text):
        before = text[max(0, m.start() - 1):m.start()]
        if counting_only and not (m.group(1) or m.group(4)):
            continue
        if counting_only and before == "第" or (before.isdigit() or before == ".") and not m.group(1):
            continue  # an ordinal, or 万/亿 of an Arabic number (2.5万), read with it
        value = chinese_value(m.group(2))
        if value is not None:
            out.append(((m.group(1) or "") + m.group(2), value))
    return out


def _dates(text: str) -> tuple[list[tuple[str, tuple]], str]:
    """The dates of a text as (written, (kind, parts)), and the text without them."""
    found = []
    for rx, parts in DATES:
        for m in rx.finditer(text):
            found.append((m.group(0), ("".join(parts), tuple(int(g) for g in m.groups()))))
        text = rx.sub(" ", text)
    return found, text


def _strip_phrases(text: str) -> str:
    for p in SET_PHRASES:
        text = text.replace(p, " ")
    return text


class Evidence:
    """What the evidence states: its numbers (by value), dates and text (for names)."""

    def __init__(self, text: str):
        self.text = text
        dates, rest = _dates(text)
        self.dates = {d for _, d in dates}
        for kind, parts in list(self.dates):
            if kind == "ymd":
                self.dates |= {("md", parts[1:]), ("ym", parts[:2])}
        self.numbers: set[Decimal] = set()
        # a date's year may be named alone (“2023年”); its month and day count nothing
        self.numbers |= {Decimal(parts[0]) for _, (kind, parts) in dates if kind.startswith("y")}
        for _, values in _arabic(rest):
            self.numbers |= values
        self.numbers |= {v for _, v in _chinese(rest, counting_only=False)}


def verify(draft: str, evidence: str | Evidence, names: Mapping[str, str] | Iterable[str] = ()) -> list[str]:
    """Reasons to reject ``draft`` (empty: it states nothing the evidence does not). ``names``: person, unit and
    Party organisation names known to lvzhi, as {name: "人员" | "单位" | "党组织"} or a plain list."""
    ev = evidence if isinstance(evidence, Evidence) else Evidence(evidence)
    if not draft.strip():
        return ["语言模型没有给出文字。"]
    reasons: list[str] = []
    dates, rest = _dates(draft)
    for written, date in dates:
        if date not in ev.dates:
            reasons.append(f"日期“{written}”在证据中没有。")
    rest = _strip_phrases(rest)
    for written, values in _arabic(rest):
        if not values & ev.numbers:
            reasons.append(f"数字“{written}”在证据中没有。")
    for written, value in _chinese(rest, counting_only=True):
        if value not in ev.numbers:
            reasons.append(f"数字“{written}”在证据中没有。")
    kinds = names if isinstance(names, Mapping) else dict.fromkeys(names, "名称")
    # the draft's substrings looked up among the names (a few thousand look-ups), not every name searched in the draft
    lengths = sorted({len(n) for n in kinds if len(n) >= 2}, reverse=True)
    named = dict.fromkeys(draft[i:i + n] for n in lengths for i in range(len(draft) - n + 1) if draft[i:i + n] in kinds)
    for name in named:
        if name not in ev.text:
            reasons.append(f"{kinds[name]}“{name}”在证据中没有。")
    for m in COMRADE.finditer(draft):
        who = m.group(1)
        if who not in ev.text and not any(n in who for n in NOT_NAMES):
            reasons.append(f"人名“{who}同志”在证据中没有。")
    return list(dict.fromkeys(reasons))


def known_names() -> dict[str, str]:
    """Every person, unit and Party organisation name in lvzhi (the draft may name none the evidence does not)."""
    from lvzhi.org.models import PartyOrg, Person, Unit

    out: dict[str, str] = {}
    out.update(dict.fromkeys(Person.objects.values_list("name", flat=True), "人员"))
    out.update(dict.fromkeys(PartyOrg.objects.values_list("name", flat=True), "党组织"))
    out.update(dict.fromkeys(Unit.objects.values_list("name", flat=True), "单位"))
    return out
