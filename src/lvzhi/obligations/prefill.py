"""From a late or due cell to the form that fills it: the record type the rule counts, with the subject (branch,
unit, person), the rule's record conditions (e.g. 活动类别 = 支委会) and a date inside the cell's period filled
in, and the page to return to after saving."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse

from lvzhi.records import cells, registry

from . import conditions
from .engine import Cell


def _ref_label(model, pk) -> str:
    obj = model.objects.filter(pk=pk).first() if pk else None
    return cells.ref_label(obj) if obj is not None else ""


def entry_values(c: Cell, today: dt.date) -> dict[str, str] | None:
    """The form values a record satisfying ``c`` starts with (as the form writes them), or None when the rule
    has no record type to enter (a structure check) or its subject is itself a record (an event)."""
    rule = c.rule
    if not rule.record_type or c.subject.record_type:
        return None
    try:
        rt = registry.get(rule.record_type)
    except LookupError:
        return None
    columns = {col.field: col for col in rt.columns}
    values: dict[str, str] = {}
    try:
        wanted = conditions.parse(rule.record_filter)
        pairs = rule.link_pairs
    except ValueError:
        return None
    for key, value in wanted.items():
        field = key.split("__")[0]
        if field not in columns or "__" in key and not key.endswith("__in"):
            continue
        value = value[0] if isinstance(value, list) else value
        if cells.kind_of(rt, columns[field]) == "choice":
            value = dict(rt.model_field(field).flatchoices).get(value, value)
        elif value is True:
            continue
        values[field] = str(value)
    for field, attr in pairs:
        if field not in columns:
            continue
        pk = c.subject.pk if attr == "pk" else c.subject.attrs.get(attr)
        label = _ref_label(cells.related_model(rt, columns[field]), pk)
        if label:
            values[field] = label
    if rt.date_field and rt.date_field in columns:
        day = min(max(today, c.period.start), c.period.end)
        values[rt.date_field] = day.isoformat()
    return values


def entry_url(c: Cell, today: dt.date, back: str = "") -> str | None:
    """The new-record form for ``c``; ``back`` is where saving returns to (the page the user came from)."""
    values = entry_values(c, today)
    if values is None:
        return None
    query = {**values, "for_rule": c.rule.name, "for_period": c.period.label}
    if back:
        query["next"] = back
    return f"{reverse('records:new', args=[c.rule.record_type])}?{urlencode(query)}"
