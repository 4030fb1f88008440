"""Dates that exist but are hardly true: warnings, the records stay.

- any date but a birth date before 1930 or more than a year after today (a meeting
  in 2099 is a typing slip; the Party's records here start after 1930);
- a birth date before 1900 or after today;
- an admission before the member's sixteenth birthday (DOMAIN: admission age).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from chibo_analysis.problems import make_issues
from chibo_analysis.schema import TABLES

EARLIEST = pd.Timestamp("1930-01-01")
EARLIEST_BIRTH = pd.Timestamp("1900-01-01")
ADMISSION_AGE = 16


def implausible_dates(
    tables: dict[str, pd.DataFrame], today: dt.date | None = None
) -> list[pd.DataFrame]:
    """``implausible_date`` warnings for every table's date columns (see the module).

    Examples
    --------
    >>> m = pd.DataFrame({"meeting_id": ["S1"], "held_on": pd.to_datetime(["2099-01-05"]),
    ...                   "_file": ["meetings.csv"], "_sheet": [""], "_row": [2]})
    >>> implausible_dates({"meetings": m}, dt.date(2026, 11, 30))[0][["row", "column"]].values.tolist()
    [[2, 'held_on']]
    """
    now = pd.Timestamp(today or dt.date.today())
    latest = now + pd.DateOffset(years=1)
    out = []
    for name, frame in tables.items():
        if frame is None or frame.empty:
            continue
        for column in TABLES[name].columns:
            if column.kind != "date" or column.name not in frame:
                continue
            values = frame[column.name]
            if column.name == "birth_date":
                bad = (values < EARLIEST_BIRTH) | (values > now)
                en = "birth date before 1900 or in the future"
                vi = "ngày sinh trước năm 1900 hoặc sau ngày hôm nay"
            else:
                bad = (values < EARLIEST) | (values > latest)
                en = f"{column.name}: before 1930 or more than a year from today; check the year"
                vi = f"{column.vi}: trước năm 1930 hoặc quá một năm kể từ hôm nay; kiểm tra lại năm"
            bad = bad.fillna(False).astype(bool)
            if bad.any():
                rows = frame[bad]
                text = rows[column.name].dt.strftime("%d/%m/%Y")
                out.append(make_issues(rows, name, "implausible_date", column.name, text, en, vi))
    members = tables.get("members")
    if members is not None and not members.empty:
        sixteen = members["birth_date"] + pd.DateOffset(years=ADMISSION_AGE)
        young = (members["admitted_on"] < sixteen).fillna(False).astype(bool)
        if young.any():
            rows = members[young]
            text = (
                rows["admitted_on"].dt.strftime("%d/%m/%Y")
                + " (" + rows["birth_date"].dt.strftime("%d/%m/%Y") + ")"
            )  # fmt: skip
            out.append(
                make_issues(
                    rows, "members", "implausible_date", "admitted_on", text,
                    f"admitted_on: before the member's {ADMISSION_AGE}th birthday",
                    f"Ngày vào Đảng: trước khi đảng viên đủ {ADMISSION_AGE} tuổi",
                )
            )  # fmt: skip
    return out
