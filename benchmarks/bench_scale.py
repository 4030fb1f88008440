"""Scale (issue 12): ``chibo scorecard`` as a whole process against a plain DuckDB query.

Each measurement is a whole process:

- ``chibo scorecard STORE --period 2022 --out X.csv``: the scorecard of DOMAIN §4 from a
  store written once by ``chibo prepare`` (import, the engine's queries by DuckDB over the
  Parquet files, the organisations' rollup, the CSV); the store is prepared before the
  runs, and that preparation (read, validate, write) is timed once and printed;
- with ``--files``, also ``chibo scorecard DATA``: the same from the files (import, load,
  validate, clean, the same queries over the frames in memory);
- beside them, in the same run, a Python process that imports DuckDB and runs one SQL
  query over the data files (CSV for the city, Parquet above) writing its own CSV. Wall time and peak resident
memory (the largest process of the run, read with ``getrusage(RUSAGE_CHILDREN)`` in a
wrapper process around each command), and CPU time (user + system); medians of ``--repeat`` runs, the two alternated so
that the machine's drift hits both alike.

The baseline (:data:`BASELINE_SQL`) computes, per cell (levels cell and base_cell) and
for one year, the columns of :data:`BASELINE_COLUMNS`:

- ``months_expected``: months of the year in which the cell existed on any day;
- ``meetings``: meetings dated in those months (not a scorecard column: shown only);
- ``regular_months``, ``regular_rate``: months with a regular or combined meeting (R1);
- ``quarters_expected``, ``thematic_quarters``: the same for quarters and thematic or
  combined meetings (R2);
- ``attendance_rate``: present / (present + excused + absent) over those meetings'
  register rows, rows with status exempt and rows of members whose exemption in that cell
  covers the meeting date left out (R4);
- ``unexcused_absences``: register rows absent, the same rows left out;
- ``good_self_ratings``, ``superior_attended``: meetings rated good, meetings attended
  by a higher-level committee member.

It validates nothing: rows that validation sets aside (duplicates, unknown references,
unreadable values, meetings outside a cell's lifetime, a register row for a member not on
the roll) still count in it, as do organisations' rows above the cells, which it does not
compute. After the runs, the script says on how many cells each column equals the
scorecard's (an information, not a test).

Usage::

    .venv/bin/python benchmarks/bench_scale.py                 # the city (CSV), scale 1
    .venv/bin/python benchmarks/bench_scale.py --scale 7       # a province (Parquet)
    .venv/bin/python benchmarks/bench_scale.py --scale 20      # a 20-city region
    .venv/bin/python benchmarks/bench_scale.py --scale 500     # the nation (synth: ~21 min)
    .venv/bin/python benchmarks/bench_scale.py --files         # also from the files (slow)

The data are written once by ``chibo synth --scale N`` under benchmarks/.cache/
(the city shares ``city-canonical`` with bench_office.py). Targets (issue 12): a 20-city
region within 3x of the plain query and under 3 GB; the nation in under 3 min and 6 GB.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"

#: Columns of the baseline compared with the scorecard's, cell by cell.
BASELINE_COLUMNS = [
    "months_expected", "regular_months", "regular_rate", "quarters_expected",
    "thematic_quarters", "attendance_rate", "unexcused_absences", "good_self_ratings",
    "superior_attended",
]  # fmt: skip

#: The plain query: {src[table]} is a DuckDB table function over the file, {year} the year.
BASELINE_SQL = """
WITH cells AS (
    SELECT org_id, CAST(founded_on AS DATE) AS founded_on,
           CAST(dissolved_on AS DATE) AS dissolved_on
    FROM {organisations} WHERE level IN ('cell', 'base_cell')
),
months AS (  -- the months of the year in which the cell existed on any day
    SELECT c.org_id, CAST(t.m AS DATE) AS month
    FROM cells c, range(DATE '{year}-01-01', DATE '{next}-01-01', INTERVAL 1 MONTH) t(m)
    WHERE (c.founded_on IS NULL OR c.founded_on < t.m + INTERVAL 1 MONTH)
      AND (c.dissolved_on IS NULL OR c.dissolved_on >= t.m)
),
meetings AS (  -- the year's meetings dated in one of their cell's months
    SELECT m.meeting_id, m.cell_id, CAST(m.held_on AS DATE) AS held_on, m.kind,
           m.self_rating, CAST(m.superior_attended AS VARCHAR) AS superior,
           date_trunc('month', CAST(m.held_on AS DATE)) AS month
    FROM {meetings} m
    JOIN months x ON x.org_id = m.cell_id
     AND x.month = date_trunc('month', CAST(m.held_on AS DATE))
),
register AS (  -- register rows counted for attendance: not exempt, member not exempted
    SELECT g.cell_id, a.status
    FROM {attendance} a JOIN meetings g USING (meeting_id)
    WHERE a.status IN ('present', 'excused', 'absent')
      AND NOT EXISTS (
          SELECT 1 FROM {members} p
          WHERE p.member_id = a.member_id AND p.cell_id = g.cell_id
            AND p.exempt_from IS NOT NULL AND CAST(p.exempt_from AS DATE) <= g.held_on
            AND (p.exempt_until IS NULL OR g.held_on <= CAST(p.exempt_until AS DATE)))
),
per_month AS (
    SELECT x.org_id, count(*) AS months_expected,
           count(DISTINCT date_trunc('quarter', x.month)) AS quarters_expected
    FROM months x GROUP BY x.org_id
),
per_meeting AS (
    SELECT cell_id AS org_id, count(*) AS meetings,
           count(DISTINCT month) FILTER (WHERE kind IN ('regular', 'combined')) AS regular_months,
           count(DISTINCT date_trunc('quarter', month))
               FILTER (WHERE kind IN ('thematic', 'combined')) AS thematic_quarters,
           count(*) FILTER (WHERE self_rating = 'good') AS good_self_ratings,
           count(*) FILTER (WHERE lower(superior) IN ('true', 'yes')) AS superior_attended
    FROM meetings GROUP BY cell_id
),
per_register AS (
    SELECT cell_id AS org_id,
           count(*) FILTER (WHERE status = 'present') / count(*) AS attendance_rate,
           count(*) FILTER (WHERE status = 'absent') AS unexcused_absences
    FROM register GROUP BY cell_id
)
SELECT x.org_id, x.months_expected, coalesce(g.meetings, 0) AS meetings,
       coalesce(g.regular_months, 0) AS regular_months,
       coalesce(g.regular_months, 0) / x.months_expected AS regular_rate,
       x.quarters_expected, coalesce(g.thematic_quarters, 0) AS thematic_quarters,
       r.attendance_rate, coalesce(r.unexcused_absences, 0) AS unexcused_absences,
       coalesce(g.good_self_ratings, 0) AS good_self_ratings,
       coalesce(g.superior_attended, 0) AS superior_attended
FROM per_month x
LEFT JOIN per_meeting g USING (org_id)
LEFT JOIN per_register r USING (org_id)
ORDER BY x.org_id
"""

#: The baseline's process: DATA YEAR OUT.csv.
DRIVER = r"""
import sys
from pathlib import Path
import duckdb
sys.path.insert(0, sys.argv[4])
from bench_scale import baseline_sql
data, year, out = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
duckdb.sql(baseline_sql(data, year)).write_csv(out)
"""

#: Runs a command; prints its exit code, wall seconds, CPU seconds and peak RSS (KiB).
WRAPPER = r"""
import resource, subprocess, sys, time
t0 = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(done.returncode, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)
sys.stderr.write(done.stderr[-2000:] if done.returncode else "")
"""


def source(data: Path, table: str) -> str:
    """The DuckDB table function reading ``table`` of the dataset ``data`` (CSV or Parquet)."""
    parquet = sorted(data.glob(f"{table}.parquet")) + sorted(data.glob(f"{table}/*.parquet"))
    if parquet:
        files = ", ".join(f"'{p.as_posix()}'" for p in parquet)
        return f"read_parquet([{files}])"
    path = (data / f"{table}.csv").as_posix()
    return f"read_csv('{path}', header=true, all_varchar=false, sample_size=-1)"


def baseline_sql(data: Path, year: int) -> str:
    """The plain query of the baseline columns for ``year`` over the dataset ``data``."""
    tables = ("organisations", "meetings", "attendance", "members")
    return BASELINE_SQL.format(year=year, next=year + 1, **{t: source(data, t) for t in tables})


def compile_package() -> None:
    """Byte-compile the package, as an installed package is (pip compiles on install).

    Without it, a shell with ``PYTHONDONTWRITEBYTECODE`` set compiles every module of the
    package from source in every measured process (0.1-0.2 s).
    """
    import chibo_analysis

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    folder = Path(chibo_analysis.__file__).parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(folder)], env=env, check=True)


def ensure_store(data: Path) -> tuple[Path, tuple[float, float, float] | None]:
    """The store of ``data`` under benchmarks/.cache (``chibo prepare``, timed when written)."""
    from chibo_analysis.errors import DataReadError
    from chibo_analysis.runner.store import Store

    store = data.with_name(data.name + ".store")
    if (store / "store.json").exists():
        try:
            Store(store)  # of this version, and of the data as they are
            return store, None
        except DataReadError as err:
            print(f"{err}: preparing it again", flush=True)
    print(f"writing {store} (chibo prepare) ...", flush=True)
    return store, measure([*chibo(), "prepare", str(data), "--store", str(store)])


def ensure(scale: float) -> Path:
    """The synthetic dataset of ``scale`` under benchmarks/.cache (written once)."""
    name = "city-canonical" if scale == 1 else f"scale-{scale:g}"
    folder = CACHE / name
    if not (folder / "README.md").exists():
        print(f"writing {folder} (chibo synth --scale {scale:g}) ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "chibo_analysis", "synth", "--out", str(folder)]
            + ["--scale", f"{scale:g}", "--quiet"],
            check=True,
        )
    return folder


def measure(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident memory (MB) of ``command``, a whole process.

    CPU seconds (user + system, every thread) move less than wall time on a shared machine;
    DuckDB's are spread over its threads, so its wall time can be the smaller.
    """
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command], capture_output=True, text=True, check=True
    )
    code, seconds, cpu, peak_kib = done.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(command)} failed ({code}):\n{done.stderr}")
    return float(seconds), float(cpu), float(peak_kib) / 1024


def chibo() -> list[str]:
    """The ``chibo`` command of this environment."""
    script = Path(sys.executable).with_name("chibo")
    return [str(script)] if script.exists() else [sys.executable, "-m", "chibo_analysis"]


def register_rows(data: Path) -> int | None:
    """Register (attendance) rows of the dataset, from the manifest synth writes."""
    try:
        manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    rows = manifest.get("rows") or {}
    return next((v for k, v in rows.items() if k.startswith("attendance")), None)


def agreement(card_csv: Path, baseline_csv: Path) -> dict[str, tuple[int, int]]:
    """Per baseline column: (cells where it equals the scorecard's, cells compared)."""

    def read(path: Path) -> dict[str, dict[str, str]]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {row["org_id"]: row for row in csv.DictReader(handle)}

    card, base = read(card_csv), read(baseline_csv)
    out = {}
    for column in BASELINE_COLUMNS:
        same = 0
        for org_id, row in base.items():
            mine = card.get(org_id, {}).get(column, "")
            same += _equal(mine, row[column])
        out[column] = (same, len(base))
    return out


def _equal(a: str, b: str) -> bool:
    if a in ("", "nan", "NULL") or b in ("", "nan", "NULL"):
        return a in ("", "nan", "NULL") and b in ("", "nan", "NULL")
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1, help="1 (city), 7, 20 or 500")
    parser.add_argument("--data", type=Path, help="an existing dataset instead of synth's")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--files", action="store_true", help="also chibo scorecard DATA (slow)")
    args = parser.parse_args()
    data = args.data or ensure(args.scale)
    store, prepared = ensure_store(data)
    compile_package()
    here = str(Path(__file__).resolve().parent)
    period = ["--period", str(args.year)]
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        card, base = Path(tmp) / "card.csv", Path(tmp) / "baseline.csv"
        commands = {
            "scorecard STORE": [*chibo(), "scorecard", str(store), *period, "--out", str(card)],
            "DuckDB query": [sys.executable, "-c", DRIVER, str(data), str(args.year)]
            + [str(base), here],
        }
        if args.files:
            files_card = Path(tmp) / "files.csv"
            commands["scorecard DATA"] = [*chibo(), "scorecard", str(data), *period]
            commands["scorecard DATA"] += ["--out", str(files_card)]
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for i in range(args.repeat):  # alternated
            for name, command in commands.items():
                runs[name].append(measure(command))
                wall, cpu, peak = runs[name][-1]
                print(
                    f"run {i + 1}: {name}: {wall:.2f} s, {cpu:.2f} CPU s, {peak:.0f} MB", flush=True
                )
        same = agreement(card, base)
        if args.files:
            print(
                "scorecard STORE equals scorecard DATA:",
                card.read_bytes() == files_card.read_bytes(),
            )
    rows = register_rows(data)
    print(f"\ndata: {data} ({rows:,} register rows)" if rows else f"\ndata: {data}")
    print(
        f"{'':16} {'wall s':>8} {'CPU s':>8} {'peak MB':>8}   (median of {args.repeat}, alternated)"
    )
    med = {
        name: [statistics.median(r[k] for r in rs) for k in range(3)] for name, rs in runs.items()
    }
    for name, (wall, cpu, peak) in med.items():
        print(f"{name:16} {wall:>8.2f} {cpu:>8.2f} {peak:>8.0f}")
    for name in med:
        if name != "DuckDB query":
            t, c, m = (a / b for a, b in zip(med[name], med["DuckDB query"], strict=True))
            print(f"ratio {name}: {t:.1f}x wall time, {c:.1f}x CPU time, {m:.1f}x memory")
    if prepared:
        wall, cpu, peak = prepared
        print(f"chibo prepare (once): {wall:.1f} s, {cpu:.1f} CPU s, {peak:.0f} MB")
    print("cells where the baseline equals the scorecard (it validates nothing):")
    for column, (n, total) in same.items():
        print(f"  {column:20} {n:>6} of {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
