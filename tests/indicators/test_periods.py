"""Periods: a year, a quarter, a range of years."""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.indicators.periods import Period, parse_period


@pytest.mark.parametrize(
    "text, start, end, n_months, n_quarters, label",
    [
        ("2022", "2022-01-01", "2022-12-31", 12, 4, "2022"),
        (2022, "2022-01-01", "2022-12-31", 12, 4, "2022"),
        ("2022Q3", "2022-07-01", "2022-09-30", 3, 1, "2022Q3"),
        ("2022q1", "2022-01-01", "2022-03-31", 3, 1, "2022Q1"),
        ("2024Q1", "2024-01-01", "2024-03-31", 3, 1, "2024Q1"),  # leap year, same bounds
        ("2020-2025", "2020-01-01", "2025-12-31", 72, 24, "2020-2025"),
        (" 2021 - 2022 ", "2021-01-01", "2022-12-31", 24, 8, "2021-2022"),
        ("2022-2022", "2022-01-01", "2022-12-31", 12, 4, "2022"),  # a one-year range is the year
    ],
)
def test_parse(text, start, end, n_months, n_quarters, label):
    p = parse_period(text)
    assert (p.start, p.end) == (pd.Timestamp(start), pd.Timestamp(end))
    assert len(p.months) == n_months and len(p.quarters) == n_quarters
    assert p.label == label == str(p)


def test_months_and_quarters_are_first_days():
    p = parse_period("2022Q4")
    assert list(p.months.strftime("%Y-%m-%d")) == ["2022-10-01", "2022-11-01", "2022-12-01"]
    assert list(p.quarters.strftime("%Y-%m-%d")) == ["2022-10-01"]
    assert p.year_start == pd.Timestamp("2022-01-01")


def test_period_passes_through():
    p = parse_period("2022Q2")
    assert parse_period(p) is p and isinstance(p, Period)


@pytest.mark.parametrize(
    "bad", ["", "22", "2022Q0", "2022Q5", "2025-2020", "2022-13", "Q3 2022", "abc"]
)
def test_bad_periods_name_the_value(bad):
    with pytest.raises(ParameterError, match=f"period='{bad}'"):
        parse_period(bad)


def test_a_bad_period_says_what_is_allowed():
    with pytest.raises(ParameterError) as err:
        parse_period("2022/3")
    assert str(err.value) == (
        "period='2022/3' is not allowed; expected a year ('2022'), a quarter ('2022Q3') "
        "or a range of years ('2020-2025')"
    )
