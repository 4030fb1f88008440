"""chibo-analysis: audit the quality of party-cell meetings (sinh hoạt chi bộ).

The public API is imported lazily so that ``import chibo_analysis`` does no
work at import time.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_API = {
    "Dataset": "chibo_analysis.dataset",
    "load_dataset": "chibo_analysis.intake.load",
    "validate": "chibo_analysis.checks.validation",
    "ValidationReport": "chibo_analysis.problems",
    "ChiboError": "chibo_analysis.errors",
    "DataReadError": "chibo_analysis.errors",
    "ParameterError": "chibo_analysis.errors",
    "dataset_from_frames": "chibo_analysis.intake.load",
    "scorecard": "chibo_analysis.indicators.scorecard",
    "assess": "chibo_analysis.indicators.targets",
    "load_targets": "chibo_analysis.indicators.targets",
}

__all__ = sorted(_API) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.checks.validation import validate  # noqa: F401
    from chibo_analysis.dataset import Dataset  # noqa: F401
    from chibo_analysis.errors import ChiboError, DataReadError, ParameterError  # noqa: F401
    from chibo_analysis.indicators.scorecard import scorecard  # noqa: F401
    from chibo_analysis.indicators.targets import assess, load_targets  # noqa: F401
    from chibo_analysis.intake.load import dataset_from_frames, load_dataset  # noqa: F401
    from chibo_analysis.problems import ValidationReport  # noqa: F401


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'chibo_analysis' has no attribute {name!r}")
