"""Kill a batch with ``kill -9`` at random moments, resume it, and check what is left.

Issue 10's fault-injection check (slow: not in the test run)::

    .venv/bin/python benchmarks/fault_injection.py [--kills 20] [--seed 1]

A small synthetic city is made; ``chibo batch --level cell`` is started and
killed with SIGKILL after a random delay, ``--kills`` times, each time
followed by a look for orphans (any process still carrying this run's tag in
its environment, i.e. a worker or kernel of the killed batch, 5 s after the
kill) and then resumed with ``--resume``. At the end one last ``--resume``
runs to completion, and the script checks: every report folder's record says
ok and its files exist and are complete (the HTML ends with ``</html>``); no
``.part`` file; no orphan; no ``chibo-cache-``/``chibo-kernel-`` folder left in
the temporary folder. It prints what it found and exits 1 on any fault.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TAG = "CHIBO_FAULT_RUN"


def tagged_processes(tag: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if f"{TAG}={tag}".encode() in env.split(b"\0"):
            found.append(int(entry.name))
    return found


def leftovers() -> list[str]:
    """The runner's temporary folders whose owner is dead (a live owner's are not leaks:
    another job on the machine may be auditing at the same time)."""
    from chibo_analysis.runner.tempdirs import is_stale

    root = Path(tempfile.gettempdir())
    return sorted(
        p.name
        for p in root.iterdir()
        if p.name.startswith(("chibo-cache-", "chibo-kernel-")) and is_stale(p)
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=25.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    chibo = str(Path(sys.executable).with_name("chibo"))
    work = Path(tempfile.mkdtemp(prefix="fault-"))
    data, out = work / "city", work / "reports"
    subprocess.run([chibo, "synth", "--out", str(data), "--scale", "0.05", "--start", "2022",
                    "--end", "2022", "--seed", "2"], check=True, capture_output=True)  # fmt: skip
    before = set(leftovers())
    argv = [chibo, "batch", str(data), "--level", "cell", "--period", "2022", "--jobs", "2",
            "--out", str(out)]  # fmt: skip
    faults: list[str] = []
    for i in range(args.kills):
        tag = f"{os.getpid()}-{i}"
        env = {**os.environ, TAG: tag}
        delay = rng.uniform(0.5, args.max_delay)
        proc = subprocess.Popen([*argv, "--resume"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(delay)
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
        time.sleep(5)
        orphans = tagged_processes(tag)
        print(f"kill {i + 1:2d} after {delay:5.1f} s: "
              f"{'finished before' if finished else 'killed'}; orphans: {len(orphans)}")  # fmt: skip
        if orphans:
            faults.append(f"kill {i + 1}: orphan processes {orphans}")
            for pid in orphans:
                os.kill(pid, signal.SIGKILL)
    final = subprocess.run([*argv, "--resume"], capture_output=True, text=True,
                           env={**os.environ, TAG: "final"})  # fmt: skip
    print(final.stdout.strip())
    records = sorted(out.glob("*/2022/*.run.json"))
    for path in records:
        record = json.loads(path.read_text(encoding="utf-8"))
        html = path.parent / (record.get("outputs") or {}).get("html", "missing")
        if record.get("status") != "ok":
            faults.append(f"{path}: status {record.get('status')}")
        elif not html.is_file() or not html.read_text(encoding="utf-8").rstrip().endswith(
            "</html>"
        ):
            faults.append(f"{path}: says ok but {html.name} is missing or incomplete")
    parts = [p for p in out.rglob("*") if ".part" in p.name]
    faults += [f"temporary file left: {p}" for p in parts]
    left = sorted(set(leftovers()) - before)
    faults += [f"temporary folder left: {name}" for name in left]
    faults += [f"orphan after the last run: {pid}" for pid in tagged_processes("final")]
    print(f"{len(records)} reports, {args.kills} kills, final exit code {final.returncode}")
    print("faults:" if faults else "no fault found")
    for fault in faults:
        print(f"  {fault}")
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
