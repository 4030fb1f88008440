"""The scorecard's counts as the pandas implementation computed them before the engine.

Kept as a test oracle only (issue 12): :mod:`chibo_analysis.indicators.engine`
replaced this code in the package, and ``test_engine.py`` checks that both give
the same counts, column by column, on the synthetic city (and, when asked, on a
province). It reads the package's row-level rule helpers (roll, standards),
which the lists use too.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from chibo_analysis.dataset import Dataset
from chibo_analysis.indicators import roll, standards
from chibo_analysis.indicators.periods import Period
from chibo_analysis.indicators.standards import (
    R3_MIN_MINUTES,
    R4_MAX_EXCUSED_RUN,
    R4_MIN_PRESENT_SHARE,
    R6_MONTHS,
)
from chibo_analysis.rules import is_status, on_roll
from chibo_analysis.schema import RATING_POINTS


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
    context, reg = year_register(ds, period)
    run_pos = excused_run_position(reg)
    facts = meeting_facts(context, reg, run_pos).loc[mt.index].assign(cell_id=mt["cell_id"])
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

    flagged = flagged_members(r6_meeting_months(reg))
    put("flagged_meetings", _count_home(members, flagged, period))
    if ds.has("dues"):
        flagged = flagged_members(r6_dues_months(ds.dues, period))
        put("flagged_dues", _count_home(members, flagged, period))
    else:
        out["flagged_dues"] = 0

    _put_inspections(ds, mt, put, out)
    put("admissions", admission_cells(members, period)["cell_id"].value_counts())

    mism = compare_minutes(context, reg["_mpos"].to_numpy(), reg["status"])
    mism = mism[mism.index.isin(mt.index)]
    put("minutes_mismatches", mism["cell_id"].value_counts())
    return out


def _count_home(members: pd.DataFrame, flagged: pd.DataFrame, period: Period) -> pd.Series:
    home = home_cells(members, flagged["member_id"], period)
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


# --- the row-level helpers it read, as they were in the package -------------------------


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


def excused_run_position(reg: pd.DataFrame) -> pd.Series:
    """Position of each excused row in its run of excused absences (0 for other rows).

    ``reg`` is a register frame from :func:`.roll.register`. Runs follow a
    member's own rows in one cell, in date order (meetings of the same day by meeting id), and
    restart each calendar year; left-out rows neither break nor extend them.

    Examples
    --------
    >>> reg = pd.DataFrame({
    ...     "member_id": ["a"] * 6, "cell_id": ["c"] * 6, "meeting_id": list("123456"),
    ...     "held_on": pd.to_datetime(["2022-01-05", "2022-02-05", "2022-03-05",
    ...                                "2022-04-05", "2022-05-05", "2023-01-05"]),
    ...     "status": ["excused", "excused", "exempt", "excused", "excused", "excused"],
    ...     "left_out": [False, False, True, False, False, False]})
    >>> reg["year"] = reg["held_on"].dt.year
    >>> excused_run_position(reg).tolist()
    [1, 2, 0, 3, 4, 1]
    """
    counted = ~reg["left_out"].to_numpy(dtype=bool)
    result = np.zeros(len(reg), dtype=np.int64)
    if not counted.any():
        return pd.Series(result, index=reg.index)
    rows = np.flatnonzero(counted)
    # one int64 sort key: (member, cell) pair, then day, then same-day order
    member = (reg["_member"].to_numpy() if "_member" in reg else pd.factorize(reg["member_id"])[0])[
        rows
    ].astype(np.int64)
    cell = pd.factorize(reg["cell_id"])[0][rows].astype(np.int64)
    pair = pd.factorize(member * (cell.max() + 1) + cell)[0].astype(np.int64)
    day = reg["held_on"].to_numpy()[rows].astype("datetime64[D]").astype(np.int64)
    day -= day.min()
    if "_mtie" in reg:
        tie = reg["_mtie"].to_numpy()[rows].astype(np.int64)
    else:
        tie = pd.factorize(reg["meeting_id"], sort=True)[0][rows].astype(np.int64)
    span_day, span_tie = day.max() + 1, tie.max() + 1
    if (pair.max() + 1) * span_day * span_tie < 2**62:
        order = np.argsort((pair * span_day + day) * span_tie + tie)
    else:  # pragma: no cover - only for national-size data
        order = np.lexsort((tie, day, pair))
    year = reg["year"].to_numpy()[rows][order]
    pair = pair[order]
    exc = is_status(reg["status"], "excused")[rows][order]
    new_group = np.ones(len(order), dtype=bool)
    new_group[1:] = (pair[1:] != pair[:-1]) | (year[1:] != year[:-1])
    marker = new_group | ~exc
    idx = np.arange(len(order))
    last = np.maximum.accumulate(np.where(marker, idx, -1))
    result[rows[order]] = np.where(exc, idx - last + exc[last].astype(np.int64), 0)
    return pd.Series(result, index=reg.index)


def meeting_facts(meetings: pd.DataFrame, reg: pd.DataFrame, run_pos: pd.Series) -> pd.DataFrame:
    """R3 and R4 facts for each meeting (same index as ``meetings``).

    ``reg`` is :func:`.roll.register` of these same ``meetings`` (its
    ``_mpos`` are positions in them) and ``run_pos`` its run positions.

    Columns: ``n_rows`` (register rows), ``n_counted`` (rows not left out),
    ``n_present``, ``n_excused``, ``n_absent`` (among counted rows),
    ``n_streak`` (excused rows that are the 4th+ in a row), ``min_minutes``,
    ``short`` (R3, only where the duration is known), ``low_presence``,
    ``standard`` (R4: present / counted > 0.85, no unexcused absence, no
    4th+ excused absence; a meeting without counted rows is not standard),
    ``good`` (rated Tốt) and ``implausible_good`` (rated Tốt, short or not standard).
    """
    n = len(meetings)
    pos = reg["_mpos"].to_numpy()
    counted = ~reg["left_out"].to_numpy(dtype=bool)
    status = reg["status"]

    def tally(mask: np.ndarray) -> np.ndarray:
        return np.bincount(pos[mask], minlength=n)

    f = pd.DataFrame(index=meetings.index)
    f["n_rows"] = np.bincount(pos, minlength=n)
    f["n_counted"] = tally(counted)
    f["n_present"] = tally(counted & is_status(status, "present"))
    f["n_excused"] = tally(counted & is_status(status, "excused"))
    f["n_absent"] = tally(counted & is_status(status, "absent"))
    f["n_streak"] = tally(counted & (run_pos.to_numpy() > R4_MAX_EXCUSED_RUN))
    kind = meetings["kind"].astype("object")
    f["min_minutes"] = kind.map(R3_MIN_MINUTES).fillna(R3_MIN_MINUTES["regular"]).astype("int64")
    duration = meetings["duration_min"].astype("Float64")
    f["short"] = (duration < f["min_minutes"]).fillna(False).astype(bool)
    share = f["n_present"] / f["n_counted"].where(f["n_counted"] > 0)
    f["low_presence"] = ~(share > R4_MIN_PRESENT_SHARE).fillna(False).astype(bool)
    f["standard"] = ~f["low_presence"] & (f["n_absent"] == 0) & (f["n_streak"] == 0)
    f["good"] = (meetings["self_rating"] == "good").fillna(False).astype(bool)
    f["implausible_good"] = f["good"] & (f["short"] | ~f["standard"])
    return f


def r6_meeting_months(reg: pd.DataFrame) -> pd.DataFrame:
    """Months with an unexcused absence, per member and year (counted rows only).

    One row per ``member_id``, ``year``, ``month`` with the register rows'
    sources (``_file``, ``_row`` of the first absence of that month).
    """
    absent = reg.loc[
        (reg["status"] == "absent").to_numpy(dtype=bool) & ~reg["left_out"].to_numpy(dtype=bool)
    ]
    absent = absent.assign(month=absent["held_on"].dt.to_period("M").dt.start_time)
    absent = absent.sort_values(["member_id", "held_on"], kind="stable")
    return absent[
        ["member_id", "year", "month", "meeting_id", "cell_id", "held_on", "_file", "_row"]
    ]


def r6_dues_months(dues: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Unpaid months (``paid_on`` empty) from 1 January of the first year to the period's end.

    A month without a dues row is missing data, not an unpaid month.
    """
    month = dues["month"]
    keep = (month >= period.year_start) & (month <= period.end) & dues["paid_on"].isna()
    unpaid = dues.loc[keep, ["member_id", "month", "_file", "_row"]]
    unpaid = unpaid.assign(year=unpaid["month"].dt.year)
    return unpaid.drop_duplicates(["member_id", "month"]).sort_values(
        ["member_id", "month"], kind="stable"
    )


def flagged_members(months: pd.DataFrame, *, with_months: bool = False) -> pd.DataFrame:
    """Members with ``R6_MONTHS`` or more distinct months in one year.

    ``months`` has ``member_id``, ``year``, ``month``. Returns one row per
    flagged member and year with ``n_months`` and, if ``with_months``,
    ``months`` (``"2022-01, 2022-03, 2022-05"``).
    """
    distinct = months[["member_id", "year", "month"]].drop_duplicates()
    counts = distinct.groupby(["member_id", "year"], sort=True).size().rename("n_months")
    out = counts[counts >= R6_MONTHS].reset_index()
    if with_months:
        hit = distinct.merge(out[["member_id", "year"]], on=["member_id", "year"])
        hit = hit.sort_values("month").assign(label=lambda d: d["month"].dt.strftime("%Y-%m"))
        joined = hit.groupby(["member_id", "year"], sort=True)["label"].agg(", ".join)
        out = out.merge(joined.rename("months").reset_index(), on=["member_id", "year"])
    return out


def latest_inspections(inspections: pd.DataFrame, meetings: pd.DataFrame) -> pd.DataFrame:
    """Meetings with both a self-rating and an inspection rating (the latest one).

    One row per meeting: ``meeting_id``, ``cell_id``, ``held_on``,
    ``self_rating``, ``rating``, ``agree``, ``difference`` (self minus
    inspection on the 0-3 scale of :data:`~chibo_analysis.schema.RATING_POINTS`)
    and the inspection's ``_file`` and ``_row``. The latest inspection is the
    one with the latest ``inspected_on`` (undated ones count as earliest;
    ties go to the later row of the file).
    """
    ins = inspections[inspections["rating"].notna()]
    ins = ins.sort_values(["inspected_on", "_row"], na_position="first", kind="stable")
    ins = ins.drop_duplicates("meeting_id", keep="last")
    rated = meetings.loc[
        meetings["self_rating"].notna(), ["meeting_id", "cell_id", "held_on", "self_rating"]
    ]
    pairs = rated.merge(ins[["meeting_id", "rating", "_file", "_row"]], on="meeting_id")
    self_pts = pairs["self_rating"].astype("object").map(RATING_POINTS)
    insp_pts = pairs["rating"].astype("object").map(RATING_POINTS)
    return pairs.assign(
        agree=(self_pts == insp_pts).astype("int64"),
        difference=(self_pts - insp_pts).astype("int64"),
    )


def admission_cells(members: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Members admitted to the Party during ``period``, with the cell that admitted them.

    The cell is the one whose roll held the member on ``admitted_on`` (the
    roll boundaries of :mod:`.roll`). A member whose rows all start after the
    admission was admitted elsewhere and transferred in: no cell of the
    dataset admitted them. Returns ``member_id``, ``cell_id``,
    ``admitted_on``, ``_file``, ``_row``.
    """
    adm = members[(members["admitted_on"] >= period.start) & (members["admitted_on"] <= period.end)]
    day = adm["admitted_on"]
    covers = (adm["joined_on"].isna() | (adm["joined_on"] <= day)) & (
        adm["left_on"].isna() | (adm["left_on"] > day)
    )
    adm = adm[covers].sort_values(["member_id", "joined_on"], kind="stable")
    adm = adm.drop_duplicates("member_id")
    return adm[["member_id", "cell_id", "admitted_on", "_file", "_row"]].reset_index(drop=True)


MINUTES_COUNTS = {
    "n_summoned": None,
    "n_present": "present",
    "n_excused": "excused",
    "n_absent": "absent",
}


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
