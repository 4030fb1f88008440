"""Benchmark the audit runner: one audit, and the batch of every base organisation.

Compares ``chibo audit`` / ``chibo batch`` (papermill and nbconvert in process,
warm workers, ipc kernels) with the command-line tools run one organisation at
a time (``papermill`` then ``jupyter nbconvert --to html --no-input``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_audit.py                 # real notebook if present
    .venv/bin/python benchmarks/bench_audit.py --notebook tests/notebooks/tiny_audit.ipynb

Times are wall-clock medians of ``--repeat`` runs; peak memory is the largest
sum of resident memory over the process tree (runner, workers and kernels),
sampled every 50 ms. The CLI baseline of the batch runs ``--baseline-orgs``
organisations one at a time and scales to all of them (said in the output).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CACHE = Path(tempfile.gettempdir()) / "chibo-bench-city"


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _tree_rss(pid: int) -> int:
    tree, total, todo = _children(), 0, [pid]
    while todo:
        current = todo.pop()
        todo += tree.get(current, [])
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            pass
    return total


def measure(cmd: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS in bytes, and exit status of ``cmd``."""
    start = time.perf_counter()
    errors = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errors)
    peak = 0

    def sample():
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    sampler.join()
    if code not in (0, 1):  # 1: a batch with a failed audit, reported by the caller
        errors.seek(0)
        tail = errors.read().decode(errors="replace").strip().splitlines()[-5:]
        print(f"exit {code}: {' '.join(cmd)}\n" + "\n".join(tail), file=sys.stderr)
    errors.close()
    return seconds, peak, code


def median_of(cmd_for, repeat: int) -> tuple[float, int]:
    runs = []
    for i in range(repeat):
        seconds, peak, code = measure(cmd_for(i))
        if code != 0:
            raise SystemExit(f"failed (exit {code}): {' '.join(cmd_for(i))}")
        runs.append((seconds, peak))
    return statistics.median(s for s, _ in runs), max(p for _, p in runs)


def sample_data(path: str | None) -> Path:
    if path:
        return Path(path)
    if not (CACHE / "organisations.csv").exists():
        from chibo_analysis.synth import synthesize

        print(f"making the synthetic city in {CACHE}...", flush=True)
        synthesize(CACHE, progress=False)
    return CACHE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="dataset (default: a synthetic city, made once)")
    parser.add_argument("--notebook", help="notebook file (default: the real audit notebook)")
    parser.add_argument("--period", default="2022")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the single audit")
    parser.add_argument("--batch-repeat", type=int, default=1, help="runs of the batch")
    parser.add_argument("--baseline-orgs", type=int, default=5, help="orgs run by the CLI tools")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    from chibo_analysis.runner.audit import read_organisations
    from chibo_analysis.runner.batch import select_organisations

    real = ROOT / "notebooks" / "audit_organisation.ipynb"
    notebook = Path(args.notebook).resolve() if args.notebook else real
    if not notebook.is_file():
        notebook = ROOT / "tests" / "notebooks" / "tiny_audit.ipynb"
    data = sample_data(args.data).resolve()
    orgs = read_organisations(data)
    committee = str(orgs.loc[orgs["level"].astype(str) == "committee", "org_id"].iloc[0])
    base = select_organisations(orgs, "base")["org_id"].astype(str).tolist()
    work = Path(tempfile.mkdtemp(prefix="chibo-bench-"))
    chibo = [str(BIN / "chibo")]
    where = ["--notebook", notebook.stem, "--notebooks", str(notebook.parent)]
    print(f"notebook {notebook.relative_to(ROOT)}, data {data}, {len(base)} base organisations")
    results: dict[str, object] = {"notebook": str(notebook.relative_to(ROOT)), "orgs": len(base)}

    def audit_cmd(i):
        return [
            *chibo,
            "audit",
            str(data),
            "--org",
            committee,
            "--period",
            args.period,
            *where,
            "--out",
            str(work / f"audit{i}"),
        ]

    one, one_mem = median_of(audit_cmd, args.repeat)
    run = json.loads((work / "audit0" / committee / args.period / "run.json").read_text())
    steps = {k: run["timings"].get(k) for k in ("check", "hash", "execute", "html")}
    results["audit"] = {"seconds": one, "peak_mb": one_mem / 2**20, "steps_first_run": steps}

    def cli_cmds(org: str, i: int) -> list[list[str]]:
        nb_out = work / f"cli{i}" / f"{org}.ipynb"
        nb_out.parent.mkdir(parents=True, exist_ok=True)
        return [
            [
                str(BIN / "papermill"),
                str(notebook),
                str(nb_out),
                "-k",
                "python3",
                "--no-progress-bar",
            ]
            + ["-p", "data", str(data), "-p", "org_id", org, "-p", "period", args.period],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)],
        ]

    def cli_one(org: str, i: int) -> tuple[float, int]:
        total, peak = 0.0, 0
        for cmd in cli_cmds(org, i):
            seconds, rss, code = measure(cmd)
            if code != 0:
                raise SystemExit(f"failed (exit {code}): {' '.join(cmd)}")
            total, peak = total + seconds, max(peak, rss)
        return total, peak

    cli = [cli_one(committee, i) for i in range(args.repeat)]
    cli_s = statistics.median(s for s, _ in cli)
    results["audit_cli"] = {"seconds": cli_s, "peak_mb": max(p for _, p in cli) / 2**20}

    def batch_cmd(i):
        return [
            *chibo,
            "batch",
            str(data),
            "--level",
            "base",
            "--period",
            args.period,
            "--jobs",
            str(args.jobs),
            *where,
            "--out",
            str(work / f"batch{i}"),
        ]

    runs = []
    for i in range(args.batch_repeat):
        seconds, peak, code = measure(batch_cmd(i))
        runs.append((seconds, peak, code))
    batch_s = statistics.median(s for s, _, _ in runs)
    results["batch"] = {
        "seconds": batch_s,
        "peak_mb": max(p for _, p, _ in runs) / 2**20,
        "exit_status": [c for _, _, c in runs],
        "jobs": args.jobs,
    }
    sample = base[: args.baseline_orgs]
    per_org = statistics.median(cli_one(org, 100 + k)[0] for k, org in enumerate(sample))
    results["batch_cli_estimate"] = {
        "seconds": per_org * len(base),
        "from_orgs": len(sample),
        "median_per_org": per_org,
    }

    print(f"\n{'':32}{'seconds':>10}{'peak MB':>10}")
    print(f"{'one audit, chibo audit':32}{one:10.2f}{one_mem / 2**20:10.0f}")
    print(
        f"{'one audit, papermill+nbconvert':32}{cli_s:10.2f}{results['audit_cli']['peak_mb']:10.0f}"
    )
    print(
        f"{'batch, chibo batch --jobs ' + str(args.jobs):32}{batch_s:10.2f}"
        f"{results['batch']['peak_mb']:10.0f}"
    )
    print(f"{'batch, CLI tools one by one*':32}{per_org * len(base):10.2f}{'':>10}")
    print(
        f"\nratios: audit CLI/chibo {cli_s / one:.2f}; batch CLI/chibo "
        f"{per_org * len(base) / batch_s:.2f}"
    )
    print(f"first audit's steps (s): {steps}")
    print(f"* median of {len(sample)} organisations run one by one, times {len(base)}")
    print(
        f"medians of {args.repeat} runs (audit), {args.batch_repeat} (batch); batch exit "
        f"status {results['batch']['exit_status']}"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
