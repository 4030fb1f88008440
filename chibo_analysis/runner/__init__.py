"""Turn a notebook and its parameters into a report (papermill, nbconvert, Chromium).

Notebooks are looked up in the repository's ``notebooks/`` folder beside the
package (an editable install), or in the folder given as ``notebooks_dir`` /
``--notebooks``. Kernels are this interpreter's own ipykernel: no kernel
registration is needed to run audits.

The public API is imported lazily: ``import chibo_analysis.runner`` does not
import papermill or nbconvert.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_API = {
    "AuditParams": "chibo_analysis.runner.params",
    "AuditRun": "chibo_analysis.runner.audit",
    "AuditFailed": "chibo_analysis.runner.audit",
    "run_audit": "chibo_analysis.runner.audit",
    "prepare_audit": "chibo_analysis.runner.audit",
    "run_batch": "chibo_analysis.runner.batch",
    "BatchResult": "chibo_analysis.runner.batch",
    "NotebookError": "chibo_analysis.runner.execute",
    "execute_notebook": "chibo_analysis.runner.execute",
    "render_html": "chibo_analysis.runner.render",
    "render_pdf": "chibo_analysis.runner.render",
    "record_figures": "chibo_analysis.runner.index",
    "record_evidence": "chibo_analysis.runner.index",
    "evidence_file": "chibo_analysis.runner.index",
    "build_index": "chibo_analysis.runner.index",
}

__all__ = [
    "AuditFailed",
    "AuditParams",
    "AuditRun",
    "BatchResult",
    "NotebookError",
    "build_index",
    "evidence_file",
    "execute_notebook",
    "prepare_audit",
    "record_evidence",
    "record_figures",
    "render_html",
    "render_pdf",
    "run_audit",
    "run_batch",
]

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.runner.audit import (
        AuditFailed,
        AuditRun,
        prepare_audit,
        run_audit,
    )
    from chibo_analysis.runner.batch import BatchResult, run_batch
    from chibo_analysis.runner.execute import NotebookError, execute_notebook
    from chibo_analysis.runner.index import (
        build_index,
        evidence_file,
        record_evidence,
        record_figures,
    )
    from chibo_analysis.runner.params import AuditParams
    from chibo_analysis.runner.render import render_html, render_pdf


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'chibo_analysis.runner' has no attribute {name!r}")
