"""Which rows of a list are the most serious: the order of a page's excerpt and of a workbook.

Each list of :data:`chibo_analysis.indicators.LISTS` is ordered by its own
measure, most serious first (:data:`SEVERITY`): the members absent in the
most months, the longest runs, the meetings failing the most rules. A page
shows the first rows in that order; the evidence workbook keeps them all.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

#: Rows of a list a page shows (the evidence workbook has them all).
PAGE_ROWS = 10


def _rules_failed(f: pd.DataFrame) -> pd.Series:
    return f["reasons"].fillna("").map(lambda t: len([c for c in str(t).split(",") if c.strip()]))


def _present_share(f: pd.DataFrame) -> pd.Series:
    return f["present"] / f["counted"].where(f["counted"] > 0)


def _counts_disagreeing(f: pd.DataFrame) -> pd.Series:
    return _rules_failed(f.rename(columns={"mismatched": "reasons"}))


def _form_rank(f: pd.DataFrame) -> pd.Series:
    from chibo_analysis.schema import TABLES

    codes = list(TABLES["disciplines"].column("form").codes)
    return f["form"].map(lambda v: codes.index(v) if v in codes else -1)


#: Per list: the sort keys, most serious first, as ``(column or function, descending)``.
SEVERITY: dict[str, list[tuple[str | Callable[[pd.DataFrame], pd.Series], bool]]] = {
    "r6_meetings": [("n_months", True)],
    "r6_dues": [("n_months", True)],
    "excused_streaks": [("run_length", True)],
    "failing_meetings": [(_rules_failed, True), (_present_share, False), ("duration_min", False)],
    "implausible_good": [(_rules_failed, True), (_present_share, False), ("duration_min", False)],
    "minutes_mismatches": [(_counts_disagreeing, True)],
    "probation_overdue": [("days_overdue", True)],
    "exemption_age": [("age_at_exemption", False)],
    "small_residential": [("members", False)],
    "no_admissions": [("members", True)],
    "r9_cap": [(lambda f: f["excellent"] - f["allowed"], True)],
    "inflated_ratings": [("shrunken_share", True)],
    "copied_minutes": [("similarity", True)],
    "copied_cells": [("copied_share", True), ("copied", True)],
    "disciplines": [(_form_rank, True)],
    # the studies' own tables (rating_accuracy, compare_organisations)
    "rated_meetings": [("difference", True)],
    "rating_cells": [("rating_inflation", True), ("implausible_good", True)],
    "compared_units": [("attendance_rate", False)],
    "shrunk_attendance": [("shrunken", False), ("attendance_rate", False)],
    "yearly_units": [("period", True), ("attendance_rate", False)],
}


def _check_name(name: str) -> None:
    from chibo_analysis.errors import check_argument

    check_argument("list", name, tuple(SEVERITY))


def most_serious(name: str, frame: pd.DataFrame, n: int | None = PAGE_ROWS) -> pd.DataFrame:
    """The rows of list ``name`` most serious first (:data:`SEVERITY`), the first ``n``.

    Rows equal on every key keep the list's own order; an empty key (no
    register rows, no duration) sorts last. ``n=None`` keeps every row.

    Examples
    --------
    >>> frame = pd.DataFrame({"member_id": ["M1", "M2", "M3"], "n_months": [3, 5, 3]})
    >>> most_serious("r6_meetings", frame, 2)["member_id"].tolist()
    ['M2', 'M1']
    """
    _check_name(name)
    if frame.empty:
        return frame.head(0)
    keys, ascending = {}, []
    for i, (key, descending) in enumerate(SEVERITY[name]):
        keys[f"__key{i}"] = frame[key] if isinstance(key, str) else key(frame)
        ascending.append(not descending)
    order = (
        pd.DataFrame(keys, index=frame.index)
        .astype("float64")
        .reset_index(drop=True)
        .sort_values(list(keys), ascending=ascending, kind="stable", na_position="last")
        .index
    )
    out = frame.iloc[order]
    return (out if n is None else out.head(n)).reset_index(drop=True)
