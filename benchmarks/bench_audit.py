"""Benchmark the audit runner: one audit, and the batch of every base organisation.

Compares ``chibo audit`` / ``chibo batch`` (papermill and nbconvert in process,
warm workers, ipc kernels) with the command-line tools run one organisation at
a time (``papermill`` then ``jupyter nbconvert --to html --no-input``).

Run from the repository root::

    .venv/bin/python benchmarks/bench_audit.py                 # real notebook if present
    .venv/bin/python benchmarks/bench_audit.py --notebook tests/notebooks/tiny_audit.ipynb

Times of one audit are wall-clock medians of ``--repeat`` runs made without
any memory sampling (on 2 cores the sampler's own CPU showed in the times);
its peak memory comes from one more run, sampled. Peak memory is the largest
sum of resident memory over the process tree (runner, workers and kernels),
sampled every 50 ms; the batch is timed and sampled in the same runs. The CLI baseline of the batch runs ``--baseline-orgs``
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


def measure(cmd: list[str], *, memory: bool = True) -> tuple[float, int, int]:
    """Wall seconds, peak tree RSS in bytes (0 unless ``memory``) and exit status of ``cmd``."""
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
    if memory:
        sampler.start()
    code = proc.wait()
    seconds = time.perf_counter() - start
    if memory:
        sampler.join()
    if code not in (0, 1):  # 1: a batch with a failed audit, reported by the caller
        errors.seek(0)
        tail = errors.read().decode(errors="replace").strip().splitlines()[-5:]
        print(f"exit {code}: {' '.join(cmd)}\n" + "\n".join(tail), file=sys.stderr)
    errors.close()
    return seconds, peak, code


def median_of(cmd_for, repeat: int) -> tuple[float, int, list[float]]:
    """Median wall time of ``repeat`` unsampled runs, the peak memory of one more, all times."""
    times = []
    for i in range(repeat + 1):
        seconds, peak, code = measure(cmd_for(i), memory=i == repeat)
        if code != 0:
            raise SystemExit(f"failed (exit {code}): {' '.join(cmd_for(i))}")
        if i < repeat:
            times.append(seconds)
    return statistics.median(times), peak, times


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
    parser.add_argument("--parts", default="audit,cli,batch", help="what to measure")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    parts = set(args.parts.split(","))

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
    results: dict[str, dict] = {}
    rows: list[tuple[str, float, float | None]] = []

    if "audit" in parts:
        out = work / "audit"
        cmd = [*chibo, "audit", str(data), "--org", committee, "--period", args.period]
        one, one_mem, one_all = median_of(
            lambda i: [*cmd, *where, "--out", str(out / str(i))], args.repeat
        )
        run = json.loads(
            (out / "0" / committee / args.period / "audit_organisation.run.json").read_text()
        )
        steps = {k: run["timings"].get(k) for k in ("check", "hash", "execute", "html")}
        results["audit"] = {
            "seconds": one,
            "runs": one_all,
            "peak_mb": one_mem / 2**20,
            "steps_first_run": steps,
        }
        rows.append(("one audit (committee), chibo", one, one_mem / 2**20))
        # a base organisation: what each audit of the batch is
        cmd = [*chibo, "audit", str(data), "--org", base[0], "--period", args.period]
        b, b_mem, b_all = median_of(
            lambda i: [*cmd, *where, "--out", str(out / f"b{i}")], args.repeat
        )
        results["audit_base"] = {
            "org_id": base[0],
            "seconds": b,
            "runs": b_all,
            "peak_mb": b_mem / 2**20,
        }
        rows.append((f"one audit ({base[0]}), chibo", b, b_mem / 2**20))

    def cli_one(org: str, tag: str, memory: bool = False) -> tuple[float, int]:
        nb_out = work / "cli" / tag / f"{org}.ipynb"
        nb_out.parent.mkdir(parents=True, exist_ok=True)
        papermill = [str(BIN / "papermill"), str(notebook), str(nb_out), "-k", "python3"]
        papermill += ["--no-progress-bar", "-p", "data", str(data), "-p", "org_id", org]
        papermill += ["-p", "period", args.period]
        nbconvert = [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb_out)]
        total, peak = 0.0, 0
        for step in (papermill, nbconvert):
            seconds, rss, code = measure(step, memory=memory)
            if code != 0:
                raise SystemExit(f"failed (exit {code}): {' '.join(step)}")
            total, peak = total + seconds, max(peak, rss)
        return total, peak

    if "cli" in parts:
        cli = [cli_one(committee, f"audit{i}") for i in range(args.repeat)]
        cli_s = statistics.median(s for s, _ in cli)
        cli_mem = cli_one(committee, "memory", memory=True)[1] / 2**20
        results["audit_cli"] = {"seconds": cli_s, "peak_mb": cli_mem}
        rows.append(("one audit (committee), CLI tools", cli_s, cli_mem))

    if "batch" in parts:
        runs, failed = [], set()
        for i in range(args.batch_repeat):
            out = work / "batch" / str(i)
            cmd = [*chibo, "batch", str(data), "--level", "base", "--period", args.period]
            cmd += ["--jobs", str(args.jobs), *where, "--out", str(out)]
            runs.append(measure(cmd))
            for record in out.glob(f"*/{args.period}/*.run.json"):
                run = json.loads(record.read_text())
                if run["status"] != "ok":
                    failed.add((run["parameters"]["org_id"], run["error"]["message"][:300]))
        batch_s = statistics.median(s for s, _, _ in runs)
        batch_mem = max(p for _, p, _ in runs) / 2**20
        results["batch"] = {
            "seconds": batch_s,
            "peak_mb": batch_mem,
            "exit_status": [c for _, _, c in runs],
            "jobs": args.jobs,
            "failed": sorted(failed),
        }
        rows.append((f"batch, chibo batch --jobs {args.jobs}", batch_s, batch_mem))

    if "batch" in parts and "cli" in parts:
        sample = base[: args.baseline_orgs]
        per_org = statistics.median(cli_one(org, "batch")[0] for org in sample)
        results["batch_cli_estimate"] = {
            "seconds": per_org * len(base),
            "from_orgs": len(sample),
            "median_per_org": per_org,
        }
        rows.append(("batch, CLI tools one by one*", per_org * len(base), None))

    print(f"\n{'':34}{'seconds':>10}{'peak MB':>10}")
    for name, seconds, mem in rows:
        print(f"{name:34}{seconds:10.2f}{'' if mem is None else f'{mem:.0f}':>10}")
    if "audit" in results and "audit_cli" in results:
        ratio = results["audit_cli"]["seconds"] / results["audit"]["seconds"]
        print(f"ratio audit, CLI tools / chibo: {ratio:.2f}")
        print(f"first audit's steps (s): {results['audit']['steps_first_run']}")
    if "batch_cli_estimate" in results:
        ratio = results["batch_cli_estimate"]["seconds"] / results["batch"]["seconds"]
        print(f"ratio batch, CLI tools / chibo: {ratio:.2f}")
        print(f"* median of {args.baseline_orgs} organisations one by one, times {len(base)}")
    if "batch" in results:
        print(f"batch exit status {results['batch']['exit_status']}")
        for org, message in results["batch"]["failed"]:
            print(f"  failed: {org}: {message}")
    for key in ("audit", "audit_base"):
        if key in results:
            print(f"{key} runs (s): {', '.join(f'{t:.2f}' for t in results[key]['runs'])}")
    print(f"medians of {args.repeat} runs (audit), {args.batch_repeat} (batch)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
