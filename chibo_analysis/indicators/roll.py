"""Who is on which roll, when cells exist, and which register rows count.

Boundaries, decided once here and used by every indicator:

- **On the roll on day D**: ``joined_on <= D`` (empty ``joined_on``: since
  always) and (``left_on`` empty or ``left_on > D``). ``left_on`` is the
  first day the member is *off* the roll: a member who leaves on 31 December
  is not on the roll at the end of the year; one who joins that day is.
- **A cell exists on day D**: ``founded_on <= D`` (empty: since always) and
  (``dissolved_on`` empty or ``D <= dissolved_on``): the cell still exists on
  the day it is dissolved, so its last meeting may be held that day.
- **Left out of attendance** (DOMAIN §4, R4): register rows with status
  ``exempt``, and rows of members whose exemption in *that cell*
  (``exempt_from`` to ``exempt_until`` inclusive, open-ended if
  ``exempt_until`` is empty) covers the meeting date, whatever status was
  written. The exemption is a resolution of the cell (R8), so it is read on
  the member's row for the cell that held the meeting.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.rules import is_status, on_roll  # noqa: F401  (shared with the checks)
from chibo_analysis.schema import BASE_LEVELS, CELL_LEVELS

from .periods import Period

#: Register statuses that count towards attendance (R4), in order.
COUNTED = ("present", "excused", "absent")


def cells(organisations: pd.DataFrame) -> pd.DataFrame:
    """The meeting-holding units (levels ``cell`` and ``base_cell``)."""
    return organisations[organisations["level"].isin(CELL_LEVELS)]


def existed_between(orgs: pd.DataFrame, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """Boolean Series: did each organisation exist on any day from ``first`` to ``last``?"""
    founded, dissolved = orgs["founded_on"], orgs["dissolved_on"]
    return (
        (founded.isna() | (founded <= last)) & (dissolved.isna() | (dissolved >= first))
    ).astype(bool)


def cell_months(organisations: pd.DataFrame, period: Period) -> pd.DataFrame:
    """One row per cell and month of ``period`` in which the cell existed on any day.

    Columns ``cell_id``, ``month`` (first day) and ``quarter`` (first day).
    """
    cell = cells(organisations)[["org_id", "founded_on", "dissolved_on"]]
    months = pd.DataFrame({"month": period.months})
    grid = cell.merge(months, how="cross")
    month_end = grid["month"] + pd.offsets.MonthEnd(0)
    keep = (grid["founded_on"].isna() | (grid["founded_on"] <= month_end)) & (
        grid["dissolved_on"].isna() | (grid["dissolved_on"] >= grid["month"])
    )
    grid = grid.loc[keep, ["org_id", "month"]].rename(columns={"org_id": "cell_id"})
    grid["quarter"] = grid["month"].dt.to_period("Q").dt.start_time
    return grid.reset_index(drop=True)


def ancestry(organisations: pd.DataFrame) -> pd.DataFrame:
    """Every (``org_id``, ``ancestor_id``) pair, each organisation being its own ancestor.

    Walks up the parent links one level per step (a handful of levels), so a
    cycle, which validation rejects, cannot loop for ever. Rows come level by
    level: first every organisation with itself, then with its parent, and so
    on. A parent that is not in the table is listed but not walked past.

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["T", "B", "C"], "parent_id": [None, "T", "B"]})
    >>> ancestry(orgs).values.tolist()
    [['T', 'T'], ['B', 'B'], ['C', 'C'], ['B', 'T'], ['C', 'B'], ['C', 'T']]
    """
    ids = organisations["org_id"].to_numpy(dtype=object)
    parents = organisations["parent_id"]
    linked = (parents.notna() & (parents != "")).to_numpy(dtype=bool)
    parent_of = parents.to_numpy(dtype=object)
    position = pd.Index(ids)
    org_parts, anc_parts = [ids], [ids]
    pos = np.flatnonzero(linked)  # rows whose current ancestor has a parent to climb to
    org, anc = ids[pos], parent_of[pos]
    for _ in range(len(ids)):
        keep = anc != org
        org, anc = org[keep], anc[keep]
        if not len(org):
            break
        org_parts.append(org)
        anc_parts.append(anc)
        pos = position.get_indexer(anc)
        climb = pos >= 0
        climb[climb] = linked[pos[climb]]
        org, anc = org[climb], parent_of[pos[climb]]
    pairs = pd.DataFrame(
        {"org_id": np.concatenate(org_parts), "ancestor_id": np.concatenate(anc_parts)},
        dtype=object,  # ids stay numpy objects, as in every table of the dataset
    )
    return pairs.drop_duplicates(ignore_index=True)


def base_of(organisations: pd.DataFrame) -> pd.Series:
    """The base organisation of each organisation at or below one (index ``org_id``).

    A ``cell``'s base is the ``base`` above it; a ``base`` or ``base_cell`` is
    its own. Committees have none and are left out.

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["T", "B", "C", "K"], "parent_id": [None, "T", "B", "T"],
    ...                      "level": ["committee", "base", "cell", "base_cell"]})
    >>> base_of(orgs).to_dict()
    {'B': 'B', 'K': 'K', 'C': 'B'}
    """
    pairs = ancestry(organisations)
    level = organisations.drop_duplicates("org_id").set_index("org_id")["level"].astype(object)
    pairs = pairs[pairs["ancestor_id"].map(level).isin(BASE_LEVELS)].drop_duplicates("org_id")
    return pairs.set_index("org_id")["ancestor_id"]


def subtree(organisations: pd.DataFrame, org_id: str | None) -> pd.Index:
    """``org_id`` and every organisation below it (all of them when ``org_id`` is None).

    Raises
    ------
    ParameterError
        When ``org_id`` is not an organisation of the dataset.
    """
    if org_id is None:
        return pd.Index(organisations["org_id"])
    known = organisations["org_id"]
    if not known.eq(org_id).any():
        sample = ", ".join(repr(x) for x in known.head(5))
        raise ParameterError(
            f"org_id={org_id!r} is not an organisation of the dataset "
            f"({len(known)} organisations, e.g. {sample})"
        )
    pairs = ancestry(organisations)
    return pd.Index(pairs.loc[pairs["ancestor_id"] == org_id, "org_id"].unique())
