"""Audit every organisation of a level, in parallel.

Everything that can be checked is checked first, in this process, for every
organisation (parameters, notebook, organisation ids); the data are hashed
once. Then a pool of worker processes, warmed by importing papermill and
nbconvert once each, runs one audit at a time per worker with papermill in
process. One failing audit does not stop the others; each writes its
``run.json`` (status, error) and the index lists them all.

With ``scheduler`` (``chibo batch --scheduler ADDRESS``) the audits run as
tasks on a Dask distributed cluster instead (the ``cluster`` extra). The
workers read the data, the notebook and the dataset cache, and write the
reports, at the same paths as this process: those must be on storage every
worker shares (the cache goes to ``<out>/.cache`` unless ``cache_dir`` is
given), and the workers run as the same user with the same package installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ChiboError, ParameterError, check_argument
from chibo_analysis.runner.audit import (
    DEFAULT_NOTEBOOK,
    PreparedAudit,
    execute_prepared,
    make_folder,
    org_folder_name,
    prepare_audit,
    report_folder,
    study_name,
    write_json,
)
from chibo_analysis.runner.cache import ENV as CACHE_ENV
from chibo_analysis.runner.index import build_index, run_path
from chibo_analysis.runner.params import (
    AuditParams,
    check_notebook_parameters,
    find_notebook,
    read_parameters_cell,
)
from chibo_analysis.runner.store import inputs_of, is_store, organisations_of
from chibo_analysis.runner.tempdirs import die_with_parent, private_dir, sweep
from chibo_analysis.schema import BASE_LEVELS

#: How long ``--scheduler`` waits to reach the scheduler before it gives up (exit code 2).
CONNECT_SECONDS = 20.0
#: Times the cluster runs a task again after it raised (a worker that died mid-task is
#: replaced by the scheduler itself, up to ``distributed.scheduler.allowed-failures`` times).
TASK_RETRIES = 2
#: The folder under ``out`` that holds a cluster batch's dataset cache (removed at the end).
CLUSTER_CACHE = ".cache"

#: ``--level`` values and the organisation levels each one takes.
LEVEL_GROUPS = {
    "committee": ("committee",),
    "base": BASE_LEVELS,
    "cell": ("cell", "base_cell"),
}


@dataclass(frozen=True)
class BatchResult:
    """Outcome of a batch: one entry per organisation, and the index page."""

    results: list[dict] = field(default_factory=list)
    index: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[dict]:
        return [r for r in self.results if r["status"] != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed


def select_organisations(organisations: pd.DataFrame, level: str) -> pd.DataFrame:
    """The organisations audited by ``--level``: ``base`` means base and base_cell.

    Examples
    --------
    >>> orgs = pd.DataFrame({"org_id": ["T", "B", "C", "X"],
    ...                      "level": ["committee", "base", "base_cell", "cell"]})
    >>> select_organisations(orgs, "base")["org_id"].tolist()
    ['B', 'C']
    """
    check_argument("level", level, tuple(LEVEL_GROUPS))
    chosen = organisations.loc[organisations["level"].astype(str).isin(LEVEL_GROUPS[level])]
    return chosen.sort_values("org_id")


def _warm() -> None:
    """Pool initializer: die with the batch, and pay the imports once per worker."""
    die_with_parent()
    import papermill  # noqa: F401

    from chibo_analysis.runner import execute, render

    execute._kernel_manager_base()
    render.warm_up()


def _run_one(prepared: PreparedAudit, options: dict) -> dict:
    """One audit in a worker; any error becomes a failed result, never an exception."""
    t0 = time.perf_counter()
    html = None
    try:
        run = execute_prepared(prepared, **options)
        status, error = run.status, run.error
        html = run.outputs.get("html")
    except Exception as err:  # noqa: BLE001 - a batch reports every failure and goes on
        texts = getattr(err, "texts", None) or {}
        status, error = "failed", {"type": type(err).__name__, "message": str(err), "texts": texts}
    return {
        "org_id": prepared.params.org_id,
        "status": status,
        "error": error,
        "seconds": round(time.perf_counter() - t0, 3),
        "html": None if html is None else str(html),
    }


def check_distinct_folders(org_ids) -> None:
    """ParameterError unless every organisation gets a report folder of its own.

    Folder names are compared ignoring case, as the file systems of Windows
    and macOS do: ``B01`` and ``b01`` would write into one folder there.
    """
    seen: dict[str, str] = {}
    for org_id in org_ids:
        key = org_folder_name(org_id).casefold()
        if key in seen:
            raise ParameterError(
                f"organisations {seen[key]!r} and {org_id!r} would share the report folder "
                f"{org_folder_name(org_id)!r}; give one of them another org_id",
                key="same_folder", first=seen[key], second=org_id, folder=org_folder_name(org_id),
            )  # fmt: skip
        seen[key] = org_id


def is_complete(prepared: PreparedAudit, out: str | Path, inputs: list, pdf: bool) -> bool:
    """Whether the report of ``prepared`` is complete and made from the same everything.

    Its record says ``ok``; its HTML (and PDF when asked) exist; and it was
    made from files with the same hashes, with the same parameters and
    notebook, by the same package version.
    """
    import json

    from chibo_analysis import __version__

    params = prepared.params
    folder = report_folder(out, params.org_id, params.period)
    try:
        record = json.loads(
            run_path(folder, study_name(prepared.notebook, params.share)).read_text()
        )
    except (OSError, ValueError):
        return False
    files = record.get("outputs") or {}
    wanted = ["html", "notebook"] + (["pdf"] if pdf else [])
    return (
        record.get("status") == "ok"
        and all(files.get(k) and (folder / files[k]).is_file() for k in wanted)
        and record.get("inputs") == inputs
        and record.get("parameters") == json.loads(json.dumps(params.as_dict(), default=str))
        and record.get("notebook") == prepared.notebook.name
        and (record.get("versions") or {}).get("chibo-analysis") == __version__
    )


def _record_failure(prepared: PreparedAudit, out: str | Path, message: str) -> dict:
    """Write the ``run.json`` of an audit whose worker died, so the index lists it."""
    params = prepared.params
    folder = make_folder(report_folder(out, params.org_id, params.period))
    error = {"type": "WorkerError", "message": message}
    study = study_name(prepared.notebook, params.share)
    record = {
        "status": "failed",
        "notebook": prepared.notebook.name,
        "study": study,
        "parameters": params.as_dict(),
        **prepared.organisation,
        "outputs": {},
        "error": error,
    }
    write_json(run_path(folder, study), record)
    return {"org_id": params.org_id, "status": "failed", "error": error}


def run_batch(
    data: str | Path,
    *,
    period: str | int,
    level: str = "base",
    jobs: int | None = None,
    notebook: str = DEFAULT_NOTEBOOK,
    out: str | Path = "reports",
    lang: str = "vi",
    share: bool = False,
    targets: str | Path | None = None,
    pdf: bool = False,
    notebooks_dir: str | Path | None = None,
    organisations: pd.DataFrame | None = None,
    timeout: float | None = None,
    retries: int = 3,
    progress: bool = True,
    resume: bool = False,
    scheduler: str | None = None,
    cache_dir: str | Path | None = None,
) -> BatchResult:
    """Audit every organisation at ``level`` for ``period``, ``jobs`` at a time.

    Parameters
    ----------
    data : path
        The dataset.
    period : str or int
        The period of every audit.
    level : {'base', 'committee', 'cell'}
        ``base`` audits the base organisations (levels base and base_cell).
    jobs : int, optional
        Worker processes (default: the number of CPUs). With 1, audits run
        one after the other in this process.
    notebook, out, lang, share, targets, pdf, notebooks_dir, timeout, retries
        As for :func:`chibo_analysis.runner.audit.run_audit`.
    organisations : DataFrame, optional
        The organisations table, when already loaded.
    progress : bool
        Show a progress bar (tqdm) on stderr.
    resume : bool
        Skip every organisation whose report is complete (its record says ok,
        its files exist) for the same input hashes, parameters, notebook and
        package version: a killed batch goes on where it stopped.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``): the
        audits run as tasks on its workers (``jobs`` is not used), each task
        retried :data:`TASK_RETRIES` times, then recorded as failed. The data,
        the notebook, ``out`` and the cache must be at the same paths on every
        worker (shared storage).
    cache_dir : path, optional
        Where the batch makes its private dataset cache (removed at the end).
        Default: the system's temporary folder; with ``scheduler``,
        ``<out>/.cache``, which the workers share.

    Returns
    -------
    BatchResult
        Its ``failed`` lists the audits that failed; ``index`` is the page
        written to ``<out>/index.html``.

    Raises
    ------
    ParameterError
        A parameter is wrong, or no organisation is at ``level``: nothing ran.
    ChiboError
        The scheduler cannot be reached, or the cache folder cannot be made:
        nothing ran.
    """
    t0 = time.perf_counter()
    check_argument("level", level, tuple(LEVEL_GROUPS))
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise ParameterError(
            f"jobs={jobs} is not allowed; expected 1 or more", key="jobs", jobs=jobs
        )
    if pdf:
        from chibo_analysis.runner.render import require_chromium

        require_chromium()
    base = AuditParams.create(
        data=data, org_id="-", period=period, lang=lang, share=share, targets=targets
    )
    # the notebook and its parameters first: cheap, and no data are read if they fail
    path = find_notebook(notebook, notebooks_dir)
    check_notebook_parameters(base, read_parameters_cell(path), path.name)
    derived_cache = scheduler is not None and cache_dir is None
    if scheduler is not None:
        out = Path(out).resolve()  # the workers write to the same absolute paths
        if derived_cache:
            cache_dir = out / CLUSTER_CACHE
    client = None if scheduler is None else connect(scheduler)  # before any data are read
    cache = None
    try:
        sweep()  # the temporary folders of runs killed earlier
        cache = _make_cache(cache_dir)  # private (0700), removed at the end
        if organisations is None:
            # load, validate and clean once here; every kernel then reads the cache
            if is_store(base.data):
                organisations = organisations_of(base.data)
            else:
                from chibo_analysis.runner.cache import load_clean

                dataset = load_clean(base.data, cache_dir=cache)
                organisations = dataset.tables["organisations"].copy()
                del dataset
        chosen = select_organisations(organisations, level)
        if chosen.empty:
            raise ParameterError(
                f"no organisation at level={level!r} in {base.data}",
                key="no_level", level=level, data=base.data,
            )  # fmt: skip
        check_distinct_folders(chosen["org_id"].astype(str))
        prepared = [
            prepare_audit(
                replace(base, org_id=str(org_id)),
                notebook=str(path),
                organisations=chosen,
            )
            for org_id in chosen["org_id"]
        ]
        inputs = inputs_of(base.data)
        done = [p for p in prepared if resume and is_complete(p, out, inputs, pdf)]
        prepared = [p for p in prepared if p not in done]
        options = {
            "out": out,
            "pdf": pdf,
            "inputs": inputs,
            "timeout": timeout,
            "retries": retries,
            "env": {CACHE_ENV: cache},
        }
        results = _execute_all(
            prepared, options, out=out, jobs=jobs, progress=progress, client=client
        )
        results += [
            {"org_id": p.params.org_id, "status": "ok", "error": None, "skipped": True}
            for p in done
        ]
    finally:
        if client is not None:
            client.close()
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
        if derived_cache:
            with contextlib.suppress(OSError):  # <out>/.cache, unless another batch uses it
                Path(cache_dir).rmdir()
    for item in results:
        item["folder"] = str(report_folder(out, item["org_id"], base.period))
    results.sort(key=lambda r: r["org_id"])
    index = build_index(out, lang=lang)
    return BatchResult(results, index, round(time.perf_counter() - t0, 3))


def _make_cache(cache_dir: str | Path | None) -> str:
    """The batch's private dataset cache folder, in ``cache_dir`` if given."""
    if cache_dir is None:
        return str(private_dir("chibo-cache-"))
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        sweep(cache_dir)  # the caches of batches killed earlier (made on this machine)
        return str(private_dir("chibo-cache-", cache_dir).resolve())
    except OSError as err:
        raise ChiboError(
            f"cannot make the dataset cache in {cache_dir}: {err.strerror or err}; "
            "give --cache-dir a folder you can write"
        ) from None


def connect(scheduler: str):
    """A Dask ``Client`` of the scheduler at ``scheduler``, or ChiboError (exit code 2)."""
    try:
        from distributed import Client
    except ImportError:
        raise ChiboError(
            "--scheduler needs Dask distributed: pip install 'chibo-analysis[cluster]'"
        ) from None
    try:
        # a bare connection first: a Client that failed to connect complains again at exit
        asyncio.run(_probe(scheduler))
        return Client(scheduler, timeout=CONNECT_SECONDS, set_as_default=False)
    except (OSError, ValueError, TypeError) as err:
        first = (str(err).splitlines() or [""])[0]
        raise ChiboError(
            f"cannot reach the Dask scheduler at {scheduler!r}: {first or type(err).__name__}"
        ) from None


async def _probe(scheduler: str) -> None:
    """Open and close a connection to ``scheduler`` (TLS as the Dask configuration says)."""
    from distributed.comm import connect as open_comm
    from distributed.security import Security

    args = Security().get_connection_args("client")
    comm = await open_comm(scheduler, timeout=CONNECT_SECONDS, **args)
    await comm.close()


def _execute_all(
    prepared: list[PreparedAudit],
    options: dict,
    *,
    out: str | Path,
    jobs: int,
    progress: bool,
    client=None,
) -> list[dict]:
    """Run the prepared audits, ``jobs`` at a time or on ``client``'s cluster, with a bar."""
    from tqdm.auto import tqdm

    results: list[dict] = []
    bar = tqdm(total=len(prepared), desc="audits", unit="org", disable=not progress)
    try:
        if client is not None:
            import uuid

            from distributed import as_completed as completed_on_cluster

            batch = uuid.uuid4().hex[:8]
            futures = {
                client.submit(
                    _run_one,
                    item,
                    options,
                    key=f"chibo-audit-{batch}-{item.params.org_id}",
                    pure=False,
                    retries=TASK_RETRIES,
                ): item
                for item in prepared
            }
            _collect(completed_on_cluster(futures, loop=client.loop), futures, out, bar, results)
        elif jobs == 1:
            for item in prepared:
                results.append(_run_one(item, options))
                bar.update()
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm) as pool:
                futures = {pool.submit(_run_one, item, options): item for item in prepared}
                _collect(as_completed(futures), futures, out, bar, results)
    finally:
        bar.close()
    return results


def _collect(completed, futures: dict, out: str | Path, bar, results: list[dict]) -> None:
    """Append each audit's result as its future completes; a task's error becomes a failure."""
    for future in completed:
        try:
            results.append(future.result())
        except Exception as err:  # noqa: BLE001 - e.g. a worker killed, or its retries spent
            message = f"worker failed: {type(err).__name__}: {err}"
            results.append(_record_failure(futures[future], out, message))
        bar.update()
        bar.set_postfix(failed=sum(r["status"] != "ok" for r in results))
