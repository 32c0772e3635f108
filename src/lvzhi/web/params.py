"""Reading ids, years and dates from a query string or a form, where anyone may type anything.

A malformed or absurd value (``?unit=abc``, ``?year=²``, ``?as_of=9999-12-31``) reads as "not given", so pages fall
back to their defaults instead of failing with a server error.
"""

from __future__ import annotations

import datetime as dt

FIRST_YEAR, LAST_YEAR = 1900, 2999  # dates far outside these overflow the period arithmetic of checks and metrics
MAX_ID = 2**63 - 1  # the largest database id; a longer number is no id at all


def int_param(value, *, low: int = 1, high: int = MAX_ID) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit():  # "²".isdigit() is true, but int("²") fails
        return None
    number = int(text)
    return number if low <= number <= high else None


def year_param(value) -> int | None:
    return int_param(value, low=FIRST_YEAR, high=LAST_YEAR)


def date_param(value) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
