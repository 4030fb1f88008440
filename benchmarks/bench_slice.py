"""Audits read only their slice (issue 12): one base organisation's audit from a store.

Side by side in one run, alternated, medians of ``--repeat``:

- **slice**: reading the cleaned data one base organisation's audit needs
  (:func:`chibo_analysis.runner.store.load_data`) from the city's store, from a
  province's (``--scale 7``) and, if written, from a 20-city region's (``--scale 20``)
  and the nation's (``--scale 500``),
  each in a fresh process (imports included), with its peak memory; beside them the
  same from the city's files (load, validate, clean the whole city: what every audit
  paid before the store);
- **audit**: with ``--audits``, the whole ``chibo audit STORE --org BASE`` from each of
  those stores, and ``chibo audit DATA --org BASE`` from the city's files.

The stores are those ``bench_scale.py`` writes (``benchmarks/.cache/<data>.store``);
a missing one is prepared first (and timed, once).

Usage::

    .venv/bin/python benchmarks/bench_slice.py [--repeat 5] [--audits]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import CACHE, chibo, ensure, ensure_store, measure  # noqa: E402

#: The base organisation audited: the first of the first committee, in every dataset.
BASE = "H001-B01"

READ = r"""
import sys
from chibo_analysis.runner.store import load_data
ds = load_data(sys.argv[1], sys.argv[2])
print(sum(len(f) for f in ds.tables.values()))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--audits", action="store_true", help="also whole audits (slow)")
    args = parser.parse_args()
    city = ensure(1)
    stores = {"city store": ensure_store(city)[0], "province store": ensure_store(ensure(7))[0]}
    for name, folder in (("20-city store", "scale-20.store"), ("nation store", "scale-500.store")):
        if (CACHE / folder / "store.json").exists():
            stores[name] = CACHE / folder
    commands = {
        f"slice, {name}": [sys.executable, "-c", READ, str(store), BASE]
        for name, store in stores.items()
    }
    commands["whole city, files"] = [sys.executable, "-c", READ, str(city), BASE]
    out = Path(tempfile.mkdtemp(prefix="bench-slice-"))
    if args.audits:
        audited = [("city files", city)] + [(n, s) for n, s in stores.items()]
        for name, data in audited:
            commands[f"audit, {name}"] = [*chibo(), "audit", str(data), "--org", BASE]
            commands[f"audit, {name}"] += ["--period", "2022", "--out", str(out / name)]
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for i in range(args.repeat):  # alternated
        for name, command in commands.items():
            runs[name].append(measure(command))
            wall, cpu, peak = runs[name][-1]
            print(f"run {i + 1}: {name}: {wall:.2f} s, {cpu:.2f} CPU s, {peak:.0f} MB", flush=True)
    print(f"\n{'':26} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}   (median of {args.repeat})")
    for name, rs in runs.items():
        wall, cpu, peak = (statistics.median(r[k] for r in rs) for k in range(3))
        print(f"{name:26} {wall:>8.2f} {cpu:>8.2f} {peak:>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
