"""Whether a figure may be zero: only when the unit (or a unit above it) declared its records of the type complete
for every year of the period, or a person marked the figure 已核实为零 (``RecordKeeping``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from .models import KeepingStatus, RecordKeeping


def _ancestor_paths(unit) -> list[str]:
    return [unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]


def zero_declared(record_type: str, metric_id: str, unit, start: dt.date, end: dt.date) -> RecordKeeping | None:
    """The declaration that lets this figure be 0 for the unit's subtree and period (the latest year's), or None."""
    years = set(range(start.year, end.year + 1))
    rows = list(RecordKeeping.objects.filter(unit__path__in=_ancestor_paths(unit), record_type=record_type,
                                             year__in=years)
                .filter(Q(metric="", status=KeepingStatus.KEPT) | Q(metric=metric_id))
                .order_by("-year", "-date"))
    if not rows or {r.year for r in rows} != years:
        return None
    return rows[0]
