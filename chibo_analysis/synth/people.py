"""Members of one committee: who sits on which cell's roll, and when.

The rolls are simulated with competing risks, vectorised over all rows at
once: every member-in-a-cell period (a *row*) ends, after an exponential
time, in death, a transfer to another cell of the committee, a transfer out
of the committee, removal, resignation or expulsion, or in a forced transfer
when its cell is dissolved or merged. Transfers open a new row in the
destination cell the next day, so no member is ever on two rolls at once.
Cells gain members by admission (the member is admitted in that cell) and by
transfer from outside. Finally each roll on the calibration date is brought
to its exact target by adding or dropping single-row members.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chibo_analysis.synth.structure import OPEN

YEAR = 365.25
#: Codes of ``left_reason`` in the working arrays (0 = still on the roll).
REASONS = (None, "transfer", "removed", "expelled", "resigned", "deceased")
TRANSFER, REMOVED, EXPELLED, RESIGNED, DECEASED = 1, 2, 3, 4, 5
#: Mean age and its spread at the start of the period, female share, by kind.
AGE = {
    "residential": (62, 14),
    "agency": (42, 9),
    "armed_forces": (36, 8),
    "public_service": (40, 9),
    "enterprise": (42, 9),
    "other": (45, 10),
}
FEMALE = {
    "residential": 0.4,
    "agency": 0.42,
    "armed_forces": 0.12,
    "public_service": 0.65,
    "enterprise": 0.3,
    "other": 0.4,
}
#: Yearly rates of moving to another cell of the committee, by kind.
MOVE = {
    "residential": 0.015,
    "agency": 0.04,
    "armed_forces": 0.05,
    "public_service": 0.03,
    "enterprise": 0.03,
    "other": 0.03,
}
OUT, REMOVE, RESIGN, EXPEL = 0.01, 0.002, 0.0003, 0.0004
ADMIT, ARRIVE = 0.025, 0.01


@dataclass
class People:
    """Working arrays: members (indexed by member number) and their rows."""

    birth: np.ndarray
    female: np.ndarray
    admitted: np.ndarray
    rows: pd.DataFrame  # member, cell, join, left, reason, admission, protect


class _Builder:
    def __init__(self, rng, cells: pd.DataFrame, start: int, end: int, cal: int):
        self.rng, self.cells, self.start, self.end, self.cal = rng, cells, start, end, cal
        self.kind = cells["kind"].to_numpy()
        self.founded = cells["founded"].to_numpy()
        self.dissolved = cells["dissolved"].to_numpy()
        self.successor = cells["successor"].to_numpy()
        self.frozen = cells["small"].to_numpy()
        self.birth: list[np.ndarray] = []
        self.female: list[np.ndarray] = []
        self.admitted: list[np.ndarray] = []
        self.n = 0
        self.rows: list[pd.DataFrame] = []

    def new_members(self, cell: np.ndarray, when: np.ndarray, admitted_now: bool) -> np.ndarray:
        """Create members for cells ``cell`` at day ``when``; return their numbers."""
        rng, n = self.rng, len(cell)
        kind = self.kind[cell]
        mean = np.array([AGE[k][0] for k in kind], dtype=float)
        sd = np.array([AGE[k][1] for k in kind], dtype=float)
        if admitted_now:
            age = np.clip(rng.normal(np.minimum(mean, 34) - 4, 6, n), 19, 55)
            admitted = when.copy()
        else:
            age = np.clip(rng.normal(mean, sd, n), 23, 95)
            adm_age = np.minimum(age - 1, rng.uniform(19, 38, n))
            admitted = when - np.floor((age - adm_age) * YEAR).astype(np.int64)
        female = rng.random(n) < np.array([FEMALE[k] for k in kind])
        self.birth.append(when - np.floor(age * YEAR).astype(np.int64) - rng.integers(0, 365, n))
        self.female.append(female)
        self.admitted.append(admitted)
        ids = np.arange(self.n, self.n + n)
        self.n += n
        return ids

    def historic_join(self, member: np.ndarray, cell: np.ndarray) -> np.ndarray:
        """Join dates before the period: after admission and the cell's founding."""
        adm = np.concatenate(self.admitted)[member]
        lower = np.maximum(np.maximum(adm, self.founded[cell]), self.start - 25 * 365)
        span = np.maximum(self.start - 1 - lower, 0)
        return self.start - 1 - np.floor(self.rng.random(len(cell)) * span).astype(np.int64)

    def run(self, member, cell, join, t0, admission, protect) -> None:
        """Follow rows until each ends; transfers open further rows (waves)."""
        rng = self.rng
        birth = np.concatenate(self.birth)
        while len(member):
            n = len(member)
            age = (t0 - birth[member]) / YEAR
            kind = self.kind[cell]
            live = ~self.frozen[cell]
            h = (
                np.stack(
                    [
                        np.exp(-10.0 + 0.088 * age),
                        np.array([MOVE[k] for k in kind]),
                        np.where(kind == "armed_forces", 3 * OUT, OUT),
                        np.full(n, REMOVE),
                        np.full(n, RESIGN),
                        np.full(n, EXPEL),
                    ]
                )
                * live
            )
            total = h.sum(axis=0)
            wait = np.where(total > 0, rng.exponential(1.0, n) / np.maximum(total, 1e-12), 1e9)
            left = t0 + np.maximum(1, np.minimum(wait * YEAR, 1e7)).astype(np.int64)
            pick = (rng.random(n) * total)[None, :] < np.cumsum(h, axis=0)
            event = np.argmax(
                pick, axis=0
            )  # 0 death, 1 move, 2 out, 3 removed, 4 resigned, 5 expelled
            reason = np.array([DECEASED, TRANSFER, TRANSFER, REMOVED, RESIGNED, EXPELLED])[event]
            # no event on the calibration date nor on the first of a month
            dom = left.astype("datetime64[D]") - left.astype("datetime64[D]").astype(
                "datetime64[M]"
            )
            left = left + (dom.astype(np.int64) == 0) + 2 * (left == self.cal)
            dis = self.dissolved[cell]
            forced = left >= dis
            left = np.where(forced, dis, left)
            reason = np.where(forced, TRANSFER, reason)
            ended = left <= self.end
            left = np.where(ended, left, OPEN)
            reason = np.where(ended, reason, 0)
            self.rows.append(
                pd.DataFrame(
                    dict(
                        member=member,
                        cell=cell,
                        join=join,
                        left=left,
                        reason=reason,
                        admission=admission,
                        protect=protect,
                    )
                )
            )
            dest = np.where(forced & ended, self.successor[cell], -1)
            moving = ended & ~forced & (event == 1)
            dest[moving] = self._destination(cell[moving], left[moving] + 1)
            go = dest >= 0
            member, cell = member[go], dest[go]
            join = left[go] + 1
            t0 = join
            admission = np.zeros(len(member), dtype=bool)
            protect = protect[go]

    def _destination(self, origin: np.ndarray, day: np.ndarray) -> np.ndarray:
        """A random cell alive on ``day`` (not frozen, not the origin); -1 if none found."""
        n_cells = len(self.kind)
        out = np.full(len(origin), -1)
        todo = np.arange(len(origin))
        for _ in range(30):
            if not len(todo):
                break
            cand = self.rng.integers(0, n_cells, len(todo))
            ok = (
                (self.founded[cand] <= day[todo])
                & (day[todo] < self.dissolved[cand])
                & ~self.frozen[cand]
                & (cand != origin[todo])
            )
            out[todo[ok]] = cand[ok]
            todo = todo[~ok]
        return out

    def finish(self) -> People:
        rows = pd.concat(self.rows, ignore_index=True)
        return People(
            np.concatenate(self.birth),
            np.concatenate(self.female),
            np.concatenate(self.admitted),
            rows,
        )


def _events(rng, b: _Builder, rate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Poisson arrivals per cell at ``rate`` per year over its lifetime in the period."""
    lo = np.maximum(b.start, b.founded)
    hi = np.minimum(b.end, b.dissolved - 1)
    years = np.clip(hi - lo, 0, None) / YEAR
    count = rng.poisson(rate * years)
    cell = np.repeat(np.arange(len(rate)), count)
    day = lo[cell] + np.floor(rng.random(len(cell)) * (hi - lo)[cell]).astype(np.int64)
    return cell, day


def simulate(
    rng: np.random.Generator, cells: pd.DataFrame, start: int, end: int, cal: int
) -> People:
    """Member rows for one committee, with exact roll sizes on day ``cal``."""
    b = _Builder(rng, cells, start, end, cal)
    size = cells["size"].to_numpy()
    n = len(cells)
    exists_at_start = (b.founded < start) & (b.dissolved > start)
    # cohorts: members on the roll when the period starts or when the cell is founded
    cell = np.repeat(np.arange(n), np.where(exists_at_start, size, 0))
    m = b.new_members(cell, np.full(len(cell), start), False)
    join = b.historic_join(m, cell)
    b.run(m, cell, join, np.full(len(m), start), np.zeros(len(m), bool), np.zeros(len(m), bool))
    founded_in = (b.founded >= start) & (b.founded <= end)
    cell = np.repeat(np.arange(n), np.where(founded_in, size, 0))
    day = b.founded[cell]
    m = b.new_members(cell, day, False)
    b.run(m, cell, day, day, np.zeros(len(m), bool), np.zeros(len(m), bool))
    # arrivals: admissions (Poisson plus one every other year) and transfers from outside
    open_cell = ~b.frozen
    cell, day = _events(rng, b, np.where(open_cell & ~cells["no_adm"].to_numpy(), ADMIT, 0) * size)
    forced_cell, forced_day = _forced_admissions(rng, b, open_cell & ~cells["no_adm"].to_numpy())
    protect = np.r_[np.zeros(len(cell), bool), np.ones(len(forced_cell), bool)]
    cell, day = np.r_[cell, forced_cell], np.r_[day, forced_day]
    m = b.new_members(cell, day, True)
    b.run(m, cell, day, day, np.ones(len(m), bool), protect)
    cell, day = _events(rng, b, np.where(open_cell, ARRIVE, 0) * size)
    m = b.new_members(cell, day, False)
    b.run(m, cell, day, day, np.zeros(len(m), bool), np.zeros(len(m), bool))
    people = b.finish()
    return _calibrate(rng, b, people, cells, cal)


def _forced_admissions(rng, b: _Builder, allowed: np.ndarray):
    """One admission in every other year of the period (start+1, start+3, ...)."""
    years = np.arange(_year(b.start) + 1, _year(b.end) + 1, 2)
    cells, days = [], []
    for y in years:
        y0 = int(np.datetime64(f"{y}-01-01", "D").astype(np.int64))
        lo = np.maximum(np.maximum(b.founded, y0), b.start)
        hi = np.minimum(np.minimum(b.dissolved - 1, y0 + 364), b.end)
        ok = allowed & (hi > lo)
        idx = np.flatnonzero(ok)
        cells.append(idx)
        days.append(lo[idx] + np.floor(rng.random(len(idx)) * (hi - lo)[idx]).astype(np.int64))
    if not cells:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(cells), np.concatenate(days)


def _year(day: int) -> int:
    return int(np.datetime64(int(day), "D").astype("datetime64[Y]").astype(int)) + 1970


def _calibrate(rng, b: _Builder, people: People, cells: pd.DataFrame, cal: int) -> People:
    """Add or drop members so each roll on ``cal`` has its target size.

    A member has one row at most covering ``cal``, so dropping or adding one
    changes that cell's count only; members with a single row go first.
    """
    rows = people.rows
    on = (rows["join"] <= cal) & (rows["left"] > cal)
    count = np.bincount(rows.loc[on, "cell"], minlength=len(cells))
    target = np.where(cells["at_cal"].to_numpy(), cells["size"].to_numpy(), count)
    deficit = np.clip(target - count, 0, None)
    surplus = np.clip(count - target, 0, None)
    drop = np.zeros(len(people.birth), dtype=bool)
    if surplus.any():
        n_rows = np.bincount(rows["member"], minlength=len(drop))
        cand = rows[on & ~rows["protect"]]
        cand = cand.assign(n=n_rows[cand["member"]], r=rng.random(len(cand)))
        cand = cand.sort_values(["n", "r"], kind="stable")
        rank = cand.groupby("cell", sort=False).cumcount().to_numpy()
        pick = cand[rank < surplus[cand["cell"].to_numpy()]]
        drop[pick["member"].to_numpy()] = True
        short = surplus - np.bincount(pick["cell"], minlength=len(cells))
        if short.any():
            raise RuntimeError("calibration failed: not enough members to drop")
    if deficit.any():
        cell = np.repeat(np.arange(len(cells)), deficit)
        m = b.new_members(cell, np.full(len(cell), b.start), False)
        join = b.historic_join(m, cell)
        b.rows = []
        b.run(
            m, cell, join, np.full(len(m), cal + 1), np.zeros(len(m), bool), np.zeros(len(m), bool)
        )
        extra = b.finish()
        people = People(
            extra.birth,
            extra.female,
            extra.admitted,
            pd.concat([rows, extra.rows], ignore_index=True),
        )
    drop = np.r_[drop, np.zeros(len(people.birth) - len(drop), bool)]
    keep = ~drop[people.rows["member"].to_numpy()]
    people.rows = people.rows[keep].reset_index(drop=True)
    return people
