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


def now() -> dt.datetime:
    """The moment for timestamps people read as "when" (定稿时间): the configured today at the present time of
    day when LVZHI_AS_OF pins it, so a finalised demo report is not dated years after its own report date."""
    current = timezone.localtime()
    pinned = getattr(settings, "LVZHI_AS_OF", "")
    if not pinned:
        return current
    return current.replace(year=today().year, month=today().month, day=today().day)
