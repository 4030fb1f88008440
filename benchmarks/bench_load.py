"""Time and peak memory of ``load_dataset`` + ``validate`` on a city-size dataset.

The synthetic city (scale 1: 10,677 members on 30/09/2022, 370 cells and base
organisations, six years of monthly meetings, ~900k register rows, ~775k dues
rows) is written once per format (CSV, Parquet, XLSX) into a cache folder, then
each measurement is a fresh subprocess that imports the package, loads and
validates, and reports its wall time and peak RSS (``resource.getrusage``).
Medians of ``--repeat`` runs. Targets (issue 2): under 3 s and 1.5 GB from CSV
or Parquet, under 10 s from XLSX.

Usage::

    .venv/bin/python benchmarks/bench_load.py [--repeat 3] [--formats csv,parquet,xlsx]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"

DRIVER = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from chibo_analysis import load_dataset, validate
t1 = time.perf_counter()
ds = load_dataset(sys.argv[1])
t2 = time.perf_counter()
report = validate(ds)
t3 = time.perf_counter()
print(json.dumps(dict(import_s=t1 - t0, load_s=t2 - t1, validate_s=t3 - t2, total_s=t3 - t0,
                      peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      files=len({s.path for s in ds.sources}), register_rows=len(ds.attendance),
                      issues=len(report))))
"""


def city(fmt: str) -> Path:
    """The synthetic city in ``fmt``, generated once (seed 0)."""
    out = CACHE / f"city-{fmt}"
    if not (out / "manifest.json").exists():
        from chibo_analysis.synth import synthesize

        synthesize(out, seed=0, fmt=fmt, progress=False)
    if fmt == "xlsx":  # one workbook per table: keep the data, drop the ground truth
        for extra in out.glob("ground_truth.*"):
            extra.unlink()
    return out


def measure(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--formats", default="csv,parquet,xlsx")
    parser.add_argument("--data", help="measure this dataset instead of the cached cities")
    args = parser.parse_args()
    print(
        f"{'format':8} {'rows':>9} {'import':>7} {'load':>7} {'validate':>9} {'total':>7} {'peak MB':>8}"
    )
    chosen = (
        [("data", Path(args.data))] if args.data else [(f, None) for f in args.formats.split(",")]
    )
    for fmt, given in chosen:
        path = given or city(fmt)
        runs = [measure(path) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{fmt:8} {int(med['register_rows']):>9,} {med['import_s']:>7.2f} {med['load_s']:>7.2f} "
            f"{med['validate_s']:>9.2f} {med['total_s']:>7.2f} {med['peak_mb']:>8.0f}"
        )
    print(
        f"medians of {args.repeat} runs; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
