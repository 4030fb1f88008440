"""What the audit studies' charts and tables draw, computed from a dataset.

The glue between the records and the statistics: which counts go into a
funnel plot, a control chart, the kappa or the shrunken rates, arranged with
the readers' labels (cell names) as index. Pure functions of a cleaned
:class:`~chibo_analysis.dataset.Dataset`; the charts of
:mod:`chibo_analysis.present.charts` draw what they return.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.errors import check_argument
from chibo_analysis.schema import BASE_LEVELS, CELL_LEVELS

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.dataset import Dataset
    from chibo_analysis.indicators.periods import Period
    from chibo_analysis.stats.agreement import KappaResult
    from chibo_analysis.stats.control import ControlChart
    from chibo_analysis.stats.funnel import FunnelResult
    from chibo_analysis.stats.shrinkage import ShrinkageResult

#: Which scorecard rows a comparison is between.
UNITS = {"cells": CELL_LEVELS, "bases": BASE_LEVELS}


def _meetings_within(ds, period, org_id) -> pd.DataFrame:
    """The meetings of the period held by the cells within ``org_id``."""
    from chibo_analysis.indicators import roll

    inside = roll.subtree(ds.organisations, org_id)
    held = ds.meetings["held_on"]
    return ds.meetings[
        ds.meetings["cell_id"].isin(inside) & (held >= period.start) & (held <= period.end)
    ]


def presence_grid(
    dataset: Dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    kind: str = "regular",
    by_base: bool = False,
) -> pd.DataFrame:
    """Meetings per cell and month (R1) or quarter (R2): the table behind the heatmaps.

    Parameters
    ----------
    dataset : Dataset
        Cleaned first.
    period : str, int or Period
        ``"2022"``, ``"2022Q3"`` or ``"2020-2022"``.
    org_id : str, optional
        Only the cells in this organisation's subtree (all by default).
    kind : {'regular', 'thematic'}
        ``regular``: regular or combined meetings per month; ``thematic``:
        thematic or combined meetings per quarter.
    by_base : bool
        Group the rows by base organisation: the index becomes (``base``,
        ``cell``), the base's name then the cell's, rows in the order of the
        bases' codes then the cells'. Cells that are base organisations
        themselves (``base_cell``) come last, with an empty ``base``.

    Returns
    -------
    DataFrame
        Index: cell names (with the code added where two cells share a name),
        in the order of their codes; columns: every month (Timestamp, first
        day) or quarter (``Period``) of the period; values: meetings held (0 =
        missed), empty (NaN) where the cell did not exist. This is what
        :func:`chibo_analysis.present.charts.plot_presence_grid` draws.
    """
    from chibo_analysis.indicators import roll
    from chibo_analysis.indicators.periods import parse_period

    check_argument("kind", kind, ("regular", "thematic"))
    ds = validated(dataset)
    period = parse_period(period)
    orgs = ds.organisations
    inside = roll.subtree(orgs, org_id)
    slots = roll.cell_months(orgs, period)
    slots = slots[slots["cell_id"].isin(inside)]
    step = "month" if kind == "regular" else "quarter"
    counted = ("regular", "combined") if kind == "regular" else ("thematic", "combined")
    meetings = ds.meetings[ds.meetings["kind"].isin(counted)]
    held = meetings["held_on"].dt.to_period("M").dt.start_time
    meetings = meetings.assign(month=held, quarter=held.dt.to_period("Q").dt.start_time)
    counts = meetings.groupby(["cell_id", step]).size().rename("held")
    slots = slots[["cell_id", step]].drop_duplicates().join(counts, on=["cell_id", step])
    grid = slots.assign(held=slots["held"].fillna(0)).pivot(
        index="cell_id", columns=step, values="held"
    )
    columns = pd.DatetimeIndex(period.months if kind == "regular" else period.quarters)
    grid = grid.reindex(columns=columns).astype("float64").sort_index()
    if kind == "thematic":
        grid.columns = grid.columns.to_period("Q")
    names = where_names(orgs, grid.index).rename("cell")
    if by_base:
        base = roll.base_of(orgs).reindex(grid.index).fillna("").astype(object)
        base = base.where(base != base.index, "")  # a base_cell is its own base: grouped apart
        # sorted by: base_cells last, then base code, then cell code (lexsort: last key first)
        order = np.lexsort(
            (grid.index.to_numpy(dtype=str), base.to_numpy(dtype=str), base.eq("").to_numpy())
        )
        grid, names, base = grid.iloc[order], names[order], base.iloc[order]
        bases = pd.Index(base[base.ne("")].unique())
        label = dict(zip(bases, where_names(orgs, bases), strict=True))
        names = pd.MultiIndex.from_arrays(
            [base.map(lambda b: label.get(b, "")).to_numpy(dtype=object), names],
            names=["base", "cell"],
        )
    grid.index = names
    grid.columns.name = step
    return grid


def discipline_cases(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """Discipline decisions of the period about members or organisations within ``org_id``.

    Returns
    -------
    DataFrame
        ``member_id`` (empty for an organisation), ``org_id`` (the
        organisation, or the cell whose roll held the member on the day of
        the decision), ``decided_on``, ``form``, ``reason``, ``_file``, ``_row``;
        empty without a ``disciplines`` table.
    """
    from chibo_analysis.indicators import roll
    from chibo_analysis.indicators.periods import parse_period

    columns = ["member_id", "org_id", "decided_on", "form", "reason", "_file", "_row"]
    ds = validated(dataset)
    if not ds.has("disciplines"):
        return pd.DataFrame(columns=columns)
    period = parse_period(period)
    inside = roll.subtree(ds.organisations, org_id)
    d = ds.disciplines
    d = d[(d["decided_on"] >= period.start) & (d["decided_on"] <= period.end)]
    m = ds.members[["member_id", "cell_id", "joined_on", "left_on"]]
    pairs = d.reset_index().merge(m, left_on="subject_id", right_on="member_id", how="left")
    held = (pairs["joined_on"].isna() | (pairs["joined_on"] <= pairs["decided_on"])) & (
        pairs["left_on"].isna() | (pairs["left_on"] > pairs["decided_on"])
    )
    members = pairs[pairs["member_id"].notna() & held].drop_duplicates("index")
    members = members.assign(org_id=members["cell_id"])
    orgs = d.reset_index()
    orgs = orgs[orgs["subject_id"].isin(ds.organisations["org_id"])]
    orgs = orgs.assign(member_id=pd.NA, org_id=orgs["subject_id"])
    out = pd.concat([members, orgs], ignore_index=True)
    out = out[out["org_id"].isin(inside)].sort_values(["decided_on", "_row"], kind="stable")
    return out[columns].reset_index(drop=True)


def where_names(orgs: pd.DataFrame, ids) -> pd.Index:
    """Organisation names for ``ids`` that say where: the base added where names repeat.

    Many cells share a name ("Chi bộ Tổ dân phố 1" in a dozen wards): where a
    name stands for more than one of ``ids``, its base organisation's name is
    added ("Chi bộ Tổ dân phố 1 – Đảng bộ phường Tân Quang"), and the code as
    well if that is still not enough. An unknown id is shown as itself.

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["T", "B1", "B2", "C1", "C2", "C3"],
    ...     "parent_id": [None, "T", "T", "B1", "B2", "B1"],
    ...     "level": ["committee", "base", "base", "cell", "cell", "cell"],
    ...     "name": ["TP", "Phường A", "Phường B", "Tổ 1", "Tổ 1", "Tổ 2"]})
    >>> list(where_names(orgs, ["C1", "C2", "C3", "X", "C1"]))
    ['Tổ 1 – Phường A', 'Tổ 1 – Phường B', 'Tổ 2', 'X', 'Tổ 1 – Phường A']
    """
    from chibo_analysis.indicators.roll import base_of

    ids = pd.Series(list(ids), dtype="object").astype(str)
    table = orgs.drop_duplicates("org_id").set_index("org_id")
    names = table["name"].astype("object")
    unique = pd.Series(ids.unique())
    shown = unique.map(names).fillna(unique).astype(str)
    ambiguous = shown.duplicated(keep=False)
    if ambiguous.any() and {"parent_id", "level"} <= set(orgs.columns):
        base_id = unique.map(base_of(orgs))
        base = base_id.map(names)
        add = ambiguous & base.notna() & (base_id != unique)
        shown = shown.where(~add, shown + " – " + base.astype(str))
    still = shown.duplicated(keep=False)
    shown = shown.where(~still, shown + " (" + unique + ")")
    return pd.Index(ids.map(dict(zip(unique, shown, strict=True))).to_numpy())


def comparison_units(dataset: Dataset, org_id: str | None = None) -> str:
    """Which units a comparison within ``org_id`` is between: ``"bases"`` or ``"cells"``.

    A committee is compared by its base organisations; a base organisation
    (or anything holding fewer than two base organisations) by its cells:
    comparing one base organisation with itself says nothing, and the
    shrinkage needs at least two units.
    """
    from chibo_analysis.indicators import roll

    ds = validated(dataset)
    orgs = ds.organisations
    inside = roll.subtree(orgs, org_id)
    bases = orgs["org_id"].isin(inside) & orgs["level"].astype("object").isin(UNITS["bases"])
    return "bases" if int(bases.sum()) >= 2 else "cells"


def comparison_view(dataset: Dataset, org_id: str | None = None) -> str:
    """What a comparison study of ``org_id`` shows: ``"bases"``, ``"cells"`` or ``"alone"``.

    ``"alone"`` when ``org_id`` holds fewer than two cells (a cell audited by
    itself, a base organisation with one cell): there is nothing to compare
    it with, so the funnel plot and the fair ranking do not apply and the
    page says so; its years are still shown side by side.
    """
    from chibo_analysis.indicators import roll

    ds = validated(dataset)
    orgs = ds.organisations
    inside = orgs["org_id"].isin(roll.subtree(orgs, org_id))
    cells = inside & orgs["level"].astype("object").isin(UNITS["cells"])
    if int(orgs.loc[cells, "org_id"].nunique()) < 2:
        return "alone"
    return comparison_units(ds, org_id)


def _unit_counts(
    dataset: Dataset, period: str | int | Period, org_id: str | None, units: str
) -> pd.DataFrame:
    from chibo_analysis.indicators.scorecard import scorecard_counts

    check_argument("units", units, tuple(UNITS))
    ds = validated(dataset)
    counts = scorecard_counts(ds, period, org_id)
    counts = counts[counts["level"].isin(UNITS[units])]
    return counts.set_axis(where_names(ds.organisations, counts["org_id"]))


def attendance_funnel(
    dataset: Dataset,
    period: str | int | Period,
    org_id: str | None = None,
    *,
    units: str = "cells",
    target: float | None = None,
) -> tuple[FunnelResult, pd.DataFrame]:
    """Funnel-plot limits of attendance per cell (or base organisation) and the limit lines.

    Events are members present, trials the register rows counted (R4: exempt
    rows left out), as in the scorecard's ``attendance_rate``.

    Parameters
    ----------
    units : {'cells', 'bases'}
        Compare the cells, or the base organisations, within ``org_id``.
    target : float, optional
        Compare with a target rate instead of the overall rate.

    Returns
    -------
    (FunnelResult, DataFrame)
        The limits per unit (indexed by unit name) and
        :func:`~chibo_analysis.stats.funnel.funnel_curve` for plotting, with
        the multiplicative overdispersion adjustment where the data call for it.
        Without any register row in the period (a period with no data), the
        table and the curve are empty and the target is NaN.
    """
    from chibo_analysis.stats.funnel import funnel_curve, funnel_limits

    counts = _unit_counts(dataset, period, org_id, units)
    counts = counts[counts["attendance_counted"] > 0]
    res = funnel_limits(
        counts["attendance_present"].astype("float64"),
        counts["attendance_counted"].astype("float64"),
        target=target,
        overdispersion="multiplicative",
    )
    if not len(counts):  # no register row in the period: nothing to draw limits around
        return res, pd.DataFrame({"trials": pd.Series(dtype="float64")})
    top = int(counts["attendance_counted"].max())
    curve = funnel_curve(res.target, top, phi=res.phi if res.overdispersion != "none" else 1.0)
    return res, curve


def shrunken_attendance(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None, *, units: str = "cells"
) -> ShrinkageResult:
    """Empirical-Bayes attendance rates per cell (or base organisation), indexed by name.

    The population the rates shrink toward is estimated from the units
    themselves, so it needs at least two units with register rows whose rates
    are not all 0% or all 100%. Otherwise shrinkage does not apply: the
    result keeps the observed rates, with ``shrunken``, ``lower`` and
    ``upper`` empty, ``alpha`` and ``beta`` NaN and ``method`` ``"none"``
    (the caterpillar chart then says why it shows no interval).
    """
    from chibo_analysis.errors import ParameterError
    from chibo_analysis.stats.shrinkage import ShrinkageResult, shrunken_rates

    counts = _unit_counts(dataset, period, org_id, units)
    counts = counts[counts["attendance_counted"] > 0]
    events = counts["attendance_present"].astype("float64")
    trials = counts["attendance_counted"].astype("float64")
    try:
        return shrunken_rates(events, trials)
    except ParameterError:
        if len(counts) >= 2 and 0 < events.sum() < trials.sum():
            raise  # not one of the cases above: a real error
    nan = float("nan")
    table = pd.DataFrame(
        {"events": events, "trials": trials, "rate": events / trials, "shrunken": nan,
         "lower": nan, "upper": nan, "rank": pd.array([pd.NA] * len(counts), dtype="Int64")},
    )  # fmt: skip
    return ShrinkageResult(table, nan, nan, "none")


def monthly_attendance(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """Members present and register rows counted, per month, over the cells within ``org_id``.

    Returns
    -------
    DataFrame
        Indexed by month (first day, every month of the period, 0 where no
        meeting was held): ``present``, ``counted``.
    """
    from chibo_analysis.indicators import engine, roll
    from chibo_analysis.indicators.periods import parse_period

    ds = validated(dataset)
    period = parse_period(period)
    meetings = _meetings_within(ds, period, org_id)
    reg = engine.register_rows(ds.tables, period.start, period.end)
    reg = reg[reg["meeting_id"].isin(meetings["meeting_id"])]
    reg = reg[~reg["left_out"] & reg["status"].isin(roll.COUNTED)]
    month = reg["held_on"].dt.to_period("M").dt.start_time
    out = pd.DataFrame(
        {
            "present": (reg["status"] == "present").groupby(month).sum(),
            "counted": reg.groupby(month).size(),
        }
    )
    out = out.reindex(pd.DatetimeIndex(period.months, name="month"), fill_value=0)
    return out.astype("int64")


def attendance_chart(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> ControlChart:
    """Laney p′ chart of the monthly attendance rate (months without meetings left out)."""
    from chibo_analysis.stats.control import laney_p_chart

    months = monthly_attendance(dataset, period, org_id)
    months = months[months["counted"] > 0]
    return laney_p_chart(months["present"], months["counted"])


def rating_agreement(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> KappaResult:
    """Quadratic-weighted kappa and confusion table of self against inspection ratings.

    Over the period's meetings within ``org_id`` that have both ratings (the
    latest inspection of each), as in the scorecard's ``inspected_meetings``.
    Without an inspections table, the result has ``n == 0``.
    """
    from chibo_analysis.indicators.engine import latest_inspections
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.stats.agreement import weighted_kappa

    ds = validated(dataset)
    period = parse_period(period)
    mt = _meetings_within(ds, period, org_id)
    if not ds.has("inspections"):
        return weighted_kappa([], [])
    pairs = latest_inspections(ds.inspections, mt)
    return weighted_kappa(
        pairs["self_rating"].astype("object").to_numpy(),
        pairs["rating"].astype("object").to_numpy(),
    )


#: Columns of :func:`rated_meetings`.
RATED_COLUMNS = [
    "meeting_id", "cell_id", "held_on", "self_rating", "inspection_rating", "difference", "_file",
    "_row",
    "evidence",
]  # fmt: skip


def rated_meetings(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None
) -> pd.DataFrame:
    """The meetings whose self-rating is compared with an inspection: the rows behind the kappa.

    One row per meeting of the period within ``org_id`` with both ratings (the
    latest inspection), as :func:`rating_agreement` counts them:
    ``meeting_id``, ``cell_id``, ``held_on``, ``self_rating``,
    ``inspection_rating`` (the inspectors'), ``difference`` (self minus inspection, in grades of the 0–3
    scale: 2 is "Tốt" against "Trung bình"), the meeting's ``_file`` and
    ``_row`` and ``evidence`` (the inspection's ``file:row``). Without an
    inspections table, no row.
    """
    from chibo_analysis.indicators.engine import latest_inspections
    from chibo_analysis.indicators.periods import parse_period

    ds = validated(dataset)
    period = parse_period(period)
    mt = _meetings_within(ds, period, org_id)
    if not ds.has("inspections"):
        return pd.DataFrame({c: pd.Series(dtype="object") for c in RATED_COLUMNS})
    pairs = latest_inspections(ds.inspections, mt)
    rows = mt.drop_duplicates("meeting_id").set_index("meeting_id")
    out = pairs.rename(columns={"rating": "inspection_rating"}).assign(
        evidence=pairs["_file"].astype(str) + ":" + pairs["_row"].astype(str),
        _file=pairs["meeting_id"].map(rows["_file"]).astype(str),
        _row=pairs["meeting_id"].map(rows["_row"]).astype("int64"),
    )
    return out[RATED_COLUMNS].reset_index(drop=True)


def shrunk_rows(result: ShrinkageResult) -> pd.DataFrame:
    """The table of :func:`shrunken_attendance` with the readers' columns, one row per unit.

    ``name`` (the unit, saying where), ``attendance_present``,
    ``attendance_counted``, ``attendance_rate`` (observed), ``shrunken`` (the
    empirical-Bayes estimate), ``shrunken_lower``, ``shrunken_upper`` (its 95%
    interval) and ``rank`` (1 = lowest estimate).
    """
    table = result.table.rename(
        columns={"events": "attendance_present", "trials": "attendance_counted",
                 "rate": "attendance_rate", "lower": "shrunken_lower",
                 "upper": "shrunken_upper"}
    )  # fmt: skip
    return table.rename_axis("name").reset_index()


def yearly_scorecards(
    dataset: Dataset, years: str, org_id: str | None = None, *, units: str = "bases"
) -> pd.DataFrame:
    """The scorecard of each year of ``years`` (``"2020-2022"``), rows of one kind of unit.

    Returns
    -------
    DataFrame
        The scorecard rows of every year stacked, ``period`` the year.
    """
    from chibo_analysis.indicators.periods import parse_period
    from chibo_analysis.indicators.scorecard import scorecard

    check_argument("units", units, tuple(UNITS))
    ds = validated(dataset)
    cards = [scorecard(ds, str(y), org_id) for y in parse_period(years).years]
    out = pd.concat(cards, ignore_index=True)
    return out[out["level"].isin(UNITS[units])].reset_index(drop=True)


def copied_minutes_in(
    dataset: Dataset, period: str | int | Period, org_id: str | None = None, **options
):
    """Copied minutes of the period's meetings within ``org_id``, sources anywhere in the data.

    :func:`chibo_analysis.indicators.minutes.copied_minutes_in`: every
    meeting of the organisation and period is compared with every minutes
    text of the dataset (every year, every organisation). The pairs name the
    source's organisation: ``name_a`` (the earlier meeting's cell) and
    ``base_a`` (its base organisation), placed before the source's columns.
    The per-cell table keeps the cells with copied minutes, with their
    ``name``, the highest share first; ``options`` go to ``copied_minutes``
    (threshold, k, ...).
    """
    from chibo_analysis.indicators import roll
    from chibo_analysis.indicators.minutes import CopiedMinutes, copied_minutes_in

    ds = validated(dataset)
    res = copied_minutes_in(ds, period, org_id, **options)
    orgs = ds.organisations
    names = orgs.drop_duplicates("org_id").set_index("org_id")["name"]
    base_names = roll.base_of(orgs).map(names)
    pairs = res.pairs.copy()
    at = pairs.columns.get_loc("meeting_id_a")
    pairs.insert(at, "base_a", pairs["cell_id_a"].map(base_names).astype("object"))
    pairs.insert(at, "name_a", pairs["cell_id_a"].map(names).astype("object"))
    cells = res.cells.assign(name=res.cells["cell_id"].map(names))
    cells = cells[["cell_id", "name"] + [c for c in res.cells.columns if c != "cell_id"]]
    cells = cells[cells["copied"] > 0].sort_values("copied_share", ascending=False, kind="stable")
    cells = cells.reset_index(drop=True)
    return CopiedMinutes(pairs, cells, res.threshold, res.k, res.method)


def trend_years(years: str | None, period: object) -> str:
    """The years of a report's trend lines: ``years`` as given, or the three ending with
    the report's period (a 2022 report shows 2020–2022, never later years).

    >>> trend_years("", "2022"), trend_years(None, "2022Q3"), trend_years("2018-2022", "2022")
    ('2020-2022', '2020-2022', '2018-2022')
    """
    if years:
        return str(years)
    end = int(str(period).strip()[-4:]) if "-" in str(period) else int(str(period)[:4])
    return f"{end - 2}-{end}"
