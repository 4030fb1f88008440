"""Dues, annual reviews, discipline cases and the members table of one committee."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.synth.faults import Rates, truth
from chibo_analysis.synth.names import person_names
from chibo_analysis.synth.people import EXPELLED, REASONS, People
from chibo_analysis.synth.structure import OPEN, PAST

REVIEW_LEVELS = np.array(["excellent", "good", "complete", "incomplete"], dtype=object)
DISCIPLINE_REASONS = (
    "Vi phạm quy định về những điều đảng viên không được làm",
    "Không thực hiện nhiệm vụ đảng viên, bỏ sinh hoạt chi bộ không có lý do",
    "Vi phạm quy định về quản lý, sử dụng tài chính",
    "Vi phạm pháp luật về trật tự an toàn giao thông",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
)
#: Monthly dues in đồng, low and high, by the kind of the member's first cell.
DUES = {
    "residential": (5_000, 40_000),
    "agency": (40_000, 150_000),
    "armed_forces": (50_000, 150_000),
    "public_service": (40_000, 120_000),
    "enterprise": (30_000, 100_000),
    "other": (10_000, 60_000),
}


def _month(day: np.ndarray) -> np.ndarray:
    return np.asarray(day).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def _day_of(month: np.ndarray) -> np.ndarray:
    return month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def member_spans(rows: pd.DataFrame) -> pd.DataFrame:
    """Per member: first join, last left, last reason and first cell (rows are contiguous)."""
    s = rows.sort_values(["member", "join"], kind="stable")
    g = s.groupby("member", sort=True)
    return pd.DataFrame(
        dict(
            first=g["join"].min(),
            last=g["left"].max(),
            reason=g["reason"].last(),
            cell=g["cell"].first(),
            admission=g["admission"].first(),
        )
    )


def _cap(unpaid: np.ndarray, key_my: np.ndarray) -> np.ndarray:
    """Keep background unpaid months to two per member-year."""
    idx = np.flatnonzero(unpaid)
    order = idx[np.argsort(key_my[idx], kind="stable")]
    k = key_my[order]
    starts = np.r_[True, k[1:] != k[:-1]]
    rank = np.arange(len(k)) - np.maximum.accumulate(np.where(starts, np.arange(len(k)), 0))
    unpaid[order[rank >= 2]] = False
    return unpaid


def dues(
    rng: np.random.Generator,
    spans: pd.DataFrame,
    kind: np.ndarray,
    start: int,
    end: int,
    rates: Rates,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One dues row per member per month of membership in the period; unpaid ones empty."""
    m0 = _month(np.maximum(spans["first"].to_numpy(), start))
    m1 = _month(np.minimum(spans["last"].to_numpy() - 1, end))
    count = np.clip(m1 - m0 + 1, 0, None)
    member = np.repeat(spans.index.to_numpy(), count)
    month = (
        np.repeat(m0, count) + np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    )
    lo_hi = np.array([DUES[k] for k in kind[spans["cell"].to_numpy()]])
    amount = np.round(rng.uniform(lo_hi[:, 0], lo_hi[:, 1]) / 1000).astype(np.int64) * 1000
    year = month // 12 + 1970
    key = member * 10_000 + year
    unpaid = rng.random(len(member)) < 0.01
    unpaid = _cap(rng.random(len(member)) < 0.01, key)
    my, first_i, n_in_year = np.unique(key, return_index=True, return_counts=True)
    chosen = np.flatnonzero((n_in_year >= 6) & (rng.random(len(my)) < rates.unpaid_dues))
    k = rng.integers(3, 6, len(chosen))
    r = rng.random((len(chosen), 12))
    r[np.arange(12)[None, :] >= n_in_year[chosen, None]] = 2.0
    offs = np.argsort(r, axis=1)[:, :5]
    sel = np.arange(5)[None, :] < k[:, None]
    unpaid[(first_i[chosen][:, None] + offs)[sel]] = True
    in_planted = np.isin(key, my[chosen])
    per = pd.Series(unpaid[in_planted]).groupby(key[in_planted]).sum()
    gt = pd.DataFrame(
        dict(member=per.index // 10_000, year=per.index % 10_000, months=per.to_numpy())
    )
    paid_on = np.where(unpaid, OPEN, _day_of(month) + rng.integers(0, 20, len(month)))
    frame = pd.DataFrame(
        dict(
            member=member,
            month=month,
            amount=np.repeat(amount, count),
            paid_on=np.minimum(paid_on, np.where(unpaid, OPEN, end)),
        )
    )
    return frame, gt


def _on_roll(rows: pd.DataFrame, day: int) -> pd.DataFrame:
    on = (rows["join"] <= day) & (rows["left"] > day)
    ex = (rows["exempt_from"] <= day) & (rows["exempt_until"] >= day)
    return rows[on & ~ex]


def reviews(
    rng: np.random.Generator,
    rows: pd.DataFrame,
    cells: pd.DataFrame,
    orgs: pd.DataFrame,
    years: range,
    rates: Rates,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Annual reviews of members (within the 20% cap unless planted) and organisations."""
    parts, org_parts, planted = [], [], []
    base_of = cells["base_id"].to_numpy()
    for y in years:
        d = int(np.datetime64(f"{y}-12-31", "D").astype(np.int64))
        on = _on_roll(rows, d)
        base = base_of[on["cell"].to_numpy()]
        frame = pd.DataFrame(dict(member=on["member"].to_numpy(), base=base, r=rng.random(len(on))))
        frame = frame.sort_values(["base", "r"]).reset_index(drop=True)
        g = frame.groupby("base", sort=True)
        size = g.size()
        n_inc = rng.binomial(size.to_numpy(), 0.01)
        n_comp = rng.binomial(size.to_numpy(), 0.08)
        rest = size.to_numpy() - n_inc - n_comp
        over = (rest >= 5) & (rng.random(len(size)) < rates.over_cap)
        n_exc = np.where(over, np.ceil(rest * 0.35), np.floor(rest * 0.15)).astype(int)
        rank = g.cumcount().to_numpy()
        b = size.index.get_indexer(frame["base"])
        lvl = np.where(
            rank < n_inc[b],
            3,
            np.where(
                rank < n_inc[b] + n_comp[b],
                2,
                np.where(rank < n_inc[b] + n_comp[b] + n_exc[b], 0, 1),
            ),
        )
        parts.append(pd.DataFrame(dict(subject=frame["member"], year=y, level=REVIEW_LEVELS[lvl])))
        if over.any():
            planted.append(
                pd.DataFrame(
                    dict(
                        org=size.index[over],
                        year=y,
                        excellent=n_exc[over],
                        good=(rest - n_exc)[over],
                    )
                )
            )
        alive = orgs[
            (orgs["level"] != "committee") & (orgs["founded_on"] <= d) & (orgs["dissolved_on"] > d)
        ]
        lv = rng.choice(4, len(alive), p=[0.15, 0.7, 0.13, 0.02])
        org_parts.append(
            pd.DataFrame(dict(subject=alive["org_id"].to_numpy(), year=y, level=REVIEW_LEVELS[lv]))
        )
    members = pd.concat(parts, ignore_index=True)
    plants = (
        pd.concat(planted, ignore_index=True)
        if planted
        else pd.DataFrame(columns=["org", "year", "excellent", "good"])
    )
    return members, pd.concat(org_parts, ignore_index=True), plants


def disciplines(rng: np.random.Generator, rows: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """A few discipline cases a year, and an expulsion for every expelled member."""
    span = (np.minimum(rows["left"], end + 1) - np.maximum(rows["join"], start)).clip(lower=0)
    n = rng.poisson(span.to_numpy() / 365.25 * 0.0015)
    hit = rows[n > 0]
    lo = np.maximum(hit["join"].to_numpy(), start)
    day = lo + np.floor(rng.random(len(hit)) * span[n > 0].to_numpy()).astype(np.int64)
    form = rng.choice(
        np.array(["reprimand", "warning", "dismissal"], dtype=object), len(hit), p=[0.6, 0.32, 0.08]
    )
    out = pd.DataFrame(dict(member=hit["member"].to_numpy(), decided_on=day, form=form))
    ex = rows[rows["reason"] == EXPELLED]
    out = pd.concat(
        [
            out,
            pd.DataFrame(
                dict(
                    member=ex["member"].to_numpy(),
                    decided_on=ex["left"].to_numpy(),
                    form="expulsion",
                )
            ),
        ]
    )
    out["reason"] = np.array(DISCIPLINE_REASONS, dtype=object)[rng.integers(0, 5, len(out))]
    out = out.drop_duplicates(["member", "decided_on", "form"])
    return out.sort_values(["decided_on", "member"], kind="stable").reset_index(drop=True)


def members_table(
    rng: np.random.Generator,
    people: People,
    spans: pd.DataFrame,
    ids: np.ndarray,
    cell_ids: np.ndarray,
    end: int,
    rates: Rates,
    start: int = PAST,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The members table (one row per cell period) and the overdue probations of each year
    from ``start`` to ``end`` (see :func:`_overdue_truth`)."""
    n = len(people.birth)
    admitted = people.admitted
    due = admitted + 365
    confirmed = due + rng.integers(0, 15, n)
    last = np.full(n, -1, dtype=np.int64)
    last[spans.index.to_numpy()] = spans["last"].to_numpy()
    confirmed = np.where((due <= end) & (last > confirmed), np.minimum(confirmed, end), OPEN)
    first_adm = np.zeros(n, bool)
    first_adm[spans.index.to_numpy()] = spans["admission"].to_numpy()
    eligible = first_adm & (due + 90 <= end) & (last > due + 90)
    never = eligible & (rng.random(n) < rates.unconfirmed)
    confirmed = np.where(never, OPEN, confirmed)
    r = people.rows
    m = r["member"].to_numpy()
    female = people.female[m]
    names = person_names(rng, people.female)[m]
    table = pd.DataFrame(
        dict(
            member_id=ids[m],
            cell_id=cell_ids[r["cell"].to_numpy()],
            full_name=names,
            gender=np.where(female, "female", "male"),
            birth_date=people.birth[m],
            admitted_on=admitted[m],
            confirmed_on=confirmed[m],
            joined_on=r["join"].to_numpy(),
            left_on=r["left"].to_numpy(),
            left_reason=np.array(REASONS, dtype=object)[r["reason"]],
            exempt_from=r["exempt_from"].to_numpy(),
            exempt_until=r["exempt_until"].to_numpy(),
        )
    )
    return table, _overdue_truth(r, admitted, confirmed, never, ids, cell_ids, start, end)


def _overdue_truth(
    rows, admitted, confirmed, never, ids, cell_ids, start: int, end: int
) -> pd.DataFrame:
    """Probation overdue at the end of each year (R10), as the list sees it.

    A member is overdue at a year's end (or at ``end``, the data's last day)
    when on a roll that day, 12 calendar months past admission before it, and
    not confirmed on or before it. Listed every year it stays so: the planted
    ``never`` confirmed, and members confirmed a few days late across a year's
    end (a real case the ordinary generator makes, marked as such).
    """
    first = np.full(len(admitted), OPEN, dtype=np.int64)
    last = np.full(len(admitted), PAST, dtype=np.int64)
    m = rows["member"].to_numpy()
    np.minimum.at(first, m, rows["join"].to_numpy())
    np.maximum.at(last, m, rows["left"].to_numpy())
    adm = pd.to_datetime(np.asarray(admitted).astype("datetime64[D]"))
    due = (adm + pd.DateOffset(months=12)).to_numpy().astype("datetime64[D]").astype(np.int64)
    y0 = int(np.datetime64(int(end), "D").astype("datetime64[Y]").astype(int)) + 1970
    y_first = int(
        np.datetime64(int(max(start, due.min())), "D").astype("datetime64[Y]").astype(int)
    )
    out = []
    for year in range(y_first + 1970, y0 + 1):
        day = min(int(np.datetime64(f"{year}-12-31", "D").astype(np.int64)), int(end))
        hit = np.flatnonzero(
            (first <= day) & (last > day) & (due < day) & (np.asarray(confirmed) > day)
        )
        if not len(hit):
            continue
        on = rows[(rows["join"] <= day) & (rows["left"] > day)].drop_duplicates("member")
        cell = on.set_index("member")["cell"].reindex(hit)
        # a member between two rolls that day (left one cell, joins another later) is on
        # no roll, so on no list: rare, first met at --scale 20
        hit, cell = hit[cell.notna().to_numpy()], cell.dropna().to_numpy(dtype=np.int64)
        if not len(hit):
            continue
        late = np.where(never[hit], "never confirmed", "confirmed late, on ")
        when = np.array(
            ["" if never[i] else str(np.datetime64(int(confirmed[i]), "D")) for i in hit],
            dtype=object,
        )
        out.append(
            truth(
                "unconfirmed_probation",
                table="members",
                org_id=cell_ids[cell],
                member_id=ids[hit],
                period=str(year),
                detail="admitted "
                + np.datetime_as_string(np.asarray(admitted)[hit].astype("datetime64[D]")).astype(
                    object
                )
                + "; "
                + late.astype(object)
                + when,
                n=len(hit),
            )
        )
    return pd.concat(out, ignore_index=True) if out else truth("unconfirmed_probation", n=0)
