"""Repeated page markup built in Python, as the template markup it replaces rendered it: one template loop step
costs ~10 variable lookups, a ``{% url %}`` a reverse(); the workbench's ~35 count cards and unit rows and a list's
50 rows were most of their pages' CPU (BENCHMARKS.md 4). Each builder names the markup it reproduces; the tests
compare them with it (tests/web/test_list_row_markup.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.template.defaultfilters import add
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # (not in the stubs)

_MARKER = 987654321  # an argument's place in a URL reversed once, filled per row


def out(value) -> str:
    """``{{ value }}`` in a template: local time, localised, escaped (a plain string: just escaped)."""
    if type(value) is str:
        return escape(value)
    return conditional_escape(localize(template_localtime(value)))


def url_pattern(name: str) -> str:
    """``reverse(name, args=[x])`` with x's place marked: ``.replace(str(_MARKER), str(x))`` per row."""
    return reverse(name, args=[_MARKER])


def fill(pattern: str, arg) -> str:
    return pattern.replace(str(_MARKER), str(arg))


def count_cards(counts: list[dict], year) -> SafeString:
    """home.html's ``{% for c in counts %}<a class="stat" href="{% url 'records:list' c.rt.key %}?year={{ year }}">
    <div class="n">{{ c.n }}</div><div class="l">{{ c.rt.verbose_name }}</div></a>{% endfor %}``."""
    y, pattern = out(year), url_pattern("records:list")
    return mark_safe("".join(
        f'<a class="stat" href="{conditional_escape(fill(pattern, c["rt"].key))}?year={y}">'
        f'<div class="n">{out(c["n"])}</div><div class="l">{out(c["rt"].verbose_name)}</div></a>' for c in counts))


def backfill_rows(backfilled: list[dict]) -> SafeString:
    """records/list.html's ``{% for b in backfilled %}<tr><td>{{ b.unit }}</td><td class="num">{{ b.n }}</td></tr>
    {% endfor %}`` (a row per unit: 300 on the province)."""
    return mark_safe("".join(f'<tr><td>{out(b["unit"])}</td><td class="num">{out(b["n"])}</td></tr>' for b in backfilled))


def unit_rows(tree: list[dict]) -> SafeString:
    """home.html's unit rows: ``{% for row in tree %}<tr><td style="padding-left:{{ row.indent|add:1 }}em">
    <a href="{% url 'org:unit' row.unit.pk %}">{{ row.unit.name }}</a></td>⏎    <td>{{ row.unit.get_kind_display }} ·
    {{ row.unit.get_category_display }}</td><td class="num">{{ row.branches }}</td><td class="num">{{ row.members }}
    </td></tr>{% endfor %}``."""
    pattern = url_pattern("org:unit")
    parts = []
    for row in tree:
        unit = row["unit"]
        parts.append(
            f'<tr><td style="padding-left:{out(add(row["indent"], 1))}em"><a href="{conditional_escape(fill(pattern, unit.pk))}">'
            f'{out(unit.name)}</a></td>\n    <td>{out(unit.get_kind_display())} · {out(unit.get_category_display())}</td>'
            f'<td class="num">{out(row["branches"])}</td><td class="num">{out(row["members"])}</td></tr>')
    return mark_safe("".join(parts))


_LEAVES = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, Decimal})  # their repr says it all
_RENDERED_KEPT = 64
_rendered: OrderedDict[str, SafeString] = OrderedDict()
_rendered_guard = threading.Lock()


def _plain_key(value) -> Any:
    """``value`` as plain data whose repr holds everything a template can read of it, or raise TypeError for
    anything else (a model object's repr does not hold what a template may read of it)."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    if kind is dict:
        if not all(type(k) in _LEAVES for k in value):
            raise TypeError("dict key")
        return {k: _plain_key(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return kind(_plain_key(v) for v in value)
    if kind is SafeString:  # shown unescaped: not the same as the plain string
        return ("safe", str.__str__(value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind.__qualname__, tuple((f.name, _plain_key(getattr(value, f.name)))
                                         for f in dataclasses.fields(value)))
    raise TypeError(kind.__name__)


def rendered(template_name: str, context: dict) -> SafeString:
    """``render_to_string(template_name, context)`` (no request: the fragment reads only ``context``), reused for
    the same template and the same values — the report page's evidence and suggestions, ~250 list items a
    request, are the same until the records change. A context holding other than plain data is rendered as is."""
    try:
        key = hashlib.sha256(repr((template_name, _plain_key(context))).encode()).hexdigest()
    except TypeError:
        return mark_safe(render_to_string(template_name, context))
    with _rendered_guard:
        found = _rendered.get(key)
    if found is not None:
        return found
    html = mark_safe(render_to_string(template_name, context))
    with _rendered_guard:
        _rendered[key] = html
        while len(_rendered) > _RENDERED_KEPT:
            _rendered.popitem(last=False)
    return html
