"""The paper register (sổ điểm danh): a row per member, a column per meeting.

Offices copy the paper register into a sheet as it is: STT, the member's code
(and name), then one column per meeting headed by its date (a date cell or
``05/01/2022``) or by its meeting code, and a mark in each cell (``x``, ``P``,
``K``, ``MSH``…). :func:`find_register` recognises such a sheet;
:func:`register_rows` turns it into the rows of the ``attendance`` table once
the meetings are known:

- the cell is the sheet's ``Mã chi bộ`` column, else a line "Mã chi bộ: C01"
  in the title block, else a cell code standing in the sheet's or the file's
  name; none found is an error (``register_cell``);
- each column is the cell's meeting on that date (or with that code); no
  meeting that day, or two, is an error naming the column (``register_column``)
  and the column is not read;
- a blank mark means the member was not on the roll for that meeting: no row.

Each row keeps the member's row number in the sheet; marks are then read as
any register status is (see :mod:`chibo_analysis.intake.parse`).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.intake.headers import HeaderMatcher, is_row_number
from chibo_analysis.intake.layout import _FOOTER, HEADER_SCAN, filled, text_of
from chibo_analysis.problems import MAX_VALUE
from chibo_analysis.schema import ATTENDANCE, CELL_LEVELS, MEMBERS, fold
from chibo_analysis.texts import shorten

_CELL_LINE = re.compile(r"\bma chi bo\s*:?\s*([A-Za-z0-9][\w./-]*)", re.IGNORECASE)
_MEMBER = HeaderMatcher.of(ATTENDANCE)
_ROLL = HeaderMatcher.of(MEMBERS)


@dataclass(frozen=True)
class RegisterSheet:
    """A paper register found in a grid (0-based positions)."""

    path: Path
    sheet: str | None
    digest: str
    header_row: int
    member_col: int
    cell_col: int | None
    mark_cols: tuple[tuple[int, str, object], ...]  # (position, header as written, date or code)
    #: Each member row: (row number, member code, cell code or "", ((position, mark), ...)).
    entries: tuple
    title: tuple[str, ...]
    #: Rows with marks but no member code (row numbers), and the footer: (row number, text).
    uncoded: tuple = ()
    footer: tuple = ()
    #: Legacy-font conversions applied to the sheet: (column header, encoding, example).
    converted: tuple = ()
    #: Positions of columns with marks under no header (not read, reported).
    headerless: tuple = ()

    def _replace_title(self, title: tuple[str, ...]) -> RegisterSheet:
        from dataclasses import replace

        return replace(self, title=title)


def _date_of(value) -> pd.Timestamp | None:
    """The date a column header stands for (a date cell or day-first text), or None."""
    from chibo_analysis.intake.parse import _date_one

    if not filled(value) or isinstance(value, (int, float)):
        return None
    stamp, error = _date_one(value)
    return stamp if error is None else None


def _names_a_column(text: str) -> bool:
    """Whether ``text`` is the header of a column of some table (not a meeting code)."""
    return any(m.column(text) for m in _all_matchers()) if text else False


@functools.cache
def _all_matchers() -> tuple[HeaderMatcher, ...]:
    from chibo_analysis.schema import TABLES

    return tuple(HeaderMatcher.of(t) for t in TABLES.values())


def find_register(grid: list[list], path: Path, sheet: str | None, digest: str):
    """A :class:`RegisterSheet` if ``grid`` is a paper register, else None.

    The header is a row within the first rows that holds a member-code
    header and at least one date (meeting columns may also be headed by
    meeting codes, resolved later); the members are the rows under it with a
    member code, up to the first blank row after which none follows.
    """
    for r in range(min(len(grid), HEADER_SCAN)):
        row = grid[r]
        member_col = next(
            (
                j
                for j, v in enumerate(row)
                if filled(v) and _MEMBER.column(text_of(v)) == "member_id"
            ),
            None,
        )
        if member_col is None:
            continue
        cell_col = next(
            (j for j, v in enumerate(row) if filled(v) and _ROLL.column(text_of(v)) == "cell_id"),
            None,
        )
        marks, dates = [], 0
        for j, value in enumerate(row):
            if j in (member_col, cell_col) or not filled(value):
                continue
            text = text_of(value)
            if is_row_number(text) or _ROLL.column(text) in ("full_name", "member_id"):
                continue
            when = _date_of(value)
            dates += when is not None
            marks.append(
                (
                    j,
                    text if not hasattr(value, "strftime") else value.strftime("%d/%m/%Y"),
                    when if when is not None else text,
                )
            )
        others = [text for _, text, key in marks if not isinstance(key, pd.Timestamp)]
        if not dates and not (others and not any(_names_a_column(x) for x in others)):
            continue  # no meeting column: dates, or codes that name no column of any table
        members = _member_rows(grid, r + 1, member_col)
        title = tuple(
            " ".join(text_of(v) for v in grid[k] if filled(v))
            for k in range(r)
            if any(filled(v) for v in grid[k])
        )
        # only what the register says is kept (not the whole grid): member, cell, marks
        places = [j for j, _, _ in marks]
        entries = []
        for k in members:
            row = grid[k]
            cell = text_of(row[cell_col]) if cell_col is not None and cell_col < len(row) else ""
            found = tuple((j, text_of(row[j])) for j in places if j < len(row) and filled(row[j]))
            entries.append((k + 1, text_of(row[member_col]), cell, found))
        # marks in columns without a header cannot be placed: said, not dropped
        headed = (
            set(places) | {member_col, cell_col} | {j for j, v in enumerate(grid[r]) if filled(v)}
        )
        headerless = tuple(sorted({
            j for k in members for j, v in enumerate(grid[k]) if j not in headed and filled(v)
        }))  # fmt: skip
        coded = set(members)
        last = members[-1] if members else r
        uncoded = tuple(
            k + 1
            for k in range(r + 1, last)
            if k not in coded and any(j < len(grid[k]) and filled(grid[k][j]) for j in places)
        )
        footer = tuple(
            (k + 1, " ".join(text_of(v) for v in grid[k] if filled(v)))
            for k in range(last + 1, len(grid))
            if any(filled(v) for v in grid[k])
        )
        return RegisterSheet(
            path, sheet, digest, r, member_col, cell_col, tuple(marks), tuple(entries), title,
            uncoded, footer, headerless=headerless,
        )  # fmt: skip
    return None


def _member_rows(grid, start: int, member_col: int) -> tuple[int, ...]:
    """Rows under the header with a member code, up to the signature block (if any)."""

    def signature(k: int) -> bool:
        row = grid[k]
        code = row[member_col] if member_col < len(row) else None
        if filled(code) and " " not in str(code).strip() and str(code).isascii():
            return False  # a member code, not a signature line
        return bool(_FOOTER.search(fold(" ".join(text_of(v) for v in row if filled(v)))))

    end = next((k for k in range(start, len(grid)) if signature(k)), len(grid))
    coded = [
        k for k in range(start, end) if member_col < len(grid[k]) and filled(grid[k][member_col])
    ]
    if not coded:
        return ()
    out = []
    for k in range(start, len(grid)):
        if k > coded[-1]:
            break
        if member_col < len(grid[k]) and filled(grid[k][member_col]):
            out.append(k)
    return tuple(out)


def footer_rows(reg: RegisterSheet) -> tuple[tuple[int, str], ...]:
    """Non-blank rows after the last member (a signature block): (row number, text)."""
    return reg.footer


def _plain(text: str) -> str:
    """``text`` without diacritics (đ as d), everything else kept."""
    import unicodedata

    text = unicodedata.normalize("NFD", str(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d").replace("Đ", "D")


def cell_of(reg: RegisterSheet, cell_ids: set[str]) -> str | None:
    """The register's cell from its title block, else its sheet or file name.

    Examples
    --------
    >>> reg = RegisterSheet(Path("Sổ - H001-B01-C002.xlsx"), "2022", "", 0, 0, None, (), (),
    ...                     ("ĐẢNG BỘ PHƯỜNG", "Mã chi bộ: H001-B01-C001"))
    >>> cell_of(reg, {"H001-B01-C001", "H001-B01-C002"})
    'H001-B01-C001'
    >>> cell_of(reg._replace_title(()), {"H001-B01-C001", "H001-B01-C002"})
    'H001-B01-C002'
    """
    folded = {c.casefold(): c for c in cell_ids}
    for line in reg.title:
        m = _CELL_LINE.search(_plain(line))
        if m and m.group(1).casefold() in folded:
            return folded[m.group(1).casefold()]
    for name in (reg.sheet or "", reg.path.stem):
        text = name.casefold()
        found = [c for c in folded if re.search(rf"(?<![\w]){re.escape(c)}(?![\w])", text)]
        if found:
            return folded[max(found, key=len)]
    return None


@dataclass(frozen=True)
class MeetingIndex:
    """The meetings a register's columns can stand for, looked up by cell and day or code."""

    cells: frozenset
    by_day: dict
    ids: dict

    @classmethod
    def of(cls, meetings: pd.DataFrame, orgs: pd.DataFrame) -> MeetingIndex:
        cells = frozenset(orgs.loc[orgs["level"].isin(CELL_LEVELS), "org_id"].dropna().astype(str))
        by_day: dict = {}
        ids: dict = {}
        for mid, cell, day in zip(
            meetings["meeting_id"], meetings["cell_id"], meetings["held_on"], strict=True
        ):
            ids.setdefault(cell, set()).add(mid)
            if pd.notna(day):
                by_day.setdefault((cell, pd.Timestamp(day)), []).append(mid)
        return cls(cells, by_day, ids)


def register_rows(
    reg: RegisterSheet, index: MeetingIndex
) -> tuple[list[tuple[str, str, str]], np.ndarray, list[tuple[int, str, str, str, str]]]:
    """The register's attendance rows (meeting, member, mark as written), row numbers, problems.

    Problems are ``(row number, column header, code, message_en, message_vi)``
    with code ``register_cell`` (no cell found: nothing read) or
    ``register_column`` (a column matching no meeting, or two: not read).
    """
    cells = set(index.cells)
    header_row = reg.header_row + 1
    problems: list[tuple[int, str, str, str, str]] = []
    fixed = None if reg.cell_col is not None else cell_of(reg, cells)
    if reg.cell_col is None and fixed is None:
        problems.append((header_row, "", "register_cell",
            "a register (a column per meeting) whose cell is not known: add a 'Mã chi bộ' "
            "column, a line 'Mã chi bộ: C01' above the table, or the cell's code in the sheet "
            "name",
            "sổ điểm danh chưa rõ của chi bộ nào: thêm cột 'Mã chi bộ', dòng 'Mã chi bộ: C01' "
            "phía trên bảng, hoặc ghi mã chi bộ vào tên trang tính"))  # fmt: skip
        return [], np.zeros(0, dtype=np.int64), problems
    for j in reg.headerless:
        problems.append((header_row, f"({j + 1})", "unread_column",
            f"column {j + 1} of the register has marks but no header (a meeting's date or "
            "code), so it was not read",
            f"cột {j + 1} của sổ điểm danh có ký hiệu nhưng không có tiêu đề (ngày hoặc mã buổi "
            "sinh hoạt) nên không được đọc"))  # fmt: skip
    for number in reg.uncoded:
        problems.append((number, "member_id", "missing_value",
            "a register row with marks but no member code: not read",
            "dòng điểm danh có ký hiệu nhưng thiếu mã đảng viên: không đọc"))  # fmt: skip
    by_day, ids = index.by_day, index.ids
    headers = {j: (header, key) for j, header, key in reg.mark_cols}
    records, numbers = [], []
    resolved: dict[tuple[str, int], str | None] = {}
    for number, member, cell_text, marks in reg.entries:
        cell = fixed if fixed is not None else cell_text
        for j, mark in marks:
            if (cell, j) not in resolved:
                header, key = headers[j]
                resolved[(cell, j)] = _meeting(cell, header, key, by_day, ids, problems, header_row)
            meeting = resolved[(cell, j)]
            if meeting is not None:
                records.append((meeting, member, mark))
                numbers.append(number)
    return records, np.asarray(numbers, dtype=np.int64), problems


def _meeting(cell, header, key, by_day, ids, problems, header_row) -> str | None:
    header = shorten(header, MAX_VALUE)  # quoted in the messages below
    if isinstance(key, pd.Timestamp):
        found = by_day.get((cell, key), [])
        what_en, what_vi = f"on {key:%d/%m/%Y}", f"ngày {key:%d/%m/%Y}"
    else:
        found = [key] if key in ids.get(cell, set()) else []
        code = shorten(key, MAX_VALUE)
        what_en, what_vi = f"coded '{code}'", f"mã '{code}'"
        if not found and not any(key in known for known in ids.values()):
            # neither a date nor any meeting's code ("Ghi chú"): a column not read, not an error
            problems.append((header_row, header, "unread_column",
                f"column '{header}' of the register is neither a meeting's date nor its code, "
                "and was not read",
                f"cột '{header}' của sổ điểm danh không phải ngày hay mã buổi sinh hoạt, "
                "không được đọc"))  # fmt: skip
            return None
    if len(found) == 1:
        return found[0]
    many = len(found) > 1
    problems.append((header_row, header, "register_column",
        f"column '{header}': {'more than one meeting' if many else 'no meeting'} of cell {cell} "
        f"{what_en} in the meetings table, so the column was not read"
        + ("; head the column with the meeting's code" if many else
           "; add the meeting, or correct the column's date"),
        f"cột '{header}': {'có nhiều buổi' if many else 'không có buổi'} sinh hoạt của chi bộ "
        f"{cell} {what_vi} trong bảng sinh hoạt nên cột không được đọc"))  # fmt: skip
    return None
