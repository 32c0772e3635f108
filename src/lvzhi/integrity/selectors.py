"""Reads specific to clean-governance records: the rectification ledger's state (整改台账)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, IntegerField, Q, QuerySet, Value, When

from lvzhi.records.registry import ListState

from .models import RectificationStatus

OPEN = Q(status=RectificationStatus.OPEN)


def with_ledger_state(qs: QuerySet, today: dt.date) -> QuerySet:
    """Annotate rectifications with ``row_state`` and ``row_rank``: overdue (open, past deadline) first, then
    the other open ones, then the closed ones — those closed after their deadline marked as such."""
    overdue = OPEN & Q(deadline__lt=today)
    return qs.annotate(
        row_rank=Case(When(overdue, then=Value(0)), When(OPEN, then=Value(1)), default=Value(2),
                      output_field=IntegerField()),
        row_state=Case(
            When(overdue, then=Value("overdue")),
            When(OPEN, then=Value("open")),
            When(completed_on__gt=F("deadline"), then=Value("closed_late")),
            default=Value("closed"),
            output_field=CharField(),
        ),
    )


LEDGER_STATE = ListState(
    header="台账状态",
    annotate=with_ledger_state,
    labels={
        "overdue": ("逾期未完成", "late"),
        "open": ("整改中", "pending"),
        "closed_late": ("逾期后完成", "soon"),
        "closed": ("按期完成", "ok"),
    },
)
