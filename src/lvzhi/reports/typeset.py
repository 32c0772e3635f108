"""Typesetting Chinese text for the printed report (DOCX, and the PDF made from it).

* **Full-width punctuation**: a half-width ``, ; : ? ! ( )`` next to a Chinese character becomes ``， ； ： ？ ！ （ ）``
  (a space after it goes); ``1,234`` and ``3.5`` keep theirs.

It works on a paragraph's pieces (plain text and the tokens' texts) together, since a figure and the punctuation after
it are different pieces; each piece keeps its own text so the figure stays a run of its own.

Numbers are kept whole by the document's language, not by characters inserted into the text: see docx_render
(Western text en-US, East Asian zh-CN) and docs/NOTES.md, Issue 12.
"""

from __future__ import annotations

FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF \
        or 0x2E80 <= o <= 0x2FFF or o in (0x201C, 0x201D, 0x2018, 0x2019, 0x2014, 0x2026)


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _punctuation(text: str, i: int) -> str | None:
    """The full-width form of text[i], or None to keep it."""
    ch = text[i]
    if ch not in FULL_WIDTH:
        return None
    j = i - 1
    while j >= 0 and text[j] == " ":
        j -= 1
    k = i + 1
    while k < len(text) and text[k] == " ":
        k += 1
    before = text[j] if j >= 0 else ""
    after = text[k] if k < len(text) else ""
    if ch in ",:" and _digit(before) and _digit(after):
        return None  # 1,234 and 10:30
    if ch == "(":
        return FULL_WIDTH[ch] if (after and is_cjk(after)) or (before and is_cjk(before)) else None
    if ch == ")":
        return FULL_WIDTH[ch] if (before and is_cjk(before)) or (after and is_cjk(after)) else None
    if (before and is_cjk(before)) or (after and is_cjk(after)):
        return FULL_WIDTH[ch]
    return None


def pieces(parts: list[str]) -> list[str]:
    """The parts of one paragraph, typeset: same number of parts, each with its own characters."""
    text = "".join(parts)
    out: list[str] = []
    skip_space = False
    for i, ch in enumerate(text):
        if skip_space and ch == " ":
            out.append("")
            continue
        full = _punctuation(text, i)
        skip_space = full is not None and full not in "（"
        out.append(full or ch)
    result, pos = [], 0
    for part in parts:
        result.append("".join(out[pos:pos + len(part)]))
        pos += len(part)
    return result


def line(text: str) -> str:
    return pieces([text])[0]
