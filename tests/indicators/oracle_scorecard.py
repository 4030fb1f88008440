"""The scorecard's counts as the pandas implementation computed them before the engine.

Kept as a test oracle only (issue 12): :mod:`chibo_analysis.indicators.engine`
replaced this code in the package, and ``test_engine.py`` checks that both give
the same counts, column by column, on the synthetic city (and, when asked, on a
province). It reads the package's row-level rule helpers (roll, standards),
which the lists use too.
"""

from __future__ import annotations

import pandas as pd

from chibo_analysis.dataset import Dataset
from chibo_analysis.indicators import roll, standards
from chibo_analysis.indicators.periods import Period
from chibo_analysis.indicators.scorecard import admission_cells, latest_inspections


def cell_counts(ds: Dataset, period: Period) -> pd.DataFrame:
    """Every count column for every cell of the dataset (index ``cell_id``)."""
    orgs, members, meetings = ds.organisations, ds.members, ds.meetings
    months = roll.cell_months(orgs, period)
    ids = pd.Index(roll.cells(orgs)["org_id"], name="cell_id")
    out = pd.DataFrame(index=ids)

    def put(name: str, values: pd.Series) -> None:
        out[name] = values.reindex(ids).fillna(0).astype("int64")

    put("members", members.loc[roll.on_roll(members, period.end), "cell_id"].value_counts())
    put("months_expected", months.groupby("cell_id").size())
    put("quarters_expected", months.groupby("cell_id")["quarter"].nunique())

    # meetings of the period, within their cell's months (validation sets others aside)
    held = meetings["held_on"]
    mt = meetings[(held >= period.start) & (held <= period.end)]
    mt = mt.assign(month=mt["held_on"].dt.to_period("M").dt.start_time)
    live = pd.MultiIndex.from_frame(months[["cell_id", "month"]])
    mt = mt[pd.MultiIndex.from_frame(mt[["cell_id", "month"]]).isin(live)]
    mt = mt.assign(quarter=mt["month"].dt.to_period("Q").dt.start_time)
    kind = mt["kind"].astype("object")
    regular = mt[kind.isin(["regular", "combined"])]
    thematic = mt[kind.isin(["thematic", "combined"])]
    put("regular_months", regular.groupby("cell_id")["month"].nunique())
    put("thematic_quarters", thematic.groupby("cell_id")["quarter"].nunique())

    # register from 1 January of the first year, for runs and R6
    context, reg = roll.year_register(ds, period)
    run_pos = standards.excused_run_position(reg)
    facts = (
        standards.meeting_facts(context, reg, run_pos).loc[mt.index].assign(cell_id=mt["cell_id"])
    )
    by_cell = facts.groupby("cell_id")
    put("meetings", by_cell.size())
    put("standard_meetings", by_cell["standard"].sum())
    put("short_meetings", by_cell["short"].sum())
    put("attendance_present", by_cell["n_present"].sum())
    put("attendance_counted", by_cell["n_counted"].sum())
    put("unexcused_absences", by_cell["n_absent"].sum())
    put("good_self_ratings", by_cell["good"].sum())
    put("implausible_good", by_cell["implausible_good"].sum())
    put("superior_attended", mt.groupby("cell_id")["superior_attended"].sum())

    streak = reg[(run_pos > standards.R4_MAX_EXCUSED_RUN) & (reg["held_on"] >= period.start)]
    put(
        "excused_streaks",
        streak.drop_duplicates(["cell_id", "member_id"])["cell_id"].value_counts(),
    )

    flagged = standards.flagged_members(standards.r6_meeting_months(reg))
    put("flagged_meetings", _count_home(members, flagged, period))
    if ds.has("dues"):
        flagged = standards.flagged_members(standards.r6_dues_months(ds.dues, period))
        put("flagged_dues", _count_home(members, flagged, period))
    else:
        out["flagged_dues"] = 0

    _put_inspections(ds, mt, put, out)
    put("admissions", admission_cells(members, period)["cell_id"].value_counts())

    from chibo_analysis.checks.minutes_counts import compare_minutes

    mism = compare_minutes(context, reg["_mpos"].to_numpy(), reg["status"])
    mism = mism[mism.index.isin(mt.index)]
    put("minutes_mismatches", mism["cell_id"].value_counts())
    return out


def _count_home(members: pd.DataFrame, flagged: pd.DataFrame, period: Period) -> pd.Series:
    home = roll.home_cells(members, flagged["member_id"], period)
    return home["cell_id"].value_counts()


def _put_inspections(ds: Dataset, mt: pd.DataFrame, put, out: pd.DataFrame) -> None:
    if not ds.has("inspections"):
        for col in ("inspected_meetings", "rating_agreements", "rating_difference"):
            out[col] = 0
        return
    pairs = latest_inspections(ds.inspections, mt)
    by_cell = pairs.groupby("cell_id")
    put("inspected_meetings", by_cell.size())
    put("rating_agreements", by_cell["agree"].sum())
    put("rating_difference", by_cell["difference"].sum())
