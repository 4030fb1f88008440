"""Execute a parameterised notebook with papermill, in this process.

The kernel is this interpreter's own ipykernel (so the runner works in a
fresh virtualenv without any kernel registration), started over the ``ipc``
transport with a private runtime folder per kernel: kernels started side by
side over TCP collide on ports now and then (papermill issue #511), and the
few start-up failures left are retried. The kernel is shut down
immediately after the last cell (a graceful shutdown stalls ~3.4 s in a
tenth of the runs here; see MEASUREMENTS.md).

A cell that raises becomes a :class:`NotebookError` naming the cell and the
exception; the executed notebook, with the full traceback in it, is still
written to ``output``.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path

from chibo_analysis.errors import ChiboError
from chibo_analysis.labels import LANGS, catalogued, error_message
from chibo_analysis.runner.tempdirs import private_dir

#: Messages of kernel start-up failures worth a retry.
TRANSIENT_MESSAGES = (
    "Kernel died before replying to kernel_info",
    "Address already in use",
    "Kernel didn't respond",
)

#: Environment of every kernel we start: no debugger warnings in the outputs.
KERNEL_ENV = {"PYDEVD_DISABLE_FILE_VALIDATION": "1"}


_ENGINES_LOCK = threading.Lock()

#: Optional modules that the engines' dependencies import when installed, at a cost no
#: audit needs. ``rfc3987_syntax`` (which JupyterLab brings in, through jupyter-events and
#: jsonschema's format checkers) builds a grammar when imported: 1.3 s of every audit, for
#: a string format that nbformat's schema never uses (benchmarks/bench_lab.py).
SKIPPED_OPTIONAL = ("rfc3987_syntax",)


def import_engines() -> None:
    """Import papermill, nbclient, jupyter_client and nbconvert, one thread at a time.

    The runner imports nbconvert in a side thread while the main thread
    starts papermill; both reach ``jupyter_client``, and two threads
    importing the same partly initialised package raise ``ImportError:
    cannot import name 'AsyncKernelManager' ... (most likely due to a circular
    import)`` now and then (issue 10: 3 audits in 12 with a warm cache). Every
    path into those packages goes through this function first; once it has
    run they are in ``sys.modules`` and later imports are lookups.
    """
    with _ENGINES_LOCK:
        for name in SKIPPED_OPTIONAL:  # None in sys.modules: an ImportError, which they expect
            sys.modules.setdefault(name, None)
        import jupyter_client.manager  # noqa: F401
        import nbclient  # noqa: F401
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401


class NotebookError(ChiboError):
    """A notebook cell raised: which cell, and what it raised.

    ``evalue`` is the text the cell raised (in the report's language when the
    package raised it: the runner sets :data:`~chibo_analysis.errors.MESSAGE_LANG_ENV`
    in the kernel), or a catalogue clause ``(key, values)`` for the runner's own
    (a timeout, a dead kernel). The message is the catalogue's
    ``error.notebook_failed``, in English by ``str(err)``.
    """

    exit_code = 1

    def __init__(
        self,
        notebook: str,
        *,
        cell: int | None,
        exec_count: int | None,
        source: str,
        ename: str,
        evalue: str | tuple[str, dict],
        output: str | None = None,
    ) -> None:
        self.notebook = notebook
        self.cell = cell
        self.exec_count = exec_count
        self.source = source
        self.ename = ename
        self.evalue = evalue
        self.raw_evalue = evalue
        self.output = output
        lines = [line for line in source.strip().splitlines() if line.strip()]
        if cell is None:  # counted from 1, markdown cells too
            where: tuple = ("in_a_cell", {})
        elif exec_count is None:
            where = ("in_cell", {"cell": cell})
        else:
            where = ("in_cell_run", {"cell": cell, "n": exec_count})
        shown = lines[:3] + (["..."] if len(lines) > 3 else [])
        values = {
            "notebook": notebook,
            "where": where,
            "ename": ename,
            "evalue": evalue,
            "source": "".join(f"\n    | {line}" for line in shown),
            "kept": ("notebook_kept", {"path": output}) if output else "",
        }
        texts = {lang: error_message("notebook_failed", values, lang) for lang in LANGS}
        if isinstance(evalue, tuple):  # a message of the runner's own (a timeout...)
            self.evalue = error_message(evalue[0], evalue[1], "en")
        super().__init__(texts["en"], key="notebook_failed", texts=texts, **values)

    def kept_at(self, output: str | Path) -> NotebookError:
        """The same error, naming ``output`` as where the executed notebook is kept."""
        fields = ("cell", "exec_count", "source", "ename")
        return NotebookError(
            self.notebook,
            output=str(output),
            evalue=self.raw_evalue,
            **{k: getattr(self, k) for k in fields},
        )

    def as_dict(self) -> dict[str, object]:
        """The error as plain data, for ``run.json``."""
        return {
            "type": "NotebookError",
            "message": str(self),
            "cell": self.cell,
            "exec_count": self.exec_count,
            "ename": self.ename,
            "evalue": self.evalue,
            "texts": self.texts,
        }


class KernelStartError(ChiboError):
    """The kernel could not be started, even after retries."""

    exit_code = 1


def is_transient(err: BaseException) -> bool:
    """Whether ``err`` is a kernel start-up failure worth a retry."""
    if type(err).__name__ == "ZMQError":
        return True
    return isinstance(err, RuntimeError | TimeoutError) and any(
        m in str(err) for m in TRANSIENT_MESSAGES
    )


@functools.cache
def _kernel_manager_base() -> type:
    import_engines()
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class PrivateIpcKernelManager(AsyncKernelManager):
        """This interpreter's ipykernel over ``ipc`` in a private runtime folder."""

        extra_env: dict[str, str] = {}

        def __init__(self, **kw):
            self._runtime = str(private_dir("chibo-kernel-"))
            kw.setdefault("transport", "ipc")
            kw.setdefault("connection_file", os.path.join(self._runtime, "kernel.json"))
            super().__init__(**kw)

        @property
        def kernel_spec(self):
            if self._kernel_spec is None:
                from ipykernel.kernelspec import RESOURCES, get_kernel_dict

                spec = get_kernel_dict()  # argv starts with sys.executable
                keep = ("argv", "display_name", "language", "metadata")
                self._kernel_spec = KernelSpec(
                    resource_dir=RESOURCES, **{k: spec[k] for k in keep if k in spec}
                )
            return self._kernel_spec

        async def _async_pre_start_kernel(self, **kw):
            env = dict(kw.pop("env", None) or os.environ)
            env.update(KERNEL_ENV)
            env.update(self.extra_env)
            return await super()._async_pre_start_kernel(env=env, **kw)

        async def _async_wait(self, pollinterval: float = 0.1) -> None:
            # jupyter_client polls a killed kernel every 0.1 s until it is gone;
            # a killed kernel is gone within milliseconds: look more often.
            await super()._async_wait(pollinterval=min(pollinterval, 0.005))

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            if not restart:
                shutil.rmtree(self._runtime, ignore_errors=True)

    return PrivateIpcKernelManager


def kernel_manager_class(env: Mapping[str, str] | None = None) -> type:
    """A kernel manager class whose kernels get ``env`` added to their environment."""
    base = _kernel_manager_base()
    return type("ChiboKernelManager", (base,), {"extra_env": dict(env or {})})


def _source_position(executed: Path, index: int) -> int:
    """1-based position in the user's notebook of cell ``index`` of the executed copy.

    The executed copy has papermill's injected-parameters cell, which the
    user's notebook does not.
    """
    import nbformat

    try:
        cells = nbformat.read(executed, as_version=4).cells
    except (OSError, ValueError):
        return index + 1
    injected = [
        i for i, c in enumerate(cells) if "injected-parameters" in c.metadata.get("tags", [])
    ]
    return index + 1 - sum(i < index for i in injected)


def _timed_out_cell(notebook: Path, message: str) -> tuple[int | None, str]:
    """Position (from 1) and source of the cell nbclient's timeout message previews."""
    import nbformat

    parts = message.split("-------------------")
    preview = parts[1].strip() if len(parts) >= 3 else ""
    if not preview:
        return None, ""
    cells = nbformat.read(notebook, as_version=4).cells
    for position, cell in enumerate(cells, start=1):
        if cell.cell_type == "code" and cell.source.strip().startswith(preview[:200]):
            return position, cell.source
    return None, preview


def execute_notebook(
    notebook: str | Path,
    output: str | Path,
    parameters: Mapping[str, object],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float | None = None,
    retries: int = 3,
):
    """Run ``notebook`` with ``parameters`` and write the executed copy to ``output``.

    Parameters
    ----------
    notebook, output : path
        The notebook to run and where to write the executed copy.
    parameters : mapping
        Injected after the cell tagged ``parameters`` (checked beforehand by
        :func:`chibo_analysis.runner.params.check_notebook_parameters`).
    env : mapping, optional
        Extra environment variables for the kernel.
    cwd : path, optional
        Working folder of the kernel (default: this process's).
    timeout : float, optional
        Seconds allowed per cell (default: no limit).
    retries : int
        Extra attempts after a transient kernel start-up failure.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook; ``nb.metadata.chibo.attempts`` says how many
        attempts it took.

    Raises
    ------
    NotebookError
        A cell raised (or the kernel died while running it).
    KernelStartError
        The kernel did not start, ``retries + 1`` times in a row.
    """
    import_engines()
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    notebook, output = Path(notebook), Path(output)
    resources = {"metadata": {"path": str(cwd)}} if cwd is not None else {}
    last: BaseException | None = None
    for attempt in range(1, retries + 2):
        try:
            nb = papermill.execute_notebook(
                str(notebook),
                str(output),
                parameters=dict(parameters),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                shutdown_kernel="immediate",
                kernel_manager_class=kernel_manager_class(env),
                resources=resources,
            )
        except PapermillExecutionError as err:
            raise NotebookError(
                notebook.name,
                cell=_source_position(output, err.cell_index),
                exec_count=err.exec_count,
                source=err.source,
                ename=err.ename,
                evalue=err.evalue,
                output=str(output),
            ) from None
        except CellTimeoutError as err:
            cell, source = _timed_out_cell(notebook, str(err))
            raise NotebookError(
                notebook.name,
                cell=cell,
                exec_count=None,
                source=source,
                ename="CellTimeoutError",
                evalue=("cell_timeout", {"seconds": f"{timeout:g}"}),
            ) from None
        except DeadKernelError as err:
            raise NotebookError(
                notebook.name,
                cell=None,
                exec_count=None,
                source="",
                ename="DeadKernelError",
                evalue=("kernel_died", {"reason": str(err)}),
            ) from None
        except Exception as err:
            if not is_transient(err):
                raise catalogued(
                    ChiboError, "notebook_not_run", notebook=notebook.name,
                    reason=f"{type(err).__name__}: {err}",
                ) from err  # fmt: skip
            last = err
            time.sleep(0.2 * attempt)
            continue
        nb.metadata.setdefault("chibo", {})["attempts"] = attempt
        return nb
    raise catalogued(
        KernelStartError, "kernel_not_started", notebook=notebook.name, n=retries + 1,
        reason=f"{type(last).__name__}: {last}",
    )  # fmt: skip
