"""Register marks and category labels: the default vocabulary, refusals, the codebook.

Every mark of DOMAIN.md section 5 is read as the status the table there gives;
a bare "V" or "Vắng" is refused; a value that matches only once its punctuation
is dropped is read with a warning that shows the value as written.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import CLEAN, replace_in

from chibo_analysis import load_dataset, validate
from chibo_analysis.errors import DataReadError
from chibo_analysis.intake.codebook import load_codebook
from chibo_analysis.intake.parse import parse_column
from chibo_analysis.schema import ATTENDANCE, MEETINGS, ORGANISATIONS, STATUSES, fold

STATUS = ATTENDANCE.column("status")

# DOMAIN.md section 5, "Marks and labels", row by row.
MARKS = {
    "present": ["x", "X", "✓", "có", "có mặt", "CM", "đi muộn", "Có mặt", "co mat"],
    "excused": ["P", "CP", "có phép", "vắng có phép", "vắng CLD", "VCLD", "Vắng có lý do"],
    "absent": ["K", "KP", "không phép", "vắng không phép", "vắng KLD", "VKLD", "Vắng không lý do"],
    "exempt": ["miễn", "miễn SH", "MSH", "miễn sinh hoạt", "Miễn sinh hoạt"],
}


@pytest.mark.parametrize(("mark", "status"), [(m, s) for s, marks in MARKS.items() for m in marks])
def test_default_marks_are_read_without_comment(mark, status):
    parsed = parse_column(pd.Series([mark, f"  {mark.upper()} "]), STATUS)
    assert parsed.values.tolist() == [status, status]
    assert parsed.errors.tolist() == [None, None]


# with punctuation ("Vắng.", "(v)") a bare absence is as ambiguous as without
@pytest.mark.parametrize("mark", ["V", "v", "Vắng", "VẮNG", "vang", "Vắng mặt", "Vắng.", "(v)"])
def test_bare_absence_is_refused_not_guessed(mark):
    parsed = parse_column(pd.Series([mark]), STATUS)
    assert parsed.values.isna().all()
    assert parsed.errors.tolist() == ["ambiguous_value"]


@pytest.mark.parametrize(
    ("value", "status"),
    [("Co mat?", "present"), ("Có-mặt.", "present"), ("(P)", "excused"), ("K.", "absent")],
)
def test_value_read_only_without_punctuation_is_a_warning(value, status):
    parsed = parse_column(pd.Series([value]), STATUS)
    assert parsed.values.tolist() == [status]
    assert parsed.errors.tolist() == ["lenient_value"]


def test_no_spelling_stands_for_two_values():
    seen: dict[str, str] = {}
    for choice in STATUSES:
        for spelling in choice.spellings():
            assert seen.setdefault(fold(spelling), choice.code) == choice.code, spelling


def test_other_category_columns_keep_their_labels():
    kinds = parse_column(
        pd.Series(["Thôn, tổ dân phố", "thon to dan pho", "Cơ quan"]), ORGANISATIONS.column("kind")
    )
    assert kinds.values.tolist() == ["residential", "residential", "agency"]
    assert kinds.errors.tolist() == [None, None, None]
    meeting = parse_column(pd.Series(["Thường kỳ", "thuong ky!"]), MEETINGS.column("kind"))
    assert meeting.values.tolist() == ["regular", "regular"]
    assert meeting.errors.tolist() == [None, "lenient_value"]


def test_in_a_dataset_the_warning_shows_the_value_as_written(clean_dir):
    # attendance.csv row 8 is S2,M3,excused: written "Có phép!" it is still excused
    replace_in(clean_dir / "attendance.csv", "S2,M3,excused", "S2,M3,Có phép!")
    ds = load_dataset(clean_dir)
    assert ds.attendance.loc[ds.attendance["_row"] == 8, "status"].tolist() == ["excused"]
    issues = validate(ds).to_frame("vi")
    assert issues[["file", "row", "column", "value", "code", "severity"]].values.tolist() == [
        ["attendance.csv", 8, "status", "Có phép!", "lenient_value", "warning"]
    ]
    assert "đọc là 'Vắng có lý do'" in issues["message"].iloc[0]


def test_in_a_dataset_a_bare_absence_sets_the_row_aside_and_says_how(clean_dir):
    # attendance.csv row 8 is S2,M3,excused; S2's minutes say 1 excused
    replace_in(clean_dir / "attendance.csv", "S2,M3,excused", "S2,M3,Vắng")
    report = validate(load_dataset(clean_dir))
    issues = report.to_frame("en")
    errors = issues[issues["severity"] == "error"]
    assert errors[["row", "column", "value", "code"]].values.tolist() == [
        [8, "status", "Vắng", "ambiguous_value"]
    ]
    assert "codebook" in errors["message"].iloc[0]
    # the register then has no row of M3 for S2: its minutes count one excused, and M3 is
    # on CB1's roll that day; two warnings say so
    assert set(issues["code"]) == {"ambiguous_value", "minutes_mismatch", "missing_register_row"}


def test_codebook_in_the_folder_maps_the_teams_marks(clean_dir):
    replace_in(clean_dir / "attendance.csv", "S2,M3,excused", "S2,M3,V")
    replace_in(clean_dir / "meetings.csv", "duration_min", "Thời gian họp")
    (clean_dir / "codebook.yaml").write_text(
        "values:\n  attendance.status:\n    V: excused\n"
        "headers:\n  meetings:\n    Thời gian họp: duration_min\n",
        encoding="utf-8",
    )
    ds = load_dataset(clean_dir)
    assert ds.attendance.loc[ds.attendance["_row"] == 8, "status"].tolist() == ["excused"]
    assert ds.meetings["duration_min"].tolist() == [95, 125, 90, 60]
    assert validate(ds).ok
    book = [s for s in ds.sources if s.table == "codebook"]
    assert [(s.path, s.rows) for s in book] == [("codebook.yaml", 2)]
    assert len(book[0].sha256) == 64


def test_codebook_given_outside_the_folder(clean_dir, tmp_path):
    replace_in(clean_dir / "attendance.csv", "S2,M3,excused", "S2,M3,nghỉ có báo")
    book = tmp_path / "ma.yaml"
    book.write_text("values:\n  status:\n    nghỉ có báo: excused\n", encoding="utf-8")
    ds = load_dataset(clean_dir, codebook=book)
    assert ds.attendance.loc[ds.attendance["_row"] == 8, "status"].tolist() == ["excused"]
    assert validate(load_dataset(clean_dir)).n_errors == 1  # without it: not allowed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("values:\n  statut:\n    V: excused\n", "did you mean 'status'"),
        ("values:\n  status:\n    V: excusd\n", "did you mean 'excused'"),
        ("values:\n  held_on:\n    V: excused\n", "not a column of categories"),
        ("headers:\n  meeting:\n    X: duration_min\n", "did you mean 'meetings'"),
        ("headers:\n  meetings:\n    X: duration\n", "did you mean 'duration_min'"),
        ("colours: {}\n", "expected the sections"),
        ("values: [\n", "not a readable YAML"),
    ],
)
def test_a_wrong_codebook_is_refused_with_the_fix(tmp_path, text, message):
    book = tmp_path / "codebook.yaml"
    book.write_text(text, encoding="utf-8")
    with pytest.raises(DataReadError, match=message.replace("(", r"\(")):
        load_codebook(book)


def test_clean_data_is_untouched_by_the_vocabulary():
    assert validate(load_dataset(CLEAN)).ok


def test_codes_differing_in_letter_case_are_matched_with_a_warning(clean_dir):
    # attendance.csv row 3 is S1,M2,present: typed "s1,m2" it still refers to S1 and M2
    replace_in(clean_dir / "attendance.csv", "S1,M2,present", "s1,m2,present")
    ds = load_dataset(clean_dir)
    assert ds.attendance.loc[
        ds.attendance["_row"] == 3, ["meeting_id", "member_id"]
    ].values.tolist() == [["S1", "M2"]]
    issues = validate(ds).to_frame("en")
    assert issues[["row", "column", "value", "code", "severity"]].values.tolist() == [
        [3, "meeting_id", "s1", "case_mismatch", "warning"],
        [3, "member_id", "m2", "case_mismatch", "warning"],
    ]
    assert "read as 'S1'" in issues["message"].iloc[0]


def test_a_code_that_lost_its_leading_zeros_gets_the_hint(clean_dir):
    # member M6 is coded 00123 on the roll; the register wrote 123 (Excel made it a number)
    for path in clean_dir.glob("*.csv"):
        path.write_text(path.read_text(encoding="utf-8").replace("M6", "00123"), encoding="utf-8")
    replace_in(clean_dir / "attendance.csv", "S4,00123,absent", "S4,123,absent")
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    unknown = issues[issues["code"] == "unknown_reference"]
    assert unknown[["row", "value"]].values.tolist() == [[11, "123"]]
    assert "did you mean '00123'?" in unknown["message"].iloc[0]


def test_invisible_characters_in_codes_are_removed_with_a_warning(clean_dir):
    replace_in(clean_dir / "attendance.csv", "S1,M2,present", "S1,M\u200b2,present")
    ds = load_dataset(clean_dir)
    assert "M2" in ds.attendance.loc[ds.attendance["_row"] == 3, "member_id"].tolist()
    issues = validate(ds).to_frame("en")
    assert issues[["row", "column", "code"]].values.tolist() == [[3, "member_id", "lenient_value"]]
