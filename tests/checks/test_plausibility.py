"""Dates that exist but are hardly true, at their boundary days (issue 14)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from chibo_analysis.checks.plausibility import implausible_dates


def _members(birth: str, admitted: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "member_id": ["a"],
            "birth_date": pd.to_datetime([birth]),
            "admitted_on": pd.to_datetime([admitted]),
            "_file": "members.csv",
            "_sheet": "",
            "_row": [2],
        }  # fmt: skip
    )


@pytest.mark.parametrize(
    ("admitted", "flagged"),
    [
        ("2016-02-29", True),  # born 01/03/2000: the day before the 16th birthday
        ("2016-03-01", False),  # the 16th birthday itself
        ("2016-03-02", False),
    ],
)
def test_admitted_before_the_sixteenth_birthday(admitted, flagged):
    found = implausible_dates({"members": _members("2000-03-01", admitted)}, dt.date(2026, 1, 1))
    rows = [f[["column", "value"]].values.tolist() for f in found]
    assert rows == ([[["admitted_on", "29/02/2016 (01/03/2000)"]]] if flagged else [])


@pytest.mark.parametrize(
    ("held_on", "flagged"),
    [
        ("1929-12-31", True),  # before 1930
        ("1930-01-01", False),
        ("2027-01-01", False),  # a year from "today" (01/01/2026) is still plausible
        ("2027-01-02", True),  # more than a year ahead
    ],
)
def test_dates_from_1930_to_a_year_ahead(held_on, flagged):
    meetings = pd.DataFrame({"meeting_id": ["S1"], "held_on": pd.to_datetime([held_on]),
                             "_file": "meetings.csv", "_sheet": "", "_row": [2]})  # fmt: skip
    found = implausible_dates({"meetings": meetings}, dt.date(2026, 1, 1))
    assert [f["row"].tolist() for f in found] == ([[2]] if flagged else [])


@pytest.mark.parametrize(
    ("birth", "flagged"),
    [("1899-12-31", True), ("1900-01-01", False), ("2026-01-01", False), ("2026-01-02", True)],
)
def test_birth_dates_from_1900_to_today(birth, flagged):
    members = _members(birth, "2000-01-01").drop(columns="admitted_on")
    found = implausible_dates({"members": members.assign(admitted_on=pd.NaT)}, dt.date(2026, 1, 1))
    assert [f["column"].tolist() for f in found] == ([["birth_date"]] if flagged else [])
