"""The synthetic city rewritten the way cell offices keep their files.

``chibo synth --layout office`` writes, from the canonical tables, one workbook
per cell ("Sinh hoạt chi bộ - <cell>.xlsx") holding the cell's roll, its
meetings and its paper register (one sheet per year, a member per row, a
meeting per column, marks such as ``x``, ``P``, ``K``, ``MSH``), each sheet under
a merged title block ("Mã chi bộ: <cell>") and above a signature footer; the
organisations in a workbook of the committee's, with its own title block; the
other tables as the committee's CSV files. Register rows that a paper register
cannot hold (a meeting not in the meetings table, a repeated row) stay in a
long CSV, as an office would add them. Read back, the files give the same
scorecard as the canonical layout (tested).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from chibo_analysis.schema import TABLES

#: Share of register marks written as an office's short mark rather than the full label.
SHORT_MARKS = 0.4
_SHORT = {
    "present": ("x", "X", "✓", "CM", "Đi muộn"),
    "excused": ("P", "CP", "VCLD", "Vắng CLD"),
    "absent": ("K", "KP", "VKLD", "Vắng KLD"),
    "exempt": ("MSH", "Miễn SH"),
}
_FOOTER = (("Người lập biểu", "T/M CHI ỦY"), ("", "BÍ THƯ"))


def _label(table: str, column: str):
    """code -> Vietnamese label of a category column (codes not allowed pass as written)."""
    col = TABLES[table].column(column)
    if col.kind == "category":
        labels = {c.code: c.vi for c in col.choices}
        return lambda v: labels.get(v, v)
    if col.kind == "bool":
        return lambda v: {"yes": "Có", "no": "Không", "True": "Có", "False": "Không"}.get(v, v)
    return lambda v: v


def _date(value: str):
    """An ISO date as a date (to write a date cell), else the text as written."""
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else value
    except ValueError:
        return value


class _Sheet:
    """Rows written one after another into an xlsxwriter worksheet."""

    def __init__(self, book, name: str, formats: dict) -> None:
        self.ws = book.add_worksheet(name[:31])
        self.f = formats
        self.row = 0

    def title(self, lines: list[str], width: int) -> None:
        for line in lines:
            self.ws.merge_range(self.row, 0, self.row, max(width - 1, 1), line, self.f["title"])
            self.row += 1
        self.row += 1  # a blank row under the title block

    def cells(self, values: list, fmt=None) -> None:
        for j, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, dt.date):
                self.ws.write_datetime(
                    self.row, j, dt.datetime.combine(value, dt.time()), self.f["date"]
                )
            elif isinstance(value, (int, np.integer)) and not isinstance(value, bool):
                self.ws.write_number(self.row, j, int(value))
            else:
                self.ws.write_string(self.row, j, str(value), fmt)
        self.row += 1

    def footer(self, width: int) -> None:
        self.row += 1
        for left, right in _FOOTER:
            self.cells([None, left] + [None] * max(width - 4, 0) + [right])


def _book(path: Path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    formats = {
        "title": book.add_format({"bold": True, "align": "center"}),
        "head": book.add_format({"bold": True, "text_wrap": True, "align": "center"}),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
    }
    return book, formats


def write_office_layout(canonical: Path, out: Path, seed: int = 0) -> dict[str, int]:
    """Rewrite the canonical dataset in ``canonical`` into ``out`` the way offices keep it.

    Returns the number of files written per kind (``cell_workbooks``, ...).
    """
    rng = np.random.default_rng(seed)
    read = {
        name: pd.read_csv(canonical / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in TABLES
        if (canonical / f"{name}.csv").exists()
    }
    out.mkdir(parents=True, exist_ok=True)
    orgs = read["organisations"]
    name_of = dict(zip(orgs["org_id"], orgs["name"], strict=False))
    parent_of = dict(zip(orgs["org_id"], orgs["parent_id"], strict=False))

    # the committee's own files: the organisations (with a title block) and the other tables
    _organisations(orgs, out / "To chuc dang.xlsx")
    for name in ("inspections", "dues", "disciplines", "reviews"):
        if name in read:
            shutil.copy(canonical / f"{name}.csv", out / f"{name}.csv")
    for extra in ("ground_truth.csv", "README.md"):
        if (canonical / extra).exists():
            shutil.copy(canonical / extra, out / extra)

    members, meetings, register = read["members"], read["meetings"], read["attendance"]
    # register rows a paper register can hold: a known meeting, once per (meeting, member)
    cell_of_meeting = meetings.drop_duplicates("meeting_id").set_index("meeting_id")["cell_id"]
    placeable = register["meeting_id"].isin(cell_of_meeting.index) & ~register.duplicated(
        ["meeting_id", "member_id"], keep="first"
    )
    leftover = register[~placeable]
    if len(leftover):
        leftover.rename(
            columns={
                "meeting_id": "Mã buổi sinh hoạt",
                "member_id": "Mã đảng viên",
                "status": "Tình trạng",
            }  # fmt: skip
        ).to_csv(out / "diem danh bo sung.csv", index=False, encoding="utf-8-sig")
    placed = register[placeable].assign(
        cell_id=register.loc[placeable, "meeting_id"].map(cell_of_meeting)
    )
    status = placed["status"].to_numpy(dtype=object)
    short = rng.random(len(placed)) < SHORT_MARKS
    pick = rng.integers(0, 5, len(placed))
    full = _label("attendance", "status")
    marks = [
        (_SHORT[s][p % len(_SHORT[s])] if (sh and s in _SHORT) else full(s))
        for s, sh, p in zip(status, short, pick, strict=True)
    ]
    placed = placed.assign(mark=marks)

    cells = sorted(set(members["cell_id"]) | set(meetings["cell_id"]) | set(placed["cell_id"]))
    by_members = dict(tuple(members.groupby("cell_id", sort=False)))
    by_meetings = dict(tuple(meetings.groupby("cell_id", sort=False)))
    by_register = dict(tuple(placed.groupby("cell_id", sort=False)))
    names = dict(zip(members["member_id"], members["full_name"], strict=False))
    written = 0
    for cell in cells:
        title = [
            str(name_of.get(parent_of.get(cell, ""), "")).upper() or "ĐẢNG BỘ",
            str(name_of.get(cell, cell)).upper(),
            f"Mã chi bộ: {cell}",
        ]
        book, formats = _book(out / f"Sinh hoạt chi bộ - {cell}.xlsx")
        _members_sheet(book, formats, title, by_members.get(cell))
        _meetings_sheet(book, formats, title, by_meetings.get(cell))
        _register_sheets(book, formats, title, by_meetings.get(cell), by_register.get(cell), names)
        book.close()
        written += 1
    return {"cell_workbooks": written, "leftover_register_rows": int(len(leftover))}


def _organisations(orgs: pd.DataFrame, path: Path) -> None:
    book, f = _book(path)
    sheet = _Sheet(book, "Tổ chức đảng", f)
    header = ["STT"] + [c.vi for c in TABLES["organisations"].columns]
    sheet.title(["ĐẢNG BỘ THÀNH PHỐ", "DANH SÁCH TỔ CHỨC ĐẢNG"], len(header))
    sheet.cells(header, f["head"])
    convert = [_label("organisations", c.name) for c in TABLES["organisations"].columns]
    kinds = [c.kind for c in TABLES["organisations"].columns]
    for i, row in enumerate(
        orgs[[c.name for c in TABLES["organisations"].columns]].itertuples(index=False), 1
    ):
        values = [
            conv(v) if kind != "date" else _date(v)
            for conv, kind, v in zip(convert, kinds, row, strict=True)
        ]
        sheet.cells([i] + values)
    sheet.footer(len(header))
    book.close()


def _members_sheet(book, f, title, frame) -> None:
    columns = TABLES["members"].columns
    sheet = _Sheet(book, "DS đảng viên", f)
    header = ["STT"] + [c.vi for c in columns]
    sheet.title(title + ["DANH SÁCH ĐẢNG VIÊN"], len(header))
    sheet.cells(header, f["head"])
    if frame is not None:
        convert = [_label("members", c.name) for c in columns]
        for i, row in enumerate(frame[[c.name for c in columns]].itertuples(index=False), 1):
            sheet.cells([i] + [
                _date(v) if c.kind == "date" else conv(v)
                for c, conv, v in zip(columns, convert, row, strict=True)
            ])  # fmt: skip
    sheet.footer(len(header))


def _meetings_sheet(book, f, title, frame) -> None:
    """The meetings under a two-row header: "Số đảng viên" merged above the four counts."""
    columns = [c for c in TABLES["meetings"].columns if not c.name.startswith("n_")]
    counts = [c for c in TABLES["meetings"].columns if c.name.startswith("n_")]
    sheet = _Sheet(book, "Sinh hoạt", f)
    width = 1 + len(columns) + len(counts)
    sheet.title(title + ["CÁC BUỔI SINH HOẠT CHI BỘ"], width)
    top = sheet.row
    for j, text in enumerate(["STT"] + [c.vi for c in columns]):
        sheet.ws.merge_range(top, j, top + 1, j, text, f["head"])
    first = 1 + len(columns)
    sheet.ws.merge_range(top, first, top, first + len(counts) - 1, "Số đảng viên", f["head"])
    for j, text in enumerate(["Triệu tập", "Có mặt", "Vắng có lý do", "Vắng không lý do"]):
        sheet.ws.write_string(top + 1, first + j, text, f["head"])
    sheet.row = top + 2
    if frame is not None:
        order = columns + counts
        convert = [_label("meetings", c.name) for c in order]
        for i, row in enumerate(frame[[c.name for c in order]].itertuples(index=False), 1):
            values = []
            for c, conv, v in zip(order, convert, row, strict=True):
                if c.kind == "date":
                    values.append(_date(v))
                elif c.kind == "int" and v.lstrip("-").isdigit():
                    values.append(int(v))
                else:
                    values.append(conv(v))
            sheet.cells([i] + values)
    sheet.footer(width)


def _register_sheets(book, f, title, meetings, register, names) -> None:
    """One paper-register sheet per year: a member per row, a meeting per column."""
    if meetings is None or register is None:
        return
    held = meetings.set_index("meeting_id")["held_on"]
    day = pd.to_datetime(held, errors="coerce", format="%Y-%m-%d")
    per_day = day.value_counts()
    year = day.dt.year.fillna(0).astype(int)
    register = register.assign(year=register["meeting_id"].map(year))
    for y, rows in register.groupby("year", sort=True):
        ids = [m for m in held.index if year.get(m) == y and m in set(rows["meeting_id"])]
        ids.sort(key=lambda m: (day.get(m) if pd.notna(day.get(m)) else pd.Timestamp.max, m))
        heads = [
            day[m].strftime("%d/%m/%Y") if pd.notna(day[m]) and per_day[day[m]] == 1 else m
            for m in ids
        ]
        sheet = _Sheet(book, f"Sổ điểm danh {y}" if y else "Sổ điểm danh", f)
        width = 3 + len(ids)
        sheet.title(title + [f"SỔ ĐIỂM DANH NĂM {y}" if y else "SỔ ĐIỂM DANH"], min(width, 12))
        sheet.cells(["STT", "Mã đảng viên", "Họ và tên"] + heads, f["head"])
        grid = rows.pivot(index="member_id", columns="meeting_id", values="mark")
        for i, (member, marks) in enumerate(grid.iterrows(), 1):
            sheet.cells([i, member, names.get(member, "")] + [
                marks.get(m) if isinstance(marks.get(m), str) else None for m in ids
            ])  # fmt: skip
        sheet.footer(min(width, 12))
