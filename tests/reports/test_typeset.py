"""Typesetting: full-width punctuation in Chinese text; figures keep their own runs."""

import io

import pytest
from docx import Document as Docx

from lvzhi.reports import docx_render, typeset
from lvzhi.reports.templating import Block, Document, Token


@pytest.mark.parametrize("text, expected", [
    ("工资分配监督9次,招投标监督16次", "工资分配监督9次，招投标监督16次"),
    ("共计1,234元", "共计1,234元"),  # a thousands separator stays
    ("提高10.9%", "提高10.9%"),
    ("会议时间10:30", "会议时间10:30"),
    ("主要问题:一是", "主要问题：一是"),
    ("是否落实?已落实!", "是否落实？已落实！"),
    ("省(行业)媒体", "省（行业）媒体"),
    ("一是压实责任; 二是严管干部", "一是压实责任；二是严管干部"),  # the space after it goes
    ("LED封装胶(高透光)", "LED封装胶（高透光）"),
    ("version (1.2), ok", "version (1.2), ok"),  # Latin text keeps Latin punctuation
])
def test_half_width_punctuation_in_chinese_becomes_full_width(text, expected):
    assert typeset.line(text) == expected


def test_pieces_keep_their_boundaries():
    # “9” is a figure (its own run, linked to its records); the comma after it is template text
    assert typeset.pieces(["工资分配监督", "9", "次,招投标监督", "16", "次"]) == \
        ["工资分配监督", "9", "次，招投标监督", "16", "次"]


def test_the_docx_has_full_width_punctuation_and_figures_in_their_own_runs():
    tokens = [Token("9", "figure", "工资分配监督次数"), Token("【待补充：招投标监督次数】", "missing", "招投标监督次数")]
    document = Document([Block("title", "测试单位述职报告"), Block("paragraph", "工资分配监督\ue0000\ue001次,招投标监督\ue0001\ue001次。"),
                         Block("signature", "李明")], tokens, [])
    d = Docx(io.BytesIO(docx_render.to_bytes(document)))
    paragraph = next(p for p in d.paragraphs if p.text.startswith("工资"))
    assert paragraph.text == "工资分配监督9次，招投标监督【待补充：招投标监督次数】次。"
    runs = [r.text for r in paragraph.runs]
    assert "9" in runs and "【待补充：招投标监督次数】" in runs
    assert d.core_properties.title == "测试单位述职报告" and d.core_properties.author == "李明"


def test_without_a_signer_the_author_is_the_unit():
    document = Document([Block("title", "稀疏公司述职报告"), Block("paragraph", "正文。")], [], [], unit_name="稀疏测试公司")
    props = Docx(io.BytesIO(docx_render.to_bytes(document))).core_properties
    assert props.author == "稀疏测试公司" and props.title == "稀疏公司述职报告"
