"""Benchmark: the §4 scorecard on the synthetic city (and province), against a per-cell loop.

Usage::

    .venv/bin/python benchmarks/bench_scorecard.py                 # city, 2020-2025
    .venv/bin/python benchmarks/bench_scorecard.py --scale 7       # province (Parquet)
    .venv/bin/python benchmarks/bench_scorecard.py --data DIR      # an existing dataset

The synthetic data is written once by ``chibo_analysis.synth.synthesize`` to
``--cache`` (default ``/tmp/chibo_bench``) and reused. Loading and validation
are timed apart: the scorecard time is ``scorecard(clean_dataset, period)``
only. Reported: median of ``--repeat`` runs, peak resident memory of the
process after loading and after the scorecard, and the ratio against a
straightforward per-cell loop (each cell's rows filtered out of the full
tables, one cell at a time), which is also checked to give the same values on
the columns it computes. On a large dataset the loop runs on ``--loop-cells``
cells and its time is extrapolated to all cells (said in the output).

Targets (issue 4): city 2020-2025 under 2 s, ``--scale 7`` under 15 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.indicators import checks
from chibo_analysis.indicators.periods import parse_period
from chibo_analysis.indicators.scorecard import scorecard
from chibo_analysis.intake.load import load_dataset
from chibo_analysis.schema import CELL_LEVELS

#: Columns the loop baseline computes (and checks against the scorecard).
LOOP_COLUMNS = [
    "members", "months_expected", "regular_months", "quarters_expected", "thematic_quarters",
    "short_meetings", "attendance_rate", "unexcused_absences", "standard_meeting_rate",
    "excused_streaks", "good_self_ratings", "implausible_good", "superior_attended", "admissions",
]  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loop_scorecard(ds, period, cell_ids) -> pd.DataFrame:
    """The straightforward way: one cell at a time, filtering the full tables."""
    p = parse_period(period)
    orgs = ds.organisations.set_index("org_id")
    m, att, mem = ds.meetings, ds.attendance, ds.members
    rows = []
    for cid in cell_ids:
        org = orgs.loc[cid]
        months = [
            mo
            for mo in p.months
            if (pd.isna(org["founded_on"]) or org["founded_on"] <= mo + pd.offsets.MonthEnd(0))
            and (pd.isna(org["dissolved_on"]) or org["dissolved_on"] >= mo)
        ]
        quarters = {mo.to_period("Q") for mo in months}
        roll = mem[mem["cell_id"] == cid]
        on_roll = roll[
            (roll["joined_on"].isna() | (roll["joined_on"] <= p.end))
            & (roll["left_on"].isna() | (roll["left_on"] > p.end))
        ]
        cm = m[(m["cell_id"] == cid) & (m["held_on"] >= p.year_start) & (m["held_on"] <= p.end)]
        ca = att[att["meeting_id"].isin(cm["meeting_id"])].merge(
            cm[["meeting_id", "held_on"]], on="meeting_id"
        )
        ex = roll[roll["exempt_from"].notna()]
        left_out = ca["status"] == "exempt"
        for _, e in ex.iterrows():
            until = e["exempt_until"] if pd.notna(e["exempt_until"]) else pd.Timestamp.max
            left_out |= (ca["member_id"] == e["member_id"]) & ca["held_on"].between(
                e["exempt_from"], until
            )
        counted = ca[~left_out].sort_values(["member_id", "held_on", "meeting_id"])
        streak_meetings, streak_members = set(), set()
        for (member, _year), g in counted.groupby(["member_id", counted["held_on"].dt.year]):
            run = 0
            for meeting, status, held in zip(
                g["meeting_id"], g["status"], g["held_on"], strict=True
            ):
                run = run + 1 if status == "excused" else 0
                if run > 3 and held >= p.start:
                    streak_meetings.add(meeting)
                    streak_members.add(member)
        in_period = cm[
            (cm["held_on"] >= p.start) & cm["held_on"].dt.to_period("M").dt.start_time.isin(months)
        ]
        present = absent = total = standard = short = good = implausible = 0
        for _, meeting in in_period.iterrows():
            rows_m = counted[counted["meeting_id"] == meeting["meeting_id"]]
            n, pr = len(rows_m), int((rows_m["status"] == "present").sum())
            ab = int((rows_m["status"] == "absent").sum())
            ok = (
                n > 0 and pr / n > 0.85 and ab == 0 and meeting["meeting_id"] not in streak_meetings
            )
            minimum = checks.R3_MIN_MINUTES.get(meeting["kind"], 90)
            is_short = pd.notna(meeting["duration_min"]) and meeting["duration_min"] < minimum
            present, total, absent = present + pr, total + n, absent + ab
            standard += ok
            short += is_short
            is_good = meeting["self_rating"] == "good"
            good += is_good
            implausible += is_good and (is_short or not ok)
        kinds = in_period["kind"].astype(str)
        admitted = 0
        for member in roll.loc[roll["admitted_on"].between(p.start, p.end), "member_id"].unique():
            rows_m = mem[mem["member_id"] == member].sort_values("joined_on")
            day = rows_m["admitted_on"].iloc[0]
            covers = rows_m[
                (rows_m["joined_on"].isna() | (rows_m["joined_on"] <= day))
                & (rows_m["left_on"].isna() | (rows_m["left_on"] > day))
            ]
            admitted += len(covers) > 0 and covers["cell_id"].iloc[0] == cid
        rows.append(
            {
                "org_id": cid,
                "members": len(on_roll),
                "months_expected": len(months),
                "regular_months": in_period.loc[kinds.isin(["regular", "combined"]), "held_on"]
                .dt.to_period("M")
                .nunique(),
                "quarters_expected": len(quarters),
                "thematic_quarters": in_period.loc[kinds.isin(["thematic", "combined"]), "held_on"]
                .dt.to_period("Q")
                .nunique(),
                "short_meetings": short,
                "attendance_rate": present / total if total else np.nan,
                "unexcused_absences": absent,
                "standard_meeting_rate": standard / len(in_period) if len(in_period) else np.nan,
                "excused_streaks": len(streak_members),
                "good_self_ratings": good,
                "implausible_good": implausible,
                "superior_attended": int(in_period["superior_attended"].fillna(False).sum()),
                "admissions": admitted,
            }
        )
    return pd.DataFrame(rows).set_index("org_id")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", help="an existing dataset folder (default: generate one)")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--period", default="2020-2025")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--cache", default="/tmp/chibo_bench")
    ap.add_argument(
        "--loop-cells",
        type=int,
        default=None,
        help="cells the loop runs on (default: all at scale 1, 60 above)",
    )
    ap.add_argument("--no-loop", action="store_true")
    args = ap.parse_args(argv)

    data = Path(args.data) if args.data else Path(args.cache) / f"synth-scale{args.scale:g}"
    if not (data / "organisations.csv").exists() and not (data / "organisations.parquet").exists():
        from chibo_analysis.synth import synthesize

        print(f"generating the synthetic dataset in {data} (once) ...", flush=True)
        synthesize(data, seed=0, scale=args.scale, progress=False)
    t = time.perf_counter()
    ds = load_dataset(data)
    t_load = time.perf_counter() - t
    t = time.perf_counter()
    ds = validated(ds)
    t_clean = time.perf_counter() - t
    mem_loaded = peak_mb()
    rows = {k: len(v) for k, v in ds.tables.items()}
    print(f"data: {data}  rows: {rows}")
    print(
        f"load {t_load:.2f} s, validate + clean {t_clean:.2f} s, peak RSS after loading {mem_loaded:.0f} MB"
    )

    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        card = scorecard(ds, args.period)
        times.append(time.perf_counter() - t)
    med = statistics.median(times)
    mem_after = peak_mb()
    print(
        f"scorecard {args.period}: {len(card)} rows, median {med:.2f} s over {args.repeat} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); peak RSS {mem_after:.0f} MB "
        f"(+{mem_after - mem_loaded:.0f} MB over loading)"
    )
    if args.no_loop:
        return 0

    cells = card[card["level"].isin(CELL_LEVELS)]["org_id"].tolist()
    n_loop = args.loop_cells or (len(cells) if args.scale <= 1 else 60)
    sample = cells[:: max(1, len(cells) // n_loop)][:n_loop]
    t = time.perf_counter()
    loop = loop_scorecard(ds, args.period, sample)
    t_loop = time.perf_counter() - t
    t_loop_all = t_loop * len(cells) / len(sample)
    fast = card.set_index("org_id").loc[sample, LOOP_COLUMNS]
    diff = [
        c
        for c in LOOP_COLUMNS
        if not np.allclose(fast[c].astype(float).fillna(-1), loop[c].astype(float).fillna(-1))
    ]
    scope = (
        "all cells"
        if len(sample) == len(cells)
        else f"{len(sample)} of {len(cells)} cells, extrapolated"
    )
    print(
        f"per-cell loop ({len(LOOP_COLUMNS)} of the {len(card.columns) - 5} columns, {scope}): "
        f"{t_loop_all:.1f} s; ratio loop / vectorised = {t_loop_all / med:.0f}x"
    )
    print("loop agrees with the scorecard on its columns" if not diff else f"DISAGREE on {diff}")
    return 0 if not diff else 1


if __name__ == "__main__":
    sys.exit(main())
