"""Rules shared by the checks and the indicators, on values worked out by hand (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.rules import is_status, month_number


def test_month_number_keeps_the_index_and_counts_months():
    # 2022-01-31 -> 2022 * 12 + 0 = 24264; 1970-01-01 -> 23640; empty stays empty
    dates = pd.Series(pd.to_datetime(["2022-01-31", "1970-01-01", None]), index=[5, 7, 9])
    got = month_number(dates)
    assert got.index.tolist() == [5, 7, 9]
    assert got.tolist()[:2] == [24264.0, 23640.0] and np.isnan(got.iloc[2])


def test_is_status_on_categories_with_and_without_the_value():
    status = pd.Series(pd.Categorical(["present", "absent", "present"]))
    assert is_status(status, "present").tolist() == [True, False, True]
    # a value that is not among the categories: all False, one per row
    missing = is_status(status, "exempt")
    assert missing.dtype == bool and missing.tolist() == [False, False, False]
    plain = pd.Series(["present", None, "exempt"], dtype=object)
    assert is_status(plain, "exempt").tolist() == [False, False, True]


def test_is_status_of_nullable_text_is_a_bool_array():
    # pandas' nullable strings compare to a nullable boolean: still one bool per row, NA False
    status = pd.Series(["present", None, "absent"], dtype="string[python]")
    got = is_status(status, "present")
    assert got.dtype == bool and got.tolist() == [True, False, False]
