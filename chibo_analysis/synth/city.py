"""One committee (a city) of the synthetic dataset, all tables and its ground truth.

Dates are day numbers here; :mod:`chibo_analysis.synth.writer` turns them
into ISO dates (``PAST`` and ``OPEN`` into empty cells).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.synth.faults import Rates, plant_record_faults, truth
from chibo_analysis.synth.meetings import RATINGS, inspections, plan_meetings
from chibo_analysis.synth.minutes import minutes_text, topics
from chibo_analysis.synth.people import People, simulate
from chibo_analysis.synth.records import disciplines, dues, member_spans, members_table, reviews
from chibo_analysis.synth.register import STATUS, counts, exemption, register
from chibo_analysis.synth.structure import build_structure

_KIND_CODE = {"regular": "R", "thematic": "T", "combined": "K", "extraordinary": "B"}


def _iso(day: np.ndarray) -> np.ndarray:
    return np.datetime_as_string(np.asarray(day).astype("datetime64[D]")).astype(object)


def _year(day: np.ndarray) -> np.ndarray:
    return np.asarray(day).astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970


def _compact(people: People) -> People:
    """Renumber members 0..n-1 in order of their first appearance."""
    used = np.unique(people.rows["member"].to_numpy())
    rows = people.rows.assign(member=np.searchsorted(used, people.rows["member"].to_numpy()))
    return People(people.birth[used], people.female[used], people.admitted[used], rows)


def generate_committee(
    seed: int,
    k: int,
    n_bases: int,
    n_cells: int,
    n_members: int,
    start: int,
    end: int,
    cal: int,
    rates: Rates,
    record_faults: int,
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """All tables of committee ``k`` (dates as day numbers) and its ground truth."""
    rng = np.random.default_rng([seed, k])
    st = build_structure(
        rng,
        k,
        n_bases,
        n_cells,
        n_members,
        start,
        end,
        cal,
        rates.small_residential,
        rates.no_admissions,
    )
    cells = st.cells
    kind = cells["kind"].to_numpy()
    cell_ids = cells["org_id"].to_numpy().astype(object)
    people = _compact(simulate(rng, cells, start, end, cal))
    people.rows = exemption(
        rng, people.rows, people.birth, kind[people.rows["cell"].to_numpy()], start, end
    )
    rows = people.rows
    n_people = len(people.birth)
    ids = (f"DV{k + 1:03d}" + np.strings.zfill(np.arange(1, n_people + 1).astype(str), 6)).astype(
        object
    )
    spans = member_spans(rows)
    gt: list[pd.DataFrame] = []

    # meetings, register, minutes
    mt, cm = plan_meetings(rng, cells, start, end, rates)
    held = mt["held"].to_numpy()
    mkind = mt["kind"].to_numpy()
    mcell = mt["cell"].to_numpy()
    ymd = np.strings.replace(_iso(held).astype(str), "-", "").astype(object)
    meeting_ids = (
        cell_ids[mcell] + "-" + ymd + "-" + np.array([_KIND_CODE[x] for x in mkind], dtype=object)
    )
    reg, plants = register(rng, rows, mt, rates)
    cnt = counts(reg, len(mt))
    written = cnt.copy()
    mism = (rng.random(len(mt)) < rates.minutes_mismatch) & (cnt[0] > 0)
    hide = mism & (cnt[2] + cnt[3] > 0)
    written[1] = np.where(hide, cnt[0], written[1])
    written[2] = np.where(hide, 0, written[2])
    written[3] = np.where(hide, 0, written[3])
    pad = mism & ~hide
    written[0] = np.where(pad, cnt[0] + 2, written[0])
    written[1] = np.where(pad, cnt[1] + 2, written[1])
    topic, theme = topics(rng, mkind, held)
    text = minutes_text(
        rng,
        cells["name"].to_numpy().astype(object)[mcell],
        kind[mcell] == "residential",
        mkind,
        held,
        mt["duration"].to_numpy(),
        theme,
        *written,
    )
    copy_src = _copies(rng, mt, cells, rates.copied_minutes)
    is_copy = copy_src >= 0
    text[is_copy] = text[copy_src[is_copy]]

    meetings = pd.DataFrame(
        dict(
            meeting_id=meeting_ids,
            cell_id=cell_ids[mcell],
            held_on=held,
            kind=mkind,
            duration_min=mt["duration"].to_numpy(),
            self_rating=RATINGS[mt["self_points"].to_numpy()],
            superior_attended=mt["superior"].to_numpy(),
            topic=topic,
            minutes_text=text,
            n_summoned=written[0],
            n_present=written[1],
            n_excused=written[2],
            n_absent=written[3],
        )
    )
    order = np.lexsort((reg["member"].to_numpy(), reg["mi"].to_numpy()))
    attendance = pd.DataFrame(
        dict(
            meeting_id=meeting_ids[reg["mi"].to_numpy()[order]],
            member_id=ids[reg["member"].to_numpy()[order]],
            status=STATUS[reg["status"].to_numpy()[order]],
        )
    )
    dues_frame, unpaid = dues(rng, spans, kind, start, end, rates)
    dues_frame = pd.DataFrame(
        dict(
            member_id=ids[dues_frame["member"].to_numpy()],
            month=dues_frame["month"].to_numpy(),
            amount=dues_frame["amount"].to_numpy(),
            paid_on=dues_frame["paid_on"].to_numpy(),
        )
    )
    years = range(int(_year(start)), int(_year(end)) + 1)
    mrev, orev, over = reviews(rng, rows, cells, st.orgs, years, rates)
    review_frame = pd.concat(
        [
            pd.DataFrame(
                dict(
                    subject_id=ids[mrev["subject"].to_numpy()],
                    year=mrev["year"],
                    level=mrev["level"],
                )
            ),
            orev.rename(columns={"subject": "subject_id"}),
        ],
        ignore_index=True,
    )
    disc = disciplines(rng, rows, start, end)
    disc_frame = pd.DataFrame(
        dict(
            subject_id=ids[disc["member"].to_numpy()],
            decided_on=disc["decided_on"].to_numpy(),
            form=disc["form"],
            reason=disc["reason"],
        )
    )
    members, gt_unconf = members_table(rng, people, spans, ids, cell_ids, end, rates, start)
    gt.append(gt_unconf)
    tables = dict(
        organisations=st.orgs,
        members=members,
        meetings=meetings,
        attendance=attendance,
        inspections=inspections(rng, mt, meeting_ids, end),
        dues=dues_frame,
        disciplines=disc_frame,
        reviews=review_frame,
    )

    # ground truth of the audit problems
    sk = cm[cm["skipped"]]
    gt.append(
        truth(
            "skipped_month",
            table="meetings",
            org_id=cell_ids[sk["cell"].to_numpy()],
            period=_iso(sk["lo"].to_numpy()).astype(str).astype("U7").astype(object),
        )
    )
    mq = cm[cm["missing"]].drop_duplicates(["cell", "quarter"])
    gt.append(
        truth(
            "missing_thematic",
            table="meetings",
            org_id=cell_ids[mq["cell"].to_numpy()],
            period=(mq["quarter"] // 4 + 1970).astype(str)
            + "-Q"
            + (mq["quarter"] % 4 + 1).astype(str),
        )
    )
    sh = mt.index[mt["short"]].to_numpy()
    gt.append(
        truth(
            "short_meeting",
            table="meetings",
            org_id=cell_ids[mcell[sh]],
            meeting_id=meeting_ids[sh],
            period=_iso(held[sh]),
            detail="duration " + mt["duration"].to_numpy()[sh].astype(str).astype(object) + " min",
        )
    )
    inf = mt[mt["inflated"]].drop_duplicates(["cell", "year"])
    gt.append(
        truth(
            "inflated_self_rating",
            table="meetings",
            org_id=cell_ids[inf["cell"].to_numpy()],
            period=inf["year"].astype(str).to_numpy(),
        )
    )
    mi = np.flatnonzero(mism)
    gt.append(
        truth(
            "minutes_mismatch",
            table="meetings",
            org_id=cell_ids[mcell[mi]],
            meeting_id=meeting_ids[mi],
            period=_iso(held[mi]),
        )
    )
    ci = np.flatnonzero(is_copy)
    same = mcell[copy_src[ci]] == mcell[ci]
    gt.append(
        truth(
            "copied_minutes",
            table="meetings",
            org_id=cell_ids[mcell[ci]],
            meeting_id=meeting_ids[ci],
            period=_iso(held[ci]),
            detail="copied from "
            + meeting_ids[copy_src[ci]]
            + np.where(same, " (same cell)", " (another cell)"),
        )
    )
    for name, frame in plants.items():
        what = "months" if name == "chronic_absentee" else "length"
        gt.append(
            truth(
                name,
                table="attendance",
                org_id=cell_ids[frame["cell"].to_numpy()],
                member_id=ids[frame["member"].to_numpy()],
                period=frame["year"].astype(str).to_numpy(),
                detail=f"{what} " + frame[what].astype(str).to_numpy().astype(object),
            )
        )
    gt.append(
        truth(
            "unpaid_dues",
            table="dues",
            member_id=ids[unpaid["member"].to_numpy()],
            period=unpaid["year"].astype(str).to_numpy(),
            detail="unpaid months " + unpaid["months"].astype(str).to_numpy().astype(object),
        )
    )
    gt.append(
        truth(
            "over_cap",
            table="reviews",
            org_id=over["org"].to_numpy(),
            period=over["year"].astype(str).to_numpy(),
            detail="excellent "
            + over["excellent"].astype(str).to_numpy().astype(object)
            + ", good "
            + over["good"].astype(str).to_numpy().astype(object),
        )
    )
    gt.append(_small_cells(rows, cells, cell_ids, years))
    gt.append(_no_admissions(rows, cells, cell_ids, years))
    if record_faults:
        tables, rec = plant_record_faults(rng, tables, record_faults, end)
        gt.append(rec)
    gt = [g for g in gt if len(g)]
    return tables, pd.concat(gt, ignore_index=True) if gt else truth("none", n=0)


def _copies(rng, mt: pd.DataFrame, cells: pd.DataFrame, share: float) -> np.ndarray:
    """For each meeting, the meeting its minutes are copied from, or -1."""
    n = len(mt)
    src = np.full(n, -1)
    if share <= 0 or n == 0:
        return src
    idx = pd.Series(np.arange(n))
    prev = idx.groupby([mt["cell"], mt["kind"]]).shift(1).fillna(-1).astype(int).to_numpy()
    held = mt["held"].to_numpy()
    month = held.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    # the earliest and second-earliest meeting of each month and kind (by date, then position)
    by_date = idx.iloc[np.lexsort((np.arange(n), held))]
    g = by_date.groupby([month[by_date.to_numpy()], mt["kind"].to_numpy()[by_date.to_numpy()]])
    first = g.transform("first").reindex(idx.index).to_numpy()
    second = g.transform(lambda s: s.iloc[1] if len(s) > 1 else -1).reindex(idx.index).to_numpy()
    cell = mt["cell"].to_numpy()
    other = np.where(cell[first] != cell, first, second)
    pick = rng.random(n) < share
    src = np.where(pick, np.where(rng.random(n) < 0.5, prev, other), -1)
    # a copy is made after its source: a source held the same day or later is no source
    src = np.where((src >= 0) & (held[np.maximum(src, 0)] < held), src, -1)
    copied = src >= 0
    bad = copied.copy()
    bad[copied] = copied[src[copied]]  # the source must be honest minutes
    src[bad] = -1
    return src


def _small_cells(rows, cells, cell_ids, years) -> pd.DataFrame:
    out = []
    res = (cells["kind"] == "residential").to_numpy() & (cells["level"] == "cell").to_numpy()
    for y in years:
        d = int(np.datetime64(f"{y}-12-31", "D").astype(np.int64))
        on = rows[(rows["join"] <= d) & (rows["left"] > d)]
        n = np.bincount(on["cell"], minlength=len(cells))
        alive = (cells["founded"].to_numpy() <= d) & (cells["dissolved"].to_numpy() > d)
        hit = np.flatnonzero(res & alive & (n < 5))
        out.append(
            truth(
                "small_residential",
                table="members",
                org_id=cell_ids[hit],
                period=str(y),
                detail=np.array([f"{v} members on {y}-12-31" for v in n[hit]], dtype=object),
                n=len(hit),
            )
        )
    return pd.concat(out, ignore_index=True)


def _no_admissions(rows, cells, cell_ids, years) -> pd.DataFrame:
    """Cells that went 3 or more full calendar years of the period without an admission."""
    adm = rows[rows["admission"]]
    got = set(zip(adm["cell"].to_numpy(), _year(adm["join"].to_numpy()), strict=True))
    out = []
    for c in range(len(cells)):
        best, run, first = (0, 0, 0), 0, 0
        for y in years:
            y0 = int(np.datetime64(f"{y}-01-01", "D").astype(np.int64))
            full = cells.at[c, "founded"] <= y0 and cells.at[c, "dissolved"] > y0 + 364
            if full and (c, y) not in got:
                first = y if run == 0 else first
                run += 1
                best = max(best, (run, first, y))
            else:
                run = 0
        if best[0] >= 3:
            out.append((cell_ids[c], f"{best[1]}-{best[2]}", f"{best[0]} years"))
    if not out:
        return truth("no_admissions", n=0)
    org, period, detail = zip(*out, strict=True)
    return truth(
        "no_admissions",
        table="members",
        org_id=np.array(org, dtype=object),
        period=np.array(period, dtype=object),
        detail=np.array(detail, dtype=object),
    )
