"""One planted fault per reason code, each found at the file, row and value we planted.

Every case starts from tests/data/clean (which validates clean), changes one
thing in a copy and states the single issue expected, worked out by hand.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
from conftest import CLEAN, append_line, replace_in

from chibo_analysis import load_dataset, validate
from chibo_analysis.checks.validation import ensure_usable, validated
from chibo_analysis.errors import DataReadError, ParameterError
from chibo_analysis.problems import REASONS


def test_clean_dataset_has_no_issue():
    report = validate(load_dataset(CLEAN))
    assert report.ok, report.to_frame("en").to_string()


# (file, line appended, expected (table, column, value, code)); the row is the appended line's.
APPENDED = [
    # meeting with no date: held_on is required
    ("meetings.csv", "S9,CB1,,regular,,,,,,,,,", ("meetings", "held_on", "", "missing_value")),
    (
        "meetings.csv",
        "S9,CB1,hôm qua,regular,,,,,,,,,",
        ("meetings", "held_on", "hôm qua", "unparseable"),
    ),
    # 31 February does not exist
    (
        "meetings.csv",
        "S9,CB1,31/02/2022,regular,,,,,,,,,",
        ("meetings", "held_on", "31/02/2022", "impossible_date"),
    ),
    (
        "organisations.csv",
        "CB3,Chi bộ 3,PT,cell,farm,,",
        ("organisations", "kind", "farm", "not_allowed"),
    ),
    # a meeting of 0 minutes: duration_min must be 1..1440
    (
        "meetings.csv",
        "S9,CB1,06/03/2022,regular,0,,,,,,,,",
        ("meetings", "duration_min", "0", "out_of_range"),
    ),
    # and of 1,441 minutes: one more than a day
    (
        "meetings.csv",
        "S9,CB1,06/03/2022,regular,1441,,,,,,,,",
        ("meetings", "duration_min", "1441", "out_of_range"),
    ),
    # S1/M2 is already row 3 of attendance.csv
    (
        "attendance.csv",
        "S1,M2,present",
        ("attendance", "meeting_id, member_id", "S1 / M2", "duplicate_key"),
    ),
    ("attendance.csv", "S1,M99,present", ("attendance", "member_id", "M99", "unknown_reference")),
    # a cell under a parent that no record of organisations.csv names
    (
        "organisations.csv",
        "CB3,Chi bộ 3,PX,cell,residential,,",
        ("organisations", "parent_id", "PX", "unknown_reference"),
    ),
    # a member of a cell that no record of organisations.csv names
    (
        "members.csv",
        "M7,CB9,Ngô Văn Hải,Nam,,,,01/03/2022,,,,",
        ("members", "cell_id", "CB9", "unknown_reference"),
    ),
    # a residential cell directly under the committee (cells sit under a base)
    (
        "organisations.csv",
        "CB3,Chi bộ 3,TP,cell,residential,,",
        ("organisations", "parent_id", "TP (committee)", "wrong_level"),
    ),
    # left the cell a month before joining it
    (
        "members.csv",
        "M7,CB1,Ngô Văn Hải,Nam,,,,01/03/2022,01/02/2022,transfer,,",
        ("members", "left_on", "01/02/2022", "date_order"),
    ),
    # CB2 was founded on 01/02/2022: a January meeting is outside its lifetime
    (
        "meetings.csv",
        "S9,CB2,15/01/2022,regular,90,good,no,,,,,,",
        ("meetings", "held_on", "15/01/2022", "outside_lifetime"),
    ),
    # M2 is on the roll of CB1; S3 is a meeting of CB2
    (
        "attendance.csv",
        "S3,M2,present",
        ("attendance", "member_id", "M2 @ CB2 10/02/2022", "outside_membership"),
    ),
    # M2 has been on CB1's roll since 2015 with no end: a second roll from 2021 overlaps
    (
        "members.csv",
        "M2,CQ,Trần Thị Bình,Nữ,,,,01/06/2021,01/07/2021,transfer,,",
        ("members", "joined_on", "01/06/2021", "overlapping_membership"),
    ),
]


@pytest.mark.parametrize("file,line,expected", APPENDED, ids=[e[2][3] for e in APPENDED])
def test_appended_fault_is_reported_alone(clean_dir, file, line, expected):
    row = append_line(clean_dir / file, line)
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    table, column, value, code = expected
    assert len(issues) == 1, issues.to_string()
    got = issues.iloc[0]
    assert (got["file"], got["row"], got["table"], got["column"], got["value"], got["code"]) == (
        file,
        row,
        table,
        column,
        value,
        code,
    )
    assert got["severity"] == REASONS[code][0]


def test_duplicate_names_the_first_row(clean_dir):
    append_line(clean_dir / "attendance.csv", "S1,M2,present")
    issue = validate(load_dataset(clean_dir)).issues.iloc[0]
    assert "attendance.csv row 3" in issue["message_en"]
    assert "attendance.csv dòng 3" in issue["message_vi"]


def test_bad_row_keeps_numbering(clean_dir):
    row = append_line(clean_dir / "attendance.csv", "S1,M2,present,extra field")
    append_line(clean_dir / "attendance.csv", "S3,M4,absent")  # a good row after it: duplicate key
    issues = validate(load_dataset(clean_dir)).to_frame()
    assert issues[["row", "code"]].values.tolist() == [[row, "bad_row"], [row + 1, "duplicate_key"]]


def test_parent_cycle_reports_both_organisations(clean_dir):
    r1 = append_line(clean_dir / "organisations.csv", "X1,Vòng 1,X2,base,,,")
    r2 = append_line(clean_dir / "organisations.csv", "X2,Vòng 2,X1,base,,,")
    issues = validate(load_dataset(clean_dir)).to_frame()
    assert issues[["row", "code"]].values.tolist() == [[r1, "parent_cycle"], [r2, "parent_cycle"]]


def test_child_of_rejected_record_is_reported_not_dropped(clean_dir):
    m = append_line(clean_dir / "meetings.csv", "S9,CB1,31/02/2022,regular,,,,,,,,,")
    a = append_line(clean_dir / "attendance.csv", "S9,M2,present")
    issues = validate(load_dataset(clean_dir)).to_frame()
    assert issues[["file", "row", "code"]].values.tolist() == [
        ["meetings.csv", m, "impossible_date"],
        ["attendance.csv", a, "rejected_reference"],
    ]


def test_minutes_mismatch_is_a_warning(clean_dir):
    # S3 (row 4): the register has 2 present; the minutes say 3 summoned
    replace_in(clean_dir / "meetings.csv", "Có,,,2,2,0,0", "Có,,,3,2,0,0")
    report = validate(load_dataset(clean_dir))
    issues = report.to_frame()
    assert issues[["file", "row", "column", "value", "code", "severity"]].values.tolist() == [
        ["meetings.csv", 4, "n_summoned", "n_summoned 3 ≠ 2", "minutes_mismatch", "warning"]
    ]
    assert report.n_errors == 0


def test_missing_dues_month_points_at_the_member(clean_dir):
    replace_in(clean_dir / "dues.csv", 'M3,02/2022,"20.000",05/02/2022\n', "")
    issues = validate(load_dataset(clean_dir)).to_frame()
    # M3 is row 4 of members.csv; the dues table spans 2022-01..2022-02
    assert issues[["file", "row", "value", "code"]].values.tolist() == [
        ["members.csv", 4, "M3: 2022-02", "missing_dues_month"]
    ]


def test_unread_data_files_are_listed_not_dropped_silently(clean_dir):
    # a second register file with no table name is found by its header and read (its one
    # row repeats S1/M2, row 3 of attendance.csv); a file and a workbook sheet whose
    # headers name no table are listed; non-data files (README) are not data
    (clean_dir / "diemdanh_2023.csv").write_text("meeting_id,member_id,status\nS1,M2,present\n")
    (clean_dir / "notes").mkdir()
    (clean_dir / "notes" / "ke hoach.csv").write_text("a,b\n1,2\n")
    (clean_dir / "README.md").write_text("# dữ liệu")
    pd.DataFrame({"ghi chú": ["x"]}).to_excel(clean_dir / "so tay.xlsx", sheet_name="Ghi chú")
    ds = load_dataset(clean_dir)
    issues = validate(ds).to_frame("vi")
    assert issues[["file", "sheet", "row", "code", "severity"]].values.tolist() == [
        ["diemdanh_2023.csv", "", 2, "duplicate_key", "error"],
        ["notes/ke hoach.csv", "", 1, "unread_file", "warning"],
        ["so tay.xlsx", "Ghi chú", 1, "unread_sheet", "warning"],
    ]
    assert "không được đọc" in issues["message"].iloc[1]
    assert (
        len(ds.clean(validate(ds)).attendance) == len(load_dataset(clean_dir).attendance) - 1
    )  # the repeat is set aside
    # asking for some tables only is not a reason to list the others
    assert load_dataset(clean_dir, tables=("organisations",)).load_issues.empty


def test_every_reason_code_has_a_case():
    covered = {e[2][3] for e in APPENDED} | {
        "unread_file",
        "bad_row",
        "rejected_reference",
        "parent_cycle",
        "minutes_mismatch",
        "missing_dues_month",
        "ambiguous_value",  # tests/intake/test_marks.py
        "lenient_value",  # tests/intake/test_marks.py
        "unread_column",  # tests/intake/test_headers.py
        "unread_sheet",  # test_unread_data_files_are_listed_not_dropped_silently
        "footer_skipped",  # tests/intake/test_layouts.py
        "instructions_sheet",  # tests/intake/test_layouts.py
        "encoding_converted",  # tests/intake/test_legacy_files.py
        "year_only",  # tests/intake/test_dates.py
        "no_records",  # tests/commands/test_validate.py
        "register_cell",  # tests/intake/test_register.py
        "register_column",  # tests/intake/test_register.py
        "case_mismatch",  # tests/intake/test_marks.py
        "month_first",  # tests/intake/test_dates.py
        "missing_register_row",  # tests/checks/test_blanked_values.py
        "not_a_date",  # tests/intake/test_dates.py
        "swapped_date",  # tests/intake/test_dates.py
        "implausible_date",  # tests/intake/test_dates.py, tests/checks/test_plausibility.py
        "control_characters",  # tests/intake/test_load.py
        "empty_file",  # tests/intake/test_load.py
    }
    assert covered == set(REASONS)


def test_clean_sets_errors_aside_and_keeps_warnings(clean_dir):
    append_line(clean_dir / "meetings.csv", "S9,CB1,31/02/2022,regular,,,,,,,,,")
    append_line(clean_dir / "attendance.csv", "S9,M2,present")
    replace_in(clean_dir / "meetings.csv", "Có,,,2,2,0,0", "Có,,,3,2,0,0")
    ds = load_dataset(clean_dir)
    cleaned = ds.clean(validate(ds))
    assert len(ds.meetings) == 5 and len(cleaned.meetings) == 4  # input dataset untouched
    assert "S9" not in set(cleaned.meetings["meeting_id"])
    assert "S3" in set(cleaned.meetings["meeting_id"])  # warning only: kept
    assert len(cleaned.attendance) == 10
    rejected = cleaned.report.rejected()
    assert rejected[["table", "row"]].values.tolist() == [["attendance", 12], ["meetings", 6]]
    assert cleaned.clean() is cleaned
    assert validated(ds).meetings["meeting_id"].tolist() == cleaned.meetings["meeting_id"].tolist()
    assert validated(cleaned) is cleaned


def test_clean_without_report_says_how(clean_dir):
    ds = load_dataset(clean_dir)
    with pytest.raises(ParameterError, match=r"ds.clean\(chibo_analysis.validate\(ds\)\)"):
        ds.clean()


def test_a_required_table_whose_every_record_was_set_aside_stops_the_command(clean_dir):
    # the four meetings lose their dates: meetings (required) is left with 0 of 4 rows
    for row in ("S1,CB1,05/01/2022", "S2,CB1,05/02/2022", "S3,CB2,10/02/2022", "S4,CQ,07/01/2022"):
        replace_in(clean_dir / "meetings.csv", row, row.rsplit(",", 1)[0] + ",")
    with pytest.raises(DataReadError, match=r"every record of meetings .* set aside \(4 rows\)"):
        ensure_usable(validated(load_dataset(clean_dir)))


def test_a_dataset_without_any_record_is_one_error_saying_so(clean_dir):
    # every file keeps its header only (a blank template)
    for path in clean_dir.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    issues = validate(load_dataset(clean_dir)).issues
    assert issues[["file", "row", "code", "severity"]].values.tolist() == [
        ["clean", 1, "no_records", "error"]
    ]
    assert issues.loc[0, "message_en"] == (
        "the dataset holds no record (an empty template?): nothing can be audited"
    )


def test_an_empty_table_of_an_unvalidated_dataset_is_not_a_loss():
    # no validation report: nothing was set aside, so nothing to stop for
    ds = load_dataset(CLEAN)
    empty = dataclasses.replace(ds, tables={**ds.tables, "meetings": ds.meetings.iloc[:0]})
    assert ensure_usable(empty) is empty
    assert ensure_usable(validated(load_dataset(CLEAN))).meetings["meeting_id"].tolist() == [
        "S1",
        "S2",
        "S3",
        "S4",
    ]


def test_report_writes_xlsx_and_csv(clean_dir, tmp_path):
    append_line(clean_dir / "attendance.csv", "S1,M99,present")
    report = validate(load_dataset(clean_dir))
    back = pd.read_csv(report.write(tmp_path / "r.csv"))
    assert back["code"].tolist() == ["unknown_reference"]
    sheets = pd.read_excel(report.write(tmp_path / "r.xlsx"), sheet_name=None, engine="calamine")
    assert set(sheets) == {"issues", "counts"}
    assert sheets["counts"]["count"].tolist() == [1]


def test_member_who_left_and_came_back(clean_dir):
    # M2 leaves CB1 on 01/02/2022 and comes back on 01/03/2022: present at S2 (05/02) is outside
    replace_in(
        clean_dir / "members.csv",
        "M2,CB1,Trần Thị Bình,Nữ,02/03/1980,15/06/2010,15/06/2011,01/01/2015,,,,",
        "M2,CB1,Trần Thị Bình,Nữ,02/03/1980,15/06/2010,15/06/2011,01/01/2015,01/02/2022,transfer,,",
    )
    append_line(
        clean_dir / "members.csv",
        "M2,CB1,Trần Thị Bình,Nữ,02/03/1980,15/06/2010,15/06/2011,01/03/2022,,,,",
    )
    issues = validate(load_dataset(clean_dir)).to_frame()
    # with that row set aside, S2's minutes (2 summoned, 1 present) disagree with the register
    assert issues[["file", "row", "value", "code"]].values.tolist() == [
        ["meetings.csv", 3, "n_summoned 2 ≠ 1; n_present 1 ≠ 0", "minutes_mismatch"],
        ["attendance.csv", 7, "M2 @ CB1 05/02/2022", "outside_membership"],
    ]
