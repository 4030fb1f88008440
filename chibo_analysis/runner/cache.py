"""Load, validate and clean a dataset once, for many audits of the same data.

``chibo batch`` runs one notebook per organisation on the same records; each
would spend seconds loading and validating the same files. With the
environment variable ``CHIBO_CACHE_DIR`` set (the batch runner and
``chibo audit`` set it to a private temporary folder and remove it
afterwards), :func:`load_clean` keeps the cleaned dataset there as a pickle
keyed by the inputs' names, sizes and modification times and the package
version, so only the first audit reads the files. Without it,
:func:`load_clean` simply loads, validates and cleans.

A user who audits the same files again and again may set ``CHIBO_CACHE_DIR``
to a folder of their own: ``chibo audit`` then keeps the cleaned dataset
there between runs. The cache holds personal data: keep that folder private,
outside the dataset, the reports and any git repository, and delete it when
the audit is done; ``chibo`` never writes it anywhere else.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import threading
import time
from pathlib import Path

from chibo_analysis.checks.validation import validated
from chibo_analysis.dataset import Dataset

ENV = "CHIBO_CACHE_DIR"
#: The layout of a cached dataset; changed whenever Dataset's fields change, so that a
#: cache written by an older version is read again instead of unpickled wrong.
CACHE_FORMAT = 2
#: How long load_clean waits for a dataset another process is preparing.
WAIT_SECONDS = 600.0


def fingerprint(path: str | Path) -> str:
    """A key that changes whenever a file under ``path`` (or the package) changes."""
    from chibo_analysis import __version__

    root = Path(path).resolve()
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    h = hashlib.sha256(f"{__version__}\n{CACHE_FORMAT}\n{root}\n".encode())
    for p in files:
        st = p.stat()
        h.update(f"{p.relative_to(root.parent)}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:32]


def _target(path: str | Path, cache_dir: str | Path) -> Path:
    """Where the cleaned dataset of ``path``, as it is now, is kept in ``cache_dir``."""
    return Path(cache_dir) / f"{fingerprint(path)}.pkl"


def is_cached(path: str | Path, cache_dir: str | Path) -> bool:
    """Whether ``cache_dir`` holds the cleaned dataset of ``path`` as it is now."""
    return _target(path, cache_dir).is_file()


def load_clean(path: str | Path, cache_dir: str | Path | None = None) -> Dataset:
    """The dataset at ``path``, validated and cleaned (see :meth:`Dataset.clean`).

    Parameters
    ----------
    path : str or Path
        A dataset folder or workbook, as for :func:`chibo_analysis.load_dataset`.
    cache_dir : str or Path, optional
        Where to keep the cleaned dataset between calls; default the
        ``CHIBO_CACHE_DIR`` environment variable, else no cache.
    """
    from chibo_analysis.intake.load import load_dataset

    cache_dir = cache_dir or os.environ.get(ENV)
    if not cache_dir:
        return validated(load_dataset(path))
    target = _target(path, cache_dir)
    pending = target.with_suffix(".pending")
    give_up = time.monotonic() + WAIT_SECONDS
    while pending.exists() and not target.exists() and time.monotonic() < give_up:
        time.sleep(0.01)  # another process is preparing it (see prepare_in_background)
    if target.exists():
        with target.open("rb") as fh:
            return pickle.load(fh)
    return _write(path, target)


def _write(path: str | Path, target: Path) -> Dataset:
    from chibo_analysis.intake.load import load_dataset

    dataset = validated(load_dataset(path))
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds personal data
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump(dataset, fh, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, target)  # atomic: parallel workers never read half a file
    return dataset


def prepare_in_background(path: str | Path, cache_dir: str | Path) -> threading.Thread:
    """Start preparing the cleaned dataset in ``cache_dir`` in a thread.

    The runner calls this before it starts a kernel: loading overlaps with
    the kernel's start-up and imports, and the notebook's :func:`load_clean`
    waits for the result (a ``.pending`` marker says it is coming) instead of
    loading the files a second time. Join the thread before removing the folder.
    """
    target = _target(path, cache_dir)
    pending = target.with_suffix(".pending")
    pending.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pending.touch()

    def work() -> None:
        try:
            _write(path, target)
        except Exception:  # the kernel then loads by itself and reports the error
            pass
        finally:
            pending.unlink(missing_ok=True)

    thread = threading.Thread(target=work, name="chibo-prepare", daemon=True)
    thread.start()
    return thread
