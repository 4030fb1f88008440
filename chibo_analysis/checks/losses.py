"""How much of each cell's register was set aside: the caveat a reader needs.

A cell whose register lost rows to validation is scored on what is left; when
more than :data:`CAVEAT_SHARE` of its rows went, its figures deserve a caveat
next to them in the report.
"""

from __future__ import annotations

import pandas as pd

#: Share of a cell's register rows set aside above which its figures carry a caveat.
CAVEAT_SHARE = 0.05


def register_losses(dataset) -> pd.DataFrame:
    """Register rows per cell: read, set aside, and the share set aside.

    ``dataset`` is a cleaned dataset (its ``set_aside`` records). A register
    row counts in the cell of its meeting, the meeting set aside or not.

    Returns
    -------
    DataFrame
        ``cell_id``, ``register_rows``, ``set_aside``, ``share`` (0..1), for
        every cell with register rows, sorted by ``cell_id``.
    """
    kept = dataset.tables.get("attendance")
    gone = dataset.set_aside.get("attendance")
    meetings = pd.concat(
        [
            f
            for f in (dataset.tables.get("meetings"), dataset.set_aside.get("meetings"))
            if f is not None
        ]
    )
    cell_of = meetings.drop_duplicates("meeting_id").set_index("meeting_id")["cell_id"]
    parts = []
    for frame, lost in ((kept, False), (gone, True)):
        if frame is not None and len(frame):
            parts.append(pd.DataFrame({"cell_id": frame["meeting_id"].map(cell_of), "lost": lost}))
    if not parts:
        return pd.DataFrame(columns=["cell_id", "register_rows", "set_aside", "share"])
    rows = pd.concat(parts, ignore_index=True).dropna(subset=["cell_id"])
    out = rows.groupby("cell_id")["lost"].agg(register_rows="size", set_aside="sum").reset_index()
    out["set_aside"] = out["set_aside"].astype("int64")
    out["share"] = out["set_aside"] / out["register_rows"]
    return out.sort_values("cell_id").reset_index(drop=True)


def caveats(dataset, lang: str = "vi") -> pd.Series:
    """Per cell (index ``cell_id``), the caveat text of cells over :data:`CAVEAT_SHARE`."""
    from chibo_analysis.labels import fmt_percent, label

    losses = register_losses(dataset)
    over = losses[losses["share"] > CAVEAT_SHARE]
    return pd.Series(
        [label("text.register_caveat", lang, share=fmt_percent(s, lang)) for s in over["share"]],
        index=over["cell_id"].to_numpy(),
        dtype=object,
    )
