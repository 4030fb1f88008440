"""One audit: check, execute, render, record.

:func:`run_audit` writes, in ``<out>/<org folder>/<period>/`` (see
:func:`org_folder_name`), the files of one *study*: the notebook's name, with
``-shared`` added for a shared report (:func:`study_name`), so that several
notebooks of one organisation and period, shared or not, sit side by side:

- ``<study>.ipynb``, the executed notebook (kept when a cell fails: the
  traceback is in it);
- ``<study>.html``, the reader's report (no code, figures embedded, offline);
- ``<study>.pdf`` with ``pdf=True``;
- ``<study>.figures.json``, the key figures the notebook recorded (see
  :func:`chibo_analysis.runner.index.record_figures`);
- ``<study>.evidence.xlsx``, the full lists behind the page, when the notebook
  writes them (see :func:`chibo_analysis.runner.index.record_evidence`);
- ``<study>.run.json``: parameters, input file hashes, package versions,
  timings per step, status and the error if any. It is written first with
  status ``running`` and last with the outcome, so it says ``ok`` only when
  every file is complete; each file is written to a temporary name and renamed.

One run per study at a time: a second one stops with :class:`ReportBusy`.

Every check of :mod:`chibo_analysis.runner.params` runs before a kernel starts.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import MESSAGE_LANG_ENV, ChiboError
from chibo_analysis.outputs import org_folder_name
from chibo_analysis.runner.cache import ENV as CACHE_ENV
from chibo_analysis.runner.cache import cache_key, is_cached, prepare_in_background
from chibo_analysis.runner.index import (
    EVIDENCE_ENV,
    FIGURES_ENV,
    build_index,
    evidence_path,
    figures_path,
    run_path,
)
from chibo_analysis.runner.params import (
    AuditParams,
    check_notebook_parameters,
    check_organisation,
    find_notebook,
    read_parameters_cell,
)
from chibo_analysis.runner.store import inputs_of, is_store, organisations_of
from chibo_analysis.runner.tempdirs import private_dir, sweep
from chibo_analysis.texts import shorten

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
    return organisations_of(data)


def report_folder(out: str | Path, org_id: str, period: str) -> Path:
    """``<out>/<org folder>/<period>`` (see :func:`org_folder_name`)."""
    return Path(out) / org_folder_name(org_id) / str(period)


#: Added to a study's name when it is a shared report: never the file name of an unshared one.
SHARED_SUFFIX = "-shared"


def study_name(notebook: str | Path, share: bool) -> str:
    """The name of a study's files: the notebook's name, ``-shared`` added when shared.

    Several studies of one organisation and period (each notebook, shared or
    not) live side by side in its folder, each with its own run record.
    """
    return Path(notebook).stem + (SHARED_SUFFIX if share else "")


class ReportBusy(ChiboError):
    """Another run is writing the same report at this moment."""

    exit_code = 2


@contextmanager
def report_lock(folder: Path, study: str):
    """Hold the lock of ``study`` in ``folder``: one run per report at a time.

    The lock is the kernel's (``flock``): it goes with the process that held
    it, even after ``kill -9``, so a killed run never blocks the next.
    """
    import fcntl

    handle = (folder / f".{study}.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise ReportBusy(
            f"another run is writing {folder / study}.html now; wait for it to finish, "
            "or write to another --out",
            key="busy", path=f"{folder / study}.html",
        ) from None  # fmt: skip
    try:
        yield
    finally:
        handle.close()


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
    from chibo_analysis.outputs import atomic_path

    text = json.dumps(content, ensure_ascii=False, indent=1, default=str)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def make_folder(folder: Path) -> Path:
    """Create the report folder, or say in one line why it cannot be (exit code 2)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        reason = err.strerror or str(err)
        raise ChiboError(
            f"cannot write reports to {folder}: {reason}",
            key="cannot_write_reports", folder=str(folder), reason=reason,
        ) from None  # fmt: skip
    return folder


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

    params = prepared.params
    study = study_name(prepared.notebook, params.share)
    folder = make_folder(report_folder(out, params.org_id, params.period))
    with report_lock(folder, study):
        return _execute_locked(
            prepared, folder, study, pdf, inputs, timeout, retries, check_seconds, hash_seconds, env
        )


def _execute_locked(
    prepared, folder, study, pdf, inputs, timeout, retries, check_seconds, hash_seconds, env
) -> AuditRun:
    from chibo_analysis.outputs import atomic_path
    from chibo_analysis.runner.execute import NotebookError, execute_notebook
    from chibo_analysis.runner.render import render_html, render_pdf

    params = prepared.params
    started = dt.datetime.now(dt.UTC)
    record = {
        "status": "running",
        "notebook": prepared.notebook.name,
        "study": study,
        "parameters": params.as_dict(),
        "name": shorten(prepared.organisation.get("name") or ""),
        "level": prepared.organisation.get("level"),
        "started_at": started.isoformat(timespec="seconds"),
        "pid": os.getpid(),
    }
    # "running" first: a run killed from here on never leaves a record saying "ok"
    write_json(run_path(folder, study), record)
    evidence = evidence_path(folder, study)
    for stale in (figures_path(folder, study), evidence, folder / f"{study}.html",
                  folder / f"{study}.pdf"):  # fmt: skip
        stale.unlink(missing_ok=True)
    for part in folder.glob(f".{study}.*.part*"):  # of runs killed while writing (we hold the lock)
        part.unlink(missing_ok=True)
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
            inputs = step("hash", inputs_of, params.data)
        output = folder / f"{study}.ipynb"
        outputs["notebook"] = output
        failure = None
        with atomic_path(output) as part:
            try:
                nb = step(
                    "execute",
                    execute_notebook,
                    prepared.notebook,
                    part,
                    prepared.parameters,
                    env={
                        **(env or {}),
                        FIGURES_ENV: str(figures_path(folder, study).resolve()),
                        MESSAGE_LANG_ENV: params.lang,  # the package's errors in the report's language
                        EVIDENCE_ENV: str(evidence.resolve()),
                    },
                    cwd=folder.resolve(),
                    timeout=timeout,
                    retries=retries,
                )
            except NotebookError as err:
                if part.stat().st_size == 0:
                    raise  # nothing executed to keep
                failure = err  # the executed copy, with the traceback, is kept
        if failure is not None:
            raise failure.kept_at(output)
        if evidence.exists():  # written by the notebook (record_evidence)
            outputs["evidence"] = evidence
        attempts = nb.metadata.get("chibo", {}).get("attempts")
        title = f"{prepared.organisation.get('name') or params.org_id} – {params.period}"
        html = step("html", render_html, nb, title=title, lang=params.lang)
        with atomic_path(folder / f"{study}.html") as part:
            part.write_text(html, encoding="utf-8")
        outputs["html"] = folder / f"{study}.html"
        if pdf:
            with atomic_path(folder / f"{study}.pdf") as part:
                step("pdf", render_pdf, outputs["html"], part.with_suffix(".pdf"))
                part.with_suffix(".pdf").replace(part)
            outputs["pdf"] = folder / f"{study}.pdf"
    except NotebookError as err:
        error = err.as_dict()
    except ChiboError as err:
        error = {"type": type(err).__name__, "message": str(err), "texts": err.texts}
    timings["total"] = round(sum(timings.values()), 3)
    status = "ok" if error is None else "failed"
    record |= {
        "status": status,
        "timings": timings,
        "attempts": attempts,
        "outputs": {k: v.name for k, v in outputs.items() if v.exists()},
        "error": error,
        "inputs": inputs or [],
        "versions": versions(),
    }
    del record["pid"]
    write_json(run_path(folder, study), record)  # last: the record says ok only when all is there
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
    sweep()  # the temporary folders of runs killed earlier
    cache = kept or str(private_dir("chibo-cache-"))  # private (0700), removed below
    env = {CACHE_ENV: cache}
    t_hash = time.perf_counter()
    inputs = inputs_of(params.data)  # the cache key, and run.json's record of the inputs
    hashed = time.perf_counter() - t_hash
    worker = (
        None  # a store is read in slices by the notebook; nothing to prepare
        if is_store(params.data) or is_cached(params.data, cache, cache_key(inputs))
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
        raise AuditFailed(run.error["message"], texts=run.error.get("texts"))
    return run
