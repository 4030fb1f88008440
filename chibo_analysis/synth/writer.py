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
        if self.fmt == "parquet":
            cols = {}
            for col in table.columns:
                values, missing, _kind = arrays[col.name]
                typ = _ARROW[col.kind]
                if col.name not in frame:
                    cols[col.name] = pa.nulls(len(frame), typ)
                    continue
                if col.kind == "date":
                    values = values.astype(np.int32)
                cols[col.name] = pa.array(values, type=typ, mask=missing)
            batch = pa.table(cols)
            if first:
                self._parquet[name] = pq.ParquetWriter(self.out / f"{name}.parquet", batch.schema)
            self._parquet[name].write_table(batch)
            return
        text = pd.DataFrame({c: _as_text(*arrays[c]) for c in table.names})
        if self.fmt == "csv":
            text.to_csv(
                self.out / f"{name}.csv",
                mode="w" if first else "a",
                header=first,
                index=False,
                lineterminator="\n",
                encoding="utf-8",
            )
        else:
            if self.rows[name] >= XLSX_MAX_ROWS:
                raise ParameterError(
                    f"table {name} has {self.rows[name]:,} rows, more than a "
                    "worksheet holds; use fmt='csv' or 'parquet'"
                )
            self._xlsx.setdefault(name, []).append(text)

    def write_ground_truth(self, frame: pd.DataFrame, first: bool) -> None:
        frame = frame[GROUND_TRUTH_COLUMNS]
        self.rows["ground_truth"] = self.rows.get("ground_truth", 0) + len(frame)
        if self.fmt == "parquet":
            batch = pa.Table.from_pandas(
                frame.astype(str),
                preserve_index=False,
                schema=pa.schema([(c, pa.string()) for c in frame]),
            )
            if first:
                self._parquet["ground_truth"] = pq.ParquetWriter(
                    self.ground_truth_path, batch.schema
                )
            self._parquet["ground_truth"].write_table(batch)
        else:
            frame.to_csv(
                self.ground_truth_path,
                mode="w" if first else "a",
                header=first,
                index=False,
                lineterminator="\n",
                encoding="utf-8",
            )

    def close(self) -> None:
        for w in self._parquet.values():
            w.close()
        for name, parts in self._xlsx.items():
            path = self.out / f"{name}.xlsx"
            with pd.ExcelWriter(path, engine="xlsxwriter") as xl:
                xl.book.set_properties({"created": dt.datetime(2020, 1, 1)})
                pd.concat(parts, ignore_index=True).to_excel(xl, sheet_name=name, index=False)
