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

from chibo_analysis.schema import INVISIBLE, NO, YES, Column, fold, strict_key, strip_invisible
from chibo_analysis.texts import CONTROL_PATTERN_RE2, CONTROL_RE, strip_controls

EXCEL_EPOCH = pd.Timestamp("1899-12-30")

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$")
_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_GROUPED = re.compile(r"^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_PLAIN_INT = re.compile(r"^[+]?\d+$")
_INT_DECIMAL_ZERO = re.compile(r"^[+]?(\d+)[.,]0+$")
_CURRENCY = re.compile(r"\s*(đồng|dong|đ|d|vnd|vnđ)\.?$", re.IGNORECASE)
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_MINUTES = re.compile(r"\s*(phút|phut|ph|p|min|minutes?)\.?$", re.IGNORECASE)


@dataclass(frozen=True)
class Parsed:
    """A typed column and the reason code of each value that failed (or None)."""

    values: pd.Series
    errors: pd.Series  # object: reason code or None, aligned on values
    blank: np.ndarray | None = None  # True where the raw value was empty
    #: True where control characters were removed from the raw value (None: nowhere).
    controls: np.ndarray | None = None


def _blank_value(value) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, float) and np.isnan(value))
    )


def factorize(raw: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and unique values of a raw column; blank values get code -1.

    Control characters are removed from the values (see
    :func:`chibo_analysis.texts.strip_controls`): a value of only such
    characters is blank.
    """
    codes, uniques, _ = factorize_controls(raw)
    return codes, uniques


def factorize_controls(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`factorize`, and per row whether control characters were removed (None: nowhere)."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    hit = _control_uniques(uniques)
    controls = None
    if hit is not None:
        controls = np.zeros(len(codes), dtype=bool)
        seen = codes >= 0
        controls[seen] = hit[codes[seen]]
        uniques = np.asarray(uniques, dtype=object).copy()
        for i in np.flatnonzero(hit):
            uniques[i] = strip_controls(uniques[i])
    if pd.api.types.is_string_dtype(uniques.dtype) and uniques.dtype != object:
        blank = np.asarray(uniques.str.strip() == "", dtype=bool)  # vectorised on Arrow text
    else:
        blank = np.fromiter((_blank_value(u) for u in uniques), dtype=bool, count=len(uniques))
    uniques = np.asarray(uniques, dtype=object)
    if blank.any():
        remap = np.where(blank, -1, np.cumsum(~blank) - 1)
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        uniques = uniques[~blank]
    return codes, uniques, controls


def _control_uniques(uniques) -> np.ndarray | None:
    """Which unique values hold a control character; None when none does (one scan).

    Arrow text is searched by pyarrow (the city's 28,564 minutes: 0.05 s, against
    0.17 s for Python's ``re`` over the joined text).
    """
    arrow = getattr(getattr(uniques, "array", None), "__arrow_array__", None)
    if arrow is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        values = arrow()
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            return None  # numbers (a nullable Float64 column of counts): no text, no control
        found = pc.match_substring_regex(values, CONTROL_PATTERN_RE2)
        if not pc.any(found).as_py():
            return None
        return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)
    values = np.asarray(uniques, dtype=object)
    texts = [u for u in values if isinstance(u, str)]
    if not texts or CONTROL_RE.search("".join(texts)) is None:
        return None
    return np.fromiter(
        (isinstance(u, str) and CONTROL_RE.search(u) is not None for u in values),
        dtype=bool,
        count=len(values),
    )


def is_blank(raw: pd.Series) -> pd.Series:
    """True where a raw value is empty: NA, or text with only spaces."""
    if not (raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype)):
        return raw.isna()
    codes, _ = factorize(raw)
    return pd.Series(codes < 0, index=raw.index)


def _map_uniques(
    raw: pd.Series, parse_one, empty, quick=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Apply ``parse_one(value) -> (typed, error)`` to each unique non-blank value.

    Returns the typed uniques (an array built with ``empty``'s dtype), the
    error per unique, each row's code into them (-1: blank) and the rows
    whose control characters were removed (see :func:`factorize_controls`). ``quick``,
    if given, parses the uniques in one vectorised pass first,
    ``quick(uniques) -> (typed, done)``; ``parse_one`` then sees only the
    values not ``done``.
    """
    codes, uniques, controls = factorize_controls(raw)
    typed = empty(len(uniques))
    errors = np.full(len(uniques) + 1, None, dtype=object)
    todo = np.arange(len(uniques))
    if quick is not None and len(uniques):
        fast, done = quick(uniques)
        typed[done] = fast[done]
        todo = np.flatnonzero(~done)
    for i in todo:
        value, error = parse_one(uniques[i])
        if value is not None:
            typed[i] = value
        errors[i] = error
    return typed, errors, codes, controls


_DMY_STRICT = r"\d{2}/\d{2}/\d{4}"
_ISO_STRICT = r"\d{4}-\d{2}-\d{2}"


def _quick_dates(uniques: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised parse of the two usual spellings, ``dd/mm/yyyy`` and ``yyyy-mm-dd``.

    Returns the dates and which uniques were parsed; anything else (other
    spellings, Excel numbers, impossible dates like 31/02) is left to
    :func:`_date_one`, which gives the same dates and says why a value fails.
    """
    text = pd.Series(uniques, dtype=object)
    is_text = text.map(type).eq(str).to_numpy()
    out = np.full(len(uniques), np.datetime64("NaT"), dtype="datetime64[ns]")
    done = np.zeros(len(uniques), dtype=bool)
    if not is_text.any():
        return out, done
    strings = text[is_text].astype("str")
    for pattern, fmt in ((_DMY_STRICT, "%d/%m/%Y"), (_ISO_STRICT, "%Y-%m-%d")):
        match = strings.str.fullmatch(pattern).to_numpy(dtype=bool)
        if not match.any():
            continue
        where = np.flatnonzero(is_text)[match]
        stamps = pd.to_datetime(strings[match], format=fmt, errors="coerce").to_numpy()
        ok = ~np.isnat(stamps)
        out[where[ok]] = stamps[ok].astype("datetime64[ns]")
        done[where[ok]] = True
    return out, done


def _take(typed: np.ndarray, codes: np.ndarray, fill) -> np.ndarray:
    out = typed[np.maximum(codes, 0)] if len(typed) else np.full(len(codes), fill)
    if len(typed):
        out[codes < 0] = fill
    return out


def _masked(typed: np.ndarray, codes: np.ndarray, dtype, array_type):
    """A masked (nullable) array from typed uniques (None = missing) and row codes."""
    valid = np.fromiter((v is not None for v in typed), dtype=bool, count=len(typed))
    data = np.array([v if v is not None else 0 for v in typed], dtype=dtype)
    if len(typed) == 0:
        return array_type(np.zeros(len(codes), dtype=dtype), np.ones(len(codes), dtype=bool))
    safe = np.maximum(codes, 0)
    return array_type(data[safe], (codes < 0) | ~valid[safe])


#: Whole numbers read as Excel date serials (with a warning): 01/01/1930 to 31/12/2099.
SERIAL_RANGE = (10959, 73050)


def _date_number(value) -> tuple[pd.Timestamp | None, str | None]:
    """A number in a date column: a year alone is refused; an Excel serial is read, with a warning.

    Examples
    --------
    >>> _date_number(1979)
    (None, 'year_only')
    >>> _date_number(44927)
    (Timestamp('2023-01-01 00:00:00'), 'lenient_value')
    >>> _date_number(17)
    (None, 'unparseable')
    """
    number = float(value)
    if not (np.isfinite(number) and number.is_integer()):
        return None, "unparseable"
    if 1000 <= number <= 2200:
        return None, "year_only"
    if SERIAL_RANGE[0] <= number <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + pd.Timedelta(days=int(number)), "lenient_value"
    return None, "unparseable"


def _date_one(value) -> tuple[pd.Timestamp | None, str | None]:
    if isinstance(value, pd.Timestamp):
        return (None, "unparseable") if pd.isna(value) else (value.normalize(), None)
    if isinstance(value, dt.datetime):
        return pd.Timestamp(value).normalize(), None
    if isinstance(value, dt.date):
        return pd.Timestamp(value), None
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return _date_number(value)
    text = str(value).strip()
    m = _ISO.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.match(text)
        if not m:
            if _PLAIN_INT.match(text):
                return _date_number(int(text))
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


def _swapped_cells(raw: pd.Series, typed: np.ndarray, errors: np.ndarray, codes) -> None:
    """Date cells of a column that also holds day-first text with a day over 12: refused.

    An English-locale Excel turns typed "03/01/2022" into a 1 March date cell and
    leaves "13/01/2022" as text. Such a column's date cells (day 12 or less) are
    probably month/day swapped: reading them would be a guess (``swapped_date``).
    """
    uniques = pd.unique(raw[codes >= 0]) if len(raw) else []
    cells = [u for u in uniques if isinstance(u, (dt.date, pd.Timestamp))]
    if not cells:
        return
    late_day = any(
        isinstance(u, str)
        and (m := _DMY.match(u.strip())) is not None
        and int(m.group(1)) > 12
        and _date_one(u)[1] is None
        for u in uniques
    )
    if not late_day:
        return
    _, order = factorize(raw)
    for i, value in enumerate(order):
        if isinstance(value, (dt.date, pd.Timestamp)) and value.day <= 12:
            typed[i] = np.datetime64("NaT")
            errors[i] = "swapped_date"


def _month_first_text(typed: np.ndarray, errors: np.ndarray, codes, raw: pd.Series) -> None:
    """Text dates of a column written month first (US style): refused, not read day first.

    ``02/13/2022`` cannot be day first (no month 13) but is a valid month-first date:
    a column holding it was typed month first, so its ``01/05/2022`` cannot be read
    without a guess. Such values, and the evidence itself, are ``month_first`` errors.
    """
    _, uniques = factorize(raw)
    parts = []
    for i, value in enumerate(uniques):
        if isinstance(value, str) and (m := _DMY.match(value.strip())) is not None:
            parts.append((i, int(m.group(1)), int(m.group(2)), int(m.group(3))))
    evidence = [i for i, a, b, y in parts if a <= 12 and 12 < b <= 31 and _valid(y, a, b)]
    if not evidence:
        return
    for i, a, b, _ in parts:
        if i in evidence or (a <= 12 and b <= 12 and a != b):
            typed[i] = np.datetime64("NaT")
            errors[i] = "month_first"


def _valid(y: int, mo: int, d: int) -> bool:
    try:
        dt.date(y, mo, d)
    except ValueError:
        return False
    return True


def _int_text(text: str) -> int | None:
    if _PLAIN_INT.match(text):
        return int(text)
    m = _INT_DECIMAL_ZERO.match(text)
    if m:
        return int(m.group(1))
    return None


#: The largest whole number a column holds (Int64); a larger one is ``out_of_range``.
INT_MAX = 2**63 - 1


def _number_one(value, *, amount: bool) -> tuple[int | None, str | None]:
    number, error = _whole_number(value, amount=amount)
    if number is not None and abs(number) > INT_MAX:  # 99999999999999999999: no amount is
        return None, "out_of_range"
    return number, error


def _whole_number(value, *, amount: bool) -> tuple[int | None, str | None]:
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


def _lookup(column: Column) -> tuple[dict[str, str], dict[str, str]]:
    """Strict and lenient spellings of a category column's values, each to its code.

    Strict keys (:func:`~chibo_analysis.schema.strict_key`) are read without
    comment; lenient keys (:func:`~chibo_analysis.schema.fold`, punctuation
    dropped) are read with a ``lenient_value`` warning. A lenient key that two
    codes share is left out: it is refused, not guessed.
    """
    strict: dict[str, str] = {}
    lenient: dict[str, set[str]] = {}
    for choice in column.choices:
        for spelling in choice.spellings():
            strict[strict_key(spelling)] = choice.code
            lenient.setdefault(fold(spelling), set()).add(choice.code)
    return strict, {k: next(iter(v)) for k, v in lenient.items() if len(v) == 1 and k}


def category_reader(column: Column, extra: dict[str, str] | None = None):
    """``read(value) -> (code, reason)`` for a category column.

    ``reason`` is None (read as written), ``"lenient_value"`` (read after
    dropping punctuation: a warning), ``"ambiguous_value"`` (a spelling that
    could mean several values, refused) or ``"not_allowed"``. ``extra`` maps
    further spellings to codes (a codebook); it comes first and may resolve an
    ambiguous spelling.
    """
    strict, lenient = _lookup(column)
    extra = {strict_key(k): v for k, v in (extra or {}).items()}
    ambiguous = {strict_key(s) for s in column.ambiguous} | {fold(s) for s in column.ambiguous}

    def read(value) -> tuple[str | None, str | None]:
        key = strict_key(value)
        if key in extra:
            return extra[key], None
        if key in strict:
            return strict[key], None
        if key in ambiguous or fold(value) in ambiguous:
            return None, "ambiguous_value"
        code = lenient.get(fold(value))
        if code is not None:
            return code, "lenient_value"
        return None, "not_allowed"

    return read


def parse_column(raw: pd.Series, column: Column, extra: dict[str, str] | None = None) -> Parsed:
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

    Category values: the code or the label, any case, with or without
    diacritics, or a mark of the schema's vocabulary; ``extra`` (a codebook)
    adds spellings. A bare "Vắng" is refused; "Co mat?" is read with a warning:

    >>> from chibo_analysis.schema import ATTENDANCE
    >>> p = parse_column(pd.Series(["x", "P", "Vắng KLD", "Vắng", "Co mat?"]),
    ...                  ATTENDANCE.column("status"))
    >>> p.values.tolist(), p.errors.tolist()
    (['present', 'excused', 'absent', nan, 'present'], [None, None, None, 'ambiguous_value', 'lenient_value'])
    """
    kind = column.kind
    no_errors = pd.Series(np.full(len(raw), None, dtype=object), index=raw.index)
    if kind in ("date", "month") and pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw.dt.tz_localize(None) if getattr(raw.dt, "tz", None) else raw
        values = values.dt.normalize().astype("datetime64[ns]")
        if kind == "month":
            values = values.dt.to_period("M").dt.to_timestamp().astype("datetime64[ns]")
        return Parsed(values, no_errors, raw.isna().to_numpy())
    if kind in ("date", "month") and (
        pd.api.types.is_integer_dtype(raw.dtype) or pd.api.types.is_float_dtype(raw.dtype)
    ):  # numbers where dates are expected (day counts in a Parquet file, say): not guessed
        errors = pd.Series(np.where(raw.isna(), None, "not_a_date"), index=raw.index, dtype=object)
        nat = pd.Series(np.full(len(raw), np.datetime64("NaT"), "datetime64[ns]"), index=raw.index)
        return Parsed(nat, errors, raw.isna().to_numpy())
    if kind in ("int", "amount") and pd.api.types.is_integer_dtype(raw.dtype):
        return Parsed(raw.astype("Int64"), no_errors, raw.isna().to_numpy())
    if kind == "bool" and pd.api.types.is_bool_dtype(raw.dtype):
        return Parsed(raw.astype("boolean"), no_errors, raw.isna().to_numpy())

    if kind in ("id", "text") and pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
        # text already: strip the uniques in one go
        codes, uniques, controls = factorize_controls(raw)
        if kind == "text":
            values = pd.Series(
                _take(np.asarray(uniques, dtype=object), codes, None), index=raw.index, dtype=object
            )
            return Parsed(values, no_errors, codes < 0, controls)
        stripped = pd.Index(uniques, dtype="str").str.strip()
        typed = (
            stripped.str.replace(_INVISIBLE_RE, "", regex=True)
            .str.replace("\u00a0", " ")
            .str.strip()
        )
        changed = np.append(np.asarray(typed != stripped, dtype=bool), False)
        values = pd.Series(
            _take(np.asarray(typed, dtype=object), codes, None), index=raw.index, dtype=object
        )
        reasons = np.where(
            changed[np.where(codes < 0, len(changed) - 1, codes)], "lenient_value", None
        )
        return Parsed(
            values, pd.Series(reasons, index=raw.index, dtype=object), codes < 0, controls
        )
    if kind in ("id", "text"):

        def one(v):
            text = _to_text(v)
            if kind == "text":
                return text, None
            clean = strip_invisible(text).strip()
            return clean, ("lenient_value" if clean != text.strip() else None)

        typed, errors, codes, controls = _map_uniques(raw, one, lambda n: np.empty(n, dtype=object))
        values = pd.Series(_take(typed, codes, None), index=raw.index, dtype=object)
    elif kind == "category":
        read = category_reader(column, extra)
        position = {code: i for i, code in enumerate(column.codes)}

        def one(v):
            code, reason = read(v)
            return (position[code] if code is not None else None), reason

        typed, errors, codes, controls = _map_uniques(
            raw, one, lambda n: np.full(n, -1, dtype=np.int64)
        )
        cat = pd.Categorical.from_codes(_take(typed, codes, -1), categories=list(column.codes))
        values = pd.Series(cat, index=raw.index)
    elif kind in ("date", "month"):

        def one(v):
            stamp, err = (_date_one if kind == "date" else _month_one)(v)
            return (None if stamp is None else stamp.to_datetime64(), err)

        typed, errors, codes, controls = _map_uniques(
            raw,
            one,
            lambda n: np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"),
            quick=_quick_dates if kind == "date" else None,
        )
        nat = np.datetime64("NaT")
        if kind == "date":
            _swapped_cells(raw, typed, errors, codes)
            _month_first_text(typed, errors, codes, raw)
        values = pd.Series(_take(typed, codes, nat).astype("datetime64[ns]"), index=raw.index)
    elif kind in ("int", "amount"):

        def one(v):
            return _number_one(v, amount=kind == "amount")

        typed, errors, codes, controls = _map_uniques(
            raw, one, lambda n: np.full(n, None, dtype=object)
        )
        values = pd.Series(_masked(typed, codes, np.int64, pd.arrays.IntegerArray), index=raw.index)
    elif kind == "bool":
        yes, no = set(YES), set(NO)

        def one(v):
            if isinstance(v, (bool, np.bool_)):
                return bool(v), None
            key = strict_key(v)
            if key in yes:
                return True, None
            if key in no:
                return False, None
            key = fold(v)
            if key in yes or key in no:
                return key in yes, "lenient_value"
            return None, "not_allowed"

        typed, errors, codes, controls = _map_uniques(
            raw, one, lambda n: np.full(n, None, dtype=object)
        )
        values = pd.Series(_masked(typed, codes, np.bool_, pd.arrays.BooleanArray), index=raw.index)
    else:  # pragma: no cover
        raise ValueError(f"unknown column kind {kind!r}")
    row_errors = pd.Series(
        errors[np.where(codes < 0, len(errors) - 1, codes)], index=raw.index, dtype=object
    )
    return Parsed(values, row_errors, codes < 0, controls)


def _to_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number in a workbook: 12.0 -> "12"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)
