"""Counts written in the minutes against the register (warning and indicator).

A meeting's minutes may say how many members were summoned, present, excused
and absent. :func:`minutes_sql` compares each written count with the register
rows of that meeting, as a DuckDB query. The validator reports disagreements as
``minutes_mismatch`` warnings (:func:`minutes_mismatches` runs the query over
the frames), the lists list them, and the scorecard's engine counts them
(``minutes_mismatches``) with the same query: one implementation for all.
"""

from __future__ import annotations

import pandas as pd

#: Minutes counts and the register status each is compared with
#: (``n_summoned``: every register row other than ``exempt``).
MINUTES_COUNTS = {
    "n_summoned": None,
    "n_present": "present",
    "n_excused": "excused",
    "n_absent": "absent",
}


def minutes_sql(meetings: str, register: str) -> str:
    """CTE ``minutes``: each meeting of relation ``meetings`` against its register rows.

    ``meetings`` has ``meeting_id`` and the counts as written (``n_summoned`` ...);
    ``register`` has ``meeting_id`` and ``status`` (as text). Each count is compared
    only where written: ``n_summoned`` with the register rows other than ``exempt``,
    ``n_present`` / ``n_excused`` / ``n_absent`` with the rows of that status; a
    meeting with counts written but no register row disagrees wherever a written count
    is not 0. Columns: ``meeting_id``, ``register_summoned`` ... ``register_absent``,
    ``mismatched`` (the disagreeing counts, e.g. ``"n_present, n_absent"``, empty when
    none) and ``mismatch`` (true when one disagrees).
    """
    tallies = []
    differs = []
    for count, wanted in MINUTES_COUNTS.items():
        name = "register_" + count[2:]
        test = "status IS DISTINCT FROM 'exempt'" if wanted is None else f"status = '{wanted}'"
        tallies.append(f"coalesce(count(*) FILTER (WHERE {test}), 0) AS {name}")
        differs.append(f"coalesce(m.{count} <> coalesce(r.{name}, 0), false)")
    names = ", ".join(
        f"CASE WHEN {d} THEN '{c}' END" for d, c in zip(differs, MINUTES_COUNTS, strict=True)
    )
    registered = ", ".join(
        f"coalesce(r.register_{c[2:]}, 0) AS register_{c[2:]}" for c in MINUTES_COUNTS
    )
    return f"""minutes_register AS (
    SELECT meeting_id, {", ".join(tallies)} FROM {register} GROUP BY meeting_id
),
minutes AS (
    SELECT m.meeting_id, {registered}, concat_ws(', ', {names}) AS mismatched,
           ({" OR ".join(differs)}) AS mismatch
    FROM {meetings} m LEFT JOIN minutes_register r ON r.meeting_id = m.meeting_id
)"""


def minutes_mismatches(meetings: pd.DataFrame, attendance: pd.DataFrame) -> pd.DataFrame:
    """Meetings whose counts written in the minutes disagree with the register.

    The comparison of :func:`minutes_sql`, run by DuckDB over the frames.

    Parameters
    ----------
    meetings, attendance : DataFrame
        The loaded tables (or slices of them).

    Returns
    -------
    DataFrame
        One row per disagreeing meeting, in the order of ``meetings``:
        ``meeting_id``, ``cell_id``, ``held_on``, ``mismatched`` (the disagreeing
        counts, e.g. ``"n_present, n_absent"``), then each count as written
        (``n_summoned``...) and as registered (``register_summoned``...), and the
        meeting's ``_file``, ``_sheet``, ``_row``.

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
    import duckdb

    counts = list(MINUTES_COUNTS)
    written = meetings[["meeting_id", *counts]].assign(_order=range(len(meetings)))
    register = pd.DataFrame(
        {"meeting_id": attendance["meeting_id"], "status": attendance["status"].astype(object)}
    )
    with duckdb.connect() as con:
        con.register("written", written)
        con.register("register", register)
        found = con.execute(
            "WITH " + minutes_sql("written", "register")
            + " SELECT m.*, w._order FROM minutes m JOIN written w USING (meeting_id)"
            " WHERE m.mismatch ORDER BY w._order"
        ).df()  # fmt: skip
    rows = meetings.iloc[found["_order"].to_numpy()]
    out = rows[["meeting_id", "cell_id", "held_on"]].assign(
        mismatched=found["mismatched"].astype(object).to_numpy()
    )
    for count in counts:
        out[count] = rows[count].astype("Int64")
        out["register_" + count[2:]] = found["register_" + count[2:]].astype("int64").to_numpy()
    for col in ("_file", "_sheet", "_row"):
        out[col] = rows[col] if col in rows else ""
    out = out.assign(_file=out["_file"].astype(str), _row=out["_row"].astype("int64"))
    return out.reset_index(drop=True)
