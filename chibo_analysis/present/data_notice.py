"""One line for every command that used a dataset: what was not read or set aside.

A scorecard, a list, a plan or an audit computed on a cleaned dataset must say,
every time, when records were set aside, values blanked or columns, sheets and
files not read, and where to see them (``chibo validate DATA``). Silence is
kept for a dataset read whole.
"""

from __future__ import annotations

from chibo_analysis.labels import check_lang, fmt_int, one_in_english
from chibo_analysis.schema import TABLES

_UNREAD = {"unread_column": ("cột", "columns"), "unread_sheet": ("trang tính", "sheets"),
           "unread_file": ("tệp", "files"), "empty_file": ("tệp trống", "empty files")}  # fmt: skip


def data_notice(report, data: str, lang: str = "vi") -> str | None:
    """The line to print, or None when nothing was left out or converted.

    Parameters
    ----------
    report : ValidationReport
        ``dataset.report`` of the cleaned dataset.
    data : str
        The dataset's path as the user gave it (for the ``chibo validate`` hint).
    lang : {'vi', 'en'}

    Examples
    --------
    >>> import pandas as pd
    >>> from chibo_analysis.problems import ValidationReport, make_issues
    >>> rows = pd.DataFrame({"_file": ["a.csv"] * 2, "_sheet": "", "_row": [2, 3]})
    >>> report = ValidationReport(make_issues(rows, "attendance", "unknown_reference",
    ...                                       "member_id", None, "x", "x"))
    >>> print(data_notice(report, "du_lieu"))
    Dữ liệu: 2 dòng bị loại (Điểm danh 2); chạy `chibo validate du_lieu` để xem danh sách.
    >>> files = ValidationReport(make_issues(rows.head(1), "", "unread_file", None, None, "x", "x"))
    >>> print(data_notice(files, "DATA", "en"))
    Data: 1 file not read; run `chibo validate DATA` to see them.
    """
    check_lang(lang)
    issues = report.issues
    vi = lang == "vi"
    parts = []
    gone = issues[issues["action"] == "set_aside"].drop_duplicates(["table", "index"])
    if len(gone):
        per = gone.groupby("table", sort=False).size()
        tables = ", ".join(
            f"{TABLES[t].vi if vi else t} {fmt_int(n, lang)}" for t, n in per.items() if t
        )
        word = "dòng bị loại" if vi else "rows set aside"
        parts.append(f"{fmt_int(len(gone), lang)} {word} ({tables})")
    blank = issues[issues["action"] == "blanked"]
    if len(blank):
        word = "giá trị không đọc được, để trống" if vi else "values not readable, left blank"
        parts.append(f"{fmt_int(len(blank), lang)} {word}")
    for code, (name_vi, name_en) in _UNREAD.items():
        n = int((issues["code"] == code).sum())
        if n:
            parts.append(
                f"{fmt_int(n, lang)} {name_vi} không được đọc" if vi else f"{n} {name_en} not read"
            )
    n = int((issues["code"] == "encoding_converted").sum())
    if n:
        parts.append(
            f"{fmt_int(n, lang)} lần chuyển mã sang Unicode" if vi else f"{n} encoding conversions"
        )
    if not parts:
        return None
    if vi:
        return f"Dữ liệu: {'; '.join(parts)}; chạy `chibo validate {data}` để xem danh sách."
    return one_in_english(f"Data: {'; '.join(parts)}; run `chibo validate {data}` to see them.")


def data_figures(report) -> dict[str, int]:
    """The counts behind :func:`data_notice`, for ``figures.json`` and the reports' index.

    ``rows_set_aside``, ``values_blanked`` and ``not_read`` (columns, sheets
    and files).
    """
    issues = report.issues
    return {
        "rows_set_aside": int(
            len(issues[issues["action"] == "set_aside"].drop_duplicates(["table", "index"]))
        ),
        "values_blanked": int((issues["action"] == "blanked").sum()),
        "not_read": int(issues["code"].isin(list(_UNREAD)).sum()),
    }


def notice_from_figures(figures: dict, data: str, lang: str = "vi") -> str | None:
    """The line a command prints after an audit, from the figures the notebook recorded."""
    check_lang(lang)
    vi = lang == "vi"
    parts = []
    for key, (word_vi, word_en) in {
        "rows_set_aside": ("dòng bị loại", "rows set aside"),
        "values_blanked": ("giá trị không đọc được, để trống", "values not readable, left blank"),
        "not_read": (
            "cột, trang tính hoặc tệp không được đọc",
            "columns, sheets or files not read",
        ),
    }.items():
        n = int(figures.get(key) or 0)
        if n:
            parts.append(f"{fmt_int(n, lang)} {word_vi if vi else word_en}")
    if not parts:
        return None
    if vi:
        return f"Dữ liệu: {'; '.join(parts)}; chạy `chibo validate {data}` để xem danh sách."
    return one_in_english(f"Data: {'; '.join(parts)}; run `chibo validate {data}` to see them.")
