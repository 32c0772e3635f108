""""Today" for pages and defaults. LVZHI_AS_OF pins it (the demo company lives in January 2023, just after the
year its report covers); otherwise it is the real date in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone


def today() -> dt.date:
    pinned = getattr(settings, "LVZHI_AS_OF", "")
    if pinned:
        return dt.date.fromisoformat(str(pinned))
    return timezone.localdate()


def working_year(day: dt.date | None = None) -> int:
    """The year people are working on: last year until the end of February (reports and checks of the closed
    year), this year afterwards."""
    day = day or today()
    return day.year if day.month > 2 else day.year - 1


def year_choices(span_from: int = 2018) -> range:
    return range(today().year, span_from - 1, -1)
