"""The validation report: every problem found, one row each.

Like pandera's lazy failure table, but with what an inspector needs to find
the record: the file, the sheet, the row as seen in that file (header = row 1),
the column, the value, a reason code and a message in Vietnamese and English.

``severity`` is ``error`` or ``warning``; ``action`` says what
:meth:`Dataset.clean` does about it: ``set_aside`` (the record is left out:
an error in a column the record cannot live without, see
``Table.essential``), ``blanked`` (an error in any other column: the value
is emptied, the record stays) or ``kept`` (a warning).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.outputs import write_tables
from chibo_analysis.texts import CONTROL_RE, shorten, show_controls

ISSUE_COLUMNS = [
    "table",
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "code",
    "severity",
    "action",
    "message_vi",
    "message_en",
    "index",
]

#: Every reason code, with its severity and a short description (en, vi).
REASONS: dict[str, tuple[str, str, str]] = {
    "missing_value": ("error", "required value is empty", "thiếu giá trị bắt buộc"),
    "no_records": ("error", "the dataset holds no record", "bộ dữ liệu không có dòng nào"),
    "unparseable": ("error", "value cannot be read as the expected type", "không đọc được giá trị"),
    "impossible_date": ("error", "date does not exist", "ngày không tồn tại"),
    "year_only": ("error", "a year alone is not a date", "chỉ có năm, không phải ngày"),
    "not_a_date": (
        "error",
        "a number where a date is expected",
        "cột cần ngày nhưng chứa số",
    ),
    "swapped_date": (
        "error",
        "date cell probably month/day swapped (dd/mm typed into an English-locale Excel)",
        "ô ngày có thể bị đảo ngày/tháng (gõ dd/mm vào Excel cài đặt tiếng Anh)",
    ),
    "month_first": (
        "error",
        "the column's dates are written month first (US style): not read without a guess",
        "ngày trong cột được ghi tháng trước (kiểu Mỹ): không đọc vì phải đoán",
    ),
    "implausible_date": (
        "warning",
        "date out of the plausible range",
        "ngày nằm ngoài khoảng hợp lý",
    ),
    "ambiguous_value": (
        "error",
        "value could mean more than one thing, so it is not guessed",
        "giá trị có thể hiểu nhiều cách nên không được đoán",
    ),
    "lenient_value": (
        "warning",
        "value read after ignoring punctuation or invisible characters",
        "giá trị được đọc sau khi bỏ dấu câu hoặc ký tự ẩn",
    ),
    "control_characters": (
        "warning",
        "control characters (NUL and the like) removed from the value",
        "đã bỏ các ký tự điều khiển (NUL…) khỏi giá trị",
    ),
    "not_allowed": ("error", "value is not one of the allowed values", "giá trị không được phép"),
    "out_of_range": ("error", "value outside the allowed range", "giá trị ngoài khoảng cho phép"),
    "bad_row": ("error", "row has more fields than the header", "dòng có nhiều ô hơn tiêu đề"),
    "duplicate_key": ("error", "key repeats an earlier row", "trùng mã với dòng trước"),
    "unknown_reference": (
        "error",
        "refers to a record that does not exist",
        "tham chiếu không tồn tại",
    ),
    "rejected_reference": (
        "error",
        "refers to a record that was set aside",
        "tham chiếu tới bản ghi bị loại",
    ),
    "parent_cycle": ("error", "organisation parents form a cycle", "quan hệ cấp trên bị vòng lặp"),
    "wrong_level": ("error", "organisation is not of the expected level", "sai cấp tổ chức"),
    "date_order": ("error", "dates are in the wrong order", "thứ tự ngày không hợp lý"),
    "outside_lifetime": (
        "error",
        "meeting outside the months the cell existed",
        "sinh hoạt ngoài thời gian chi bộ tồn tại",
    ),
    "outside_membership": (
        "error",
        "register row for a member not in the cell on that date",
        "điểm danh đảng viên không thuộc chi bộ vào ngày đó",
    ),
    "overlapping_membership": (
        "warning",
        "member on two rolls at the same time",
        "đảng viên có tên ở hai chi bộ cùng lúc",
    ),
    "missing_register_row": (
        "warning",
        "members on the roll that day have no register row for the meeting",
        "đảng viên có tên trong danh sách nhưng không có dòng điểm danh của buổi sinh hoạt",
    ),
    "minutes_mismatch": (
        "warning",
        "counts in the minutes disagree with the register",
        "số liệu biên bản không khớp điểm danh",
    ),
    "missing_dues_month": (
        "warning",
        "no dues row for a month of membership",
        "thiếu dòng đảng phí của một tháng",
    ),
    "unread_column": (
        "warning",
        "a column matches no column of its table and was not read",
        "cột không ứng với cột nào của bảng, không được đọc",
    ),
    "encoding_converted": (
        "warning",
        "text in a legacy encoding (TCVN3, VNI-Windows, Windows-1258) converted to Unicode",
        "văn bản mã cũ (TCVN3, VNI-Windows, Windows-1258) đã chuyển sang Unicode",
    ),
    "case_mismatch": (
        "warning",
        "a code matched its record only once letter case was ignored",
        "mã chỉ khớp khi bỏ qua chữ hoa/chữ thường",
    ),
    "register_cell": (
        "error",
        "a paper register whose cell is not known was not read",
        "sổ điểm danh chưa rõ của chi bộ nào, không được đọc",
    ),
    "register_column": (
        "error",
        "a register column matches no meeting, or two, and was not read",
        "cột của sổ điểm danh không ứng với đúng một buổi sinh hoạt, không được đọc",
    ),
    "unread_sheet": (
        "warning",
        "a sheet holds no table and was not read",
        "trang tính không chứa bảng nào, không được đọc",
    ),
    "instructions_sheet": (
        "info",
        "a sheet of instructions was not read",
        "trang hướng dẫn không được đọc",
    ),
    "footer_skipped": (
        "info",
        "a row under the data (a signature footer) was not read",
        "dòng dưới bảng dữ liệu (phần ký tên) không được đọc",
    ),
    "empty_file": (
        "warning",
        "a data file is empty: its table, if optional, is treated as not supplied",
        "tệp dữ liệu trống: nếu là bảng không bắt buộc thì coi như không có bảng này",
    ),
    "unread_file": (
        "warning",
        "a data file in the folder belongs to no table and was not read",
        "tệp dữ liệu trong thư mục không ứng với bảng nào, không được đọc",
    ),
}


def severity_of(code: str) -> str:
    return REASONS[code][0]


_EMPTY = pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})


def empty_issues() -> pd.DataFrame:
    """An issue table with no row (a copy: callers may add to it)."""
    return _EMPTY.copy()


#: Longest value shown in a message; longer ones are cut, with their length stated.
MAX_VALUE = 200


def _as_written(value):
    """A date as dd/mm/yyyy, a whole float (a workbook number) without its ``.0``."""
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def shown_values(values: pd.Series) -> np.ndarray:
    """Values as an office writes them: dates dd/mm/yyyy, long text cut at :data:`MAX_VALUE`.

    Control characters are shown as visible marks (see
    :func:`chibo_analysis.texts.show_controls`); a long text is cut by
    :func:`chibo_analysis.texts.shorten`, its whole length stated.

    Examples
    --------
    >>> shown_values(pd.Series(pd.to_datetime(["2022-02-01", None]))).tolist()
    ['01/02/2022', '']
    >>> shown_values(pd.Series(["x" * 250]))[0][-30:]
    'xxxxxx… (250 ký tự/characters)'
    >>> shown_values(pd.Series(["Tr\\x00ần"])).tolist()
    ['Tr␀ần']
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        text = values.dt.strftime("%d/%m/%Y").astype("object").where(values.notna(), "")
    else:
        plain = values.astype("object")
        text = plain.map(_as_written)
        text = text.where(values.notna(), "").astype(str)
    text = text.astype(str).astype(object)
    if CONTROL_RE.search("".join(text)):  # one scan: control characters are rare
        text = text.map(show_controls)
    return shorten_texts(text).to_numpy(dtype=object)


def shorten_texts(texts: pd.Series, limit: int = MAX_VALUE) -> pd.Series:
    """:func:`chibo_analysis.texts.shorten` on each text of a Series (only the long ones cost).

    For values from the data quoted inside a message.

    Examples
    --------
    >>> shorten_texts(pd.Series(["M1", "M" * 300]), limit=3).tolist()
    ['M1', 'MMM… (300 ký tự/characters)']
    """
    texts = texts.astype(object)
    long = texts.map(len, na_action="ignore").gt(limit).to_numpy(dtype=bool, na_value=False)
    if not long.any():
        return texts
    return texts.where(~long, texts[long].map(lambda v: shorten(v, limit)))


#: What cleaning does about an issue.
ACTIONS = ("set_aside", "blanked", "kept")


def make_issues(
    frame: pd.DataFrame,
    table: str,
    code: str,
    column: str,
    values: pd.Series | None,
    message_en: str | pd.Series,
    message_vi: str | pd.Series,
    action: str | None = None,
) -> pd.DataFrame:
    """Issue rows for every row of ``frame`` (a slice of a loaded table).

    ``values`` gives the offending value per row (defaults to ``frame[column]``);
    messages may be one string or a Series aligned on ``frame``. ``action``
    defaults to ``set_aside`` for errors and ``kept`` for warnings.
    """
    severity = severity_of(code)
    if action is None:
        action = "set_aside" if severity == "error" else "kept"
    if action not in ACTIONS or (severity == "error") == (action == "kept"):
        raise ParameterError(f"action={action!r} does not fit a {severity} ({code})")
    if frame.empty:
        return empty_issues()
    if values is None:
        values = frame[column] if column in frame.columns else pd.Series("", index=frame.index)

    def arr(x):
        return x.to_numpy() if isinstance(x, pd.Series) else x

    out = pd.DataFrame(
        {
            "table": table,
            "file": frame["_file"].astype("object").to_numpy(),
            "sheet": frame["_sheet"].astype("object").to_numpy(),
            "row": frame["_row"].astype("int64").to_numpy(),
            "column": column,
            "value": shown_values(values),
            "code": code,
            "severity": severity,
            "action": action,
            "message_vi": arr(message_vi),
            "message_en": arr(message_en),
            "index": frame.index.to_numpy(),
        },
        index=range(len(frame)),
    )
    return out[ISSUE_COLUMNS]


@dataclass(frozen=True, eq=False)
class ValidationReport:
    """Every problem found in a dataset; see :data:`ISSUE_COLUMNS`."""

    issues: pd.DataFrame

    def __len__(self) -> int:
        return len(self.issues)

    def __repr__(self) -> str:
        return f"<ValidationReport: {self.n_errors} errors, {self.n_warnings} warnings>"

    @property
    def n_errors(self) -> int:
        return int((self.issues["severity"] == "error").sum())

    @property
    def n_warnings(self) -> int:
        return int((self.issues["severity"] == "warning").sum())

    @property
    def n_info(self) -> int:
        """Notes that need no action (a signature footer not read, say)."""
        return int((self.issues["severity"] == "info").sum())

    @property
    def ok(self) -> bool:
        """True when no error and no warning was found (notes may remain)."""
        return self.n_errors == 0 and self.n_warnings == 0

    def to_frame(self, lang: str | None = None) -> pd.DataFrame:
        """The issues, without the internal row index.

        With ``lang`` ("vi" or "en") only that language's message is kept, as
        ``message``.
        """
        frame = self.issues.drop(columns="index")
        if lang is None:
            return frame.reset_index(drop=True)
        if lang not in ("vi", "en"):
            raise ParameterError(f"lang={lang!r} is not allowed; expected 'vi' or 'en'")
        other = "message_en" if lang == "vi" else "message_vi"
        frame = frame.drop(columns=other).rename(columns={f"message_{lang}": "message"})
        return frame.reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """Number of issues per severity, action, reason code and table."""
        if self.issues.empty:
            return pd.DataFrame(columns=["severity", "action", "code", "table", "count"])
        return (
            self.issues.groupby(["severity", "action", "code", "table"], sort=True)
            .size()
            .rename("count")
            .reset_index()
            .assign(
                _rank=lambda f: f["severity"].map({"error": 0, "warning": 1, "info": 2}),
                _cascade=lambda f: f["code"].eq("rejected_reference"),
            )
            .sort_values(["_rank", "_cascade", "count"], ascending=[True, True, False])
            .drop(columns=["_rank", "_cascade"])
            .reset_index(drop=True)
        )

    def rejected_index(self) -> dict[str, pd.Index]:
        """Per table, the index labels of rows set aside."""
        err = self.issues[self.issues["action"] == "set_aside"]
        return {t: pd.Index(g["index"].unique()) for t, g in err.groupby("table")}

    def blanked_index(self) -> dict[tuple[str, str], pd.Index]:
        """Per (table, column), the index labels of values emptied (their rows stay)."""
        blank = self.issues[self.issues["action"] == "blanked"]
        return {
            (str(t), str(c)): pd.Index(g["index"].unique())
            for (t, c), g in blank.groupby(["table", "column"])
        }

    def rejected(self) -> pd.DataFrame:
        """One row per record set aside: table, file, sheet, row and all its reasons."""
        err = self.issues[self.issues["action"] == "set_aside"]
        if err.empty:
            return pd.DataFrame(columns=["table", "file", "sheet", "row", "reasons"])
        return (
            err.assign(reason=err["code"] + " (" + err["column"] + ")")
            .groupby(["table", "file", "sheet", "row"], sort=True, dropna=False)["reason"]
            .agg("; ".join)
            .rename("reasons")
            .reset_index()
        )

    def write(self, path: str | Path) -> Path:
        """Write the report to ``.xlsx`` (issues and counts sheets) or ``.csv``.

        A value over a workbook cell's 32,767 characters is cut, with a warning on stderr.
        """
        path = Path(path)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            raise ParameterError(f"out={str(path)!r}: expected a .xlsx or .csv file name")
        frames = {"issues": self.to_frame(), "counts": self.counts()}
        for warning in write_tables(path, frames):
            print(f"warning: {warning}", file=sys.stderr)
        return path
