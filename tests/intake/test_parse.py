"""Value parsing: the vectorised date pass agrees with the value-by-value parser."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.intake import parse
from chibo_analysis.schema import MEETINGS

SPELLINGS = [
    "03/01/2022", "31/12/2021", "29/02/2024", "29/02/2023", "31/02/2022", "00/01/2022",
    "2022-01-31", "2022-02-30", "2022-1-5", "3/1/2022", "03.01.2022", "03-01-2022",
    " 03/01/2022 ", "03/01/2022 08:30", "2022-01-03T08:30", "44927", "hôm qua", "13/13/2022",
]  # fmt: skip


def test_quick_dates_agree_with_the_value_by_value_parser():
    # (a date cell among day-first text with a day over 12 is a swapped_date: test_dates.py)
    raw = pd.Series(SPELLINGS + [44927], dtype=object)
    parsed = parse.parse_column(raw, MEETINGS.column("held_on"))
    for value, got, error in zip(raw, parsed.values, parsed.errors, strict=True):
        want, want_error = parse._date_one(value)
        assert error == want_error, value
        assert (pd.isna(got) and want is None) or got == want, value


def test_quick_dates_take_only_the_two_strict_spellings():
    uniques = np.array(["03/01/2022", "2022-01-31", "31/02/2022", "3/1/2022", 44927], dtype=object)
    dates, done = parse._quick_dates(uniques)
    assert done.tolist() == [True, True, False, False, False]
    assert [str(d)[:10] for d in dates[:2]] == ["2022-01-03", "2022-01-31"]


def test_a_yes_no_column_with_blanks_and_unreadable_values_is_a_nullable_boolean():
    # "Có" / "Không" (yes / no), a blank cell, and "hình như" (unreadable: blanked, reported)
    column = MEETINGS.column("superior_attended")
    raw = pd.Series(["Có", None, "Không", "yes", "hình như"], dtype=object)
    parsed = parse.parse_column(raw, column)
    assert str(parsed.values.dtype) == "boolean"
    assert parsed.values.tolist() == [True, pd.NA, False, True, pd.NA]
    assert parsed.errors.tolist()[:4] == [None] * 4 and parsed.errors.iloc[4] is not None
