"""Spreadsheets and CSV files written for people: text stays text, never a formula.

A value that comes from the data ("=HYPERLINK(…)", "+1", "@SUM(…)") must not
become a live formula when an inspector opens a report in Excel or LibreOffice.
Workbooks are written with xlsxwriter told never to turn strings into formulas
or links (:data:`EXCEL_OPTIONS`); CSV cells that a spreadsheet would read as a
formula get a leading apostrophe (:func:`csv_safe`), as OWASP advises.
"""

from __future__ import annotations

import pandas as pd

#: xlsxwriter options for every workbook the package writes: strings stay strings.
EXCEL_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}

#: First characters with which a spreadsheet reads a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def excel_writer(path) -> pd.ExcelWriter:
    """A pandas ExcelWriter (xlsxwriter) that writes every string as a string."""
    return pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": EXCEL_OPTIONS})


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells starting like a formula begin with ``'``.

    Numbers are left alone (``-90`` as a number stays ``-90``).

    Examples
    --------
    >>> safe = csv_safe(pd.DataFrame({"v": ["=1+1", "Có mặt", "-90", None], "n": [1, -2, 3, 4]}))
    >>> safe["v"].tolist(), safe["n"].tolist()
    (["'=1+1", 'Có mặt', "'-90", nan], [1, -2, 3, 4])
    """
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            text = col.astype("object")
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_STARTS))
            if risky.any():
                out[name] = text.where(~risky, "'" + text.astype(str))
    return out
