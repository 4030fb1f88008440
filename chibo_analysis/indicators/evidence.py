"""What every list shares: the cleaned slice it reads and the evidence it cites.

Each list row names the records it rests on as ``file:row`` (``evidence``),
with ``_file``/``_row`` of its primary record as plain text and integers.
"""

from __future__ import annotations

import pandas as pd

from chibo_analysis.checks.validation import validated

from . import roll
from .periods import Period, parse_period


def evidence(frame: pd.DataFrame) -> pd.Series:
    """``file:row`` of each record of ``frame`` (a slice of a loaded table)."""
    return frame["_file"].astype(str) + ":" + frame["_row"].astype(str)


def join_evidence(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``evidence`` strings (``file:row; ...``) per group of ``keys``."""
    out = frame[keys].assign(evidence=evidence(frame))
    return out.groupby(keys, sort=False)["evidence"].agg("; ".join).reset_index()


def source_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Provenance columns as plain text and integers."""
    return frame.assign(_file=frame["_file"].astype(str), _row=frame["_row"].astype("int64"))


def list_context(dataset, period: str | int | Period, org_id: str | None):
    """The cleaned dataset, the parsed period and the cells within ``org_id``."""
    ds = validated(dataset)
    period = parse_period(period)
    inside = roll.subtree(ds.organisations, org_id)
    return ds, period, inside


def period_meetings(ds, period: Period, inside: pd.Index) -> pd.DataFrame:
    """Meetings of ``period`` held by the cells in ``inside``."""
    held = ds.meetings["held_on"]
    mt = ds.meetings
    return mt[(held >= period.start) & (held <= period.end) & mt["cell_id"].isin(inside)]
