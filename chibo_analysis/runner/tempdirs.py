"""Private temporary folders that go away, even after ``kill -9``.

The runner keeps a cleaned dataset (personal data) and kernel sockets in
temporary folders. Each is made private (``0700``) by :func:`private_dir`,
which writes in it who owns it (process id and start time). A run removes
its own at exit; a run killed with ``kill -9`` cannot, so every run first
calls :func:`sweep`, which removes the folders of processes that no longer
exist.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

#: Prefixes of the runner's temporary folders.
PREFIXES = ("chibo-cache-", "chibo-kernel-")
OWNER = ".owner"


def _start_time(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot), or None if it does not exist."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        if not Path("/proc/self/stat").exists():  # no /proc: ask the kernel
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return None
            except PermissionError:
                return "?"
            return "?"
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def private_dir(prefix: str, parent: str | Path | None = None) -> Path:
    """A new private temporary folder whose owner (this process) is written in it.

    It is made in ``parent`` if given, else in the system's temporary folder.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    (folder / OWNER).write_text(f"{os.getpid()} {_start_time(os.getpid())}")
    return folder


def is_stale(folder: Path) -> bool:
    """Whether the process that made ``folder`` is gone (a pid reused since does not count)."""
    try:
        pid, started = (folder / OWNER).read_text().split()
    except (OSError, ValueError):
        return False  # not ours to judge (made by an older version, or being written)
    now = _start_time(int(pid))
    return now is None or (now != "?" and started not in ("?", now))


def sweep(root: str | Path | None = None) -> list[Path]:
    """Remove the runner's temporary folders whose owner died; return them."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.iterdir() if root.is_dir() else []:
        if folder.name.startswith(PREFIXES) and folder.is_dir() and is_stale(folder):
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
                removed.append(folder)
    return removed


def die_with_parent() -> None:
    """Make this process (a batch worker) exit when its parent dies, ``kill -9`` included.

    On Linux the kernel sends SIGKILL at the parent's death (``PR_SET_PDEATHSIG``);
    if the parent died before that was set, exit now.
    """
    import ctypes
    import signal

    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1
    if os.getppid() != parent or parent == 1:
        os._exit(1)
