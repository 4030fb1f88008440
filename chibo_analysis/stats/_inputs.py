"""Checking the counts the statistics are given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError


def as_counts(events, trials) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Events and trials as float arrays, with the index to label rows by.

    Missing trials count as 0 trials (the rate is then empty). Raises
    :class:`ParameterError` for negative counts, events above trials or
    lengths that differ.
    """
    index = events.index if isinstance(events, pd.Series) else None
    if index is None and isinstance(trials, pd.Series):
        index = trials.index
    e = pd.to_numeric(pd.Series(np.asarray(events, dtype=object)), errors="coerce")
    t = pd.to_numeric(pd.Series(np.asarray(trials, dtype=object)), errors="coerce")
    e = e.to_numpy(dtype=float, na_value=np.nan)
    t = t.to_numpy(dtype=float, na_value=np.nan)
    if e.shape != t.shape:
        raise ParameterError(
            f"events and trials must have the same length; got {e.size} events and {t.size} trials"
        )
    t = np.where(np.isnan(t), 0.0, t)
    e = np.where(np.isnan(e) & (t == 0), 0.0, e)
    if np.any(np.isnan(e)):
        raise ParameterError("events has empty values where trials are positive")
    if np.any(e < 0) or np.any(t < 0):
        raise ParameterError("events and trials must not be negative")
    if np.any(e > t):
        bad = int(np.argmax(e > t))
        raise ParameterError(
            f"events must not exceed trials; row {bad} has {e[bad]:g} events out of {t[bad]:g}"
        )
    if index is None:
        index = pd.RangeIndex(e.size)
    return e, t, index


def check_level(name: str, value: float) -> float:
    """A probability strictly between 0 and 1, or a ParameterError."""
    try:
        value = float(value)
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{name}={value!r} is not a number between 0 and 1") from err
    if not 0.0 < value < 1.0:
        raise ParameterError(f"{name}={value!r} is not allowed; expected a number between 0 and 1")
    return value


def level_tag(level: float) -> str:
    """Column suffix of a confidence level: 0.95 -> '95', 0.998 -> '998'."""
    return format(round(level * 100, 6), "g").replace(".", "")


def position(value: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """'within' / 'above' / 'below' for each value, or None where undefined."""
    out = np.where(value > upper, "above", np.where(value < lower, "below", "within")).astype(
        object
    )
    out[np.isnan(value) | np.isnan(lower) | np.isnan(upper)] = None
    return out
