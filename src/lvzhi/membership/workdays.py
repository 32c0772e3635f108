"""Working days from the maintained Chinese holiday calendar (``chinesecalendar``: public holidays and 调休).

The library knows the years the State Council has published; for any other year the count falls back to Monday
to Friday and says so, so a publicity period is never judged on a calendar silently missing its holidays.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

ONE_DAY = dt.timedelta(days=1)


def working_days(start: dt.date, end: dt.date) -> tuple[int, list[int]]:
    """Working days in [start, end], and the years the calendar does not cover (counted Monday–Friday)."""
    n, uncovered = 0, []
    day = start
    while day <= end:
        try:
            n += chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in uncovered:
                uncovered.append(day.year)
            n += day.weekday() < 5
        day += ONE_DAY
    return n, uncovered


def uncovered_warning(years: list[int]) -> str:
    if not years:
        return ""
    names = "、".join(f"{y}年" for y in years)
    return f"（节假日日历未收录{names}，按周一至周五计算，请核对当年放假安排）"
