"""Files typed with legacy Vietnamese fonts: converted to Unicode, and said so.

tests/intake/test_legacy.py checks the conversion letter by letter; here whole files
go through the loader: a CSV saved from a TCVN3 or VNI-Windows machine (legacy bytes),
and a workbook whose names and headers were typed with the .VnTime font (the cells
hold the Windows-1252 characters of the TCVN3 bytes: "NguyÔn V¨n An").
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CLEAN
from openpyxl import Workbook
from openpyxl.styles import Font

from chibo_analysis import load_dataset, validate
from chibo_analysis.intake.legacy import encode_bytes, from_unicode

MEMBERS_VI = (CLEAN / "members.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_a_legacy_csv_is_converted_and_reported(clean_dir, encoding):
    (clean_dir / "members.csv").write_bytes(encode_bytes(MEMBERS_VI, encoding))
    ds = load_dataset(clean_dir)
    clean = load_dataset(CLEAN)
    pd.testing.assert_frame_equal(ds.members, clean.members)
    assert ds.members["full_name"].iloc[0] == "Nguyễn Văn An"
    issues = validate(ds).to_frame("en")
    assert issues[["file", "code", "severity"]].values.tolist() == [
        ["members.csv", "encoding_converted", "warning"]
    ]
    assert ("TCVN3" if encoding == "tcvn3" else "VNI-Windows") in issues["message"].iloc[0]


def test_a_workbook_typed_with_vntime_is_converted_by_column(clean_dir):
    clean = load_dataset(CLEAN).members
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    ws.append([from_unicode(h, "tcvn3") for h in ("Mã đảng viên", "Mã chi bộ", "Họ và tên",
                                                  "Giới tính", "Ngày vào Đảng")])  # fmt: skip
    for row in clean.itertuples():
        ws.append([row.member_id, row.cell_id, from_unicode(row.full_name, "tcvn3"),
                   from_unicode("Nam" if row.gender == "male" else "Nữ", "tcvn3"),
                   row.admitted_on.to_pydatetime()])  # fmt: skip
    for cells in ws.iter_rows():
        for cell in cells:
            cell.font = Font(name=".VnTime")
    (clean_dir / "members.csv").unlink()
    wb.save(clean_dir / "dang vien.xlsx")
    assert ws["C2"].value == "NguyÔn V¨n An"  # what the workbook holds
    ds = load_dataset(clean_dir)
    assert ds.members["full_name"].tolist() == clean["full_name"].tolist()
    assert ds.members["gender"].tolist() == clean["gender"].tolist()
    issues = validate(ds).to_frame("vi")
    converted = issues[issues["code"] == "encoding_converted"]
    # every header was typed with .VnTime too ("M· chi bé" alone is too short to tell: the
    # sheet's other text decides); the member codes themselves are ASCII and untouched
    assert sorted(converted["column"]) == sorted(
        ["Mã đảng viên", "Mã chi bộ", "Họ và tên", "Giới tính", "Ngày vào Đảng"]
    )
    assert ds.members["member_id"].tolist() == clean["member_id"].tolist()
    assert "Hä vµ tªn" in converted["value"].tolist()  # the header as written
    # every value read (no error); warnings other than the conversions come from the columns
    # this sheet leaves out (no joining dates: rolls overlap, dues months are missing)
    assert (issues["severity"] == "error").sum() == 0
    assert set(issues["code"]) == {
        "encoding_converted", "overlapping_membership", "missing_dues_month",
        "missing_register_row",
    }  # fmt: skip


def test_unicode_workbooks_are_never_converted(clean_dir):
    names = ["Nguyễn Văn An", "Trần Thị Bình", "ĐẢNG BỘ PHƯỜNG PHAN THIẾT", "Ông Ích Khiêm"]
    frame = pd.DataFrame({"Mã tổ chức": ["A", "B", "C", "D"], "Tên tổ chức": names,
                          "Mã tổ chức cấp trên": ["", "A", "A", "A"],
                          "Cấp": ["committee", "base_cell", "base_cell", "base_cell"]})  # fmt: skip
    (clean_dir / "organisations.csv").unlink()
    frame.to_excel(clean_dir / "to chuc.xlsx", index=False)
    ds = load_dataset(clean_dir)
    assert ds.organisations["name"].tolist() == names
    assert "encoding_converted" not in set(ds.load_issues["code"])


def test_a_vntime_roll_saved_by_libreoffice(clean_dir):
    """tests/data/office/legacy: the roll typed with .VnTime, title block and all, as
    LibreOffice Calc saves it (see tests/data/office/make_fixtures.py)."""
    import shutil

    from conftest import DATA

    (clean_dir / "members.csv").unlink()
    shutil.copy(DATA / "office" / "legacy" / "Danh sach VnTime.xlsx", clean_dir / "roll.xlsx")
    ds = load_dataset(clean_dir)
    clean = load_dataset(CLEAN).members
    columns = ["member_id", "cell_id", "full_name", "gender", "birth_date", "admitted_on",
               "joined_on", "left_on", "left_reason"]  # fmt: skip
    pd.testing.assert_frame_equal(
        ds.members[columns].reset_index(drop=True), clean[columns].reset_index(drop=True),
        check_categorical=False,
    )  # fmt: skip
    assert ds.members["_row"].tolist() == list(range(5, 12))  # two title lines, a blank row
    issues = validate(ds).to_frame("en")
    assert (issues["severity"] == "error").sum() == 0
    assert "Họ và tên" in set(issues.loc[issues["code"] == "encoding_converted", "column"])
