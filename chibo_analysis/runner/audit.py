"""One audit: check, execute, render, record.

:func:`run_audit` writes ``<out>/<org_id>/<period>/``:

- ``<notebook>.ipynb``, the executed notebook (kept when a cell fails: the
  traceback is in it);
- ``<notebook>.html``, the reader's report (no code, figures embedded, offline);
- ``<notebook>.pdf`` with ``pdf=True``;
- ``figures.json``, the key figures the notebook recorded (see
  :func:`chibo_analysis.runner.index.record_figures`);
- ``run.json``: parameters, input file hashes, package versions, timings
  per step, status and the error if any.

Every check of :mod:`chibo_analysis.runner.params` runs before a kernel starts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ChiboError
from chibo_analysis.runner.cache import ENV as CACHE_ENV
from chibo_analysis.runner.cache import cache_key, hash_inputs, is_cached, prepare_in_background
from chibo_analysis.runner.index import FIGURES_ENV, FIGURES_FILE, RUN_FILE, build_index
from chibo_analysis.runner.params import (
    AuditParams,
    check_notebook_parameters,
    check_organisation,
    find_notebook,
    read_parameters_cell,
)

#: The audit notebook run when none is named.
DEFAULT_NOTEBOOK = "audit_organisation"

#: Distributions whose versions go into run.json.
VERSIONED = (
    "chibo-analysis",
    "pandas",
    "numpy",
    "pyarrow",
    "scipy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "jupyter_client",
)


class AuditFailed(ChiboError):
    """The audit ran but did not produce its report (the notebook or rendering failed)."""

    exit_code = 1


@dataclass(frozen=True)
class AuditRun:
    """What one audit produced.

    Attributes
    ----------
    status : {'ok', 'failed'}
    folder : Path
        The report folder.
    outputs : dict of str to Path
        ``notebook``, ``html`` and ``pdf`` (those written).
    error : dict or None
        ``type`` and ``message`` (and the cell for a notebook error).
    timings : dict of str to float
        Seconds per step: ``check``, ``hash``, ``execute``, ``html``, ``pdf``, ``total``.
    """

    status: str
    folder: Path
    outputs: dict[str, Path] = field(default_factory=dict)
    error: dict | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def html(self) -> Path | None:
        return self.outputs.get("html")


def _warm_renderer() -> None:
    """Load the HTML renderer ahead of time; a failure here shows up when rendering."""
    from chibo_analysis.runner import render

    try:
        render.warm_up()
    except Exception:  # noqa: BLE001 - render_html raises it again, with its context
        pass


def versions() -> dict[str, str]:
    """Versions of Python and of the packages a report depends on."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def read_organisations(data: str | Path) -> pd.DataFrame:
    """The organisations table of the dataset at ``data``.

    Reads only that table: a city's register takes seconds to read, the
    organisations a few milliseconds.
    """
    from chibo_analysis.intake.load import load_dataset

    return load_dataset(data, tables=("organisations",)).tables["organisations"]


def report_folder(out: str | Path, org_id: str, period: str) -> Path:
    """``<out>/<org_id>/<period>``, with characters unsafe in file names replaced."""
    safe = re.sub(r"[^\w.-]+", "_", org_id).strip("._") or "_"
    return Path(out) / safe / period


@dataclass(frozen=True)
class PreparedAudit:
    """An audit whose parameters passed every check: ready to execute."""

    params: AuditParams
    notebook: Path
    parameters: dict[str, object]
    organisation: dict[str, object]


def prepare_audit(
    params: AuditParams,
    *,
    notebook: str = DEFAULT_NOTEBOOK,
    notebooks_dir: str | Path | None = None,
    organisations: pd.DataFrame | None = None,
) -> PreparedAudit:
    """Every check that can fail before a kernel starts.

    The notebook must exist, declare in its ``parameters`` cell every
    parameter passed, and the organisation must be in the organisations table
    (read from ``params.data`` unless given).
    """
    path = find_notebook(notebook, notebooks_dir)
    parameters = check_notebook_parameters(params, read_parameters_cell(path), path.name)
    if organisations is None:
        organisations = read_organisations(params.data)
    row = check_organisation(params.org_id, organisations)
    org = {"name": str(row.get("name", "")), "level": str(row.get("level", ""))}
    return PreparedAudit(params, path, parameters, org)


def write_json(path: Path, content: dict) -> None:
    """Write ``content`` as UTF-8 JSON, atomically (a reader never sees half a file)."""
    text = json.dumps(content, ensure_ascii=False, indent=1, default=str)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def execute_prepared(
    prepared: PreparedAudit,
    *,
    out: str | Path = "reports",
    pdf: bool = False,
    inputs: list[dict] | None = None,
    timeout: float | None = None,
    retries: int = 3,
    check_seconds: float = 0.0,
    hash_seconds: float | None = None,
    env: dict[str, str] | None = None,
) -> AuditRun:
    """Execute and render a prepared audit; never raises for a failing notebook.

    ``env`` adds environment variables for the kernel (the batch passes the
    dataset cache folder, ``CHIBO_CACHE_DIR``).

    The outcome (ok or failed, with the error) is in the returned
    :class:`AuditRun` and in ``run.json``.
    """
    from chibo_analysis.runner.execute import NotebookError, execute_notebook
    from chibo_analysis.runner.render import render_html, render_pdf

    params = prepared.params
    stem = prepared.notebook.stem
    folder = report_folder(out, params.org_id, params.period)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in (FIGURES_FILE, f"{stem}.html", f"{stem}.pdf"):
        (folder / stale).unlink(missing_ok=True)
    started = dt.datetime.now(dt.UTC)
    timings = {"check": round(check_seconds, 3)}
    if hash_seconds is not None:
        timings["hash"] = round(hash_seconds, 3)
    outputs: dict[str, Path] = {}
    error = None
    attempts = None

    def step(name: str, func, *args, **kw):
        t0 = time.perf_counter()
        try:
            return func(*args, **kw)
        finally:
            timings[name] = round(time.perf_counter() - t0, 3)

    try:
        if inputs is None:
            inputs = step("hash", hash_inputs, params.data)
        output = folder / f"{stem}.ipynb"
        outputs["notebook"] = output
        nb = step(
            "execute",
            execute_notebook,
            prepared.notebook,
            output,
            prepared.parameters,
            env={**(env or {}), FIGURES_ENV: str((folder / FIGURES_FILE).resolve())},
            cwd=folder.resolve(),
            timeout=timeout,
            retries=retries,
        )
        attempts = nb.metadata.get("chibo", {}).get("attempts")
        title = f"{prepared.organisation.get('name') or params.org_id} – {params.period}"
        html = step("html", render_html, nb, title=title, lang=params.lang)
        outputs["html"] = folder / f"{stem}.html"
        outputs["html"].write_text(html, encoding="utf-8")
        if pdf:
            outputs["pdf"] = step("pdf", render_pdf, outputs["html"], folder / f"{stem}.pdf")
    except NotebookError as err:
        error = err.as_dict()
    except ChiboError as err:
        error = {"type": type(err).__name__, "message": str(err)}
    timings["total"] = round(sum(timings.values()), 3)
    status = "ok" if error is None else "failed"
    record = {
        "status": status,
        "notebook": prepared.notebook.name,
        "parameters": params.as_dict(),
        "name": prepared.organisation.get("name"),
        "level": prepared.organisation.get("level"),
        "started_at": started.isoformat(timespec="seconds"),
        "timings": timings,
        "attempts": attempts,
        "outputs": {k: v.name for k, v in outputs.items() if v.exists()},
        "error": error,
        "inputs": inputs or [],
        "versions": versions(),
    }
    write_json(folder / RUN_FILE, record)
    return AuditRun(
        status, folder, {k: v for k, v in outputs.items() if v.exists()}, error, timings
    )


def run_audit(
    params: AuditParams,
    *,
    notebook: str = DEFAULT_NOTEBOOK,
    out: str | Path = "reports",
    pdf: bool = False,
    notebooks_dir: str | Path | None = None,
    organisations: pd.DataFrame | None = None,
    timeout: float | None = None,
    retries: int = 3,
    index: bool = True,
) -> AuditRun:
    """Check, execute and render one audit into ``<out>/<org_id>/<period>/``.

    Parameters
    ----------
    params : AuditParams
        What to audit (:meth:`AuditParams.create`).
    notebook : str
        Name of a notebook in ``notebooks_dir`` (default ``audit_organisation``).
    out : path
        The reports folder.
    pdf : bool
        Also print the report to PDF (needs Debian's ``chromium``).
    notebooks_dir : path, optional
        Where notebooks are looked up (default: the repository's ``notebooks/``).
    organisations : DataFrame, optional
        The organisations table, when already loaded.
    timeout : float, optional
        Seconds allowed per cell.
    retries : int
        Retries after a transient kernel start-up failure.
    index : bool
        Rebuild ``<out>/index.html`` afterwards.

    Returns
    -------
    AuditRun

    Raises
    ------
    ParameterError
        A check failed; no kernel was started.
    ChiboError
        ``pdf=True`` and Chromium is not installed (checked first).
    AuditFailed
        The notebook or the rendering failed; the message names the cell and
        the exception (``run.json`` records it too).
    """
    t0 = time.perf_counter()
    if pdf:
        from chibo_analysis.runner.render import require_chromium

        require_chromium()  # before the notebook runs, not after
    prepared = prepare_audit(
        params, notebook=notebook, notebooks_dir=notebooks_dir, organisations=organisations
    )
    # The cleaned dataset goes through a cache folder: the user's own (CHIBO_CACHE_DIR,
    # kept: a repeated audit of the same files skips loading and validation), else a
    # private temporary one removed below. If it is not there yet it is prepared here
    # while the kernel starts; the notebook waits for it. The inputs are hashed once that
    # is done, then nbconvert is imported and its templates loaded, while the notebook runs.
    kept = os.environ.get(CACHE_ENV)
    cache = kept or tempfile.mkdtemp(prefix="chibo-cache-")  # private (0700)
    env = {CACHE_ENV: cache}
    t_hash = time.perf_counter()
    inputs = hash_inputs(params.data)  # the cache key, and run.json's record of the inputs
    hashed = time.perf_counter() - t_hash
    worker = (
        None
        if is_cached(params.data, cache, cache_key(inputs))
        else prepare_in_background(params.data, cache, inputs)
    )
    side = ThreadPoolExecutor(max_workers=1)
    side.submit(_warm_renderer)
    side.shutdown(wait=False)
    try:
        run = execute_prepared(
            prepared,
            out=out,
            pdf=pdf,
            inputs=inputs,
            timeout=timeout,
            retries=retries,
            check_seconds=time.perf_counter() - t0 - hashed,
            hash_seconds=hashed,
            env=env,
        )
    finally:
        if worker is not None:
            worker.join()
        if not kept:
            shutil.rmtree(cache, ignore_errors=True)
    if index:
        build_index(out, lang=params.lang)
    if run.error is not None:
        raise AuditFailed(run.error["message"])
    return run
