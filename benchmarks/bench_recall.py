"""Recall and precision of the lists against the synthetic city's planted problems.

Usage::

    .venv/bin/python benchmarks/bench_recall.py [--data DIR] [--cache /tmp/chibo_bench]

For each ``audit`` kind of ``ground_truth`` (chibo_analysis.synth.faults) the
corresponding list (or scorecard count) is computed year by year on the
cleaned dataset, reduced to the same keys as the ground truth, and compared:
recall = planted cases found / planted cases, precision = found cases that
were planted / cases found. Precision below 1 is not necessarily a fault of
the list: the generator's ordinary behaviour also produces real cases it did
not plant (e.g. a member who happens to miss three months). ``copied_minutes``
belongs to chibo_analysis.indicators.minutes and is measured by bench_minutes.py.
``detail_agrees``: for excused streaks and chronic absentees, the planted
cases found whose recorded length (months) equals the one the list reports.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.indicators import roll
from chibo_analysis.indicators.lists import run_list
from chibo_analysis.indicators.periods import parse_period
from chibo_analysis.intake.load import load_dataset


def _year(text: pd.Series) -> pd.Series:
    return text.astype(str).str[:4].astype(int)


def truth_keys(truth: pd.DataFrame, kind: str) -> set:
    t = truth[(truth["scope"] == "audit") & (truth["kind"] == kind)]
    if kind in ("chronic_absentee", "unpaid_dues", "excused_streak"):
        return set(zip(t["member_id"], _year(t["period"]), strict=True))
    if kind in ("short_meeting", "minutes_mismatch"):
        return set(t["meeting_id"])
    if kind == "unconfirmed_probation":  # overdue at the end of each year it stays so
        return set(zip(t["member_id"], _year(t["period"]), strict=True))
    if kind in ("small_residential", "over_cap", "inflated_self_rating"):
        return set(zip(t["org_id"], _year(t["period"]), strict=True))
    if kind == "no_admissions":
        return set(t["org_id"])
    if kind == "skipped_month":
        return set(zip(t["org_id"], t["period"].astype(str), strict=True))
    if kind == "missing_thematic":
        return set(zip(t["org_id"], t["period"].astype(str).str.replace("-", ""), strict=True))
    raise KeyError(kind)


def found_keys(ds, kind: str, years: list[int]) -> set:
    found: set = set()
    for y in years:
        if kind == "chronic_absentee":
            out = run_list("r6_meetings", ds, y)
            found |= set(zip(out["member_id"], out["year"], strict=True))
        elif kind == "unpaid_dues":
            out = run_list("r6_dues", ds, y)
            found |= set(zip(out["member_id"], out["year"], strict=True))
        elif kind == "excused_streak":
            out = run_list("excused_streaks", ds, y)
            found |= set(zip(out["member_id"], out["year"], strict=True))
        elif kind == "short_meeting":
            out = run_list("failing_meetings", ds, y)
            found |= set(out.loc[out["reasons"].str.contains("r3_short"), "meeting_id"])
        elif kind == "minutes_mismatch":
            found |= set(run_list("minutes_mismatches", ds, y)["meeting_id"])
        elif kind == "unconfirmed_probation":
            found |= {(m, y) for m in run_list("probation_overdue", ds, y)["member_id"]}
        elif kind == "small_residential":
            found |= {(o, y) for o in run_list("small_residential", ds, y)["org_id"]}
        elif kind == "over_cap":
            out = run_list("r9_cap", ds, y)
            found |= set(zip(out["org_id"], out["year"], strict=True))
        elif kind == "inflated_self_rating":
            found |= {(o, y) for o in run_list("inflated_ratings", ds, y)["org_id"]}
        elif kind in ("skipped_month", "missing_thematic"):
            found |= _gaps(ds, y, kind)
    if kind == "no_admissions":
        found = set(run_list("no_admissions", ds, f"{years[0]}-{years[-1]}")["org_id"])
    return found


def _gaps(ds, year: int, kind: str) -> set:
    """Cell-months without a regular meeting, or cell-quarters without a thematic one."""
    months = roll.cell_months(ds.organisations, parse_period(year))
    mt = ds.meetings.assign(month=ds.meetings["held_on"].dt.to_period("M").dt.start_time)
    mt = mt.assign(quarter=mt["month"].dt.to_period("Q").dt.start_time)
    kinds = ("regular", "combined") if kind == "skipped_month" else ("thematic", "combined")
    col = "month" if kind == "skipped_month" else "quarter"
    held = mt[mt["kind"].isin(kinds)][["cell_id", col]].drop_duplicates()
    grid = months[["cell_id", col]].drop_duplicates().merge(held, how="left", indicator=True)
    gaps = grid[grid["_merge"] == "left_only"]
    label = (
        gaps[col].dt.strftime("%Y-%m")
        if col == "month"
        else gaps[col].dt.to_period("Q").astype(str)
    )
    return set(zip(gaps["cell_id"], label, strict=True))


def detail_agreement(ds, truth: pd.DataFrame, kind: str, years: list[int]) -> str:
    """Planted cases found whose recorded size (run length, months) is the one the list finds."""
    if kind not in ("excused_streak", "chronic_absentee"):
        return ""
    t = truth[(truth["scope"] == "audit") & (truth["kind"] == kind)]
    planted = dict(
        zip(
            zip(t["member_id"], _year(t["period"]), strict=True),
            t["detail"].str.split(" ").str[-1].astype(int),
            strict=True,
        )
    )
    found: dict = {}
    for y in years:
        if kind == "excused_streak":
            out = run_list("excused_streaks", ds, y)
            for m, yr, n in zip(out["member_id"], out["year"], out["run_length"], strict=True):
                found[m, yr] = max(found.get((m, yr), 0), int(n))
        else:
            out = run_list("r6_meetings", ds, y)
            keys = zip(out["member_id"], out["year"], strict=True)
            found |= dict(zip(keys, out["n_months"], strict=True))
    both = [k for k in planted if k in found]
    same = sum(planted[k] == found[k] for k in both)
    return f"{same}/{len(both)}"


KINDS = [
    "skipped_month", "missing_thematic", "short_meeting", "chronic_absentee", "excused_streak",
    "inflated_self_rating", "minutes_mismatch", "unpaid_dues", "no_admissions",
    "small_residential", "over_cap", "unconfirmed_probation",
]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--data", help="a synthetic dataset folder with ground_truth (default: generate)"
    )
    ap.add_argument("--cache", default="/tmp/chibo_bench")
    args = ap.parse_args(argv)
    data = Path(args.data) if args.data else Path(args.cache) / "synth-scale1"
    if not (data / "ground_truth.csv").exists():
        from chibo_analysis.synth import synthesize

        print(f"generating the synthetic city in {data} (once) ...", flush=True)
        synthesize(data, seed=0, progress=False)
    truth = pd.read_csv(data / "ground_truth.csv", dtype=str)
    ds = validated(load_dataset(data))
    held = ds.meetings["held_on"]
    years = list(range(held.min().year, held.max().year + 1))
    rows = []
    for kind in KINDS:
        planted, found = truth_keys(truth, kind), found_keys(ds, kind, years)
        hit = planted & found
        rows.append(
            {
                "kind": kind,
                "planted": len(planted),
                "found": len(found),
                "recall": len(hit) / len(planted) if planted else float("nan"),
                "precision": len(hit) / len(found) if found else float("nan"),
            }
        )
    report = pd.DataFrame(rows)
    report["detail_agrees"] = report["kind"].map(lambda k: detail_agreement(ds, truth, k, years))
    with pd.option_context("display.float_format", "{:.3f}".format):
        print(report.to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
