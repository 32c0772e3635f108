"""补录: a record entered long after the day it records (entry date vs event date). Honest records rather than
staged ones: lists mark them and count them per unit. The threshold is settings.BACKFILL_DAYS (LVZHI_BACKFILL_DAYS).

A record whose entry date lies after the configured "today" (the demo company, loaded now but pinned to January
2023 by LVZHI_AS_OF) gets no verdict: its entry date says nothing about that time."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter

from django.db.models import Count, DateField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from lvzhi.web import pieces
from lvzhi.web.datacache import key_part, reused

from .advice import backfill_days


def applies(rt) -> bool:
    """Records with a date of their own and an entry time."""
    return _applies(rt.model, rt.date_field)


@functools.cache
def _applies(model, date_field) -> bool:  # asked per listed row: the model's fields do not change
    fields = {f.name for f in model._meta.get_fields()}
    return bool(date_field) and date_field in fields and "created_at" in fields


def annotate(qs, rt):
    """The queryset with ``entered_on`` (the entry date, in the site's time zone)."""
    return qs.annotate(entered_on=TruncDate("created_at"))


def condition(rt, today: dt.date) -> Q:
    limit = ExpressionWrapper(F(rt.date_field) + dt.timedelta(days=backfill_days()), output_field=DateField())
    return Q(entered_on__gt=limit, entered_on__lte=today)


def is_backfill(rt, obj, today: dt.date) -> bool:
    day = getattr(obj, rt.date_field, None) if applies(rt) else None
    created = getattr(obj, "created_at", None)
    if day is None or created is None:
        return False
    from django.utils import timezone

    entered = timezone.localdate(created) if timezone.is_aware(created) else created.date()
    if isinstance(day, dt.datetime):
        day = day.date()
    return (entered - day).days > backfill_days() and entered <= today


@reused("records.backfill")
def per_unit(rt, qs, today: dt.date, unit=None) -> list[dict]:
    """How many of ``qs`` are 补录, per unit (most first). ``unit``: the rows are those of its subtree — counted
    per piece of it (``web.pieces``), so a write recounts its own company's rows only."""
    if not applies(rt) or not rt.unit_field:
        return []
    counts: Counter[str] = Counter()
    named = f"{rt.unit_field}__name"

    def grouped(paths: list[str], whole: bool) -> dict[str, dict[str, int]]:
        at = f"{rt.unit_field}__path"
        rows = (annotate(pieces.narrowed(qs, rt.unit_field, unit, paths, whole), rt).filter(condition(rt, today)).order_by()
                .values(at, named).annotate(n=Count("pk")).values_list(at, named, "n"))
        out: dict[str, Counter[str]] = {path: Counter() for path in paths}
        for path, unit_name, n in rows:
            out[pieces.piece_of(unit, path)][unit_name] += n
        return {path: dict(counts) for path, counts in out.items()}

    parts = (pieces.per_piece("records.backfill.piece", (key_part(rt), key_part(qs), today), unit, grouped)
             if unit is not None and unit.numchild else None)
    for part in parts if parts is not None else [_per_unit(rt, qs, today)]:
        counts.update(part)  # units of the same name are one line, as in one grouped query
    return [{"unit": name, "n": n} for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _per_unit(rt, qs, today: dt.date) -> dict[str, int]:
    rows = (annotate(qs, rt).filter(condition(rt, today)).order_by()
            .values(f"{rt.unit_field}__name").annotate(n=Count("pk")))
    return {r[f"{rt.unit_field}__name"]: r["n"] for r in rows}
