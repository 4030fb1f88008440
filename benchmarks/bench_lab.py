"""Does JupyterLab in the environment cost the audit path anything? Side by side.

Issue 11 puts JupyterLab in ``environment.yml`` and asks that its cost to
``chibo audit`` be measured. Build a second environment with the ``lab`` extra
and run::

    python3 -m venv /tmp/labvenv && /tmp/labvenv/bin/pip install -e ".[dev,lab]"
    .venv/bin/python benchmarks/bench_lab.py --with-lab /tmp/labvenv [--repeat 5]

The same audit (the committee of a small synthetic city) runs with this
environment's ``chibo`` and with the other's, alternating; it prints the
median wall time of each and the ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def audit(chibo: str, data: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    subprocess.run([chibo, "audit", str(data), "--org", "H001", "--period", "2022", "--out",
                    str(out)], check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-lab", required=True, type=Path, help="a venv with the lab extra")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    plain = str(Path(sys.executable).with_name("chibo"))
    lab = str(args.with_lab / "bin" / "chibo")
    check = subprocess.run([str(args.with_lab / "bin" / "python"), "-c", "import jupyterlab"])
    if check.returncode != 0:
        sys.exit(f"{args.with_lab} has no JupyterLab: pip install -e '.[lab]' in it")
    work = Path(tempfile.mkdtemp(prefix="bench-lab-"))
    data = work / "city"
    subprocess.run([plain, "synth", "--out", str(data), "--scale", "0.05", "--start", "2022",
                    "--end", "2022", "--seed", "4"], check=True, capture_output=True)  # fmt: skip
    times: dict[str, list[float]] = {"without JupyterLab": [], "with JupyterLab": []}
    for _ in range(args.repeat):
        times["without JupyterLab"].append(audit(plain, data, work / "out-plain"))
        times["with JupyterLab"].append(audit(lab, data, work / "out-lab"))
    med = {k: statistics.median(v) for k, v in times.items()}
    for name, value in med.items():
        print(f"{name:18s}: median {value:6.2f} s of {args.repeat}")
    print(f"ratio with/without: {med['with JupyterLab'] / med['without JupyterLab']:.3f}")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
