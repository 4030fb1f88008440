"""Mutation testing of the rule code (issue 14): how many planted one-line bugs the tests catch.

mutmut 3 (configured in ``pyproject.toml`` under ``[tool.mutmut]``: the modules it may mutate and
the test folders it may run) copies the package to ``mutants/``, plants every mutant of every
function there, and for each one runs the selected tests that reach that function (fastest
first, stopping at the first failure). A mutant is *killed* when a test fails, *survived* when
none does. This script runs it module by module, in the order of importance below, and prints
each module's score and its survivors. It is slow (minutes per module on two shared cores) and
is not part of CI.

Usage::

    .venv/bin/pip install -e '.[mutation]'
    .venv/bin/python benchmarks/mutation.py                         # every module below
    .venv/bin/python benchmarks/mutation.py indicators.roll rules   # some modules
    .venv/bin/python benchmarks/mutation.py --report                # what earlier runs found
    .venv/bin/python benchmarks/mutation.py --report --diff         # with each survivor's diff
    .venv/bin/python benchmarks/mutation.py --sample 60 rules       # 60 mutants at random
    .venv/bin/python benchmarks/mutation.py --rerun-survivors       # survivors again, after new tests

``--sample K`` checks K mutants of each module drawn at random (seed ``--seed``) among those
not checked yet: the score of a module then stands for a sample, and the table says how many of
its mutants were checked. The samples of all the modules named are run by one mutmut run.
mutmut re-tests a mutant named on its command line even if it has a result: ``--rerun-survivors``
checks the survivors again after tests were added to kill them.

A module run again keeps the results of mutants whose function has not changed. Delete
``mutants/`` to start afresh. mutmut 3.8.1 resets every result when the test selection or the
pytest arguments under ``[tool.mutmut]`` change (benchmarks/RESULTS.md says how the sample of
issue 14 kept its verdicts across such a change).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Modules in order of importance: the rules first, then validation, parsing, privacy, rendering.
MODULES = (
    "indicators.roll",
    "indicators.standards",
    "indicators.lists_cells",
    "checks.memberships",
    "intake.parse",
    "present.pseudonyms",
    "rules",
    "indicators.lists_members",
    "indicators.scorecard",
    "indicators.engine",
    "indicators.periods",
    "checks.cross_table",
    "checks.plausibility",
    "checks.minutes_counts",
    "checks.losses",
    "checks.validation",
    "present.markup",
    "runner.index",
    "runner.render",
    "present.report_tables",
    "present.display",
    "indicators.lists",
    "indicators.evidence",
    "indicators.targets",
    "indicators.minutes",
    "indicators.planning",
)

#: mutmut's exit codes, as its own ``mutmut.stats.status_by_exit_code`` reads them.
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", 24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout",
          37: "type check", None: "not checked"}  # fmt: skip
COLUMNS = ("killed", "timeout", "survived", "no tests", "suspicious", "not checked")
SURVIVING = ("survived", "no tests")


def mutmut() -> str:
    exe = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or shutil.which("mutmut")
    if exe is None:
        sys.exit("mutmut is not installed: .venv/bin/pip install -e '.[mutation]'")
    return exe


def refresh_copies() -> None:
    """Copy the package's non-Python files into ``mutants/`` again.

    mutmut copies the package once and afterwards refreshes only the Python files it mutates: a
    catalogue (``resources/labels.yaml``) changed since would be stale there and the clean run
    of the tests fail.
    """
    copy = ROOT / "mutants" / "chibo_analysis"
    if not copy.is_dir():
        return
    for path in (ROOT / "chibo_analysis").rglob("*"):
        if path.is_file() and path.suffix not in (".py", ".pyc"):
            target = copy / path.relative_to(ROOT / "chibo_analysis")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)


def run_module(module: str, children: int, names: list[str] | None = None) -> float:
    """Run the mutants ``names`` (default: every one) of ``chibo_analysis.<module>``; seconds."""
    started = time.perf_counter()
    refresh_copies()
    subprocess.run(
        [
            mutmut(),
            "run",
            "--max-children",
            str(children),
            *(names or [f"chibo_analysis.{module}.*"]),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - started


def sample(module: str, k: int, seed: int, children: int) -> list[str]:
    """``k`` mutants of ``module`` not checked yet, drawn at random (all of them if fewer)."""
    if not results(module):  # mutants not generated yet: a run that matches none makes them
        run_module(module, children, [f"chibo_analysis.{module}.x__no_such_function*"])
    waiting = sorted(n for n, st in results(module).items() if st == "not checked")
    return sorted(random.Random(f"{seed}:{module}").sample(waiting, min(k, len(waiting))))


def results(module: str) -> dict[str, str]:
    """Status of every mutant of ``module`` recorded under ``mutants/`` (empty if never run)."""
    meta = ROOT / "mutants" / "chibo_analysis" / (module.replace(".", "/") + ".py.meta")
    if not meta.is_file():
        return {}
    codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
    return {name: STATUS.get(code, "suspicious") for name, code in codes.items()}


def score(counts: Counter) -> float | None:
    """Share of checked mutants that the tests caught (a timeout counts as caught)."""
    checked = sum(counts[c] for c in COLUMNS if c != "not checked")
    return (counts["killed"] + counts["timeout"]) / checked if checked else None


def report(modules: list[str], *, diff: bool, seconds: dict[str, float]) -> int:
    """Print the table of scores and the survivors; the number of survivors."""
    total = Counter()
    print(f"| module | mutants | {' | '.join(COLUMNS)} | score | time |")
    print("|---" * (len(COLUMNS) + 4) + "|")
    survivors = []
    for module in modules:
        status = results(module)
        if not status:
            print(f"| {module} | not run |" + " |" * (len(COLUMNS) + 2))
            continue
        counts = Counter(status.values())
        total += counts
        s = score(counts)
        took = f"{seconds[module]:.0f} s" if module in seconds else ""
        cells = " | ".join(str(counts[c]) for c in COLUMNS)
        print(
            f"| {module} | {len(status)} | {cells} | {'' if s is None else f'{s:.1%}'} | {took} |"
        )
        survivors += [n for n, st in sorted(status.items()) if st in SURVIVING]
    s = score(total)
    cells = " | ".join(str(total[c]) for c in COLUMNS)
    n = sum(total.values())
    print(f"| **all run** | {n} | {cells} | **{'' if s is None else f'{s:.1%}'}** | |")
    print(f"\nsurvivors ({len(survivors)}):")
    for name in survivors:
        print(f"  {name}")
        if diff:
            shown = subprocess.run([mutmut(), "show", name], cwd=ROOT, capture_output=True,
                                   text=True, check=False)  # fmt: skip
            print("\n".join("      " + line for line in shown.stdout.splitlines()[1:]))
    return len(survivors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "modules", nargs="*", help=f"modules under chibo_analysis (default: all {len(MODULES)})"
    )
    parser.add_argument("--report", action="store_true", help="only print what earlier runs found")
    parser.add_argument("--diff", action="store_true", help="print each survivor's diff")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once")
    parser.add_argument("--sample", type=int, help="check this many unchecked mutants per module")
    parser.add_argument("--seed", type=int, default=14, help="seed of --sample")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="check the survivors of earlier runs again (after new tests)",
    )
    args = parser.parse_args(argv)
    modules = args.modules or list(MODULES)
    unknown = [
        m
        for m in modules
        if not (ROOT / "chibo_analysis" / (m.replace(".", "/") + ".py")).is_file()
    ]
    if unknown:
        parser.error(f"no such module under chibo_analysis: {', '.join(unknown)}")
    seconds = {}
    if args.rerun_survivors and not args.report:
        names = [n for m in modules for n, st in results(m).items() if st in SURVIVING]
        if names:
            took = run_module("", args.max_children, names)
            print(f"{len(names)} survivors again: {took:.0f} s", file=sys.stderr, flush=True)
    elif args.sample is not None and not args.report:
        # one mutmut run for every module's sample: each run copies and mutates the package
        # and runs the clean tests first (a minute or two)
        names = [n for m in modules for n in sample(m, args.sample, args.seed, args.max_children)]
        if names:
            took = run_module("", args.max_children, names)
            print(f"{len(names)} mutants: {took:.0f} s", file=sys.stderr, flush=True)
    elif not args.report:
        for module in modules:
            seconds[module] = run_module(module, args.max_children)
            print(f"{module}: {seconds[module]:.0f} s", file=sys.stderr, flush=True)
    report(modules, diff=args.diff, seconds=seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
