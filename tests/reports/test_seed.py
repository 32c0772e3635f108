"""The built-in template reproduces the seed report from the demo company's 2022 records."""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

# A copy of ../shared/seeds/000_789b03ad4a6cdb67.txt (the masked 2022 report lvzhi must reproduce), kept with the
# tests so that a checkout on its own can run them.
SEED = Path(__file__).with_name("seed_2022.txt")


def seed_patterns() -> list[re.Pattern]:
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").splitlines() if ln.strip()]
    return [re.compile("".join("(.+?)" if part.startswith("*") else re.escape(part)
                               for part in re.split(r"(\*+)", ln) if part)) for ln in lines]


@pytest.fixture(scope="module")
def seed():
    if not SEED.exists():
        pytest.fail(f"种子报告不存在：{SEED}")
    return seed_patterns()


def test_the_seed_is_reproduced_section_by_section(render_company, seed):
    doc = render_company(report_date="2023年1月10日")
    body = doc.plain_lines()
    assert len(body) == len(seed), "段落数与种子报告不同"
    filled = []
    for i, (pattern, line) in enumerate(zip(seed, body, strict=False), start=1):
        match = pattern.fullmatch(line)
        assert match, f"第 {i} 段与种子不一致：\n生成：{line}\n种子：{pattern.pattern}"
        filled.extend(match.groups())
    assert "*" not in "".join(body)
    assert all(value and "待补充" not in value for value in filled)
    assert doc.warnings == []
    masks = sum(len(re.findall(r"\*+", p.pattern.replace("(.+?)", "*"))) for p in seed)
    assert len(filled) == masks == 40  # every mask of the seed got a value


def test_section_headings_are_the_seeds(render_company):
    doc = render_company()
    headings = [(b.level, doc.text_of(b)) for b in doc.blocks if b.kind == "heading"]
    assert headings == [(1, "一、履职情况"), (2, "（一）抓基层党建工作责任制方面"), (2, "（二）履行党风廉政建设责任制方面"),
                        (2, "（三）落实意识形态工作责任制方面"), (1, "二、存在的问题和不足"), (1, "三、下步工作打算")]


def test_every_figure_keeps_its_records(render_company):
    doc = render_company()
    figures = [t for t in doc.tokens if t.kind == "figure"]
    assert len(figures) >= 20
    for (metric_id, _), figure in doc.figures.items():
        if figure.value:
            assert figure.record_ids(), metric_id
