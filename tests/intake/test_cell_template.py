"""One cell's workbook: written from the committee's data, filled by the office, read back.

From tests/data/clean: CB1's roll on 30/11/2026 is M1, M2, M3 (M4 left on 01/02/2022).
The office fills two meetings (S1 on 05/01/2022, S2 on 05/02/2022), adds M4 (who was
still there in January) and marks the register; beside the committee's organisations
file, the returned workbook is read back as one dataset.
"""

from __future__ import annotations

import datetime as dt
import shutil

import pandas as pd
import pytest
from conftest import CLEAN
from openpyxl import load_workbook

from chibo_analysis import load_dataset, validate
from chibo_analysis.commands.cli import main
from chibo_analysis.errors import ParameterError
from chibo_analysis.intake.cell_template import write_cell_workbook

ON = dt.date(2026, 11, 30)


def test_the_workbook_holds_the_cells_roll_under_its_code(tmp_path):
    path = write_cell_workbook(load_dataset(CLEAN), "CB1", tmp_path / "CB1.xlsx", on=ON)
    book = load_workbook(path)
    assert book.sheetnames == ["Hướng dẫn", "Đảng viên", "Sinh hoạt", "Sổ điểm danh"]
    roll = book["Đảng viên"]
    assert roll["A3"].value == "Mã chi bộ: CB1"
    assert [roll.cell(r, 2).value for r in range(7, 10)] == ["M1", "M2", "M3"]
    assert [book["Sổ điểm danh"].cell(r, 3).value for r in range(7, 10)] == [
        "Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường",
    ]  # fmt: skip


def test_the_filled_workbook_reads_back(tmp_path):
    path = write_cell_workbook(load_dataset(CLEAN), "CB1", tmp_path / "CB1.xlsx", on=ON)
    book = load_workbook(path)
    roll = book["Đảng viên"]
    roll.append([4, "M4", "CB1", "Phạm Thị Dung", "Nữ", dt.datetime(1985, 5, 5),
                 dt.datetime(2012, 1, 1), dt.datetime(2013, 1, 1), dt.datetime(2015, 1, 1),
                 dt.datetime(2022, 2, 1), "Chuyển sinh hoạt"])  # fmt: skip
    meetings = book["Sinh hoạt"]
    meetings.append([1, "S1", "CB1", "05/01/2022", "Thường kỳ", 95, "Tốt", "Không"])
    meetings.append([2, "S2", "CB1", "05/02/2022", "Thường kỳ kết hợp chuyên đề", 125, "Khá", "Có"])
    register = book["Sổ điểm danh"]
    register["D6"], register["E6"] = "05/01/2022", "05/02/2022"
    for row, marks in zip(range(7, 10), (("MSH", "MSH"), ("x", "x"), ("x", "P")), strict=True):
        register.cell(row, 4, marks[0])
        register.cell(row, 5, marks[1])
    register.append([4, "M4", "Phạm Thị Dung", "x"])
    data = tmp_path / "data"
    data.mkdir()
    book.save(data / "CB1 tra ve.xlsx")
    shutil.copy(CLEAN / "organisations.csv", data / "organisations.csv")
    ds = load_dataset(data)
    assert ds.members["member_id"].tolist() == ["M1", "M2", "M3", "M4"]
    assert ds.meetings["meeting_id"].tolist() == ["S1", "S2"]
    got = ds.attendance[["meeting_id", "member_id", "status"]].sort_values(
        ["meeting_id", "member_id"]
    )
    assert got.values.tolist() == [
        ["S1", "M1", "exempt"], ["S1", "M2", "present"], ["S1", "M3", "present"],
        ["S1", "M4", "present"], ["S2", "M1", "exempt"], ["S2", "M2", "present"],
        ["S2", "M3", "excused"],
    ]  # fmt: skip
    report = validate(ds)
    assert report.n_errors == 0, report.to_frame("en").to_string()


def test_a_code_that_is_not_a_cell_is_refused(tmp_path):
    with pytest.raises(ParameterError, match="not a cell"):
        write_cell_workbook(load_dataset(CLEAN), "PT", tmp_path / "x.xlsx")
    assert main(["template", "--cell", "CB1", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert main(["template", "--data", str(CLEAN), "--cell", "CB1",
                 "--out", str(tmp_path / "cb1.xlsx")]) == 0  # fmt: skip
    assert pd.read_excel(tmp_path / "cb1.xlsx", sheet_name=None, engine="calamine")
