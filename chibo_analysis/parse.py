"""Turn raw cell values into typed values, one column at a time.

Each parser takes a Series of raw values (strings, numbers, or date objects
from a workbook) and returns a :class:`Parsed`: the typed Series and, per
row, the reason code of a value that could not be parsed (``None`` where
fine). Parsers work on the *unique* raw values and map back, so a column of
700,000 register rows with four distinct statuses costs four parses.

Accepted forms (DOMAIN.md section 3):

- dates: ``2022-01-03`` (ISO), ``03/01/2022`` / ``3/1/2022`` / ``03-01-2022`` /
  ``03.01.2022`` (day first: 3 January), workbook date cells, Excel serial
  numbers; ``31/02/2022`` is an ``impossible_date``;
- months: ``2022-03``, ``03/2022``, ``3/2022``, or any date (its month);
- amounts: ``50.000`` or ``50,000`` (grouping) = 50000 đồng, ``50000``,
  an optional ``đ``/``đồng``/``VND`` suffix;
- whole numbers: ``90``, ``90.0``, ``90 phút``;
- yes/no: ``Có``/``Không``, yes/no, true/false, 1/0, x;
- categories: the English code or the Vietnamese label, with or without
  diacritics, any case, surrounding spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from chibo_analysis.schema import NO, YES, Column, fold

EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_PLAIN_INT = re.compile(r"^[+]?\d+$")
_INT_DECIMAL_ZERO = re.compile(r"^[+]?(\d+)[.,]0+$")
_CURRENCY = re.compile(r"\s*(đồng|dong|đ|d|vnd|vnđ)\.?$", re.IGNORECASE)
_MINUTES = re.compile(r"\s*(phút|phut|ph|p|min|minutes?)\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """A typed column and the reason code of each value that failed (or None)."""

    values: pd.Series
    errors: pd.Series  # object: reason code or None, aligned on values


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw value is empty: NA, or text with only spaces."""
    blank = raw.isna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw[~blank].astype(str).str.strip()
        blank.loc[text.index] = text.eq("")
    return blank


def _map_uniques(raw: pd.Series, parse_one) -> tuple[pd.Series, pd.Series]:
    """Apply ``parse_one(value) -> (typed, error)`` to unique non-blank values."""
    blank = is_blank(raw)
    present = raw[~blank]
    codes, uniques = pd.factorize(present, sort=False)
    results = [parse_one(u) for u in uniques]
    typed_u = [r[0] for r in results]
    err_u = np.array([r[1] for r in results] + [None], dtype=object)
    typed = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    errors = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)
    if len(uniques):
        typed_arr = np.empty(len(uniques), dtype=object)
        typed_arr[:] = typed_u
        typed.loc[present.index] = typed_arr[codes]
        errors.loc[present.index] = err_u[codes]
    return typed, errors


def _date_one(value) -> tuple[pd.Timestamp | None, str | None]:
    if isinstance(value, pd.Timestamp):
        return (None, "unparseable") if pd.isna(value) else (value.normalize(), None)
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value).normalize(), None
    if isinstance(value, dt.date):
        return pd.Timestamp(value), None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if np.isfinite(value) and 1 <= value < 2958466 and float(value).is_integer():
            return EXCEL_EPOCH + pd.Timedelta(days=int(value)), None
        return None, "unparseable"
    text = str(value).strip()
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.match(text)
        if not m:
            if _PLAIN_INT.match(text):
                return _date_one(int(text))
            return None, "unparseable"
        d, mo, y = (int(g) for g in m.groups())
    try:
        return pd.Timestamp(dt.date(y, mo, d)), None
    except ValueError:
        return None, "impossible_date"


def _month_one(value) -> tuple[pd.Timestamp | None, str | None]:
    if isinstance(value, str):
        text = value.strip()
        m = _YM.match(text)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
        else:
            m = _MY.match(text)
            if m:
                mo, y = int(m.group(1)), int(m.group(2))
            else:
                stamp, err = _date_one(text)
                return (stamp.replace(day=1) if stamp is not None else None), err
        if 1 <= mo <= 12:
            return pd.Timestamp(dt.date(y, mo, 1)), None
        return None, "impossible_date"
    stamp, err = _date_one(value)
    return (stamp.replace(day=1) if stamp is not None else None), err


def _int_text(text: str) -> int | None:
    if _PLAIN_INT.match(text):
        return int(text)
    m = _INT_DECIMAL_ZERO.match(text)
    if m:
        return int(m.group(1))
    return None


def _number_one(value, *, amount: bool) -> tuple[int | None, str | None]:
    if isinstance(value, bool):
        return None, "unparseable"
    if isinstance(value, (int, np.integer)):
        return int(value), None
    if isinstance(value, (float, np.floating)):
        if np.isfinite(value) and float(value).is_integer():
            return int(value), None
        return None, "unparseable"
    text = str(value).strip()
    text = (_CURRENCY if amount else _MINUTES).sub("", text).replace(" ", "").replace("\u00a0", "")
    if amount and _GROUPED.match(text):
        return int(re.sub(r"[.,]", "", text)), None
    number = _int_text(text)
    if number is None and text.startswith("-") and _int_text(text[1:]) is not None:
        return -_int_text(text[1:]), None
    return (number, None) if number is not None else (None, "unparseable")


def _lookup(column: Column) -> dict[str, str]:
    table = {}
    for choice in column.choices:
        for spelling in choice.spellings():
            table[fold(spelling)] = choice.code
    return table


def parse_column(raw: pd.Series, column: Column) -> Parsed:
    """Parse one raw column to the dtype of ``column.kind``.

    Examples
    --------
    >>> from chibo_analysis.schema import MEETINGS, DUES
    >>> s = pd.Series(["03/01/2022", "2022-01-31", "31/02/2022", "", "hôm qua"])
    >>> p = parse_column(s, MEETINGS.column("held_on"))
    >>> [str(v.date()) if pd.notna(v) else None for v in p.values]
    ['2022-01-03', '2022-01-31', None, None, None]
    >>> p.errors.tolist()
    [None, None, 'impossible_date', None, 'unparseable']
    >>> parse_column(pd.Series(["50.000", "1.234.000 đ", 20000]), DUES.column("amount")).values.tolist()
    [50000, 1234000, 20000]
    """
    kind = column.kind
    if kind in ("id", "text"):
        return _parse_text(raw, strip=kind == "id")
    if kind == "category":
        return _parse_category(raw, column)
    if kind == "bool":
        return _parse_bool(raw)
    if kind in ("date", "month"):
        if pd.api.types.is_datetime64_any_dtype(raw.dtype):
            values = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
            values = values.dt.normalize().astype("datetime64[ns]")
            if kind == "month":
                values = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
            return Parsed(values, pd.Series(None, index=raw.index, dtype=object))
        typed, errors = _map_uniques(raw, _date_one if kind == "date" else _month_one)
        return Parsed(pd.to_datetime(typed).astype("datetime64[ns]"), errors)
    if kind in ("int", "amount"):
        if pd.api.types.is_integer_dtype(raw.dtype):
            return Parsed(raw.astype("Int64"), pd.Series(None, index=raw.index, dtype=object))
        typed, errors = _map_uniques(raw, lambda v: _number_one(v, amount=kind == "amount"))
        return Parsed(pd.Series(pd.array(typed.tolist(), dtype="Int64"), index=raw.index), errors)
    raise ValueError(f"unknown column kind {kind!r}")  # pragma: no cover


def _parse_text(raw: pd.Series, *, strip: bool) -> Parsed:
    blank = is_blank(raw)
    no_errors = pd.Series(None, index=raw.index, dtype=object)
    if pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
        values = raw.str.strip() if strip else raw
    else:
        values, _ = _map_uniques(raw, lambda v: (_to_text(v), None))
        values = values.astype("str")
        if strip:
            values = values.str.strip()
    return Parsed(values.where(~blank).astype("str"), no_errors)


def _to_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number in a workbook: 12.0 -> "12"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _parse_category(raw: pd.Series, column: Column) -> Parsed:
    lookup = _lookup(column)

    def one(value):
        code = lookup.get(fold(value))
        return (code, None) if code is not None else (None, "not_allowed")

    typed, errors = _map_uniques(raw, one)
    return Parsed(
        pd.Series(pd.Categorical(typed, categories=list(column.codes)), index=raw.index), errors
    )


def _parse_bool(raw: pd.Series) -> Parsed:
    yes, no = set(YES), set(NO)

    def one(value):
        if isinstance(value, (bool, np.bool_)):
            return bool(value), None
        key = fold(value)
        if key in yes:
            return True, None
        if key in no:
            return False, None
        return None, "not_allowed"

    typed, errors = _map_uniques(raw, one)
    return Parsed(pd.Series(pd.array(typed.tolist(), dtype="boolean"), index=raw.index), errors)
