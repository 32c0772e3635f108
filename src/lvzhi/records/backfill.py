"""补录: a record entered long after the day it records (entry date vs event date). Honest records rather than
staged ones: lists mark them and count them per unit. The threshold is settings.BACKFILL_DAYS (LVZHI_BACKFILL_DAYS).

A record whose entry date lies after the configured "today" (the demo company, loaded now but pinned to January
2023 by LVZHI_AS_OF) gets no verdict: its entry date says nothing about that time."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable

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


def counted(rt) -> bool:
    """Lists of this type count their 补录 per unit (beside the total: ``list_counts``)."""
    return applies(rt) and bool(rt.unit_field)


@reused("records.list_counts")
def list_counts(rt, qs, today: dt.date, unit=None) -> dict:
    """A list's total and how many of its rows are 补录 per unit (most first) — ``{"total": n, "backfilled":
    [{"unit": name, "n": k}, …]}`` — counted together in one grouped query: after a write the list recounted the
    written company's rows twice (its total, then its 补录). ``unit``: the rows are those of its subtree — counted
    per piece of it (``web.pieces``), so a write recounts its own company's rows only. Types that do not
    ``counted`` have no 补录: their total is ``web.totals.count``."""
    at, named = f"{rt.unit_field}__path", f"{rt.unit_field}__name"
    late = Count("pk", filter=condition(rt, today))

    def grouped(rows, piece: Callable[[str], object]) -> dict:
        out: dict = {}
        for path, unit_name, n, k in (annotate(rows, rt).order_by().values(at, named)
                                      .annotate(n=Count("pk"), late=late).values_list(at, named, "n", "late")):
            total, names = out.get(key := piece(path), (0, {}))
            if k:
                names[unit_name] = names.get(unit_name, 0) + k
            out[key] = (total + n, names)
        return out

    def by_piece(paths: list[str], whole: bool) -> dict[str, tuple[int, dict[str, int]]]:
        rows = pieces.narrowed(qs, rt.unit_field, unit, paths, whole)
        found = grouped(rows, lambda path: pieces.piece_of(unit, path))
        return {path: found.get(path, (0, {})) for path in paths}

    parts = (pieces.per_piece("records.list_counts.piece", (key_part(rt), key_part(qs), today), unit, by_piece)
             if unit is not None and unit.numchild else None)
    if parts is None:
        parts = list(grouped(qs, lambda path: None).values())
    counts: Counter[str] = Counter()
    for _, names in parts:
        counts.update(names)  # units of the same name are one line, as in one grouped query
    most_first = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {"total": sum(total for total, _ in parts), "backfilled": [{"unit": name, "n": n} for name, n in most_first]}
