"""Validate a dataset: every problem as a row of a :class:`ValidationReport`.

Three layers, each reading :mod:`chibo_analysis.schema`:

1. what the loader could not parse (``Dataset.load_issues``: unparseable
   values, impossible dates, values not allowed, empty required values);
2. column-level checks with pandera (ranges, duplicate keys): pandera's lazy
   validation returns exactly the failure table we need, so we build one
   ``DataFrameSchema`` per table from the declaration;
3. cross-table checks (:mod:`chibo_analysis.checks.cross_table`): references, cycles
   of parents, dates out of order, meetings outside the cell's lifetime,
   register rows outside a membership, minutes that disagree with the
   register, missing dues months.

Rows with an ``error`` are set aside by :meth:`Dataset.clean`; checks that
follow a reference run against the rows still standing, so a register row
whose meeting was set aside is reported as such instead of vanishing.
``validate`` never prints, plots or changes its input.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.checks import cross_table
from chibo_analysis.checks.plausibility import implausible_dates
from chibo_analysis.dataset import Dataset
from chibo_analysis.problems import ISSUE_COLUMNS, ValidationReport, empty_issues, make_issues
from chibo_analysis.schema import TABLES, Table


def validated(dataset: Dataset) -> Dataset:
    """``dataset`` without the rows that validation sets aside.

    A dataset already cleaned is returned as it is; any other is validated
    first and cleaned with that report (see :meth:`Dataset.clean`). This is
    what the indicators, lists and studies call, so that each of them can be
    given the dataset as loaded.

    Examples
    --------
    >>> import pandas as pd
    >>> from chibo_analysis.intake.load import dataset_from_frames
    >>> orgs = pd.DataFrame({"org_id": ["TP", "TP"], "name": ["Thành phố", "Bis"],
    ...                      "parent_id": [None, None], "level": ["committee", "committee"]})
    >>> raw = dataset_from_frames(organisations=orgs, members=None, meetings=None, attendance=None)
    >>> ds = validated(raw)
    >>> len(raw.organisations), len(ds.organisations), validated(ds) is ds
    (2, 1, True)
    """
    if dataset.is_clean:
        return dataset
    return dataset.clean(validate(dataset))


def ensure_usable(dataset: Dataset) -> Dataset:
    """``dataset`` (cleaned) if a result can be computed from it, else :class:`DataReadError`.

    A required table whose every record was set aside (each cell filling only
    its own row of the organisations sheet, say) would give an empty result
    that looks like a finding: the command stops instead, saying why.
    """
    from chibo_analysis.errors import DataReadError
    from chibo_analysis.labels import catalogued

    report = dataset.report
    for name, table in TABLES.items():
        frame = dataset.tables.get(name)
        if not table.required or frame is None or len(frame):
            continue
        lost = 0 if report is None else len(report.rejected_index().get(name, ()))
        if lost:
            raise catalogued(
                DataReadError,
                "all_set_aside",
                n=lost,
                table={"en": f"{name} ('{table.vi}')", "vi": table.vi},
            )
    return dataset


def validate(dataset: Dataset) -> ValidationReport:
    """Check a dataset and report every problem found.

    Parameters
    ----------
    dataset : Dataset
        As returned by :func:`chibo_analysis.load_dataset`.

    Returns
    -------
    ValidationReport
        One row per problem: table, file, sheet, row (as seen in the file),
        column, value, reason code, severity and messages in Vietnamese and
        English.

    Examples
    --------
    >>> import pandas as pd
    >>> from chibo_analysis.intake.load import dataset_from_frames
    >>> orgs = pd.DataFrame({"org_id": ["TP", "CB1"], "name": ["Thành phố", "Chi bộ 1"],
    ...                      "parent_id": [None, "XX"], "level": ["committee", "base_cell"]})
    >>> report = validate(dataset_from_frames(organisations=orgs))
    >>> report.to_frame()[["table", "row", "column", "value", "code"]].to_dict("records")
    [{'table': 'organisations', 'row': 3, 'column': 'parent_id', 'value': 'XX', 'code': 'unknown_reference'}]
    """
    found = [dataset.load_issues] if dataset.load_issues is not None else []
    found.append(_no_records(dataset))
    for name, frame in dataset.tables.items():
        found.append(check_columns(TABLES[name], frame))
    found.extend(implausible_dates(dataset.tables))
    found = [f for f in found if f is not None and not f.empty]
    errors = _error_index(found)
    found.extend(cross_table.check_all(dataset.tables, errors))
    found = [f for f in found if f is not None and not f.empty]
    issues = pd.concat(found, ignore_index=True) if found else empty_issues()
    issues = issues[ISSUE_COLUMNS].sort_values(
        ["table", "file", "sheet", "row", "column"], kind="stable", key=_table_order
    )
    return ValidationReport(issues.reset_index(drop=True))


def _no_records(dataset: Dataset) -> pd.DataFrame:
    """A ``no_records`` error when the required tables hold no record at all (a blank template)."""
    if any(len(dataset.tables.get(n, ())) for n, t in TABLES.items() if t.required):
        return empty_issues()
    where = pd.DataFrame({"_file": [Path(dataset.root).name], "_sheet": "", "_row": 1}, index=[-1])
    return make_issues(
        where,
        "",
        "no_records",
        "",
        None,
        "the dataset holds no record (an empty template?): nothing can be audited",
        "bộ dữ liệu không có dòng nào (biểu mẫu trống?): không có gì để kiểm tra",
    )


def _table_order(col: pd.Series) -> pd.Series:
    if col.name == "table":
        return col.map({n: i for i, n in enumerate(TABLES)})
    return col


def _error_index(found: list[pd.DataFrame]) -> dict[str, set]:
    errors: dict[str, set] = {}
    for frame in found:
        err = frame[frame["action"] == "set_aside"]
        for table, group in err.groupby("table"):
            errors.setdefault(table, set()).update(group["index"].tolist())
    return errors


#: Name of the integer column standing for a table's key in the pandera check.
KEY = "_key"


def pandera_schema(table: Table):
    """The pandera ``DataFrameSchema`` of a table's column-level checks.

    Ranges come from ``Column.min``/``max``. The key's uniqueness is checked on
    one integer column, ``_key`` (see :func:`key_codes`), with
    ``report_duplicates="exclude_first"``, so the first row of a duplicated
    key stands and the later ones are reported; one integer column is checked
    about ten times faster than several text columns.
    """
    import pandera.pandas as pa

    columns = {}
    for column in table.columns:
        checks = []
        if column.min is not None and column.max is not None:
            checks.append(pa.Check.in_range(column.min, column.max))
        elif column.min is not None:
            checks.append(pa.Check.ge(column.min))
        if checks:
            columns[column.name] = pa.Column(checks=checks, nullable=True, required=False)
    columns[KEY] = pa.Column(int, unique=True, report_duplicates="exclude_first")
    return pa.DataFrameSchema(columns, name=table.name)


def key_codes(frame: pd.DataFrame, key: tuple[str, ...]) -> np.ndarray:
    """One integer per row, equal exactly when the rows' ``key`` values are equal."""
    codes = np.zeros(len(frame), dtype=np.int64)
    for name in key:
        part, uniques = pd.factorize(frame[name], use_na_sentinel=False)
        codes = codes * (len(uniques) + 1) + part
    return codes


def check_columns(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """Range and duplicate-key issues of one table, found by pandera."""
    import pandera.pandas as pa

    checked = [c.name for c in table.columns if c.min is not None]
    codes = key_codes(frame, table.key)
    # a key with an empty part is already an error of its own: it repeats nothing
    empty = frame[list(table.key)].isna().any(axis=1).to_numpy()
    if empty.any():
        codes = codes.copy()
        codes[empty] = -np.arange(1, int(empty.sum()) + 1)
    view = frame[checked].assign(**{KEY: codes})
    try:
        pandera_schema(table).validate(view, lazy=True)
        return empty_issues()
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    out = []
    ranged = cases[cases["check"].astype(str).str.startswith(("in_range", "greater_than"))]
    for column_name, group in ranged.groupby("column"):
        column = table.column(column_name)
        rows = frame.loc[group["index"].astype("int64").unique()]
        low = column.min
        bound = f"{low}..{column.max}" if column.max is not None else f">= {low}"
        out.append(
            make_issues(
                rows,
                table.name,
                "out_of_range",
                column_name,
                None,
                f"{column_name}: outside the allowed range {bound}",
                f"{column.vi}: ngoài khoảng cho phép {bound}",
                action="set_aside" if column_name in table.essential else "blanked",
            )
        )
    dup = cases[cases["column"] == KEY]
    if not dup.empty:
        out.append(_duplicates(table, frame, dup["index"].astype("int64").unique(), codes))
    return pd.concat(out, ignore_index=True) if out else empty_issues()


def _duplicates(table: Table, frame: pd.DataFrame, index, codes: np.ndarray) -> pd.DataFrame:
    """Issues of the rows at ``index``, repeats of a key first seen on another row.

    ``codes`` are the rows' :func:`key_codes`: the first row of each key is
    found on those integers, not on the key's text columns.
    """
    key = list(table.key)
    codes = pd.Series(codes, index=frame.index)
    first = codes[~codes.duplicated(keep="first")]
    first_of = pd.Series(first.index, index=first.to_numpy())  # key code -> its first row
    rows = frame.loc[index]
    firsts = frame.loc[first_of.loc[codes.loc[index].to_numpy()].to_numpy()]
    where = pd.Series(
        firsts["_file"].astype(str).to_numpy() + " row " + firsts["_row"].astype(str).to_numpy(),
        index=rows.index,
    )
    value = (
        rows[key].astype(object).where(rows[key].notna(), "").astype(str).agg(" / ".join, axis=1)
    )
    label = ", ".join(key)
    return make_issues(
        rows,
        table.name,
        "duplicate_key",
        label,
        value,
        ("key (" + label + ") repeats " + where).to_numpy(),
        ("trùng khóa (" + label + ") với " + where.str.replace(" row ", " dòng ")).to_numpy(),
    )
