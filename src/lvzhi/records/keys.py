"""Keys a person can read for any record, for outputs that must not carry database ids (check results in JSON
and Excel): a code (JH01-P03, P000123), a number (JC-2022-0012, DW-JH01/2022-05), or — for records that no sheet
refers to — the natural key written out (ZB-JH01-P03-B01/支部委员会/2022-03-10/研究发展党员工作)."""

from __future__ import annotations

import datetime as dt

from . import cells, registry
from .registry import RecordType
from .selectors import with_related


def _text(rt: RecordType, obj, name: str) -> str:
    f = rt.model_field(name)
    if f.many_to_many:
        return cells.MANY_SEP.join(getattr(o, "code", None) or str(o) for o in getattr(obj, name).all())
    value = getattr(obj, name)
    if f.is_relation:
        if value is None:
            return ""
        target = registry.for_model(type(value))
        return record_key(target, value) if target is not None else str(value)
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


def record_key(rt: RecordType, obj) -> str:
    names = rt.ref_key or rt.natural_key
    if not names:
        return str(obj)
    return cells.KEY_SEP.join(_text(rt, obj, n) for n in names)


def keys_for(rt: RecordType, ids) -> dict[int, str]:
    """{id: key} for records of ``rt`` — one query per 900 ids (plus one per many-to-many in the key)."""
    ids = sorted(set(ids))
    out: dict[int, str] = {}
    names = rt.ref_key or rt.natural_key
    m2m = [n for n in names if rt.model_field(n).many_to_many]
    for i in range(0, len(ids), 900):
        qs = with_related(rt, rt.model._default_manager.filter(pk__in=ids[i:i + 900]))
        if m2m:
            qs = qs.prefetch_related(*m2m)
        out.update((o.pk, record_key(rt, o)) for o in qs)
    return out
