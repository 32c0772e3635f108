"""Working days from the maintained Chinese holiday calendar (``chinesecalendar``: public holidays and 调休).

The library knows the years the State Council has published; for any other year the count falls back to Monday
to Friday and says so, so a publicity period is never judged on a calendar silently missing its holidays.
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def working_days(start: dt.date, end: dt.date) -> tuple[int, list[int]]:
    """Working days in [start, end], and the years the calendar does not cover (counted Monday–Friday)."""
    n, uncovered = 0, list[int]()
    if start > end:
        return n, uncovered
    for year in range(start.year, end.year + 1):
        running, covered = _running_count(year)
        first = (start if year == start.year else dt.date(year, 1, 1)).timetuple().tm_yday
        last = (end if year == end.year else dt.date(year, 12, 31)).timetuple().tm_yday
        n += running[last] - running[first - 1]
        if not covered:
            uncovered.append(year)
    return n, uncovered


@functools.lru_cache(maxsize=32)
def _running_count(year: int) -> tuple[tuple[int, ...], bool]:
    """The working days of ``year`` up to each day of it (index: day of the year; 0 before the first), and whether
    the calendar covers the year. A whole check asks for ~24,000 periods of a few weeks: day by day through the
    library that was 358,000 calls and ~5 s of the central scale's check."""
    running, n, covered = [0], 0, True
    day = dt.date(year, 1, 1)
    while day.year == year:
        try:
            n += chinese_calendar.is_workday(day)
        except NotImplementedError:
            covered = False
            n += day.weekday() < 5
        running.append(n)
        day += ONE_DAY
    return tuple(running), covered


def uncovered_warning(years: list[int]) -> str:
    if not years:
        return ""
    names = "、".join(f"{y}年" for y in years)
    return f"（节假日日历未收录{names}，按周一至周五计算，请核对当年放假安排）"
