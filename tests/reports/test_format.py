"""The DOCX follows GB/T 9704 (read back with python-docx); the PDF embeds its fonts and paginates as expected."""

import io
import shutil
import subprocess

import pytest
from docx import Document as Docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt

from lvzhi.reports import docx_render, pdf_render

pytestmark = pytest.mark.django_db


@pytest.fixture
def docx_file(render_company):
    doc = render_company(report_date="2023年1月10日")
    return Docx(io.BytesIO(docx_render.to_bytes(doc))), doc


def _east_asia(style):
    return style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def test_page_setup_is_a4_with_official_margins(docx_file):
    d, _ = docx_file
    s = d.sections[0]
    def close(a, b):  # DOCX stores twentieths of a point: within 0.1 mm
        return abs(a - b) < Mm(0.1)

    assert close(s.page_width, Mm(210)) and close(s.page_height, Mm(297))
    for got, want in zip((s.top_margin, s.bottom_margin, s.left_margin, s.right_margin), (37, 35, 28, 26), strict=False):
        assert close(got, Mm(want))
    # 版心 156 × 225 mm
    assert abs((s.page_width - s.left_margin - s.right_margin) - Mm(156)) < Mm(0.1)
    assert abs((s.page_height - s.top_margin - s.bottom_margin) - Mm(225)) < Mm(0.1)


def test_fonts_sizes_and_spacing_per_level(docx_file):
    d, _ = docx_file
    expected = {"lvzhi-body": ("仿宋_GB2312", 16), "lvzhi-title": ("方正小标宋简体", 22),
                "lvzhi-heading-1": ("黑体", 16), "lvzhi-heading-2": ("楷体_GB2312", 16),
                "lvzhi-heading-3": ("仿宋_GB2312", 16), "lvzhi-page-number": ("宋体", 14)}
    for name, (font, size) in expected.items():
        style = d.styles[name]
        assert _east_asia(style) == font, name
        assert style.font.size == Pt(size), name
        assert not style.font.bold, name
    body = d.styles["lvzhi-body"].paragraph_format
    assert body.line_spacing_rule == WD_LINE_SPACING.EXACTLY and abs(body.line_spacing.pt - 28.95) < 0.01
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert body.widow_control is True  # issue 12: no lone line; a page may then hold 21 lines
    for level in (1, 2, 3, 4):  # a heading goes over to the next page with its first line
        heading = d.styles[f"lvzhi-heading-{level}"].paragraph_format
        assert heading.keep_with_next and heading.keep_together
    spacing = d.styles["lvzhi-body"].element.rPr.find(qn("w:spacing"))
    assert spacing.get(qn("w:val")) == "-6"  # −0.3 pt: 28 characters a line
    ind = d.styles["lvzhi-body"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert d.styles["lvzhi-title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_no_theme_fonts_and_chinese_language(docx_file):
    d, _ = docx_file
    defaults = d.styles.element.find(qn("w:docDefaults"))
    ours = [s.element for s in d.styles if (s.name or "").startswith("lvzhi-")] + [defaults]
    for el in ours:
        for fonts in el.iter(qn("w:rFonts")):
            assert not [a for a in fonts.attrib if a.lower().endswith("theme")], fonts.attrib
    lang = next(defaults.iter(qn("w:lang")))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    # Western text in English: LibreOffice breaks a number across lines when digits carry a Chinese language
    assert lang.get(qn("w:val")) == "en-US"


def test_title_and_author_are_the_reports_not_python_docx(docx_file):
    d, doc = docx_file
    props = d.core_properties
    assert props.title == "江海化工股份有限公司党委书记2022年度述职报告"
    assert props.author == "王振华" == props.last_modified_by
    assert "python-docx" not in (props.author + props.comments + props.last_modified_by + props.title)


def test_paragraphs_use_the_level_styles(docx_file):
    d, doc = docx_file
    styles = [p.style.name for p in d.paragraphs if p.text.strip()]
    assert styles[:2] == ["lvzhi-title", "lvzhi-title"]
    texts = {p.text: p.style.name for p in d.paragraphs}
    assert texts["一、履职情况"] == "lvzhi-heading-1"
    assert texts["（一）抓基层党建工作责任制方面"] == "lvzhi-heading-2"
    assert any(p.style.name == "lvzhi-body" and p.text.startswith("持续强化政治统领") for p in d.paragraphs)


def test_page_numbers_odd_right_even_left(docx_file):
    d, _ = docx_file
    s = d.sections[0]
    assert d.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    odd, even = s.footer.paragraphs[0], s.even_page_footer.paragraphs[0]
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and even.alignment == WD_ALIGN_PARAGRAPH.LEFT
    for p in (odd, even):
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in p._p.xml


def test_signature_name_then_date(docx_file):
    d, _ = docx_file
    tail = [p for p in d.paragraphs if p.style.name == "lvzhi-signature" and p.text]
    assert [p.text for p in tail] == ["王振华", "2023年1月10日"]
    name_indent, date_indent = (p.paragraph_format.left_indent for p in tail)
    assert date_indent > name_indent  # the date starts two characters right of the name's start


@pytest.mark.slow
@pytest.mark.skipif(not pdf_render.soffice() or not shutil.which("pdffonts"), reason="需要 LibreOffice 与 poppler")
def test_pdf_embeds_all_fonts_and_has_the_expected_pages(render_company, tmp_path):
    doc = render_company(report_date="2023年1月10日")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(pdf_render.docx_to_pdf(docx_render.to_bytes(doc)))
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts), fonts  # emb column
    names = " ".join(fonts)
    assert "FandolFang" in names and "FandolHei" in names and "FandolKai" in names
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(ln.split()[-1] for ln in info.splitlines() if ln.startswith("Pages:")))
    assert 4 <= pages <= 7
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "— 1 —" in text.replace("—1—", "— 1 —") or "1" in text
    body_lines = [ln for ln in text.splitlines() if ln.strip()]
    assert 20 <= len(body_lines) <= 26  # 22 lines of text plus title, name and page number


def _outline_level(doc, paragraph):
    """The outline level Word uses for a paragraph: its own w:outlineLvl, else its style's (and the style's bases)."""
    own = paragraph._p.pPr.find(qn("w:outlineLvl")) if paragraph._p.pPr is not None else None
    if own is not None:
        return int(own.get(qn("w:val")))
    style = paragraph.style
    while style is not None:
        ppr = style.element.pPr
        level = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
        if level is not None:
            return int(level.get(qn("w:val")))
        style = style.base_style
    return None  # body text


def test_headings_have_outline_levels_for_navigation_and_contents(docx_file):
    """Issue 19: Word's navigation pane and table of contents see the report's headings (levels 0–3)."""
    d, _ = docx_file
    levels = {p.text: _outline_level(d, p) for p in d.paragraphs if p.text.strip()}
    assert levels["一、履职情况"] == 0
    assert levels["（一）抓基层党建工作责任制方面"] == 1
    for level in (1, 2, 3, 4):
        assert d.styles[f"lvzhi-heading-{level}"].element.pPr.find(qn("w:outlineLvl")).get(qn("w:val")) \
            == str(level - 1)
        assert d.styles[f"lvzhi-heading-{level}"].next_paragraph_style.name == "lvzhi-body"
    headings = [p for p in d.paragraphs if p.style.name.startswith("lvzhi-heading-")]
    assert len(headings) >= 4 and all(_outline_level(d, p) is not None for p in headings)
    body = [p for p in d.paragraphs if p.style.name in ("lvzhi-body", "lvzhi-title", "lvzhi-signature")]
    assert body and all(_outline_level(d, p) is None for p in body)


def test_document_in_current_compatibility_mode(docx_file):
    """Issue 19: Word opens the report without 兼容模式 (compatibilityMode 15, not python-docx's 14)."""
    d, _ = docx_file
    modes = [s.get(qn("w:val")) for s in d.settings.element.iter(qn("w:compatSetting"))
             if s.get(qn("w:name")) == "compatibilityMode"]
    assert modes == ["15"]


def test_line_grid_that_typed_paragraphs_keep(docx_file):
    """Issue 19: 22 lines a page as Word's document grid (lines only); Normal, the style of a paragraph typed in a
    fresh place, snaps to it with single lines and no space between paragraphs."""
    d, _ = docx_file
    grid = d.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    pitch = int(grid.get(qn("w:linePitch"))) / 20  # points
    s = d.sections[0]
    assert round(Length(s.page_height - s.top_margin - s.bottom_margin).pt / pitch) == 22
    assert abs(pitch - d.styles["lvzhi-body"].paragraph_format.line_spacing.pt) < 0.05
    normal = d.styles["Normal"]
    snap = normal.element.pPr.find(qn("w:snapToGrid"))
    assert snap is None or snap.get(qn("w:val")) in ("1", "true", "on")
    pf = normal.paragraph_format
    assert pf.space_before == 0 and pf.space_after == 0
    assert pf.line_spacing_rule == WD_LINE_SPACING.SINGLE
    assert normal.font.size == Pt(16)
    # a paragraph the user adds in Word takes Normal (or the body style after a heading/body paragraph)
    d.add_paragraph("用户补写的一段。")
    assert d.paragraphs[-1].style.name == "Normal"
