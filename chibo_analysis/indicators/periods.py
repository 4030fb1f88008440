"""Reporting periods: a year, a quarter or a range of years.

A :class:`Period` is parsed from what a user types (``"2022"``, ``"2022Q3"``,
``"2020-2025"``) and knows its first and last day, its months and quarters.
All bounds are inclusive calendar days: the period ``2022`` runs from
1 January 2022 to 31 December 2022, both included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from chibo_analysis.errors import ParameterError

_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})\s*[-/ ]?\s*[Qq]([1-4])\s*$")
_RANGE = re.compile(r"^\s*(\d{4})\s*(?:-|–|\.\.|:)\s*(\d{4})\s*$")


@dataclass(frozen=True)
class Period:
    """An inclusive span of whole months, labelled the way the user wrote it.

    Attributes
    ----------
    start, end : Timestamp
        First and last day (both included, ``end`` at midnight).
    label : str
        ``"2022"``, ``"2022Q3"`` or ``"2020-2025"``.

    Examples
    --------
    >>> p = parse_period("2022Q3")
    >>> p.start.date(), p.end.date(), len(p.months)
    (datetime.date(2022, 7, 1), datetime.date(2022, 9, 30), 3)
    >>> parse_period("2020-2025").years
    (2020, 2021, 2022, 2023, 2024, 2025)
    """

    start: pd.Timestamp
    end: pd.Timestamp
    label: str

    @property
    def months(self) -> pd.DatetimeIndex:
        """First day of every month of the period."""
        return pd.date_range(self.start, self.end, freq="MS")

    @property
    def quarters(self) -> pd.DatetimeIndex:
        """First day of every quarter of the period."""
        return pd.date_range(self.start, self.end, freq="QS")

    @property
    def years(self) -> tuple[int, ...]:
        """Calendar years the period touches."""
        return tuple(range(self.start.year, self.end.year + 1))

    @property
    def year_start(self) -> pd.Timestamp:
        """1 January of the period's first year (runs and R6 counts start there)."""
        return pd.Timestamp(self.start.year, 1, 1)

    def __str__(self) -> str:
        return self.label


def _year_bounds(first: int, last: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    return pd.Timestamp(first, 1, 1), pd.Timestamp(last, 12, 31)


def parse_period(value: str | int | Period) -> Period:
    """Parse ``"2022"``, ``2022``, ``"2022Q3"`` or ``"2020-2025"`` into a :class:`Period`.

    Raises
    ------
    ParameterError
        When the text is none of these forms, or a range runs backwards.

    Examples
    --------
    >>> parse_period(2022).label
    '2022'
    >>> parse_period("2022q4").end.date()
    datetime.date(2022, 12, 31)
    >>> parse_period("2022-13")
    Traceback (most recent call last):
    ...
    chibo_analysis.errors.ParameterError: period='2022-13' is not allowed; expected a year \
('2022'), a quarter ('2022Q3') or a range of years ('2020-2025')
    """
    if isinstance(value, Period):
        return value
    text = str(value)
    if m := _YEAR.match(text):
        year = int(m[1])
        start, end = _year_bounds(year, year)
        return Period(start, end, str(year))
    if m := _QUARTER.match(text):
        year, q = int(m[1]), int(m[2])
        start = pd.Timestamp(year, 3 * q - 2, 1)
        end = start + pd.offsets.QuarterEnd(0)
        return Period(start, end.normalize(), f"{year}Q{q}")
    if (m := _RANGE.match(text)) and int(m[1]) <= int(m[2]) and 1900 <= int(m[1]):
        first, last = int(m[1]), int(m[2])
        start, end = _year_bounds(first, last)
        label = str(first) if first == last else f"{first}-{last}"
        return Period(start, end, label)
    raise ParameterError(
        f"period={text!r} is not allowed; expected a year ('2022'), a quarter ('2022Q3') "
        "or a range of years ('2020-2025')"
    )
