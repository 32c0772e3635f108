"""HTML preview (every figure links to its records) and Markdown from the same document model."""

from __future__ import annotations

from django.urls import reverse
from django.utils.html import escape

from .templating import TOKEN, Block, Document, Token

HTML_STYLE = """
.gw { max-width: 210mm; margin: 0 auto; background: #fff; padding: 37mm 26mm 35mm 28mm; box-shadow: 0 0 6px #ccc;
      font: 16pt/28.95pt "FandolFang", "仿宋_GB2312", "FangSong", "Noto Serif CJK SC", serif; color: #000; }
.gw .title { font: 22pt/1.4 "方正小标宋简体", "Noto Serif CJK SC", serif; font-weight: 700; text-align: center; margin: 0; }
.gw .author { text-align: center; font-family: "FandolKai", "楷体_GB2312", "KaiTi", serif; margin: 0; }
.gw p { margin: 0; text-indent: 2em; text-align: justify; }
.gw .h1 { font-family: "黑体", "Noto Sans CJK SC", sans-serif; }
.gw .h2 { font-family: "FandolKai", "楷体_GB2312", "KaiTi", serif; }
.gw .sign { text-indent: 0; text-align: right; padding-right: 2em; }
.gw .title, .gw .author { text-indent: 0; }  /* centred lines: the body's first-line indent would push them right */
.gw a.fig { color: inherit; text-decoration: none; border-bottom: 2px solid #7fb3ff; }
.gw a.fact { color: inherit; text-decoration: none; border-bottom: 1px dashed #7fb3ff; }
.gw .missing { color: #c62828; font-weight: 700; }
.gw .writer { background: #fffbe6; }
"""


def token_url(token: Token, year: int) -> str:
    if token.kind == "figure":
        return reverse("metrics:records", args=[token.metric]) + f"?unit={token.unit_id}&year={year}"
    if token.kind == "fact" and token.records:
        label, pk = token.records[0]
        key = _record_key(label)
        if key:
            return reverse("records:detail", args=[key, pk])
    return ""


def _record_key(model_label: str) -> str:
    from django.apps import apps

    from lvzhi.records import registry

    try:
        rt = registry.for_model(apps.get_model(model_label))
    except LookupError:
        return ""
    return rt.key if rt else ""


def _html_text(document: Document, block: Block, year: int) -> str:
    out, pos = [], 0
    for mo in TOKEN.finditer(block.text):
        out.append(escape(block.text[pos:mo.start()]))
        token = document.tokens[int(mo.group(1))]
        if token.kind == "missing":
            out.append(f'<span class="missing" title="{escape(token.reason)}">{escape(token.text)}</span>')
        else:
            url = token_url(token, year)
            cls = "fig" if token.kind == "figure" else "fact"
            title = escape(f"{token.label}：{token.value}" + ("（点击查看依据记录）" if url else ""))
            text = escape(token.text)
            out.append(f'<a class="{cls}" href="{url}" title="{title}">{text}</a>' if url else
                       f'<span class="{cls}" title="{title}">{text}</span>')
        pos = mo.end()
    out.append(escape(block.text[pos:]))
    return "".join(out)


def to_html_fragment(document: Document, year: int) -> str:
    parts = ['<div class="gw">']
    for b in document.blocks:
        text = _html_text(document, b, year)
        if b.kind == "title":
            parts.extend(f'<p class="title">{t}</p>' for t in text.split("||"))
        elif b.kind == "author":
            parts.append(f'<p class="author">{text}</p><p>&nbsp;</p>')
        elif b.kind == "heading":
            parts.append(f'<p class="h{b.level}">{text}</p>')
        elif b.kind == "paragraph":
            cls = ' class="writer"' if b.writer else ""
            parts.append(f"<p{cls}>{text}</p>")
    sign = [_html_text(document, b, year) for b in document.blocks if b.kind in ("signature", "date")]
    if sign:
        parts.append("<p>&nbsp;</p>" + "".join(f'<p class="sign">{t}</p>' for t in sign))
    parts.append("</div>")
    return "\n".join(parts)


def to_html_page(document: Document, year: int) -> str:
    title = escape(document.first("title").replace("||", ""))
    return (f'<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>body{{background:#eee;margin:0;padding:20px}}{HTML_STYLE}</style></head><body>"
            f"{to_html_fragment(document, year)}</body></html>")


def to_markdown(document: Document) -> str:
    lines = []
    for b in document.blocks:
        text = document.text_of(b)
        if b.kind == "title":
            lines.append("# " + text.replace("||", ""))
        elif b.kind == "author":
            lines.append(f"**{text}**")
        elif b.kind == "heading":
            lines.append("#" * (b.level + 1) + " " + text)
        elif b.kind == "paragraph":
            lines.append(text)
        elif b.kind in ("signature", "date"):
            lines.append(f"<p align=\"right\">{text}</p>")
    return "\n\n".join(lines) + "\n"
