"""Load, validate and clean a dataset once, for many audits of the same data.

``chibo batch`` runs one notebook per organisation on the same records; each
would spend seconds loading and validating the same files. With the
environment variable ``CHIBO_CACHE_DIR`` set (the batch runner and
``chibo audit`` set it to a private temporary folder and remove it
afterwards), :func:`load_clean` keeps the cleaned dataset there, so only the
first audit reads the files. Without it, :func:`load_clean` simply loads,
validates and cleans.

A cache that cannot lie or run code:

- an entry is keyed by the SHA-256 of every input file's *content* (the
  hashes ``run.json`` records), the package version and :data:`CACHE_FORMAT`;
  a file edited to the same size with its modification time restored is a
  new key, so it is read again;
- an entry is a folder of Parquet files (one per table, set-aside rows and
  problem lists) and a JSON manifest holding each Parquet file's SHA-256 and
  the dataset's other fields. No pickle: reading an entry runs no code from it.
  An entry whose manifest or file hashes do not match is removed and rebuilt;
- entries are written to a temporary folder beside them and renamed, so a
  reader never sees half an entry.

A user who audits the same files again and again may set ``CHIBO_CACHE_DIR``
to a folder of their own: ``chibo audit`` then keeps the cleaned dataset
there between runs. The cache holds personal data: keep that folder private,
outside the dataset, the reports and any git repository, and delete it when
the audit is done; ``chibo`` never writes it anywhere else.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from dataclasses import asdict
from pathlib import Path

import pandas as pd

from chibo_analysis.checks.validation import validated
from chibo_analysis.dataset import Dataset, SourceFile
from chibo_analysis.problems import ValidationReport

ENV = "CHIBO_CACHE_DIR"
#: The layout of a cached dataset; changed whenever Dataset's fields or the entry's
#: files change, so that an entry of an older version is built again, never misread.
CACHE_FORMAT = 3
#: How long load_clean waits for a dataset another process is preparing.
WAIT_SECONDS = 600.0
MANIFEST = "manifest.json"


def hash_inputs(data: str | Path) -> list[dict[str, object]]:
    """SHA-256 and size of every file of the dataset (a folder, or one workbook).

    Hidden files and folders (names starting with ``.``) are not part of a dataset.
    """
    root = Path(data)
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    inputs = []
    for path in files:
        rel = path.name if path == root else path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in Path(rel).parts):
            continue
        inputs.append({"path": rel, "bytes": path.stat().st_size, "sha256": _sha256(path)})
    return inputs


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cache_key(inputs: list[dict[str, object]]) -> str:
    """The key of a dataset whose files are ``inputs`` (see :func:`hash_inputs`)."""
    from chibo_analysis import __version__

    text = json.dumps([__version__, CACHE_FORMAT, inputs], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def fingerprint(path: str | Path) -> str:
    """The cache key of the files under ``path`` as they are now (their content)."""
    return cache_key(hash_inputs(path))


def _entry(path: str | Path, cache_dir: str | Path, key: str | None = None) -> Path:
    """Where the cleaned dataset of ``path``, as it is now, is kept in ``cache_dir``."""
    return Path(cache_dir) / (key or fingerprint(path))


def is_cached(path: str | Path, cache_dir: str | Path, key: str | None = None) -> bool:
    """Whether ``cache_dir`` holds an entry for ``path`` as it is now (checked when read)."""
    return (_entry(path, cache_dir, key) / MANIFEST).is_file()


# --- writing and reading an entry ----------------------------------------------------


def _frames(dataset: Dataset) -> dict[str, pd.DataFrame]:
    frames = {f"table.{k}": v for k, v in dataset.tables.items() if v is not None}
    frames |= {f"set_aside.{k}": v for k, v in dataset.set_aside.items() if v is not None}
    if dataset.load_issues is not None:
        frames["load_issues"] = dataset.load_issues
    if dataset.report is not None:
        frames["report"] = dataset.report.issues
    return frames


_PLAIN = (str, bool, int, float)


def _encode_objects(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` with its object columns made storable exactly, and how each was stored.

    A column of texts is stored as text (``"str"``); a column mixing texts,
    numbers, True/False (the ``value`` of a problem list) as JSON per value
    (``"json"``), so that row 3 comes back as 3, not 3.0 or "3". Any other
    object (a date inside an object column) cannot be kept exactly: ``TypeError``.
    """
    out, kinds = frame, {}
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object:
            continue
        present = values[values.notna()]
        if present.map(type).eq(str).all():
            kinds[str(column)] = "str"
            continue
        if not present.map(lambda v: isinstance(v, _PLAIN)).all():
            raise TypeError(f"column {column!r} holds values that cannot be cached exactly")
        if out is frame:
            out = frame.copy()
        out[column] = values.map(lambda v: None if v is None or v != v else json.dumps(v))
        kinds[str(column)] = "json"
    return out, kinds


def _decode_objects(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    for column, kind in kinds.items():
        values = frame[column].astype(object)
        if kind == "json":
            decoded = [json.loads(v) if isinstance(v, str) else None for v in values]
        else:
            decoded = [v if isinstance(v, str) else None for v in values]
        frame[column] = pd.Series(decoded, index=frame.index, dtype=object)
    return frame


def save(dataset: Dataset, entry: Path, inputs: list[dict[str, object]]) -> None:
    """Write ``dataset`` as the cache entry ``entry`` (a folder), atomically."""
    from chibo_analysis import __version__

    entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # holds personal data
    work = Path(tempfile.mkdtemp(dir=entry.parent, prefix=".writing-"))
    try:
        files = {}
        for i, (name, frame) in enumerate(_frames(dataset).items()):
            target = work / f"{i:02d}.parquet"
            stored, kinds = _encode_objects(frame)
            stored.to_parquet(target, index=True)
            files[name] = {"file": target.name, "sha256": _sha256(target), "objects": kinds}
        manifest = {
            "format": CACHE_FORMAT,
            "version": __version__,
            "inputs": inputs,
            "root": dataset.root,
            "sources": [asdict(s) for s in dataset.sources],
            "absent": {k: list(v) for k, v in dataset.absent.items()},
            "frames": files,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(work, entry)  # atomic: parallel workers never read half an entry
        except OSError:  # another process wrote the same entry first: theirs is as good
            shutil.rmtree(work, ignore_errors=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


class CorruptEntry(Exception):
    """A cache entry that does not match its manifest (or has none): it is rebuilt."""


def read(entry: Path, inputs: list[dict[str, object]] | None = None) -> Dataset:
    """The dataset kept in ``entry``; :class:`CorruptEntry` if anything does not match."""
    from chibo_analysis import __version__

    try:
        manifest = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise CorruptEntry(f"no readable manifest: {err}") from err
    if manifest.get("format") != CACHE_FORMAT or manifest.get("version") != __version__:
        raise CorruptEntry("written by another version")
    if inputs is not None and manifest.get("inputs") != inputs:
        raise CorruptEntry("written for other input files")
    frames = {}
    for name, info in manifest["frames"].items():
        path = entry / Path(info["file"]).name
        if not path.is_file() or _sha256(path) != info["sha256"]:
            raise CorruptEntry(f"{path.name} does not match its hash")
        frames[name] = _decode_objects(pd.read_parquet(path), info["objects"])

    def group(prefix: str) -> dict[str, pd.DataFrame]:
        return {k.split(".", 1)[1]: v for k, v in frames.items() if k.startswith(prefix + ".")}

    report = frames.get("report")
    return Dataset(
        tables=group("table"),
        sources=tuple(SourceFile(**s) for s in manifest["sources"]),
        root=manifest["root"],
        load_issues=frames.get("load_issues"),
        report=None if report is None else ValidationReport(report),
        set_aside=group("set_aside"),
        absent={k: tuple(v) for k, v in manifest["absent"].items()},
    )


# --- the cache as the notebooks and the runner use it --------------------------------


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
    inputs = hash_inputs(path)
    entry = _entry(path, cache_dir, cache_key(inputs))
    pending = entry.with_name(entry.name + ".pending")
    give_up = time.monotonic() + WAIT_SECONDS
    while pending.exists() and not entry.exists() and time.monotonic() < give_up:
        time.sleep(0.01)  # another process is preparing it (see prepare_in_background)
    if entry.exists():
        try:
            return read(entry, inputs)
        except CorruptEntry:
            shutil.rmtree(entry, ignore_errors=True)
    return _write(path, entry, inputs)


def _write(path: str | Path, entry: Path, inputs: list[dict[str, object]]) -> Dataset:
    from chibo_analysis.intake.load import load_dataset

    dataset = validated(load_dataset(path))
    try:
        save(dataset, entry, inputs)
    except (TypeError, ValueError, OSError):  # not storable exactly: the next call loads again
        pass
    return dataset


def prepare_in_background(
    path: str | Path, cache_dir: str | Path, inputs: list[dict[str, object]] | None = None
) -> threading.Thread:
    """Start preparing the cleaned dataset in ``cache_dir`` in a thread.

    The runner calls this before it starts a kernel: loading overlaps with
    the kernel's start-up and imports, and the notebook's :func:`load_clean`
    waits for the result (a ``.pending`` marker says it is coming) instead of
    loading the files a second time. Join the thread before removing the folder.
    """
    inputs = hash_inputs(path) if inputs is None else inputs
    entry = _entry(path, cache_dir, cache_key(inputs))
    pending = entry.with_name(entry.name + ".pending")
    pending.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pending.touch()

    def work() -> None:
        try:
            _write(path, entry, inputs)
        except Exception:  # the kernel then loads by itself and reports the error
            pass
        finally:
            pending.unlink(missing_ok=True)

    thread = threading.Thread(target=work, name="chibo-prepare", daemon=True)
    thread.start()
    return thread
