"""党费: the monthly amount from the income brackets in force, and arrears per member.

Brackets and rates: 《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）. Monthly income is after tax
(the regulation's 工资总额 minus personal income tax and social insurance contributions); each bracket includes its
upper bound (3000 元 exactly pays 0.5 %).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

SOURCE = "《关于中国共产党党费收缴、使用和管理的规定》（中组发〔2008〕3号）"
CENT = Decimal("0.01")

# category → [(upper bound of monthly income, inclusive; None = no bound), rate]
BRACKETS: dict[str, list[tuple[Decimal | None, Decimal]]] = {
    "employed": [(Decimal(3000), Decimal("0.005")), (Decimal(5000), Decimal("0.01")),
                 (Decimal(10000), Decimal("0.015")), (None, Decimal("0.02"))],
    "retired": [(Decimal(5000), Decimal("0.005")), (None, Decimal("0.01"))],
}
FLAT = {"other": Decimal("0.20")}  # 学生、无固定收入：每月0.2元


def monthly_dues(income, category: str = "employed") -> Decimal:
    """The monthly 党费 for a monthly after-tax income (元), to the fen."""
    if category in FLAT:
        return FLAT[category]
    income = Decimal(str(income))
    for upper, rate in BRACKETS[category]:
        if upper is None or income <= upper:
            return (income * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    raise AssertionError("unreachable")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from ``first``'s month to ``last``'s month, inclusive."""
    out, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append(dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def longest_run(months: list[dt.date]) -> int:
    """The longest run of consecutive months in a sorted list of month starts."""
    best = run = 0
    prev = None
    for m in months:
        run = run + 1 if prev and (m.year * 12 + m.month) - (prev.year * 12 + prev.month) == 1 else 1
        best, prev = max(best, run), m
    return best
