"""The attendance register: one row per member on a cell's roll at each of its meetings.

Statuses are drawn from each member's own propensity to be excused or absent
(exempted members are marked ``exempt``). Then, vectorised over the whole
register: background unexcused absences are kept to at most two months per
member and year, excused runs are broken after three, and the planted
chronic absentees (R6) and excused streaks (R4) are written in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.synth.faults import Rates
from chibo_analysis.synth.structure import OPEN

PRESENT, EXCUSED, ABSENT, EXEMPT = 0, 1, 2, 3
STATUS = np.array(["present", "excused", "absent", "exempt"], dtype=object)
_SPAN = 10**7


def cross(rows: pd.DataFrame, mt: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (row, meeting) with the meeting in the row's cell while the member is on the roll.

    A member is on the roll from ``join`` (included) to ``left`` (excluded).
    ``mt`` must be sorted by cell and date.
    """
    key_m = mt["cell"].to_numpy() * _SPAN + mt["held"].to_numpy()
    cell = rows["cell"].to_numpy() * _SPAN
    lo = np.searchsorted(key_m, cell + rows["join"].to_numpy(), side="left")
    hi = np.searchsorted(key_m, cell + np.minimum(rows["left"].to_numpy(), _SPAN - 1), side="left")
    count = np.maximum(hi - lo, 0)
    ri = np.repeat(np.arange(len(rows)), count)
    offset = np.arange(len(ri)) - np.repeat(np.cumsum(count) - count, count)
    return ri, np.repeat(lo, count) + offset


def _group_start(keys: np.ndarray) -> np.ndarray:
    """Boolean: where a run of equal consecutive keys starts."""
    out = np.ones(len(keys), dtype=bool)
    out[1:] = keys[1:] != keys[:-1]
    return out


def register(
    rng: np.random.Generator, rows: pd.DataFrame, mt: pd.DataFrame, rates: Rates
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Register rows (``mi`` meeting position, ``member``, ``row``, ``status`` code) and plants."""
    ri, mi = cross(rows, mt)
    member = rows["member"].to_numpy()[ri]
    held = mt["held"].to_numpy()[mi]
    ef = rows["exempt_from"].to_numpy()[ri]
    eu = rows["exempt_until"].to_numpy()[ri]
    exempt = (ef <= held) & (held <= eu)
    n_members = int(rows["member"].max()) + 1 if len(rows) else 0
    p_exc = rng.beta(1.2, 20, n_members)[member]
    p_abs = rng.beta(0.4, 70, n_members)[member]
    u = rng.random(len(ri))
    status = np.where(u < p_abs, ABSENT, np.where(u < p_abs + p_exc, EXCUSED, PRESENT))
    status = np.where(exempt, EXEMPT, status).astype(np.int8)
    year = mt["year"].to_numpy()[mi]
    month = held.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    cell = rows["cell"].to_numpy()[ri]

    # at most two months of background unexcused absence per member and year
    ab = np.flatnonzero(status == ABSENT)
    if len(ab):
        key = member[ab] * 100_000 + month[ab]
        order = np.argsort(key, kind="stable")
        k_sorted = key[order]
        month_start = _group_start(k_sorted)
        my = member[ab][order] * 10_000 + year[ab][order]
        month_no = np.cumsum(month_start) - 1
        first_of_my = np.maximum.accumulate(np.where(_group_start(my), month_no, 0))
        too_many = (month_no - first_of_my) >= 2
        status[ab[order[too_many]]] = PRESENT

    plants: dict[str, pd.DataFrame] = {}
    # chronic absentees: unexcused absences in 3 or 4 distinct months of one cell-year
    frame = pd.DataFrame(
        dict(
            i=np.arange(len(ri)),
            member=member,
            cell=cell,
            year=year,
            month=month,
            held=held,
            status=status,
        )
    )
    live = frame[frame["status"] != EXEMPT]
    months = live.drop_duplicates(["member", "year", "cell", "month"])
    n_months = months.groupby(["member", "year", "cell"]).size().rename("n").reset_index()
    n_months = n_months[n_months["n"] >= 4].drop_duplicates(["member", "year"])
    chosen = n_months[rng.random(len(n_months)) < rates.chronic_absentees]
    if len(chosen):
        sub = live.merge(chosen[["member", "year", "cell"]], on=["member", "year", "cell"])
        sub = sub.assign(r=rng.random(len(sub))).sort_values(["member", "year", "r"])
        one = sub.drop_duplicates(["member", "year", "month"])
        want = pd.Series(
            rng.integers(3, 5, len(chosen)),
            index=pd.MultiIndex.from_frame(chosen[["member", "year"]]),
        )
        rank = one.groupby(["member", "year"]).cumcount().to_numpy()
        k = want.reindex(pd.MultiIndex.from_frame(one[["member", "year"]])).to_numpy()
        hit = one[rank < k]
        status[hit["i"].to_numpy()] = ABSENT
        got = hit.groupby(["member", "year", "cell"]).size().rename("months").reset_index()
        plants["chronic_absentee"] = got

    # excused runs: break after three, then plant streaks of four or five
    live_idx = np.flatnonzero(status != EXEMPT)
    order = live_idx[np.lexsort((held[live_idx], year[live_idx], cell[live_idx], member[live_idx]))]
    grp = (member[order] * 10_000 + year[order]) * 1_000_000 + cell[order]
    new_group = _group_start(grp)
    exc = status[order] == EXCUSED
    run_start = new_group | ~np.r_[False, exc[:-1]]
    idx = np.arange(len(order))
    start_idx = np.maximum.accumulate(np.where(run_start, idx, 0))
    pos = idx - start_idx
    status[order[exc & (pos % 4 == 3)]] = PRESENT
    g_first = np.flatnonzero(new_group)
    g_size = np.diff(np.r_[g_first, len(order)])
    g_member, g_year, g_cell = member[order][g_first], year[order][g_first], cell[order][g_first]
    gi = np.flatnonzero((g_size >= 6) & (rng.random(len(g_first)) < rates.excused_streaks))
    if "chronic_absentee" in plants and len(gi):
        c = plants["chronic_absentee"]
        taken = pd.MultiIndex.from_arrays([g_member[gi], g_year[gi]]).isin(
            pd.MultiIndex.from_arrays([c["member"], c["year"]])
        )
        gi = gi[~taken]
    if len(gi):
        keep = pd.DataFrame(dict(g=gi, member=g_member[gi], year=g_year[gi]))
        gi = keep.drop_duplicates(["member", "year"])["g"].to_numpy()
        length = rng.integers(4, 6, len(gi))
        first = g_first[gi] + np.floor(rng.random(len(gi)) * (g_size[gi] - length + 1)).astype(int)
        pos_rows = (
            np.repeat(first, length)
            + np.arange(length.sum())
            - np.repeat(np.cumsum(length) - length, length)
        )
        status[order[pos_rows]] = EXCUSED
        # the rows just before and after a streak, within its group, are not excused:
        # the recorded length is the run's length
        g_end = g_first[gi] + g_size[gi]
        for edge, inside in ((first - 1, first - 1 >= g_first[gi]),
                             (first + length, first + length < g_end)):  # fmt: skip
            hit = order[edge[inside]]
            status[hit[status[hit] == EXCUSED]] = PRESENT
        plants["excused_streak"] = pd.DataFrame(
            dict(member=g_member[gi], year=g_year[gi], cell=g_cell[gi], length=length)
        )
    if "chronic_absentee" in plants:
        # the months recorded are every month of the year with an unexcused absence, in any
        # cell, as R6 counts them: the planted ones and any background absence (at most two)
        c = plants["chronic_absentee"]
        absent = pd.DataFrame(dict(member=member, year=year, month=month))[status == ABSENT]
        n_abs = absent.drop_duplicates().groupby(["member", "year"]).size().rename("months")
        plants["chronic_absentee"] = c.drop(columns="months").join(n_abs, on=["member", "year"])
    reg = pd.DataFrame(dict(mi=mi, member=member, row=ri, status=status))
    return reg, plants


def counts(reg: pd.DataFrame, n_meetings: int) -> np.ndarray:
    """Per meeting: summoned (register rows other than exempt), present, excused, absent."""
    status = reg["status"].to_numpy()
    mi = reg["mi"].to_numpy()
    out = np.stack(
        [np.bincount(mi[status == s], minlength=n_meetings) for s in (PRESENT, EXCUSED, ABSENT)]
    )
    return np.vstack([out.sum(axis=0), out])


def exemption(
    rng: np.random.Generator,
    rows: pd.DataFrame,
    birth: np.ndarray,
    kind: np.ndarray,
    start: int,
    end: int,
) -> pd.DataFrame:
    """Exemptions from meetings (R8): old members for good, some working away for < 1 year."""
    n = len(rows)
    join, left = rows["join"].to_numpy(), rows["left"].to_numpy()
    last = np.minimum(left, end + 1)
    age70 = birth[rows["member"].to_numpy()] + int(70 * 365.25)
    ef = np.maximum(join, age70) + rng.integers(0, 2 * 365, n)
    p = np.where(kind == "residential", 0.5, 0.2)
    old = (ef < last - 1) & (rng.random(n) < p)
    eu = np.full(n, OPEN)
    efrom = np.where(old, ef, OPEN)
    away = ~old & (rng.random(n) < 0.015) & (last - np.maximum(join, start) > 150)
    lo = np.maximum(join, start)
    f2 = lo + np.floor(rng.random(n) * np.maximum(last - lo - 120, 1)).astype(np.int64)
    u2 = np.minimum(f2 + rng.integers(90, 365, n), last - 1)
    away &= u2 > f2 + 30
    efrom = np.where(away, f2, efrom)
    eu = np.where(away, u2, eu)
    # an exemption still running at a transfer carries over to the next cell
    out = rows.assign(exempt_from=efrom, exempt_until=eu)
    out = out.sort_values(["member", "join"], kind="stable")
    for _ in range(3):
        prev_open = (
            out["exempt_from"].shift().lt(OPEN)
            & out["exempt_until"].shift().ge(OPEN)
            & out["member"].shift().eq(out["member"])
        )
        out.loc[prev_open, "exempt_from"] = out.loc[prev_open, "join"]
        out.loc[prev_open, "exempt_until"] = OPEN
    return out.sort_index()
