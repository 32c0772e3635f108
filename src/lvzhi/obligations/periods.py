"""Periods of each cadence, and how a record's date falls into one.

Conventions (RULES.md): weeks start on Monday and belong to the year their Monday lies in (2022 has 52: Jan 3 …
Dec 26); two-month periods, quarters, half-years and years are calendar ones. The database groups records by
the Trunc* bucket named in ``TRUNC`` (weeks by Monday, the rest by month/quarter/year); ``period_of`` maps a
bucket (or any date) to its period in Python, which also merges months into two-month periods and quarters into
half-years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek, TruncYear

CN_NUM = "〇一二三四"

TRUNC = {
    "week": TruncWeek,
    "month": TruncMonth,
    "two_months": TruncMonth,
    "quarter": TruncQuarter,
    "half_year": TruncQuarter,
    "year": TruncYear,
}


@dataclass(frozen=True, slots=True)
class Period:
    cadence: str
    start: dt.date
    end: dt.date
    key: str  # sortable and unique per cadence: 2022-W01, 2022-05, 2022-B3, 2022-Q3, 2022-H1, 2022, 2022-05-17
    label: str  # 2022年第1周（1月3日—1月9日）, 2022年5月 …
    short: str  # column header in a matrix: 1 (week number), 5月, 三季度 …

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def period_of(cadence: str, day: dt.date) -> Period:
    """The period of ``cadence`` that contains ``day``."""
    y, m = day.year, day.month
    if cadence == "week":
        monday = day - dt.timedelta(days=day.weekday())
        first = _first_monday(monday.year)
        n = (monday - first).days // 7 + 1
        sunday = monday + dt.timedelta(days=6)
        return Period("week", monday, sunday, f"{monday.year}-W{n:02d}",
                      f"{monday.year}年第{n}周（{monday.month}月{monday.day}日—{sunday.month}月{sunday.day}日）",
                      str(n))
    if cadence == "month":
        return Period("month", dt.date(y, m, 1), _month_end(y, m), f"{y}-{m:02d}", f"{y}年{m}月", f"{m}月")
    if cadence == "two_months":
        first = m - (m - 1) % 2
        n = (first + 1) // 2
        return Period("two_months", dt.date(y, first, 1), _month_end(y, first + 1), f"{y}-B{n}",
                      f"{y}年{first}—{first + 1}月", f"{first}—{first + 1}月")
    if cadence == "quarter":
        q = (m - 1) // 3 + 1
        return Period("quarter", dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q), f"{y}-Q{q}",
                      f"{y}年{CN_NUM[q]}季度", f"{CN_NUM[q]}季度")
    if cadence == "half_year":
        h = 1 if m <= 6 else 2
        name = "上半年" if h == 1 else "下半年"
        return Period("half_year", dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h), f"{y}-H{h}", f"{y}年{name}", name)
    if cadence == "year":
        return Period("year", dt.date(y, 1, 1), dt.date(y, 12, 31), f"{y}", f"{y}年", f"{y}年")
    if cadence == "event":
        return event_period(day)
    raise ValueError(f"unknown cadence {cadence!r}")


def event_period(day: dt.date) -> Period:
    """An event's own day, as a period (the event rules judge each record on its date)."""
    return Period("event", day, day, day.isoformat(), f"{day.year}年{day.month}月{day.day}日", f"{day.month}月{day.day}日")


def _first_monday(year: int) -> dt.date:
    jan1 = dt.date(year, 1, 1)
    return jan1 + dt.timedelta(days=(7 - jan1.weekday()) % 7)


def periods_between(cadence: str, start: dt.date, end: dt.date) -> list[Period]:
    """Every period of ``cadence`` that starts within [start, end] (weeks: whose Monday lies there)."""
    out: list[Period] = []
    if cadence == "week":
        day = start + dt.timedelta(days=(7 - start.weekday()) % 7)
        while day <= end:
            out.append(period_of("week", day))
            day += dt.timedelta(days=7)
        return out
    p = period_of(cadence, start)
    if p.start < start:
        p = period_of(cadence, p.end + dt.timedelta(days=1))
    while p.start <= end:
        out.append(p)
        p = period_of(cadence, p.end + dt.timedelta(days=1))
    return out


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
