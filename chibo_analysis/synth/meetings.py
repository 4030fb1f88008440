"""Meetings of one committee's cells: dates, kinds, durations, ratings, inspections.

Every month a cell exists it holds a regular meeting, and every quarter a
thematic one, separate or combined with the regular meeting (R1, R2), unless
a skipped month or a missing quarter is planted. Durations respect R3 unless
a short meeting is planted. Each meeting has a true quality; the cell's
self-rating is that quality give or take one step, except in cell-years
planted as inflated, where the cell rates everything good while the
inspected meetings were average or poor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.synth.faults import Rates, concentrated
from chibo_analysis.synth.structure import OPEN

RATINGS = np.array(["poor", "average", "fair", "good"], dtype=object)  # index = points
MIN_DURATION = {"regular": 90, "thematic": 90, "extraordinary": 90, "combined": 120}


def _month_span(day: np.ndarray) -> np.ndarray:
    return day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _month_start(month: np.ndarray) -> np.ndarray:
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def cell_months(cells: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """One row per cell and month in which the cell existed on some day of the period."""
    lo = np.maximum(cells["founded"].to_numpy(), start)
    hi = np.minimum(cells["dissolved"].to_numpy() - 1, end)
    m_lo, m_hi = _month_span(lo), _month_span(hi)
    count = np.where(hi >= lo, m_hi - m_lo + 1, 0)
    cell = np.repeat(np.arange(len(cells)), count)
    first = np.repeat(np.cumsum(count) - count, count)
    month = m_lo[cell] + np.arange(len(cell)) - first
    ms = _month_start(month)
    me = _month_start(month + 1) - 1
    return pd.DataFrame(
        dict(cell=cell, month=month, lo=np.maximum(ms, lo[cell]), hi=np.minimum(me, hi[cell]))
    )


def plan_meetings(
    rng: np.random.Generator, cells: pd.DataFrame, start: int, end: int, rates: Rates
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Meetings (working frame) and the cell-months of the period with planted flags."""
    cm = cell_months(cells, start, end)
    n_cells = len(cells)
    pref = rng.integers(3, 20, n_cells)
    # regular meeting day: the cell's usual day, give or take, within the month and lifetime
    day = _month_start(cm["month"].to_numpy()) + pref[cm["cell"]] - 1 + rng.integers(-2, 3, len(cm))
    lo, hi = cm["lo"].to_numpy(), cm["hi"].to_numpy()
    cm["regular_day"] = np.clip(day, lo, hi)
    cm["skipped"] = concentrated(rng, cm["cell"].to_numpy(), n_cells, rates.skipped_months, 0.15)
    cm["quarter"] = cm["month"] // 3
    # thematic: one month per cell-quarter, unless the quarter is planted as missing
    q = cm[["cell", "quarter"]].drop_duplicates().reset_index(drop=True)
    q["missing"] = concentrated(rng, q["cell"].to_numpy(), n_cells, rates.missing_thematic, 0.25)
    order = rng.permutation(len(cm))
    first = cm.iloc[order].drop_duplicates(["cell", "quarter"]).index
    cm["thematic"] = False
    cm.loc[first, "thematic"] = True
    cm = cm.merge(q, on=["cell", "quarter"], how="left")
    cm["thematic"] &= ~cm["missing"]
    combined = cm["thematic"] & ~cm["skipped"] & (rng.random(len(cm)) < 0.45)
    separate = cm["thematic"] & ~combined
    reg = cm["regular_day"].to_numpy()
    span = hi - lo + 1
    other = lo + (reg - lo + rng.integers(3, 11, len(cm))) % np.maximum(span, 1)
    clash = separate.to_numpy() & (other == reg) & ~cm["skipped"].to_numpy()
    combined = combined.to_numpy() | clash
    separate = separate.to_numpy() & ~clash
    extra = (rng.random(len(cm)) < 0.01) & (other != reg) & ~separate
    parts = [
        pd.DataFrame(
            dict(
                cell=cm["cell"],
                held=reg,
                kind=np.where(combined, "combined", "regular"),
                keep=~cm["skipped"].to_numpy(),
            )
        ),
        pd.DataFrame(dict(cell=cm["cell"], held=other, kind="thematic", keep=separate)),
        pd.DataFrame(dict(cell=cm["cell"], held=other, kind="extraordinary", keep=extra)),
    ]
    mt = pd.concat(parts, ignore_index=True)
    mt = mt[mt.pop("keep")].sort_values(["cell", "held"], kind="stable").reset_index(drop=True)
    n = len(mt)
    kind = mt["kind"].to_numpy()
    minimum = np.array([MIN_DURATION[k] for k in kind])
    duration = minimum + np.round(rng.gamma(2.0, 12.0, n) / 5).astype(np.int64) * 5
    short = concentrated(rng, mt["cell"].to_numpy(), n_cells, rates.short_meetings, 0.15)
    duration = np.where(short, minimum - 5 * rng.integers(3, 13, n), duration)
    mt["duration"] = duration
    mt["short"] = short
    # true quality, self-rating and the inflated cell-years
    quality = rng.choice(4, n, p=[0.02, 0.13, 0.40, 0.45])
    step = rng.choice([-1, 0, 1], n, p=[0.05, 0.8, 0.15])
    mt["year"] = (
        mt["held"].to_numpy().astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    )
    cy = mt[["cell", "year"]].drop_duplicates().reset_index(drop=True)
    cy["inflated"] = rng.random(len(cy)) < rates.inflated_ratings
    mt = mt.merge(cy, on=["cell", "year"], how="left")
    inflated = mt["inflated"].to_numpy()
    quality = np.where(inflated, rng.integers(0, 2, n), quality)
    mt["quality"] = quality
    mt["self_points"] = np.where(inflated, 3, np.clip(quality + step, 0, 3))
    # inspections: a sample, and at least two meetings of every inflated cell-year
    pick = rng.random(n) < 0.08
    key = rng.random(n)
    rank = pd.Series(key).groupby([mt["cell"], mt["year"]]).rank(method="first").to_numpy()
    pick |= inflated & (rank <= 2)
    mt["inspected"] = pick
    mt["superior"] = pick | (rng.random(n) < 0.2)
    return mt, cm


def inspections(
    rng: np.random.Generator, mt: pd.DataFrame, ids: np.ndarray, end: int
) -> pd.DataFrame:
    """The inspections table: one row per inspected meeting (dates as day numbers)."""
    sel = mt.index[mt["inspected"]].to_numpy()
    n = len(sel)
    rating = RATINGS[mt["quality"].to_numpy()[sel]]
    held = mt["held"].to_numpy()[sel]
    weak = mt["quality"].to_numpy()[sel] <= 1
    due = np.where(weak, held + 30, OPEN)
    done = np.where(weak & (rng.random(n) < 0.7), held + rng.integers(10, 45, n), OPEN)
    done = np.where(done > end, OPEN, done)
    findings = np.where(
        weak,
        "Nội dung sinh hoạt chưa sát thực tế; cần khắc phục về thời lượng và chất lượng thảo luận.",
        "Chi bộ thực hiện đúng quy trình sinh hoạt, nội dung phù hợp.",
    ).astype(object)
    return pd.DataFrame(
        dict(
            inspection_id=["KT-" + i for i in ids[sel]],
            meeting_id=ids[sel],
            inspected_on=held,
            rating=rating,
            findings=findings,
            follow_up_due=due,
            follow_up_done_on=done,
        )
    )
