"""Counts written in the minutes against the register (warning and indicator).

A meeting's minutes may say how many members were summoned, present, excused
and absent. :func:`minutes_mismatches` compares each written count with the
register rows of that meeting. The validator reports disagreements as
``minutes_mismatch`` warnings, and the scorecard counts them
(``minutes_mismatches``): one implementation for both.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.rules import is_status

#: Minutes counts and the register status each is compared with
#: (``n_summoned``: every register row other than ``exempt``).
MINUTES_COUNTS = {
    "n_summoned": None,
    "n_present": "present",
    "n_excused": "excused",
    "n_absent": "absent",
}


def minutes_mismatches(meetings: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Meetings whose counts written in the minutes disagree with the register.

    Each count is compared only where written: ``n_summoned`` with the
    register rows other than ``exempt``, ``n_present`` / ``n_excused`` /
    ``n_absent`` with the rows of that status. A meeting with counts written
    but no register row at all disagrees wherever a written count is not 0.

    Parameters
    ----------
    meetings, attendance : DataFrame
        The loaded tables (or slices of them).

    Returns
    -------
    DataFrame
        One row per disagreeing meeting: ``meeting_id``, ``cell_id``,
        ``held_on``, ``mismatched`` (the disagreeing counts, e.g.
        ``"n_present, n_absent"``), then each count as written
        (``n_summoned``...) and as registered (``register_summoned``...),
        and the meeting's ``_file``, ``_sheet``, ``_row``.

    Examples
    --------
    >>> m = pd.DataFrame({"meeting_id": ["a"], "cell_id": ["C"],
    ...     "held_on": pd.to_datetime(["2022-01-05"]),
    ...     "n_summoned": pd.array([3], "Int64"), "n_present": pd.array([3], "Int64"),
    ...     "n_excused": pd.array([pd.NA], "Int64"), "n_absent": pd.array([pd.NA], "Int64"),
    ...     "_file": ["meetings.csv"], "_sheet": [""], "_row": [2]})
    >>> a = pd.DataFrame({"meeting_id": ["a", "a", "a"], "member_id": ["x", "y", "z"],
    ...                   "status": ["present", "present", "excused"]})
    >>> minutes_mismatches(m, a)[["meeting_id", "mismatched", "n_present", "register_present"]]
      meeting_id mismatched  n_present  register_present
    0          a  n_present          3                 2
    """
    pos = pd.Index(meetings["meeting_id"]).get_indexer(attendance["meeting_id"])
    ok = pos >= 0
    return compare_minutes(meetings, pos[ok], attendance["status"][ok]).reset_index(drop=True)


def compare_minutes(meetings: pd.DataFrame, pos: np.ndarray, status: pd.Series) -> pd.DataFrame:
    """:func:`minutes_mismatches` from register rows given as meeting positions and statuses.

    Keeps the index of ``meetings``.
    """
    n = len(meetings)
    bad = np.zeros(n, dtype=bool)
    names = np.full(n, "", dtype=object)
    out = meetings[["meeting_id", "cell_id", "held_on"]].copy()
    for count, wanted in MINUTES_COUNTS.items():
        mask = ~is_status(status, "exempt") if wanted is None else is_status(status, wanted)
        registered = np.bincount(pos[mask], minlength=n)
        written = meetings[count].astype("Int64")
        differs = (written.notna() & (written != registered)).to_numpy(dtype=bool)
        bad |= differs
        names = np.where(differs, names + ", " + count, names)
        out[count] = written
        out["register_" + count[2:]] = registered
    out["mismatched"] = pd.Series(names, index=out.index).str.lstrip(", ")
    for col in ("_file", "_sheet", "_row"):
        out[col] = meetings[col] if col in meetings else ""
    cols = ["meeting_id", "cell_id", "held_on", "mismatched"]
    cols += [c for c in out.columns if c.startswith(("n_", "register_"))]
    out = out[bad]
    out = out.assign(_file=out["_file"].astype(str), _row=out["_row"].astype("int64"))
    return out[cols + ["_file", "_sheet", "_row"]]
