"""The PDF of demo-unit reports, read back with poppler: no heading is a page's last line, no number is split across
lines, the comma between Chinese words is full-width, and the file's title and author are the report's."""

import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

from lvzhi.org.models import Unit
from lvzhi.reports import docx_render, families, pdf_render, services, templating

pytestmark = [pytest.mark.django_db, pytest.mark.slow,
              pytest.mark.skipif(not pdf_render.soffice() or not shutil.which("pdftotext"),
                                 reason="需要 LibreOffice 与 poppler")]

# the company with the seed, the two sparser companies, a plant and a department of the demo tree
UNITS = ["JH01", "JH02", "JH03", "JH01-P03", "JH01-D01"]
# generic built-in templates (reports/builtin/) on the unit with the most records: long paragraphs of record words
GENERIC = {"JH01-annual": ("JH01", "annual"), "JH01-party_building": ("JH01", "party_building")}
PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")


def _convert_all(docx_files: list[Path], outdir: Path) -> None:
    """One LibreOffice start for all files (as pdf_render does for one: own profile, lvzhi's fonts)."""
    profile = outdir / f"profile-{uuid.uuid4().hex}"
    env = {**os.environ, "FONTCONFIG_FILE": str(pdf_render.fontconfig_file()), "HOME": str(outdir)}
    subprocess.run([pdf_render.soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                    "--convert-to", "pdf", "--outdir", str(outdir), *map(str, docx_files)],
                   env=env, capture_output=True, timeout=600, check=True)


def _pages(pdf: Path) -> list[list[str]]:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for page in text.split("\f"):
        lines = [ln.replace(" ", "") for ln in page.splitlines() if ln.strip()]
        lines = [ln for ln in lines if not PAGE_NUMBER.match(ln)]
        if lines:
            pages.append(lines)
    return pages


def _split_number(a: str, b: str) -> bool:
    return bool(re.search(r"\d[.,]?$", a)) and bool(re.match(r"^[.,]?\d", b))


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker, tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf")
    documents = {}
    with django_db_blocker.unblock():
        body = services.builtin_template().body
        for code in UNITS:
            unit = Unit.objects.get(code=code)
            doc = templating.render(body, unit=unit, year=2022, secretary=services.default_secretary(unit),
                                    report_date="2023年1月10日")
            (out / f"{code}.docx").write_bytes(docx_render.to_bytes(doc))
            documents[code] = doc
        for name, (code, kind) in GENERIC.items():
            unit = Unit.objects.get(code=code)
            doc = templating.render(families.generic_template(kind).body, unit=unit, year=2022,
                                    secretary=services.default_secretary(unit), report_date="2023年1月10日")
            (out / f"{name}.docx").write_bytes(docx_render.to_bytes(doc))
            documents[name] = doc
    _convert_all([out / f"{code}.docx" for code in [*UNITS, *GENERIC]], out)
    return out, documents


@pytest.mark.parametrize("code", [*UNITS, *GENERIC])
def test_no_heading_ends_a_page_and_no_number_is_split(rendered, code):
    out, documents = rendered
    document = documents[code]
    headings = [document.text_of(b).replace(" ", "") for b in document.blocks if b.kind == "heading"]
    pages = _pages(out / f"{code}.pdf")
    assert len(pages) >= 2, "a report of at least two pages, or the test proves nothing"
    for number, lines in enumerate(pages[:-1], start=1):
        last = lines[-1]
        assert not any(h.startswith(last) for h in headings), f"第 {number} 页以标题结尾：{last}"
    lines = [ln for page in pages for ln in page]
    splits = [(a[-8:], b[:8]) for a, b in zip(lines, lines[1:], strict=False) if _split_number(a, b)]
    assert not splits, f"数字被拆到两行：{splits}"
    text = "".join(lines)
    assert not re.search(r"[\u4e00-\u9fff][,;:?!]|[,;:?!][\u4e00-\u9fff]", text), "中文之间有半角标点"


def test_pdf_title_and_author(rendered):
    out, documents = rendered
    info = subprocess.run(["pdfinfo", str(out / "JH01.pdf")], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip() == "江海化工股份有限公司党委书记2022年度述职报告"
    assert fields["Author"].strip() == documents["JH01"].first("signature") == "王振华"
    for code in UNITS:  # never python-docx; the unit when the report has no signer
        info = subprocess.run(["pdfinfo", str(out / f"{code}.pdf")], capture_output=True, text=True, check=True).stdout
        author = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("Author:")), "")
        assert author in (documents[code].first("signature"), documents[code].unit_name) and author, code


def test_the_seed_comma_is_full_width_in_the_pdf(rendered):
    out, _ = rendered
    text = "".join(ln for page in _pages(out / "JH01.pdf") for ln in page)
    assert "工资分配监督9次，招投标监督16次" in text
    assert "9次,招投标" not in text
