"""Spreadsheets and CSV files written for people: text stays text, never a formula.

A value that comes from the data ("=HYPERLINK(…)", "+1", "@SUM(…)") must not
become a live formula when an inspector opens a report in Excel or LibreOffice.
Workbooks are written with xlsxwriter told never to turn strings into formulas
or links (:data:`EXCEL_OPTIONS`); CSV cells that a spreadsheet would read as a
formula get a leading apostrophe (:func:`csv_safe`), as OWASP advises.

Every file is written atomically (:func:`atomic_path`: a temporary file in the
same folder, renamed when complete), and a place that cannot be written
(a folder that does not exist, a read-only one, a folder where a file is
expected) is a :class:`~chibo_analysis.errors.ChiboError` (exit code 2) with
a one-line message, never a traceback. A workbook cell holds at most
:data:`EXCEL_CELL_LIMIT` characters: a longer text is cut and each cut is
returned as a warning by :func:`write_tables`, never silently.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ChiboError

#: Most characters an Excel cell holds (Excel's specification limit).
EXCEL_CELL_LIMIT = 32_767

#: xlsxwriter options for every workbook the package writes: strings stay strings.
EXCEL_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}

#: First characters with which a spreadsheet reads a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_writer(path) -> pd.ExcelWriter:
    """A pandas ExcelWriter (xlsxwriter) that writes every string as a string."""
    return pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": EXCEL_OPTIONS})


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells starting like a formula begin with ``'``.

    Numbers are left alone (``-90`` as a number stays ``-90``).

    Examples
    --------
    >>> safe = csv_safe(pd.DataFrame({"v": ["=1+1", "Có mặt", "-90", None], "n": [1, -2, 3, 4]}))
    >>> safe["v"].tolist(), safe["n"].tolist()
    (["'=1+1", 'Có mặt', "'-90", nan], [1, -2, 3, 4])
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            text = col.astype("object")
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            if risky.any():
                out[name] = text.where(~risky, "'" + text.astype(str))
    return out


def _umask() -> int:
    """This process's umask, read without changing it (``os.umask`` sets as it reads)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside ``path``; renamed to ``path`` when the block ends cleanly.

    A reader never sees half a file, and a failed write leaves the old file
    (if any) as it was. Raises :class:`ChiboError` (exit code 2) when ``path``
    cannot be written, saying why.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ChiboError(f"cannot write {path}: the folder {folder} {what}")
    if path.is_dir():
        raise ChiboError(f"cannot write {path}: it is a folder; name a file")
    try:
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix=f".{path.stem}.", suffix=f".part{path.suffix}"
        )
    except OSError as err:
        raise ChiboError(f"cannot write {path}: {err.strerror or err}") from None
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a written file gets the usual mode
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as err:
        raise ChiboError(f"cannot write {path}: {err.strerror or err}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def fit_cells(frame: pd.DataFrame, sheet: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` with texts over :data:`EXCEL_CELL_LIMIT` cut, and a warning per cut."""
    out, warnings = frame, []
    for name in frame.columns:
        col = frame[name]
        if not (col.dtype == object or pd.api.types.is_string_dtype(col.dtype)):
            continue
        long = col.map(lambda v: isinstance(v, str) and len(v) > EXCEL_CELL_LIMIT)
        if not long.any():
            continue
        if out is frame:
            out = frame.copy()
        for position in long.to_numpy().nonzero()[0]:
            text = col.iloc[position]
            warnings.append(
                f"sheet {sheet}, row {position + 2}, column {name}: a text of {len(text):,} "
                f"characters was cut to the {EXCEL_CELL_LIMIT:,} a workbook cell holds"
            )
        out[name] = col.astype("object").map(
            lambda v: v[:EXCEL_CELL_LIMIT] if isinstance(v, str) else v
        )
    return out, warnings


def write_tables(path: str | Path, frames: dict[str, pd.DataFrame]) -> list[str]:
    """Write ``frames`` to ``path``: sheets of an ``.xlsx``, or the first frame as ``.csv``.

    Text never becomes a formula; the file appears only when complete. Returns
    the warnings (cells cut to fit a workbook), which the caller prints.
    """
    path = Path(path)
    warnings: list[str] = []
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".csv":
            csv_safe(next(iter(frames.values()))).to_csv(tmp, index=False, encoding="utf-8-sig")
        else:
            with excel_writer(tmp) as xl:
                for sheet, frame in frames.items():
                    fitted, cut = fit_cells(frame, sheet[:31])
                    warnings += cut
                    fitted.to_excel(xl, sheet_name=sheet[:31], index=False)
    return warnings


def org_folder_name(org_id: str) -> str:
    """A folder name for ``org_id`` that no other id maps to.

    The id itself when it is a safe file name; otherwise a readable slug
    (unsafe characters replaced) and a short hash of the id, so that ``B/01``
    and ``B_01`` never share a folder.

    Examples
    --------
    >>> org_folder_name("H001-B01")
    'H001-B01'
    >>> org_folder_name("B/01"), org_folder_name("B_01")
    ('B_01-d3d17a50', 'B_01')
    """
    slug = re.sub(r"[^\w.-]+", "_", org_id).strip("._")[:60] or "_"
    if slug == org_id:
        return slug
    return f"{slug}-{hashlib.sha256(org_id.encode()).hexdigest()[:8]}"
