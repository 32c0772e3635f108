"""Working days between two dates, counted from each year's running count, equal the count day by day through the
holiday calendar — across 调休 weekends, new years, leap days and years the calendar does not know."""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from lvzhi.membership.workdays import working_days


def _day_by_day(start: dt.date, end: dt.date) -> tuple[int, list[int]]:
    n, uncovered, day = 0, [], start
    while day <= end:
        try:
            n += chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in uncovered:
                uncovered.append(day.year)
            n += day.weekday() < 5
        day += dt.timedelta(days=1)
    return n, uncovered


@settings(max_examples=300, deadline=None)
@given(start=st.dates(dt.date(2003, 1, 1), dt.date(2031, 12, 31)), days=st.integers(-5, 800))
def test_equals_the_count_day_by_day(start, days):
    end = start + dt.timedelta(days=days)
    assert working_days(start, end) == _day_by_day(start, end)


def test_known_periods():
    # 2024 National Day: 1–7 October off, Sunday 29 September and Saturday 12 October worked (调休): 29, 30 Sep,
    # 8–12 Oct
    assert working_days(dt.date(2024, 9, 28), dt.date(2024, 10, 13)) == (7, [])
    assert working_days(dt.date(2024, 2, 29), dt.date(2024, 2, 29)) == (1, [])
    assert working_days(dt.date(2024, 3, 2), dt.date(2024, 3, 1)) == (0, [])
