"""The scorecard of DOMAIN.md §4: one row per cell and per organisation above it.

:func:`scorecard` is the contract read by the notebooks, the CLI and the
tests. :func:`scorecard_counts` gives the same rows with the numerators and
denominators behind every rate, for the statistics (funnel plots, shrinkage),
which need the counts, not the rates.

Readings of §4 decided here (see also :mod:`.roll` for roll and lifetime
boundaries):

- ``members``: membership rows on the roll on the period's last day.
- ``unexcused_absences`` and the R4 checks use register rows that are not
  left out (an ``absent`` written for an exempted member is not counted);
  ``minutes_mismatches`` compares the register as written.
- ``short_meetings``: every kind of meeting is held to R3 (90 minutes;
  combined sessions 120); meetings without a duration are not counted.
- ``standard_meeting_rate`` is over all meetings of the period, every kind.
- ``flagged_meetings`` / ``flagged_dues``: months from 1 January of each
  year up to the period's end (a quarter sees its year to date); a member
  flagged in any year of the period counts once.
- ``excused_streaks``: members whose excused absence at a meeting of the
  period is their 4th or later in a row in that cell (runs count from 1
  January, so a run begun in Q1 carries into Q2's scorecard).
- ``admissions``: members whose ``admitted_on`` falls in the period, in the
  cell whose roll held them on that day (a member who joined after being
  admitted was admitted elsewhere and counts nowhere).
- Cells that did not exist on any day of the period have no row.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.dataset import Dataset
from chibo_analysis.schema import CELL_LEVELS

from . import engine, roll
from .periods import Period, parse_period

ID_COLUMNS = ["org_id", "name", "level", "parent_id", "period"]
#: The §4 columns, in §4's order.
SCORECARD_COLUMNS = [
    "members", "months_expected", "regular_months", "regular_rate", "quarters_expected",
    "thematic_quarters", "thematic_rate", "short_meetings", "attendance_rate",
    "unexcused_absences", "standard_meeting_rate", "flagged_meetings", "flagged_dues",
    "excused_streaks", "good_self_ratings", "implausible_good", "inspected_meetings",
    "rating_agreement", "rating_inflation", "superior_attended", "admissions",
    "minutes_mismatches",
]  # fmt: skip
#: Each rate and its (numerator, denominator) count columns.
RATES = {
    "regular_rate": ("regular_months", "months_expected"),
    "thematic_rate": ("thematic_quarters", "quarters_expected"),
    "attendance_rate": ("attendance_present", "attendance_counted"),
    "standard_meeting_rate": ("standard_meetings", "meetings"),
    "rating_agreement": ("rating_agreements", "inspected_meetings"),
    "rating_inflation": ("rating_difference", "inspected_meetings"),
}
COUNT_COLUMNS = [c for c in SCORECARD_COLUMNS if c not in RATES] + [
    "attendance_present", "attendance_counted", "meetings", "standard_meetings",
    "rating_agreements", "rating_difference",
]  # fmt: skip
#: Count columns that need an optional table.
NEEDS = {
    "flagged_dues": "dues",
    "inspected_meetings": "inspections",
    "rating_agreements": "inspections",
    "rating_difference": "inspections",
}
#: Counts that need optional columns: empty (never 0) when no file had any of the columns.
NEEDS_COLUMNS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "short_meetings": (("meetings", ("duration_min",)),),
    "implausible_good": (("meetings", ("duration_min",)), ("meetings", ("self_rating",))),
    "good_self_ratings": (("meetings", ("self_rating",)),),
    "inspected_meetings": (("meetings", ("self_rating",)),),
    "rating_agreements": (("meetings", ("self_rating",)),),
    "rating_difference": (("meetings", ("self_rating",)),),
    "superior_attended": (("meetings", ("superior_attended",)),),
    "admissions": (("members", ("admitted_on",)),),
    "minutes_mismatches": (("meetings", ("n_summoned", "n_present", "n_excused", "n_absent")),),
    "flagged_dues": (("dues", ("paid_on",)),),
}
_LEVEL_ORDER = {"committee": 0, "base": 1, "base_cell": 2, "cell": 3}


def unavailable(dataset: Dataset) -> pd.DataFrame:
    """Scorecard counts that could not be computed, and the table and columns they lack.

    Returns
    -------
    DataFrame
        ``indicator``, ``table``, ``columns`` (the columns none of which was
        in the files), one row per missing need; empty when all could be.
    """
    return unavailable_given(dataset.has, dataset.has_column)


def unavailable_given(has, has_column) -> pd.DataFrame:
    """:func:`unavailable` from ``has(table)`` and ``has_column(table, column)`` predicates."""
    rows = []
    needs_of: dict[str, list] = {k: [(v, ())] for k, v in NEEDS.items()}
    for key, needs in NEEDS_COLUMNS.items():
        needs_of.setdefault(key, []).extend(needs)
    for indicator, needs in needs_of.items():
        for table, columns in needs:
            if not has(table):
                rows.append((indicator, table, ""))
            elif columns and not any(has_column(table, c) for c in columns):
                rows.append((indicator, table, ", ".join(columns)))
    return pd.DataFrame(rows, columns=["indicator", "table", "columns"]).drop_duplicates()


def scorecard(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """The §4 scorecard of every cell and organisation in ``org_id``'s subtree.

    Parameters
    ----------
    dataset : Dataset
        Cleaned first (rows validation sets aside count nowhere).
    period : str, int or Period
        ``"2022"``, ``"2022Q3"`` or ``"2020-2025"``.
    org_id : str, optional
        Root of the subtree; the whole dataset by default.

    Returns
    -------
    DataFrame
        ``org_id``, ``name``, ``level``, ``parent_id``, ``period`` and every
        §4 column in §4's order; counts are ``Int64``, rates ``Float64``.
        Organisation rows (base, committee) sum their cells' counts and
        recompute rates from the summed numerators and denominators; an empty
        denominator gives an empty rate. Without ``inspections`` the three
        inspection columns are empty; without ``dues``, ``flagged_dues`` is.
    """
    return rates_from_counts(scorecard_counts(dataset, period, org_id))


def rates_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """The §4 scorecard from :func:`scorecard_counts` rows (also after summing them)."""
    out = counts[ID_COLUMNS].copy()
    for col in SCORECARD_COLUMNS:
        if col in RATES:
            num, den = RATES[col]
            d = counts[den].astype("Float64")
            out[col] = (counts[num].astype("Float64") / d.where(d > 0)).astype("Float64")
        else:
            out[col] = counts[col]
    return out


def scorecard_counts(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """The scorecard's rows with every numerator and denominator as counts.

    Columns: :data:`ID_COLUMNS`, then :data:`COUNT_COLUMNS` (the §4 counts,
    ``attendance_present`` / ``attendance_counted``, ``meetings`` /
    ``standard_meetings``, ``rating_agreements``, ``rating_difference``
    (sum of self minus inspection points)).
    """
    ds = validated(dataset)
    period = parse_period(period)
    missing = set(unavailable(ds)["indicator"])
    return counts_table(ds.organisations, _cell_counts_of(ds, period), period, org_id, missing)


def counts_table(
    orgs: pd.DataFrame,
    cell_counts: pd.DataFrame,
    period: Period,
    org_id: str | None,
    missing: set[str],
) -> pd.DataFrame:
    """:func:`scorecard_counts` from every cell's counts (index ``cell_id``).

    Keeps the cells of ``org_id``'s subtree that existed in the period, adds
    the organisations above them (their cells' counts summed) and empties the
    ``missing`` counts (see :func:`unavailable`).
    """
    inside = roll.subtree(orgs, org_id)
    cell_counts = cell_counts[cell_counts.index.isin(inside) & (cell_counts["months_expected"] > 0)]

    above = orgs[
        orgs["org_id"].isin(inside)
        & ~orgs["level"].isin(CELL_LEVELS)
        & roll.existed_between(orgs, period.start, period.end)
    ]
    pairs = roll.ancestry(orgs)
    pairs = pairs[
        pairs["org_id"].isin(cell_counts.index) & pairs["ancestor_id"].isin(above["org_id"])
    ]
    summed = (
        cell_counts.reindex(pairs["org_id"])
        .set_axis(pairs["ancestor_id"].to_numpy())
        .groupby(level=0)
        .sum(min_count=1)
        .reindex(above["org_id"])
        .fillna(0)
    )
    counts = pd.concat([cell_counts, summed])
    for col in missing:
        counts[col] = pd.NA
    counts = counts.astype("Int64")
    counts.index.name = "org_id"
    meta = orgs.set_index("org_id").loc[counts.index, ["name", "level", "parent_id"]]
    meta = meta.assign(level=meta["level"].astype("object"), period=period.label)
    out = meta.join(counts).reset_index()
    out = out.iloc[_tree_order(orgs, out["org_id"])].reset_index(drop=True)
    return out[ID_COLUMNS + COUNT_COLUMNS]


def _tree_order(orgs: pd.DataFrame, ids: pd.Series) -> np.ndarray:
    """Positions of ``ids`` in depth-first order (parents before their children)."""
    pairs = roll.ancestry(orgs)
    depth = pairs.groupby("org_id").size().rename("depth")
    pairs = pairs.join(depth, on="ancestor_id")
    pairs = pairs.join(
        orgs.set_index("org_id")["level"].map(_LEVEL_ORDER).rename("rank"), on="ancestor_id"
    )
    pairs["step"] = pairs["rank"].astype("Int64").astype(str) + ":" + pairs["ancestor_id"]
    pairs = pairs.sort_values(["org_id", "depth"])
    path = pairs.groupby("org_id")["step"].agg("/".join)
    return np.argsort(ids.map(path).to_numpy(dtype=object), kind="stable")


@functools.lru_cache(maxsize=4)
def _cell_counts_of(ds: Dataset, period: Period) -> pd.DataFrame:
    """:func:`_cell_counts`, kept for the few datasets last asked about.

    A notebook asks for the same counts several times (the scorecard, the
    funnel, the lists); datasets are immutable and hashed by identity, so the
    counts of one dataset and period are computed once. Callers get a copy.
    """
    return _cell_counts(ds, period)


def _cell_counts(ds: Dataset, period: Period) -> pd.DataFrame:
    """Every count column for every cell of the dataset (index ``cell_id``).

    The counts are the queries of :mod:`.engine`, run by DuckDB over the
    dataset's frames (the same queries run over a prepared store).
    """
    relations = engine.frames_relations(ds.tables)
    with engine.connect(relations) as con:
        counts = engine.cell_counts(con, period, set(relations))
    ids = pd.Index(roll.cells(ds.organisations)["org_id"], name="cell_id")
    return counts.reindex(ids).fillna(0).astype("int64")
