"""The rule checks behind the scorecard and the lists, one fact per record.

Meeting-level facts (R3 duration, R4 attendance standard), excused runs (R4)
and the member-level R6 screens are computed here once, vectorised, and read
by :mod:`.scorecard` (which counts them) and :mod:`.lists` (which lists
them with their source rows).

R3 and R4 are central rules, so their thresholds are constants here with
their source; local targets live in ``resources/targets.yaml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .periods import Period
from .roll import is_status

#: R3, HD 12-HD/BTCTW of 06/7/2018 (kept by HD 42-HD/BTCTW of 28/10/2025):
#: a meeting lasts at least 90 minutes, a combined regular + thematic one 120.
R3_MIN_MINUTES = {"regular": 90, "thematic": 90, "extraordinary": 90, "combined": 120}
#: R4, HD 12-HD/BTCTW of 06/7/2018: *more than* 85% of members present.
R4_MIN_PRESENT_SHARE = 0.85
#: R4: an excused absence that is the member's 4th or later in a row fails the meeting.
R4_MAX_EXCUSED_RUN = 3
#: R6, Điều lệ Đảng 2011, Điều 8(1): 3 months within a calendar year.
R6_MONTHS = 3


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
