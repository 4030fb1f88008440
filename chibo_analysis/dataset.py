"""The dataset model: typed tables that remember where every record came from.

A :class:`Dataset` holds one pandas DataFrame per table of
:mod:`chibo_analysis.schema`, with canonical English column names and the
dtypes the schema gives, plus three provenance columns on every row:
``_file`` (path relative to the dataset folder), ``_sheet`` (sheet name for
workbooks, else empty) and ``_row`` (the row number as the user sees it in
that file or sheet, header = row 1). Optional tables that were not supplied
are ``None``.

Datasets are made by :func:`chibo_analysis.intake.load.load_dataset` (files) or
:func:`chibo_analysis.intake.load.dataset_from_frames` (in-memory frames). They are
never modified in place: :meth:`Dataset.clean` returns a new dataset without
the rows that validation set aside.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd

from chibo_analysis.schema import TABLES

if TYPE_CHECKING:  # pragma: no cover
    from chibo_analysis.problems import ValidationReport


@dataclass(frozen=True)
class SourceFile:
    """One input file (or sheet) that fed a table."""

    path: str
    table: str
    sheet: str | None
    rows: int
    sha256: str


@dataclass(frozen=True, eq=False)
class Dataset:
    """Typed tables of one organisation's records.

    Attributes
    ----------
    tables : dict of str to DataFrame
        One frame per table present (canonical column names, schema dtypes,
        provenance columns ``_file``, ``_sheet``, ``_row``).
    sources : tuple of SourceFile
        Every file read, with its SHA-256, for provenance.
    root : str
        The folder or workbook the dataset was read from.
    load_issues : DataFrame
        Problems found while reading (unparseable values and the like), in the
        columns of :data:`chibo_analysis.problems.ISSUE_COLUMNS`.
    report : ValidationReport or None
        Set on a cleaned dataset: the validation report it was cleaned with.
    absent : dict of str to tuple of str
        Per table, the optional columns no file of it had: the indicators that
        need them are empty, never 0 (see :meth:`has_column`).
    set_aside : dict of str to DataFrame
        Set on a cleaned dataset: per table, the records it left out (for the
        report's data-quality figures; never used by an indicator).
    """

    tables: dict[str, pd.DataFrame]
    sources: tuple[SourceFile, ...] = ()
    root: str = ""
    load_issues: pd.DataFrame | None = None
    report: ValidationReport | None = field(default=None, repr=False)
    set_aside: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __getattr__(self, name: str) -> pd.DataFrame | None:
        if name in TABLES:
            return self.tables.get(name)
        raise AttributeError(f"Dataset has no attribute {name!r}")

    def __repr__(self) -> str:
        parts = ", ".join(f"{k}={len(v):,}" for k, v in self.tables.items())
        state = "clean" if self.is_clean else "not validated"
        return f"<Dataset {self.root!r}: {parts} ({state})>"

    def has(self, table: str) -> bool:
        """Whether the optional ``table`` was supplied."""
        return self.tables.get(table) is not None

    def has_column(self, table: str, column: str) -> bool:
        """Whether ``table`` was supplied with ``column`` (in at least one of its files)."""
        return self.has(table) and column not in self.absent.get(table, ())

    @property
    def is_clean(self) -> bool:
        """True once rows with errors have been set aside (see :meth:`clean`)."""
        return self.report is not None

    def clean(self, report: ValidationReport | None = None) -> Dataset:
        """A new dataset without the rows that ``report`` sets aside.

        Values the report blanks (an unreadable value in a column the record
        can live without) are emptied in the new dataset; their rows stay.

        ``report`` is what :func:`chibo_analysis.validate` returned for this
        dataset; a dataset already clean needs none. Rejected rows stay
        listed in ``report.rejected()``; nothing is dropped silently.
        (:func:`chibo_analysis.checks.validation.validated` validates and
        cleans in one call.)

        Raises
        ------
        ParameterError
            With no report, for a dataset not yet cleaned.
        """
        if self.is_clean:
            return self
        if report is None:
            from chibo_analysis.errors import ParameterError

            raise ParameterError(
                "clean() needs the validation report of this dataset: "
                "ds.clean(chibo_analysis.validate(ds))"
            )
        rejected = report.rejected_index()
        blanked = report.blanked_index()
        tables, set_aside = {}, {}
        for name, frame in self.tables.items():
            drop = rejected.get(name)
            if drop is not None and len(drop):
                set_aside[name] = frame.loc[frame.index.intersection(drop)]
                frame = frame.drop(index=drop, errors="ignore")
            cells = [(c, idx) for (t, c), idx in blanked.items() if t == name and c in frame]
            if cells:
                frame = frame.copy()
                for column, idx in cells:
                    frame.loc[frame.index.intersection(idx), column] = None
            tables[name] = frame
        return replace(self, tables=tables, report=report, set_aside=set_aside)

    def summary(self) -> pd.DataFrame:
        """Rows and files per table, and the span of meeting dates."""
        rows = []
        for name in TABLES:
            frame = self.tables.get(name)
            files = sorted({s.path for s in self.sources if s.table == name})
            rows.append(
                {
                    "table": name,
                    "rows": None if frame is None else len(frame),
                    "files": ", ".join(files),
                }
            )
        return pd.DataFrame(rows).set_index("table")
