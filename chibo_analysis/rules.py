"""Rules of the domain that validation and the indicators both apply.

Membership is half-open: a member is on a cell's roll on day ``d`` when
``joined_on`` is empty (since before the records) or ``joined_on <= d``, and
``left_on`` is empty or ``d < left_on``. A transfer on day ``d`` thus puts
the member on the new roll, not the old one, that day; someone who leaves
on 31/12 is not on the roll at the end of that year.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def on_roll(members: pd.DataFrame, day) -> pd.Series:
    """Boolean Series: is each membership row on its cell's roll on ``day``?

    ``day`` is one date or a Series of dates aligned on ``members``.

    Examples
    --------
    >>> m = pd.DataFrame({"joined_on": pd.to_datetime(["2022-01-01", "2022-03-01", None]),
    ...                   "left_on": pd.to_datetime(["2022-12-31", None, "2023-01-01"])})
    >>> on_roll(m, pd.Timestamp("2022-12-31")).tolist()
    [False, True, True]
    """
    joined = members["joined_on"]
    left = members["left_on"]
    return (
        ((joined.isna() | (joined <= day)) & (left.isna() | (left > day)))
        .fillna(False)
        .astype(bool)
    )


def month_number(dates: pd.Series) -> pd.Series:
    """year * 12 + month - 1 of each date (NaN where empty), computed on the numpy values.

    Examples
    --------
    >>> month_number(pd.Series(pd.to_datetime(["2022-01-31", None]))).tolist()
    [24264.0, nan]
    """
    values = dates.to_numpy(dtype="datetime64[ns]")
    months = values.astype("datetime64[M]").astype(np.int64).astype(float) + 1970 * 12
    months[np.isnat(values)] = np.nan
    return pd.Series(months, index=dates.index)


def is_status(status: pd.Series, value: str) -> np.ndarray:
    """``status == value`` as a bool array, fast on categoricals."""
    if isinstance(status.dtype, pd.CategoricalDtype):
        cats = status.cat.categories
        if value not in cats:
            return np.zeros(len(status), dtype=bool)
        return status.cat.codes.to_numpy() == cats.get_loc(value)
    return (status == value).to_numpy(dtype=bool, na_value=False)
