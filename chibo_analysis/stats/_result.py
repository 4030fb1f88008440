"""A frozen result object that unpacks like a tuple (statsmodels style)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Result:
    """Base of the statistics' results.

    Subclasses are frozen dataclasses; iterating over one yields the fields
    listed in ``_unpack`` (all fields when empty), so that
    ``stat, p = trend_test(...)`` works and ``.statistic`` too.
    """

    _unpack = ()

    def __iter__(self):
        names = self._unpack or tuple(f.name for f in fields(self))
        return iter(tuple(getattr(self, n) for n in names))

    def __len__(self) -> int:
        return len(self._unpack or fields(self))
