"""Benchmark: copied-minutes detection on the synthetic city, time, memory, recall.

Usage::

    .venv/bin/python benchmarks/bench_minutes.py               # city 2020-2025 (cached)
    .venv/bin/python benchmarks/bench_minutes.py --data DIR    # an existing dataset
    .venv/bin/python benchmarks/bench_minutes.py --method exact --repeat 1

The city is written once by ``chibo_analysis.synth.synthesize`` to ``--cache``
(default ``/tmp/chibo_bench``, shared with the other benchmarks). Only
``copied_minutes(meetings)`` is timed (the meetings table is read first).
Reported: the median and the spread of ``--repeat`` runs, the peak resident
memory of the process (before and after), and recall/precision of the
meetings found as copies against the ``copied_minutes`` cases of the ground
truth: recall = planted copies that appear in a reported pair (on either
side: the generator sometimes copies a later meeting's text into an earlier
one, and the detector calls the earlier meeting of a pair the original);
precision = reported pairs with a planted copy on one side.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from chibo_analysis.indicators.minutes import copied_minutes


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_table(data: Path, name: str) -> pd.DataFrame:
    for ext, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        if (data / f"{name}{ext}").exists():
            frame = reader(data / f"{name}{ext}")
            frame["_file"] = f"{name}{ext}"
            frame["_row"] = range(2, len(frame) + 2)
            return frame
    raise SystemExit(f"{data} has no {name} table")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=None, help="dataset folder (default: synthesize)")
    ap.add_argument("--cache", default="/tmp/chibo_bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--method", default="minhash", choices=["minhash", "exact"])
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--k", type=int, default=4)
    ap.add_argument(
        "--year", type=int, default=2022, help="year of the base audits measured (0: none)"
    )
    args = ap.parse_args(argv)

    data = Path(args.data) if args.data else Path(args.cache) / "synth-scale1"
    if not (data / "meetings.parquet").exists() and not (data / "meetings.csv").exists():
        from chibo_analysis.synth import synthesize

        print(f"writing the synthetic city to {data} ...", file=sys.stderr)
        synthesize(data, seed=0, scale=1, progress=False)
    meetings = read_table(data, "meetings")
    meetings["held_on"] = pd.to_datetime(meetings["held_on"], dayfirst=False)
    before = peak_mb()
    times, result = [], None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = copied_minutes(meetings, args.threshold, k=args.k, method=args.method)
        times.append(time.perf_counter() - t0)
    after = peak_mb()
    pairs, cells = result
    found = set(pairs["meeting_id_a"]) | set(pairs["meeting_id_b"])
    truth_path = data / "ground_truth.parquet"
    if not truth_path.exists():
        truth_path = data / "ground_truth.csv"
    truth = (
        pd.read_parquet(truth_path) if truth_path.suffix == ".parquet" else pd.read_csv(truth_path)
    )
    planted = set(truth.loc[truth["kind"] == "copied_minutes", "meeting_id"].dropna())
    hits = len(found & planted)
    good_pairs = int(
        (pairs["meeting_id_a"].isin(planted) | pairs["meeting_id_b"].isin(planted)).sum()
    )
    print(f"meetings with text: {meetings['minutes_text'].notna().sum():,}")
    print(f"method={args.method} threshold={args.threshold} k={args.k} repeat={args.repeat}")
    print(
        f"copied_minutes: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f})"
    )
    print(f"peak RSS: {before:,.0f} MB after reading, {after:,.0f} MB after detection")
    print(f"pairs: {len(pairs):,} ({int(pairs['same_cell'].sum()):,} within a cell)")
    print(f"meetings in a pair: {len(found):,}; planted copies: {len(planted):,}")
    if planted:
        print(f"recall {hits / len(planted):.3f}, precision {good_pairs / max(len(pairs), 1):.3f}")
    if args.year:
        audits(data, meetings, truth, args)
    return 0


def audits(data: Path, meetings: pd.DataFrame, truth: pd.DataFrame, args) -> None:
    """The year's base-organisation audits: compared within each audit, or against every text.

    Before issue 11 an audit compared only its own organisation's meetings of
    its period; now each audited meeting is compared with every minutes text
    of the dataset (``about=``). Timed: one audit of the first base
    organisation (median of ``--repeat``); recall: planted copies of the year
    found as the later meeting of a pair, over all base audits of the year.
    """
    from chibo_analysis.indicators.roll import base_of

    orgs = read_table(data, "organisations")
    base = meetings["cell_id"].map(base_of(orgs))
    in_year = meetings["held_on"].dt.year == args.year
    planted = truth[(truth["kind"] == "copied_minutes")]
    planted = set(
        planted.loc[planted["period"].astype(str).str[:4] == str(args.year), "meeting_id"]
    )
    first = sorted(base[in_year].dropna().unique())[0]

    def run(how: str, org: str) -> pd.DataFrame:
        mine = meetings[in_year & (base == org)]
        if how == "within":
            return copied_minutes(mine, args.threshold, k=args.k, method=args.method).pairs
        return copied_minutes(
            meetings, args.threshold, k=args.k, method=args.method, about=mine["meeting_id"]
        ).pairs

    for how in ("within", "every text"):
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            run(how, first)
            times.append(time.perf_counter() - t0)
        if how == "within":
            found = set()
            for org in base[in_year].dropna().unique():
                found |= set(run(how, org)["meeting_id_b"])
        else:  # a pair is kept by its later meeting alone: one call covers every base audit
            mine = meetings.loc[in_year & base.notna(), "meeting_id"]
            found = set(
                copied_minutes(
                    meetings, args.threshold, k=args.k, method=args.method, about=mine
                ).pairs["meeting_id_b"]
            )
        print(
            f"{args.year} base audits, compared {how}: one audit ({first}) median "
            f"{statistics.median(times):.2f} s; planted copies of {args.year} found "
            f"{len(found & planted)} of {len(planted)}"
        )


if __name__ == "__main__":
    sys.exit(main())
