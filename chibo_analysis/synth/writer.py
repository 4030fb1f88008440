"""Writing the synthetic tables, chunk by chunk, as CSV, Parquet or XLSX.

One file per table, named after it, with the canonical columns of
:data:`chibo_analysis.schema.TABLES` in their declared order. Dates are ISO
(``2022-01-03``), months ``2022-03``, yes/no columns ``yes``/``no`` in text
formats. Nothing in a file depends on the clock, so the same seed gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from chibo_analysis.errors import ParameterError
from chibo_analysis.schema import TABLES, Table
from chibo_analysis.synth.faults import GROUND_TRUTH_COLUMNS
from chibo_analysis.synth.structure import OPEN, PAST

FORMATS = ("csv", "parquet", "xlsx")
#: Excel's row limit (header included).
XLSX_MAX_ROWS = 1_048_576
_ARROW = {
    "id": pa.string(),
    "text": pa.string(),
    "category": pa.string(),
    "date": pa.date32(),
    "month": pa.string(),
    "int": pa.int64(),
    "amount": pa.int64(),
    "bool": pa.bool_(),
}


def _days(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers and a missing mask (PAST, OPEN and NA are missing)."""
    arr = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(arr) | (arr <= PAST) | (arr >= OPEN)
    return np.where(missing, 0, arr).astype(np.int64), missing


def _text(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    missing = values.isna().to_numpy()
    arr = values.astype(object).to_numpy()
    return np.where(missing, "", arr).astype(object), missing


def column_arrays(
    frame: pd.DataFrame, table: Table
) -> dict[str, tuple[np.ndarray, np.ndarray, str]]:
    """Per column of ``table``: values, missing mask and kind (absent columns are all missing)."""
    out = {}
    n = len(frame)
    for col in table.columns:
        if col.name not in frame:
            out[col.name] = (np.full(n, "", dtype=object), np.ones(n, bool), "text")
            continue
        s = frame[col.name]
        if col.kind == "date":
            values, missing = _days(s)
        elif col.kind == "month":
            months, missing = _days(s)
            values = np.datetime_as_string(months.astype("datetime64[M]")).astype(object)
        elif col.kind in ("int", "amount"):
            arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
            missing = np.isnan(arr)
            values = np.where(missing, 0, arr).astype(np.int64)
        elif col.kind == "bool":
            missing = s.isna().to_numpy()
            values = np.where(missing, False, s.astype(object).fillna(False)).astype(bool)
        else:
            values, missing = _text(s)
        out[col.name] = (values, missing, col.kind)
    return out


def _as_text(values: np.ndarray, missing: np.ndarray, kind: str) -> np.ndarray:
    if kind == "date":
        text = np.datetime_as_string(values.astype("datetime64[D]")).astype(object)
    elif kind in ("int", "amount"):
        text = values.astype(str).astype(object)
    elif kind == "bool":
        text = np.where(values, "yes", "no").astype(object)
    else:
        text = values
    return np.where(missing, "", text).astype(object)


class DatasetWriter:
    """Append chunks of each table to its file; ``close()`` finishes the files."""

    def __init__(self, out: Path, fmt: str):
        if fmt not in FORMATS:
            raise ParameterError(f"fmt={fmt!r} is not allowed; expected one of: {FORMATS}")
        self.out, self.fmt = Path(out), fmt
        self.out.mkdir(parents=True, exist_ok=True)
        self.rows: dict[str, int] = {}
        self._parquet: dict[str, pq.ParquetWriter] = {}
        self._xlsx: dict[str, list[pd.DataFrame]] = {}
        self._csv: dict[str, tuple] = {}
        self.ground_truth_path = self.out / (
            "ground_truth.parquet" if fmt == "parquet" else "ground_truth.csv"
        )
        for name in [*TABLES, "ground_truth"]:
            for ext in FORMATS:
                stale = self.out / f"{name}.{ext}"
                if stale.exists():
                    stale.unlink()

    def write(self, name: str, frame: pd.DataFrame) -> None:
        """Append ``frame`` (generator form: dates as day numbers) to table ``name``."""
        table = TABLES[name]
        arrays = column_arrays(frame, table)
        first = name not in self.rows
        self.rows[name] = self.rows.get(name, 0) + len(frame)
        if self.fmt == "xlsx":
            if self.rows[name] >= XLSX_MAX_ROWS:
                raise ParameterError(
                    f"table {name} has {self.rows[name]:,} rows, more than a "
                    "worksheet holds; use fmt='csv' or 'parquet'"
                )
            text = pd.DataFrame({c: _as_text(*arrays[c]) for c in table.names})
            self._xlsx.setdefault(name, []).append(text)
            return
        cols = {}
        for col in table.columns:
            values, missing, _kind = arrays[col.name]
            typ = _ARROW[col.kind]
            if col.kind == "bool" and self.fmt == "csv":
                typ, values = pa.string(), np.where(values, "yes", "no").astype(object)
            if col.name not in frame:
                cols[col.name] = pa.nulls(len(frame), typ)
                continue
            if col.kind == "date":
                values = values.astype(np.int32)
            cols[col.name] = pa.array(values, type=typ, mask=missing)
        self._append(name, self.out / f"{name}.{self.fmt}", pa.table(cols), first)

    def _append(self, key: str, path: Path, batch: pa.Table, first: bool) -> None:
        if self.fmt == "parquet":
            if first:
                self._parquet[key] = pq.ParquetWriter(path, batch.schema)
            self._parquet[key].write_table(batch)
            return
        if first:
            handle = open(path, "wb")  # noqa: SIM115 - closed in close()
            handle.write((",".join(batch.column_names) + "\n").encode("utf-8"))
            options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
            self._csv[key] = (handle, pacsv.CSVWriter(handle, batch.schema, write_options=options))
        self._csv[key][1].write_table(batch)

    def write_ground_truth(self, frame: pd.DataFrame, first: bool) -> None:
        """Append ground-truth rows (all text) to ``ground_truth.csv`` or ``.parquet``."""
        frame = frame[GROUND_TRUTH_COLUMNS].astype(str)
        self.rows["ground_truth"] = self.rows.get("ground_truth", 0) + len(frame)
        batch = pa.table(
            {
                c: pa.array(
                    frame[c].to_numpy(dtype=object),
                    type=pa.string(),
                    mask=(frame[c] == "").to_numpy(),
                )
                for c in GROUND_TRUTH_COLUMNS
            }
        )
        fmt, self.fmt = self.fmt, "parquet" if self.fmt == "parquet" else "csv"
        try:
            self._append("ground_truth", self.ground_truth_path, batch, first)
        finally:
            self.fmt = fmt

    def close(self) -> None:
        for w in self._parquet.values():
            w.close()
        for handle, w in self._csv.values():
            w.close()
            handle.close()
        for name, parts in self._xlsx.items():
            path = self.out / f"{name}.xlsx"
            with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
                xl.book.set_properties({"created": dt.datetime(2020, 1, 1)})
                pd.concat(parts, ignore_index=True).to_excel(xl, sheet_name=name, index=False)
