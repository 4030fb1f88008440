"""The paper register (sổ điểm danh): a row per member, a column per meeting.

tests/data/office/register/So diem danh 2022.xlsx holds the register of tests/data/clean
as offices copy it (see make_fixtures.py): read with the clean organisations, members and
meetings, it gives the clean attendance table, and so the same scorecard.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import CLEAN, DATA
from openpyxl import Workbook

from chibo_analysis import load_dataset, scorecard, validate
from chibo_analysis.checks.validation import validated

REGISTER = DATA / "office" / "register" / "So diem danh 2022.xlsx"


@pytest.fixture
def register_dir(tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    for name in ("organisations", "members", "meetings"):
        shutil.copy(CLEAN / f"{name}.csv", target / f"{name}.csv")
    return target


def _sheet(path, rows, title="CB1") -> None:
    wb = Workbook()
    wb.active.title = title
    for row in rows:
        wb.active.append(row)
    wb.save(path)


def test_the_register_gives_the_clean_attendance_and_scorecard(register_dir):
    for path in CLEAN.glob("*.csv"):  # every table of the clean data but its register
        if path.name != "attendance.csv":
            shutil.copy(path, register_dir / path.name)
    shutil.copy(REGISTER, register_dir / REGISTER.name)
    ds = load_dataset(register_dir)
    cols = ["meeting_id", "member_id", "status"]
    got = ds.attendance[cols].sort_values(cols).reset_index(drop=True)
    want = load_dataset(CLEAN).attendance[cols].sort_values(cols).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_categorical=False)
    # M2's row is row 8 of the first sheet: title (4 lines), a blank row, the header on row 6
    m2 = ds.attendance[ds.attendance["member_id"] == "M2"]
    assert m2[["_sheet", "_row"]].drop_duplicates().values.tolist() == [["Sổ điểm danh", 8]]
    report = validate(ds)
    assert report.n_errors == 0 and report.n_warnings == 0
    clean = validated(load_dataset(CLEAN))
    pd.testing.assert_frame_equal(scorecard(ds, "2022"), scorecard(clean, "2022"))


def test_a_column_with_no_meeting_that_day_is_named_and_not_read(register_dir):
    # CB1 met on 05/01 and 05/02/2022; nothing on 06/03/2022
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "05/01/2022", "06/03/2022"],
                                      ["M2", "x", "x"]])  # fmt: skip
    ds = load_dataset(register_dir)
    assert ds.attendance[["meeting_id", "member_id", "status"]].values.tolist() == [
        ["S1", "M2", "present"]
    ]
    issues = validate(ds).to_frame("en")
    bad = issues[issues["code"] == "register_column"]
    assert bad[["sheet", "row", "column"]].values.tolist() == [["CB1", 1, "06/03/2022"]]
    assert "no meeting of cell CB1 on 06/03/2022" in bad["message"].iloc[0]


def test_two_meetings_on_one_day_need_the_meeting_code(register_dir):
    text = (register_dir / "meetings.csv").read_text(encoding="utf-8")
    text += "S5,CB1,05/01/2022,thematic,90,good,no,,,,,,\n"
    (register_dir / "meetings.csv").write_text(text, encoding="utf-8")
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "05/01/2022", "S5"], ["M2", "x", "x"]])
    ds = load_dataset(register_dir)
    assert ds.attendance[["meeting_id", "member_id"]].values.tolist() == [["S5", "M2"]]
    bad = validate(ds).to_frame("en").query("code == 'register_column'")
    assert "more than one meeting" in bad["message"].iloc[0]


def test_a_register_of_no_known_cell_is_refused_with_the_fix(register_dir):
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "05/01/2022"], ["M2", "x"]], title="Tháng 1")
    issues = validate(load_dataset(register_dir)).to_frame("vi")
    bad = issues[issues["code"] == "register_cell"]
    assert bad[["file", "sheet"]].values.tolist() == [["so.xlsx", "Tháng 1"]]
    assert "Mã chi bộ: C01" in bad["message"].iloc[0]


def test_a_cell_column_and_a_title_line_name_the_cell(register_dir):
    _sheet(register_dir / "a.xlsx", [["Mã chi bộ", "Mã đảng viên", "10/02/2022"],
                                     ["CB2", "M5", "có mặt"]], title="Tháng 2")  # fmt: skip
    _sheet(register_dir / "b.xlsx", [["ĐẢNG BỘ PHƯỜNG"], ["Mã chi bộ: CB1"], [],
                                     ["STT", "Mã đảng viên", "05/02/2022"], [1, "M3", "VCLD"]],
           title="Sổ")  # fmt: skip
    ds = load_dataset(register_dir)
    rows = ds.attendance[["meeting_id", "member_id", "status", "_row"]].values.tolist()
    assert sorted(rows) == [["S2", "M3", "excused", 5], ["S3", "M5", "present", 2]]


def test_a_blank_mark_is_no_row_and_an_ambiguous_mark_is_refused(register_dir):
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "05/01/2022", "05/02/2022"],
                                      ["M2", "V", None]])  # fmt: skip
    ds = load_dataset(register_dir)
    issues = validate(ds).to_frame("en")
    assert issues.query("severity == 'error'")[["row", "value", "code"]].values.tolist() == [
        [2, "V", "ambiguous_value"]
    ]
    assert len(ds.attendance) == 1  # the V, set aside by validation; nothing for 05/02


def test_a_register_headed_by_meeting_codes_and_a_notes_column(register_dir):
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "S1", "S2", "Ghi chú"],
                                      ["M2", "x", "P", "chuyển công tác"]])  # fmt: skip
    ds = load_dataset(register_dir)
    rows = ds.attendance[["meeting_id", "member_id", "status"]].values.tolist()
    assert rows == [["S1", "M2", "present"], ["S2", "M2", "excused"]]
    issues = validate(ds).to_frame("en")
    notes = issues[issues["code"] == "unread_column"]
    assert notes[["column", "severity"]].values.tolist() == [["Ghi chú", "warning"]]
    assert (issues["severity"] == "error").sum() == 0


def test_marks_under_no_header_are_said_not_dropped(register_dir):
    _sheet(register_dir / "so.xlsx", [["Mã đảng viên", "05/01/2022", None], ["M2", "x", "P"]])
    issues = validate(load_dataset(register_dir)).to_frame("en")
    found = issues[issues["code"] == "unread_column"]
    assert found[["column", "severity"]].values.tolist() == [["(3)", "warning"]]
