"""Time and peak memory of ``chibo synth``: the city, a province (scale 7), a nation (500).

Each run is a fresh subprocess that reports its own wall time and peak RSS
(``resource.getrusage``). The nation can be run in full (``--full-nation``)
or, by default, for its first ``--nation-committees`` committees through the
same code path (:func:`chibo_analysis.synth.city.generate_committee` and the
Parquet writer), with the whole run extrapolated from the time per committee;
the output says which.

Usage::

    .venv/bin/python benchmarks/bench_synth.py [--repeat 3] [--nation-committees 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile

DRIVER = r"""
import json, resource, sys, time
from pathlib import Path
scale, limit, out = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
if limit:
    import numpy as np
    from chibo_analysis.synth import Rates, _day, _targets
    from chibo_analysis.synth.city import generate_committee
    from chibo_analysis.synth.writer import DatasetWriter
    targets = _targets(scale)[:limit]
    w = DatasetWriter(Path(out), "parquet")
    rows = 0
    for k, (b, c, m) in enumerate(targets):
        tables, truth = generate_committee(0, k, b, c, m, _day("2020-01-01"), _day("2025-12-31"),
                                           _day("2022-09-30"), Rates(), 6 if k == 0 else 0)
        for name, frame in tables.items():
            w.write(name, frame)
        rows += len(tables["attendance"])
    w.close()
    committees = len(targets)
else:
    from chibo_analysis.synth import synthesize
    res = synthesize(out, scale=scale, progress=False)
    rows, committees = res.rows["attendance"], res.calibration["committees"]
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(dict(seconds=elapsed, peak_mb=peak, register_rows=rows, committees=committees)))
"""


def run(scale: float, limit: int = 0) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run(
            [sys.executable, "-c", DRIVER, str(scale), str(limit), tmp + "/out"],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, runs: list[dict], extrapolate_to: int | None = None) -> None:
    sec = statistics.median(r["seconds"] for r in runs)
    mem = statistics.median(r["peak_mb"] for r in runs)
    rows = runs[0]["register_rows"]
    line = (
        f"{name:<22} median {sec:7.1f} s  peak {mem:7.0f} MB  register rows {rows:>11,}"
        f"  ({rows / sec / 1e6:.2f} M rows/s, {len(runs)} runs)"
    )
    if extrapolate_to:
        per = sec / runs[0]["committees"]
        line += (
            f"\n{'':<22} extrapolated to {extrapolate_to} committees: "
            f"{per * extrapolate_to / 60:.0f} min, "
            f"~{rows / runs[0]['committees'] * extrapolate_to / 1e6:.0f} M register rows; "
            "peak memory does not grow with committees (one committee at a time)"
        )
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nation-committees", type=int, default=10)
    parser.add_argument("--full-nation", action="store_true")
    args = parser.parse_args()
    report("city (scale 1, csv)", [run(1.0) for _ in range(args.repeat)])
    report("province (scale 7)", [run(7.0) for _ in range(max(1, args.repeat // 2))])
    if args.full_nation:
        report("nation (scale 500)", [run(500.0)])
    else:
        report(
            f"nation, first {args.nation_committees}",
            [run(500.0, args.nation_committees)],
            extrapolate_to=500,
        )


if __name__ == "__main__":
    main()
