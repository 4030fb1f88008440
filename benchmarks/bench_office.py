"""Reading the city as cell offices keep it: ~370 workbooks with title blocks and registers.

``chibo synth --layout office`` writes the synthetic city (scale 1, 2020-2025, ~900k
register rows) as one workbook per cell: the roll, the meetings under a two-row header
and a paper register per year, each sheet under a title block and above a signature
footer. Each measurement is a fresh process that imports the package and loads the
folder (``load_dataset``), then validates; the same city in the canonical CSV layout is
measured side by side, in the same run, for the ratio. Medians of ``--repeat`` runs.
Target (issue 9): the office layout read in under 12 s on this machine.

Usage::

    .venv/bin/python benchmarks/bench_office.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench_load import DRIVER  # the same measuring driver (benchmarks/ is on the script's path)

CACHE = Path(__file__).resolve().parent / ".cache"


def ensure(layout: str) -> Path:
    """The city in ``layout`` under benchmarks/.cache (written once)."""
    folder = CACHE / f"city-{layout}"
    if not (folder / "README.md").exists():
        cmd = [sys.executable, "-m", "chibo_analysis", "synth", "--out", str(folder), "--quiet"]
        if layout == "office":
            cmd += ["--layout", "office"]
        subprocess.run(cmd, check=True)
    return folder


def measure(folder: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, str(folder)], check=True, capture_output=True, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folders = {layout: ensure(layout) for layout in ("office", "canonical")}
    runs: dict[str, list[dict]] = {layout: [] for layout in folders}
    for _ in range(args.repeat):  # interleaved: the machine's drift hits both alike
        for layout, folder in folders.items():
            runs[layout].append(measure(folder))
    print(f"{'layout':10} {'files':>6} {'rows':>9} {'load s':>8} {'validate s':>11} "
          f"{'total s':>8} {'peak MB':>8}")  # fmt: skip
    med = {}
    for layout, rs in runs.items():
        med[layout] = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        m = med[layout]
        print(f"{layout:10} {m['files']:>6.0f} {m['register_rows']:>9.0f} {m['load_s']:>8.2f} "
              f"{m['validate_s']:>11.2f} {m['total_s']:>8.2f} {m['peak_mb']:>8.0f}")  # fmt: skip
    ratio = med["office"]["load_s"] / med["canonical"]["load_s"]
    print(f"office / canonical load time: {ratio:.1f}x (median of {args.repeat}, interleaved)")
    print(
        f"target: office layout read in under 12 s: {'met' if med['office']['load_s'] < 12 else 'missed'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
