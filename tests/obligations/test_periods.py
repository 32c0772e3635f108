"""Period conventions: Monday weeks belong to the year of their Monday; calendar months, quarters, years."""

import datetime as dt

import pytest

from lvzhi.obligations.periods import period_of, periods_between, year_range

D = dt.date


@pytest.mark.parametrize("year, weeks, first, last", [
    (2022, 52, D(2022, 1, 3), D(2022, 12, 26)),
    (2021, 52, D(2021, 1, 4), D(2021, 12, 27)),
    (2024, 53, D(2024, 1, 1), D(2024, 12, 30)),  # leap year starting on a Monday
    (2018, 53, D(2018, 1, 1), D(2018, 12, 31)),
])
def test_weeks_are_the_mondays_of_the_year(year, weeks, first, last):
    periods = periods_between("week", *year_range(year))
    assert len(periods) == weeks
    assert periods[0].start == first and periods[-1].start == last
    assert periods[0].key == f"{year}-W01" and periods[-1].end == last + dt.timedelta(days=6)


def test_days_around_new_year_fall_into_the_week_of_their_monday():
    assert period_of("week", D(2022, 1, 1)).key == "2021-W52"  # a Saturday: its Monday is 2021-12-27
    assert period_of("week", D(2022, 1, 2)).key == "2021-W52"
    assert period_of("week", D(2022, 1, 3)).key == "2022-W01"
    assert period_of("week", D(2023, 1, 1)).key == "2022-W52"  # Sunday ending 2022's last week


@pytest.mark.parametrize("day, cadence, start, end, key", [
    (D(2024, 2, 29), "month", D(2024, 2, 1), D(2024, 2, 29), "2024-02"),
    (D(2023, 2, 28), "month", D(2023, 2, 1), D(2023, 2, 28), "2023-02"),
    (D(2022, 12, 31), "month", D(2022, 12, 1), D(2022, 12, 31), "2022-12"),
    (D(2022, 3, 31), "quarter", D(2022, 1, 1), D(2022, 3, 31), "2022-Q1"),
    (D(2022, 4, 1), "quarter", D(2022, 4, 1), D(2022, 6, 30), "2022-Q2"),
    (D(2022, 12, 31), "quarter", D(2022, 10, 1), D(2022, 12, 31), "2022-Q4"),
    (D(2022, 6, 30), "half_year", D(2022, 1, 1), D(2022, 6, 30), "2022-H1"),
    (D(2022, 7, 1), "half_year", D(2022, 7, 1), D(2022, 12, 31), "2022-H2"),
    (D(2024, 2, 29), "two_months", D(2024, 1, 1), D(2024, 2, 29), "2024-B1"),
    (D(2022, 12, 1), "two_months", D(2022, 11, 1), D(2022, 12, 31), "2022-B6"),
    (D(2022, 12, 31), "year", D(2022, 1, 1), D(2022, 12, 31), "2022"),
])
def test_calendar_periods(day, cadence, start, end, key):
    p = period_of(cadence, day)
    assert (p.start, p.end, p.key) == (start, end, key)
    assert p.contains(day)


def test_periods_of_a_year_by_cadence():
    counts = {c: len(periods_between(c, *year_range(2022)))
              for c in ("month", "two_months", "quarter", "half_year", "year")}
    assert counts == {"month": 12, "two_months": 6, "quarter": 4, "half_year": 2, "year": 1}


def test_a_range_starting_mid_period_skips_the_partial_period():
    months = periods_between("month", D(2022, 3, 10), D(2022, 6, 30))
    assert [p.key for p in months] == ["2022-04", "2022-05", "2022-06"]


def test_labels_are_chinese():
    assert period_of("quarter", D(2022, 8, 1)).label == "2022年三季度"
    assert period_of("week", D(2022, 1, 5)).label == "2022年第1周（1月3日—1月9日）"
    assert period_of("month", D(2022, 5, 1)).label == "2022年5月"
