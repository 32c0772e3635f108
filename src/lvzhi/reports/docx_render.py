"""DOCX in the official document format GB/T 9704-2012 (see docs: REPORT-FORMAT.md).

A4; margins 37/35/28/26 mm (版心 156 × 225 mm); 22 lines of 28 characters: body 3号 (16 pt) 仿宋_GB2312 with exact
28.95 pt line spacing and −0.3 pt character spacing; title 2号 方正小标宋简体 centred; headings 黑体 / 楷体 / 仿宋 /
仿宋; page numbers “— N —” in 4号 宋体, odd pages right, even pages left, one character in from the edge.
The official font names are kept (Word/WPS with the real fonts shows them); lvzhi's fontconfig maps them to free
stand-ins for the PDF.
"""

from __future__ import annotations

import io

from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from . import typeset
from .templating import TOKEN, Block, Document

BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
LINE = Pt(28.95)  # 225 mm / 22 lines
CHAR_SPACING = -6  # twentieths of a point: −0.3 pt, so 28 characters fill 156 mm
CHAR_PITCH = Pt(16 - 0.3)

FONT_FANGSONG = "仿宋_GB2312"
FONT_KAITI = "楷体_GB2312"
FONT_HEITI = "黑体"
FONT_TITLE = "方正小标宋简体"
FONT_SONG = "宋体"
FONT_LATIN = "Times New Roman"
HEADING_FONTS = {1: FONT_HEITI, 2: FONT_KAITI, 3: FONT_FANGSONG, 4: FONT_FANGSONG}
COMPATIBILITY_MODE = 15  # Word 2013 and later: no 兼容模式
MISSING_COLOUR = RGBColor(0xC6, 0x28, 0x28)


def _set_fonts(rpr_owner, east_asia: str, latin: str = FONT_LATIN) -> None:
    """python-docx's font.name sets only the Latin slots; East-Asian text needs w:eastAsia as well."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]  # theme fonts would override the explicit ones
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


# Children of w:rPr and w:pPr must follow the schema's order or Word reports the file as damaged.
_AFTER_RPR_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                      "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout")
_AFTER_PPR_SNAP = ("w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                   "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                   "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _char_spacing(rpr_owner, twips: int) -> None:
    rpr = rpr_owner.get_or_add_rPr()
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.insert_element_before(spacing, *_AFTER_RPR_SPACING)
    spacing.set(qn("w:val"), str(twips))


def _clear_theme_defaults(doc) -> None:
    """Explicit fonts and Simplified-Chinese language in docDefaults (theme fonts would override our fonts, and
    without zh-CN LibreOffice may draw CJK text with a Japanese face)."""
    rpr_default = doc.styles.element.find(qn("w:docDefaults"))
    if rpr_default is None:
        return
    for fonts in rpr_default.iter(qn("w:rFonts")):
        for attr in list(fonts.attrib):
            if attr.lower().endswith("theme"):
                del fonts.attrib[attr]
        fonts.set(qn("w:eastAsia"), FONT_FANGSONG)
        fonts.set(qn("w:ascii"), FONT_LATIN)
        fonts.set(qn("w:hAnsi"), FONT_LATIN)
    for lang in rpr_default.iter(qn("w:lang")):
        # Western text (digits, Latin) in English: with zh-CN there too, LibreOffice breaks lines inside numbers
        # (“2⏎1人次”, “1⏎187条”); East Asian text in Simplified Chinese.
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")
        lang.set(qn("w:bidi"), "ar-SA")
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _style(doc, name: str, east_asia: str, size, *, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars: int = 200,
           line=LINE, keep_with_next: bool = False, outline_level: int | None = None):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, 1)
    style.font.size = size
    style.font.name = FONT_LATIN
    style.font.bold = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    _set_fonts(style.element, east_asia)
    _char_spacing(style.element, CHAR_SPACING)
    pf = style.paragraph_format
    pf.alignment = align
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = line
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    # no single line of a paragraph alone at the foot or head of a page (a page may then hold 21 lines, not 22)
    pf.widow_control = True
    pf.keep_with_next = keep_with_next  # a heading never ends a page: it goes over with its first line
    pf.keep_together = keep_with_next
    if first_line_chars:
        pf.first_line_indent = Pt(CHAR_PITCH.pt * first_line_chars / 100)
        style.element.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), str(first_line_chars))
    ppr = style.element.get_or_add_pPr()
    # no automatic space between Chinese and Latin/digits (公文 writes “2022年”, not “2022 年”)
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), "0")
        ppr.insert_element_before(el, "w:bidi", "w:adjustRightInd", "w:snapToGrid", *_AFTER_PPR_SNAP)
    # no snapping to Word's document grid: LibreOffice renders that grid badly; exact spacing hits it instead
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.insert_element_before(snap, *_AFTER_PPR_SNAP)
    if outline_level is not None:
        # Word's navigation pane and table of contents (TOC \o \u) see the heading at this level
        outline = OxmlElement("w:outlineLvl")
        outline.set(qn("w:val"), str(outline_level))
        ppr.insert_element_before(outline, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
    return style


def _current_compatibility(doc) -> None:
    """Word 2013+ layout (compatibilityMode 15): python-docx's template says 14, and Word then opens the report in
    兼容模式."""
    for setting in doc.settings.element.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), str(COMPATIBILITY_MODE))


def _line_grid(doc, section) -> None:
    """GB/T 9704's 22 lines a page as Word's document grid (lines only), and Normal snapped to it: a paragraph the
    user types in a fresh style keeps the 28.95 pt pitch. lvzhi's own styles keep their exact spacing and do not
    snap (LibreOffice draws snapped exact lines badly); the pitch is the same."""
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    for attr in list(grid.attrib):
        del grid.attrib[attr]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE.pt * 20)))
    normal = doc.styles["Normal"]
    pf = normal.paragraph_format
    # single lines with no space between paragraphs: each line takes one grid line (python-docx's defaults, 10 pt
    # after and 1.15 lines, would push every new paragraph a whole grid line down)
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    snap = normal.element.get_or_add_pPr().find(qn("w:snapToGrid"))
    if snap is not None:
        normal.element.pPr.remove(snap)  # snapping is on unless switched off


def _page_setup(section) -> None:
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    # page number line sits 7 mm below the 版心: its top at 35 − 7 = 28 mm from the bottom edge
    section.footer_distance = Mm(28) - Pt(14)
    section.gutter = Mm(0)


def _field(run, instruction: str) -> None:
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _page_numbers(doc, section) -> None:
    """“— N —”: odd pages right-aligned, even pages left-aligned, one character in from the edge."""
    settings = doc.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    for footer, align, indent in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                  (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.style = doc.styles["lvzhi-page-number"]
        p.alignment = align
        if indent == "right":
            p.paragraph_format.right_indent = PAGE_NUMBER_SIZE
        else:
            p.paragraph_format.left_indent = PAGE_NUMBER_SIZE
        p.add_run("— ")
        _field(p.add_run(), "PAGE")
        p.add_run(" —")


def _runs(paragraph, document: Document, block: Block) -> None:
    """Text with its tokens, typeset (full-width punctuation, numbers kept whole); missing figures in red so nobody
    signs them by mistake."""
    parts: list[tuple[str, bool]] = []  # (text, missing)
    pos = 0
    for mo in TOKEN.finditer(block.text):
        if mo.start() > pos:
            parts.append((block.text[pos:mo.start()], False))
        token = document.tokens[int(mo.group(1))]
        parts.append((token.text, token.kind == "missing"))
        pos = mo.end()
    if pos < len(block.text):
        parts.append((block.text[pos:], False))
    for text, (_, missing) in zip(typeset.pieces([t for t, _ in parts]), parts, strict=False):
        if text:
            run = paragraph.add_run(text)
            if missing:
                run.font.color.rgb = MISSING_COLOUR


def _width(text: str) -> float:
    """Width in full-width characters (digits and Latin letters count half)."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


def build(document: Document) -> Docx:
    doc = Docx()
    _clear_theme_defaults(doc)
    section = doc.sections[0]
    _page_setup(section)
    body = _style(doc, "lvzhi-body", FONT_FANGSONG, BODY_SIZE)
    _style(doc, "lvzhi-title", FONT_TITLE, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0,
           keep_with_next=True)
    _style(doc, "lvzhi-author", FONT_KAITI, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_chars=0,
           keep_with_next=True)
    for level, font in HEADING_FONTS.items():
        heading = _style(doc, f"lvzhi-heading-{level}", font, BODY_SIZE, keep_with_next=True,
                         outline_level=level - 1)
        heading.next_paragraph_style = body  # Enter after a heading starts body text
    _style(doc, "lvzhi-signature", FONT_FANGSONG, BODY_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_chars=0)
    pn = _style(doc, "lvzhi-page-number", FONT_SONG, PAGE_NUMBER_SIZE, first_line_chars=0, line=Pt(14 * 1.2))
    _set_fonts(pn.element, FONT_SONG, FONT_SONG)  # half-width 宋体 digits
    doc.styles["Normal"].font.size = BODY_SIZE
    _set_fonts(doc.styles["Normal"].element, FONT_FANGSONG)
    _current_compatibility(doc)
    _line_grid(doc, section)
    _page_numbers(doc, section)

    # python-docx starts with one empty paragraph-less body; write blocks in order
    title = next((b for b in document.blocks if b.kind == "title"), None)
    if title is not None:
        for part in document.text_of(title).split("||"):
            doc.add_paragraph(typeset.line(part.strip()), style="lvzhi-title")
    author = next((b for b in document.blocks if b.kind == "author"), None)
    if author is not None:
        doc.add_paragraph(typeset.line(document.text_of(author)), style="lvzhi-author")
    if title is not None or author is not None:
        doc.add_paragraph("", style=body)  # one blank line between the title block and the body
    for block in document.blocks:
        if block.kind == "heading":
            p = doc.add_paragraph(style=f"lvzhi-heading-{block.level}")
            _runs(p, document, block)
        elif block.kind == "paragraph":
            p = doc.add_paragraph(style=body)
            _runs(p, document, block)
    _signature(doc, document)
    _properties(doc, document)
    return doc


def _properties(doc, document: Document) -> None:
    """Title and author in the file's properties (carried into the PDF's), not python-docx's defaults."""
    props = doc.core_properties
    title = next((b for b in document.blocks if b.kind == "title"), None)
    props.title = "".join(p.strip() for p in document.text_of(title).split("||")) if title is not None else ""
    signer = document.first("signature") or document.first("author") or document.unit_name
    props.author = props.last_modified_by = signer
    props.subject = "述职报告"
    props.comments = props.keywords = props.category = ""
    props.language = "zh-CN"


def _signature(doc, document: Document) -> None:
    name = document.first("signature")
    date = document.first("date")
    if not name and not date:
        return
    doc.add_paragraph("", style="lvzhi-signature")  # one blank line after the body
    line_chars = 28
    name_w, date_w = _width(name), _width(date)
    if date_w >= name_w:
        date_start = line_chars - 2 - date_w
        name_start = date_start - 2
    else:
        name_start = line_chars - 2 - name_w
        date_start = name_start + 2
    for text, start in ((name, name_start), (date, date_start)):
        if text:
            p = doc.add_paragraph(typeset.line(text), style="lvzhi-signature")
            p.paragraph_format.left_indent = Pt(max(start, 0) * CHAR_PITCH.pt)


def to_bytes(document: Document) -> bytes:
    buf = io.BytesIO()
    build(document).save(buf)
    return buf.getvalue()


def chinese_date(day) -> str:
    """2023年1月10日 (Arabic digits, no leading zeros, as GB/T 9704 asks)."""
    return f"{day.year}年{day.month}月{day.day}日"


