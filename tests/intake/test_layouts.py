"""Sheets as offices keep them: title blocks, two-row headers, STT, footers, any file name.

The fixtures in tests/data/office (see its README) hold the records of tests/data/clean;
read with the clean organisations, they must give the same tables, with each record's row
number as seen in its file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import CLEAN, DATA

from chibo_analysis import load_dataset, validate
from chibo_analysis.intake.headers import HeaderMatcher
from chibo_analysis.intake.layout import locate
from chibo_analysis.schema import TABLES

OFFICE = DATA / "office"
MATCHERS = {name: HeaderMatcher.of(table) for name, table in TABLES.items()}
VALUES = {  # columns the office files hold, compared with the clean tables
    "members": ["member_id", "cell_id", "full_name", "gender", "birth_date", "admitted_on",
                "confirmed_on", "joined_on", "left_on", "left_reason", "exempt_from"],
    "meetings": ["meeting_id", "cell_id", "held_on", "kind", "duration_min", "self_rating",
                 "superior_attended", "n_summoned", "n_present", "n_excused", "n_absent"],
    "attendance": ["meeting_id", "member_id", "status"],
}  # fmt: skip


@pytest.fixture
def office_dir(tmp_path: Path) -> Path:
    target = tmp_path / "office"
    target.mkdir()
    for path in OFFICE.iterdir():
        if path.suffix in (".xlsx", ".csv"):
            shutil.copy(path, target / path.name)
    shutil.copy(CLEAN / "organisations.csv", target / "organisations.csv")
    return target


def test_office_files_give_the_clean_tables(office_dir):
    ds = load_dataset(office_dir)
    clean = load_dataset(CLEAN)
    for table, columns in VALUES.items():
        got = ds.tables[table][columns].reset_index(drop=True)
        want = clean.tables[table][columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, check_categorical=False)
    # rows as seen in each file: three title lines and a blank row above the header
    assert ds.members["_row"].tolist() == [6, 7, 8, 9, 10, 11, 12]
    assert set(ds.members["_sheet"]) == {"DS đảng viên"}
    # the meetings' header spans rows 5 and 6 (Số đảng viên above the four counts)
    assert ds.meetings["_row"].tolist() == [7, 8, 9, 10]
    assert ds.attendance["_row"].tolist() == list(range(6, 16))
    assert set(ds.attendance["_file"]) == {"so diem danh.csv"}


def test_office_files_validate_with_footers_and_the_notes_sheet_listed(office_dir):
    issues = validate(load_dataset(office_dir)).to_frame("vi")
    assert (issues["severity"] == "error").sum() == 0
    footers = issues[issues["code"] == "footer_skipped"]
    assert footers[["file", "row"]].values.tolist() == [
        ["Danh sách 2022.xlsx", 14], ["Danh sách 2022.xlsx", 15], ["Danh sách 2022.xlsx", 16],
        ["Sinh hoạt chi bộ - CB1.xlsx", 12], ["Sinh hoạt chi bộ - CB1.xlsx", 13],
        ["Sinh hoạt chi bộ - CB1.xlsx", 14], ["so diem danh.csv", 17], ["so diem danh.csv", 18],
    ]  # fmt: skip
    assert footers["value"].iloc[0] == "Người lập biểu T/M CHI ỦY"
    unread = issues[issues["severity"] == "warning"]
    assert unread[["file", "sheet", "code"]].values.tolist() == [
        ["Danh sách 2022.xlsx", "Ghi chép", "unread_sheet"]
    ]


def test_a_blank_row_inside_the_data_is_not_its_end():
    grid = [
        ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"],
        ["S1", "M1", "x"],
        [None, None, None],
        ["S1", "M2", "P"],  # a record after the blank row: the data goes on
        [None, None, None],
        ["Người lập biểu", None, None],
    ]
    loc = locate(grid, MATCHERS)
    assert (loc.table, loc.first, loc.end, loc.footer) == ("attendance", 0, 4, (5,))


def test_a_signature_straight_under_the_data_is_a_footer():
    grid = [
        ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"],
        ["S1", "M1", "x"],
        ["T/M CHI ỦY", None, "BÍ THƯ"],
        [None, "Nguyễn Văn An", None],
    ]
    loc = locate(grid, MATCHERS)
    assert (loc.end, loc.footer) == (2, (2, 3))


def test_a_row_missing_a_required_value_inside_the_data_stays_a_record():
    grid = [
        ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"],
        ["S1", "M1", None],  # no status: a record the validator reports, not a footer
        ["S1", "M2", "x"],
    ]
    assert locate(grid, MATCHERS).end == 3


def test_the_table_is_found_by_its_header_and_the_name_breaks_ties():
    header = [["Mã đảng viên", "Mã chi bộ", "Tháng", "Số tiền"]]
    assert locate(header, MATCHERS).table == "dues"  # whatever the file is called
    assert locate([["Ghi chú", "Nội dung"]], MATCHERS) is None


def test_title_lines_are_kept_for_the_reader():
    grid = [["ĐẢNG BỘ PHƯỜNG TÂN QUANG"], ["Mã chi bộ: CB1"], [],
            ["Mã buổi sinh hoạt", "Mã đảng viên", "Tình trạng"], ["S1", "M1", "x"]]  # fmt: skip
    loc = locate(grid, MATCHERS)
    assert loc.title == ("ĐẢNG BỘ PHƯỜNG TÂN QUANG", "Mã chi bộ: CB1")
    assert (loc.first, loc.end) == (3, 5)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is absent")
def test_fixtures_are_made_by_their_script(tmp_path):
    made = tmp_path / "made"
    subprocess.run(
        [sys.executable, str(OFFICE / "make_fixtures.py"), str(made)], check=True, timeout=300
    )
    shutil.copy(CLEAN / "organisations.csv", made / "organisations.csv")
    register = made / "register" / "So diem danh 2022.xlsx"
    assert register.is_file()  # tests/intake/test_register.py reads the committed copy
    shutil.rmtree(made / "register")
    shutil.rmtree(made / "legacy")  # tests/intake/test_legacy_files.py reads the committed copy
    again, clean = load_dataset(made), load_dataset(CLEAN)
    for table, columns in VALUES.items():
        pd.testing.assert_frame_equal(
            again.tables[table][columns + ["_row"]].reset_index(drop=True),
            clean.tables[table][columns]
            .assign(_row=load_dataset_rows(table))
            .reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
        )


def load_dataset_rows(table: str) -> list[int]:
    """Rows of the records in the office files (see test_office_files_give_the_clean_tables)."""
    return {"members": list(range(6, 13)), "meetings": [7, 8, 9, 10],
            "attendance": list(range(6, 16))}[table]  # fmt: skip


def test_a_csv_with_only_a_signature_footer_is_read_without_it(clean_dir):
    # attendance.csv as exported with its signature block under a blank line
    path = clean_dir / "attendance.csv"
    path.write_text(
        path.read_text(encoding="utf-8") + ",,\nNgười lập biểu,,T/M CHI ỦY\n,,BÍ THƯ\n", "utf-8"
    )
    ds = load_dataset(clean_dir)
    assert len(ds.attendance) == 10
    issues = validate(ds).to_frame("en")
    assert issues[["row", "code"]].values.tolist() == [
        [13, "footer_skipped"],
        [14, "footer_skipped"],
    ]
