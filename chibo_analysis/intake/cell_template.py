"""One cell's workbook to fill in: its roll, its meetings and its paper register.

``chibo template --data DATA --cell C01 --out C01.xlsx`` writes what a committee
sends a cell office: the cell's code in every title block, its current roll
(codes and names, to check and complete), an empty meetings sheet and the
register in the paper layout (a member per row; the office heads one column per
meeting with its date and writes a mark in each cell). Cells never fill the
organisations table: the committee's own file supplies it. The folder of the
returned workbooks, beside the committee's organisations file, reads back as
one dataset (tested).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from chibo_analysis.errors import ParameterError
from chibo_analysis.labels import catalogued
from chibo_analysis.rules import on_roll
from chibo_analysis.schema import CELL_LEVELS, MEETINGS, MEMBERS

#: Empty register columns left for the meetings of a year (one a month, and a few more).
REGISTER_COLUMNS = 15

GUIDE = [
    "HƯỚNG DẪN",
    "Trang 'Đảng viên': danh sách đảng viên của chi bộ; kiểm tra, bổ sung người mới đến, "
    "ghi ngày ra khỏi chi bộ của người đã chuyển đi.",
    "Trang 'Sinh hoạt': mỗi buổi sinh hoạt một dòng (mã buổi, mã chi bộ, ngày, loại, thời lượng…).",
    "Trang 'Sổ điểm danh': ghi ngày của mỗi buổi sinh hoạt vào ô tiêu đề một cột (dd/mm/yyyy), "
    "rồi ghi ký hiệu vào từng ô: x = có mặt, P = vắng có lý do, K = vắng không lý do, "
    "MSH = miễn sinh hoạt; để trống nếu đảng viên chưa/không còn sinh hoạt ở chi bộ.",
    "Không ghi 'V' hay 'Vắng' một mình: không rõ có lý do hay không.",
    "Không sửa tên trang tính và các dòng tiêu đề.",
]


def write_cell_workbook(
    dataset, cell_id: str, path: str | Path, *, on: dt.date | None = None
) -> Path:
    """Write the workbook of ``cell_id`` (see the module) to ``path``.

    Parameters
    ----------
    dataset : Dataset
        The committee's dataset (its organisations and members).
    cell_id : str
        A cell of the organisations table.
    path : str or Path
        ``.xlsx`` file to write.
    on : date, optional
        The day whose roll is listed (default today).

    Raises
    ------
    ParameterError
        For a code that is not a cell, or a file name that is not ``.xlsx``.
    """
    import xlsxwriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise catalogued(ParameterError, "template_xlsx", name="out", path=str(path))
    orgs = dataset.organisations
    row = orgs[orgs["org_id"] == cell_id]
    if row.empty or row["level"].astype(object).iloc[0] not in CELL_LEVELS:
        cells = orgs.loc[orgs["level"].isin(CELL_LEVELS), "org_id"].astype(str).tolist()
        raise catalogued(ParameterError, "not_a_cell", cell=cell_id, cells=", ".join(cells[:5]))
    name = str(row["name"].iloc[0])
    parent = orgs.loc[orgs["org_id"] == row["parent_id"].iloc[0], "name"]
    title = [
        (str(parent.iloc[0]) if len(parent) else "").upper(),
        name.upper(),
        f"Mã chi bộ: {cell_id}",
    ]
    day = pd.Timestamp(on or dt.date.today())
    members = dataset.members
    roll = members[(members["cell_id"] == cell_id) & on_roll(members, day)]
    roll = roll.sort_values("member_id")

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True, "align": "center"})
    head = book.add_format({"bold": True, "text_wrap": True, "border": 1})
    date = book.add_format({"num_format": "dd/mm/yyyy"})
    text = book.add_format({"num_format": "@"})  # codes stay text (no lost leading zeros)

    guide = book.add_worksheet("Hướng dẫn")
    for i, line in enumerate(title + [""] + GUIDE):
        guide.write_string(i, 0, line)
    guide.set_column(0, 0, 110)

    def titled(ws, lines: list[str], width: int) -> int:
        for i, line in enumerate(lines):
            ws.merge_range(i, 0, i, max(width - 1, 1), line, bold)
        return len(lines) + 1

    columns = [c for c in MEMBERS.columns]
    ws = book.add_worksheet("Đảng viên")
    top = titled(ws, title + ["DANH SÁCH ĐẢNG VIÊN"], len(columns) + 1)
    for j, text_ in enumerate(["STT"] + [c.vi for c in columns]):
        ws.write_string(top, j, text_, head)
    for i, member in enumerate(roll.itertuples(index=False), start=1):
        ws.write_number(top + i, 0, i)
        for j, column in enumerate(columns, start=1):
            value = getattr(member, column.name)
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if column.kind == "date":
                ws.write_datetime(top + i, j, pd.Timestamp(value).to_pydatetime(), date)
            elif column.kind == "category":
                ws.write_string(top + i, j, column.label(str(value), "vi"))
            else:
                ws.write_string(top + i, j, str(value), text)
    ws.set_column(1, len(columns), 16)

    ws = book.add_worksheet("Sinh hoạt")
    columns = list(MEETINGS.columns)
    top = titled(ws, title + ["CÁC BUỔI SINH HOẠT CHI BỘ"], len(columns) + 1)
    for j, text_ in enumerate(["STT"] + [c.vi for c in columns]):
        ws.write_string(top, j, text_, head)
    ws.set_column(1, len(columns), 14, None)
    ws.set_column(2, 2, 14, text)

    ws = book.add_worksheet("Sổ điểm danh")
    top = titled(ws, title + ["SỔ ĐIỂM DANH"], 3 + REGISTER_COLUMNS)
    for j, text_ in enumerate(["STT", "Mã đảng viên", "Họ và tên"]):
        ws.write_string(top, j, text_, head)
    for j in range(REGISTER_COLUMNS):
        ws.write_blank(top, 3 + j, None, head)
    for i, member in enumerate(roll.itertuples(index=False), start=1):
        ws.write_number(top + i, 0, i)
        ws.write_string(top + i, 1, str(member.member_id), text)
        if isinstance(member.full_name, str):
            ws.write_string(top + i, 2, member.full_name)
    ws.set_column(2, 2, 24)
    book.close()
    return path
