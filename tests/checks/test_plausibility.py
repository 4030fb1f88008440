"""Dates that exist but are hardly true (issue 10: a meeting in 2099 is not kept without a word)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from conftest import replace_in

from chibo_analysis.checks.plausibility import implausible_dates
from chibo_analysis.commands.cli import main


def _meetings(*dates: str) -> dict[str, pd.DataFrame]:
    n = len(dates)
    return {
        "meetings": pd.DataFrame(
            {
                "meeting_id": [f"S{i}" for i in range(1, n + 1)],
                "held_on": pd.to_datetime(list(dates)),
                "_file": ["meetings.csv"] * n,
                "_sheet": [""] * n,
                "_row": list(range(2, n + 2)),
            }
        )
    }


def test_a_meeting_more_than_a_year_ahead_is_warned_from_the_day_after():
    # today held at 30/11/2026: the last plausible day is 30/11/2027 (today + 1 year)
    today = dt.date(2026, 11, 30)
    tables = _meetings("2027-11-30", "2027-12-01", "2099-01-05", "1929-12-31", "1930-01-01")
    (issues,) = implausible_dates(tables, today)
    assert issues[["row", "column", "value", "code", "severity", "action"]].values.tolist() == [
        [3, "held_on", "01/12/2027", "implausible_date", "warning", "kept"],
        [4, "held_on", "05/01/2099", "implausible_date", "warning", "kept"],
        [5, "held_on", "31/12/1929", "implausible_date", "warning", "kept"],
    ]


def test_a_meeting_in_2099_is_listed_by_validate(clean_dir, capsys):
    # meetings.csv row 3 is S2, held 05/02/2022; typed 2099
    replace_in(clean_dir / "meetings.csv", "S2,CB1,05/02/2022", "S2,CB1,05/02/2099")
    assert main(["validate", str(clean_dir), "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "[warning] implausible_date — meetings: 1" in out
    assert "meetings.csv, row 3, held_on = '05/02/2099'" in out
