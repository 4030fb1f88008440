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

import functools

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


def register(
    meetings: pd.DataFrame, attendance: pd.DataFrame, members: pd.DataFrame
) -> pd.DataFrame:
    """Register rows joined to their meeting, with the left-out rule applied.

    Returns the attendance rows (original index) with ``meeting_id``,
    ``member_id``, ``status``, ``_file``, ``_row``, then ``cell_id``
    (categorical), ``held_on``, ``year``, ``left_out`` (bool), and integer
    helpers: ``_mpos`` (the row's meeting as a position in ``meetings``),
    ``_mtie`` (the meeting's rank among the cell's meetings of that day, by
    meeting id) and ``_member`` (a code per member). Rows whose meeting is not
    in ``meetings`` are dropped.
    """
    pos = pd.Index(meetings["meeting_id"]).get_indexer(attendance["meeting_id"])
    keep = pos >= 0
    cols = ["meeting_id", "member_id", "status", "_file", "_row"]
    att = attendance[cols] if keep.all() else attendance.loc[keep, cols]
    pos = pos[keep]
    cell_codes, cell_names = pd.factorize(meetings["cell_id"])
    tie = (
        meetings[["cell_id", "held_on", "meeting_id"]]
        .assign(_i=np.arange(len(meetings)))
        .sort_values(["cell_id", "held_on", "meeting_id"])
    )
    tie_rank = np.empty(len(meetings), dtype=np.int64)
    tie_rank[tie["_i"].to_numpy()] = tie.groupby(["cell_id", "held_on"], sort=False).cumcount()
    held = meetings["held_on"].to_numpy()[pos]
    att = att.assign(
        cell_id=pd.Categorical.from_codes(cell_codes[pos], categories=pd.Index(cell_names)),
        held_on=held,
        year=pd.DatetimeIndex(held).year.to_numpy(),
        _mpos=pos,
        _mtie=tie_rank[pos],
    )
    member_codes, member_names = pd.factorize(att["member_id"])
    att["_member"] = member_codes
    exempted = _exempted(att, members, pd.Index(member_names))
    att["left_out"] = is_status(att["status"], "exempt") | exempted
    return att


def year_register(ds, period: Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The meetings from 1 January of the period's first year to its end, and their :func:`register`.

    Runs of excused absences and R6's months count from 1 January, so the
    scorecard and several lists need this same register; it is computed once
    per dataset and period (datasets are immutable and hashed by identity)
    and each caller gets its own shallow copy of both frames.
    """
    context, reg = _year_register(ds, period.year_start, period.end)
    return context.copy(deep=False), reg.copy(deep=False)


@functools.lru_cache(maxsize=4)
def _year_register(ds, start: pd.Timestamp, end: pd.Timestamp):
    held = ds.meetings["held_on"]
    context = ds.meetings[(held >= start) & (held <= end)]
    return context, register(context, ds.attendance, ds.members)


def _exempted(att: pd.DataFrame, members: pd.DataFrame, member_names: pd.Index) -> np.ndarray:
    """Rows whose member's exemption in that cell covers the meeting date.

    ``att["_member"]`` holds codes into ``member_names``; the join runs on
    integer codes of member and cell.
    """
    ex = members.loc[
        members["exempt_from"].notna(), ["member_id", "cell_id", "exempt_from", "exempt_until"]
    ]
    out = np.zeros(len(att), dtype=bool)
    if ex.empty:
        return out
    ex = ex.assign(
        _member=member_names.get_indexer(ex["member_id"]),
        _cell=att["cell_id"].cat.categories.get_indexer(ex["cell_id"]),
    )
    ex = ex[(ex["_member"] >= 0) & (ex["_cell"] >= 0)]
    codes = att["_member"].to_numpy()
    probe = np.flatnonzero(np.isin(codes, ex["_member"].to_numpy()))
    probe = pd.DataFrame(
        {
            "_member": codes[probe],
            "_cell": att["cell_id"].cat.codes.to_numpy()[probe].astype(np.int64),
            "held_on": att["held_on"].to_numpy()[probe],
            "_pos": probe,
        }
    )
    hit = probe.merge(
        ex[["_member", "_cell", "exempt_from", "exempt_until"]], on=["_member", "_cell"]
    )
    covers = (hit["exempt_from"] <= hit["held_on"]) & (
        hit["exempt_until"].isna() | (hit["held_on"] <= hit["exempt_until"])
    )
    out[hit.loc[covers, "_pos"].to_numpy()] = True
    return out


def home_cells(members: pd.DataFrame, member_ids: pd.Series, period: Period) -> pd.DataFrame:
    """The cell each member is counted in for member-level flags (R6).

    The cell whose roll holds the member at the end of ``period``; else the
    last cell they left within it (latest ``left_on`` up to the end); else,
    for a member never on a roll by then, their latest membership row.
    Returns ``member_id``, ``cell_id``, ``_file``, ``_row`` (the membership row).
    """
    wanted = pd.Index(pd.unique(member_ids))
    rows = members[members["member_id"].isin(wanted)]
    end = period.end
    rank = np.select(
        [on_roll(rows, end), rows["left_on"].notna() & (rows["left_on"] <= end)],
        [0, 1],
        default=2,
    )
    order = rows.assign(_rank=rank, _left=rows["left_on"].fillna(pd.Timestamp.max.normalize()))
    order = order.sort_values(
        ["member_id", "_rank", "_left", "joined_on"],
        ascending=[True, True, False, False],
        na_position="last",
        kind="stable",
    )
    return order.drop_duplicates("member_id")[["member_id", "cell_id", "_file", "_row"]]
