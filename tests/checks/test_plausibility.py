"""Dates that exist but are hardly true, at their boundary days (issue 14), and a meeting in 2099
(issue 10: not kept without a word)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
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


def test_an_empty_table_does_not_stop_the_search():
    # organisations come first and are empty: the meeting in 2099 is still found
    tables = {"organisations": pd.DataFrame(), **_meetings("2099-01-05")}
    found = implausible_dates(tables, dt.date(2026, 11, 30))
    assert [f[["table", "row", "value"]].values.tolist() for f in found] == [
        [["meetings", 2, "05/01/2099"]]
    ]


def test_messages_of_a_birth_date_and_of_a_young_admission():
    # born 02/01/2026, a day after "today" (01/01/2026), admitted 01/01/2000: before birth,
    # so also before the 16th birthday
    found = implausible_dates(
        {"members": _members("2026-01-02", "2000-01-01")}, dt.date(2026, 1, 1)
    )
    rows = [f[["table", "column", "message_en", "message_vi"]].values.tolist() for f in found]
    assert rows == [
        [["members", "birth_date", "birth date before 1900 or in the future",
          "ngày sinh trước năm 1900 hoặc sau ngày hôm nay"]],
        [["members", "admitted_on", "admitted_on: before the member's 16th birthday",
          "Ngày vào Đảng: trước khi đảng viên đủ 16 tuổi"]],
    ]  # fmt: skip
