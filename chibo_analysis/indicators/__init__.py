"""Indicators: the §4 scorecard, the lists behind its counts, and targets.

Pure, vectorised functions of a cleaned :class:`~chibo_analysis.dataset.Dataset`.
Imported lazily, so ``import chibo_analysis.indicators`` costs nothing. The
scorecard function is ``chibo_analysis.scorecard`` (or
``chibo_analysis.indicators.scorecard.scorecard``): here the name
``scorecard`` is its module.
"""

from __future__ import annotations

import importlib

_API = {
    "Period": "periods",
    "parse_period": "periods",
    "scorecard_counts": "scorecard",
    "SCORECARD_COLUMNS": "scorecard",
    "minutes_mismatches": "lists",
    "LISTS": "lists",
    "run_list": "lists",
    "Targets": "targets",
    "load_targets": "targets",
    "assess": "targets",
}

__all__ = sorted(_API)


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
