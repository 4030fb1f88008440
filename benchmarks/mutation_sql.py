"""Mutation testing of the engine's SQL (issues 12 and 14): planted one-line changes to the queries.

mutmut mutates Python: in ``indicators/engine.py`` the rules are SQL inside strings, which it
can only break as a whole (an invalid query, killed by any test). This script plants, one at a
time, realistic one-line changes to the SQL of each rule boundary (a ``<`` for a ``<=``, a
missing condition, a sort order), runs the hand-worked tests of the indicators (not the
equality tests on the synthetic city, which take minutes), prints KILLED or SURVIVED for each,
and restores the file. Not in CI.

Usage::

    .venv/bin/python benchmarks/mutation_sql.py
"""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
p = ROOT / "chibo_analysis" / "indicators" / "engine.py"
orig = p.read_text()
muts = [
    ("ROWS UNBOUNDED PRECEDING) AS grp", "ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS grp"),
    (
        "HAVING count(*) FILTER (WHERE status = 'excused') > {run}",
        "HAVING count(*) FILTER (WHERE status = 'excused') > {run} + 1",
    ),
    ("AND e.exempt_from <= r.held_on", "AND e.exempt_from < r.held_on"),
    ("OR r.held_on <= e.exempt_until", "OR r.held_on < e.exempt_until"),
    ("ON e.member_id = r.member_id AND e.cell_id = r.cell_id", "ON e.member_id = r.member_id"),
    ("> {share}, false) AS low_presence", ">= {share}, false) AS low_presence"),
    (
        "coalesce(c.duration_min < c.min_minutes, false)",
        "coalesce(c.duration_min <= c.min_minutes, false)",
    ),
    (
        "(c.founded_on IS NULL OR c.founded_on < t.month + INTERVAL 1 MONTH)",
        "(c.founded_on IS NULL OR c.founded_on < t.month)",
    ),
    (
        "AND (c.dissolved_on IS NULL OR c.dissolved_on >= t.month)",
        "AND (c.dissolved_on IS NULL OR c.dissolved_on > t.month)",
    ),
    (
        "WHERE (joined_on IS NULL OR joined_on <= {end}) AND (left_on IS NULL OR left_on > {end})",
        "WHERE (joined_on IS NULL OR joined_on <= {end}) AND (left_on IS NULL OR left_on >= {end})",
    ),
    (
        "left_on DESC NULLS FIRST, joined_on DESC NULLS LAST, _pos",
        "left_on ASC NULLS FIRST, joined_on DESC NULLS LAST, _pos",
    ),
    (
        "WHEN left_on IS NOT NULL AND left_on <= {end} THEN 1 ELSE 2 END",
        "WHEN left_on IS NOT NULL AND left_on < {end} THEN 1 ELSE 2 END",
    ),
    (
        "PARTITION BY meeting_id ORDER BY inspected_on DESC NULLS LAST, _row DESC, _pos DESC",
        "PARTITION BY meeting_id ORDER BY inspected_on DESC NULLS FIRST, _row DESC, _pos DESC",
    ),
    (
        "AND (left_on IS NULL OR left_on > admitted_on)",
        "AND (left_on IS NULL OR left_on >= admitted_on)",
    ),
    (
        "WHERE month >= {_day(period.year_start)} AND month <= {end} AND paid_on IS NULL)",
        "WHERE month >= {_day(period.start)} AND month <= {end} AND paid_on IS NULL)",
    ),
    (
        "FROM runpos WHERE run_pos > {run} AND held_on >= {start} GROUP BY cell_id",
        "FROM runpos WHERE run_pos > {run} GROUP BY cell_id",
    ),
    (
        "count(DISTINCT month) FILTER (WHERE CAST(kind AS VARCHAR) IN ('regular', 'combined'))",
        "count(DISTINCT month) FILTER (WHERE CAST(kind AS VARCHAR) IN ('regular'))",
    ),
    ("FROM reg WHERE status = 'absent' AND NOT left_out", "FROM reg WHERE status = 'absent'"),
    ("WHERE f.held_on >= {start}", "WHERE f.held_on > {start}"),
    ("WHERE m.self_rating IS NOT NULL", "WHERE true"),
]
tests = [
    "tests/indicators/test_scorecard.py",
    "tests/indicators/test_boundaries.py",
    "tests/indicators/test_lists.py",
    "tests/indicators/test_engine.py",
    "-k",
    "not on_the_city and not given",
]
killed = 0
try:
    for old, new in muts:
        assert orig.count(old) == 1, old
        p.write_text(orig.replace(old, new))
        r = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *tests],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        ok = r.returncode != 0
        killed += ok
        print("KILLED  " if ok else "SURVIVED", old[:70], flush=True)
finally:
    p.write_text(orig)
print(f"{killed} of {len(muts)} killed")
