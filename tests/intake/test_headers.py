"""Headers: synonyms read, typos and extra columns listed, repeated headers refused.

tests/data/clean/meetings.csv starts with the header
meeting_id,cell_id,held_on,kind,duration_min,self_rating,superior_attended,...
and its rows hold durations 95, 125, 90, 60 and self-ratings good, fair, good, good.
"""

from __future__ import annotations

import pytest
from conftest import replace_in

from chibo_analysis import load_dataset, validate
from chibo_analysis.errors import DataReadError
from chibo_analysis.intake.headers import HeaderMatcher, exact_key, is_row_number
from chibo_analysis.schema import MEETINGS, MEMBERS


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Thời lượng (phút)", "duration_min"),
        ("THỜI LƯỢNG\n(PHÚT)", "duration_min"),  # a line break inside a cell
        ("thoi luong (phut)", "duration_min"),  # without diacritics
        ("Thời gian (phút)", "duration_min"),  # a synonym
        ("Tự xếp loại", "self_rating"),
        ("Ngày họp", "held_on"),
        ("duration_min", "duration_min"),
    ],
)
def test_header_spellings_and_synonyms(header, column):
    assert HeaderMatcher.of(MEETINGS).column(header) == column


def test_members_synonyms():
    matcher = HeaderMatcher.of(MEMBERS)
    assert matcher.column("Ngày kết nạp Đảng") == "admitted_on"
    assert matcher.column("Ngày kết nạp") == "admitted_on"
    assert matcher.column("Họ tên") == "full_name"


def test_wrong_diacritics_are_not_read_but_suggested():
    matcher = HeaderMatcher.of(MEETINGS)
    assert matcher.column("Thòi lượng (phút)") is None
    assert matcher.suggest("Thòi lượng (phút)") == "Thời lượng (phút)"
    assert matcher.suggest("Ghi chú") is None


def test_row_number_column():
    assert is_row_number("STT") and is_row_number("Số TT") and not is_row_number("Số tiền")
    assert exact_key("Số  TT.") == "số tt"


def test_typo_and_extra_column_are_listed_and_the_rest_read(clean_dir):
    path = clean_dir / "meetings.csv"
    replace_in(path, "duration_min,", "Thòi lượng (phút),")
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(
            ["STT," + text[0] + ",Ghi chú"] + [f"{i},{r}," for i, r in enumerate(text[1:], 1)]
        )
        + "\n",
        encoding="utf-8",
    )
    ds = load_dataset(clean_dir)
    assert ds.meetings["duration_min"].isna().all()  # not read: not guessed
    assert ds.meetings["self_rating"].tolist() == ["good", "fair", "good", "good"]
    issues = validate(ds).to_frame("vi")
    assert issues[["file", "row", "column", "code", "severity"]].values.tolist() == [
        ["meetings.csv", 1, "Ghi chú", "unread_column", "warning"],
        ["meetings.csv", 1, "Thòi lượng (phút)", "unread_column", "warning"],
    ]
    assert "có phải là 'Thời lượng (phút)'?" in issues["message"].iloc[1]


def test_synonym_headers_are_read(clean_dir):
    replace_in(
        clean_dir / "meetings.csv", "duration_min,self_rating", "Thời gian (phút),Tự xếp loại"
    )
    ds = load_dataset(clean_dir)
    assert ds.meetings["duration_min"].tolist() == [95, 125, 90, 60]
    assert validate(ds).ok


def test_a_repeated_header_is_refused_naming_both(clean_dir):
    path = clean_dir / "attendance.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0] + ",Mã đảng viên"] + [r + ",M9" for r in lines[1:]]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataReadError) as err:
        load_dataset(clean_dir)
    message = str(err.value)
    assert "'member_id' (column 2) and 'Mã đảng viên' (column 4)" in message
    assert "guess" in message


def test_a_required_column_with_a_typo_names_the_suggestion(clean_dir):
    replace_in(clean_dir / "meetings.csv", "held_on", "Ngày sinh hoat")
    with pytest.raises(DataReadError, match="'Ngày sinh hoat': did you mean 'Ngày sinh hoạt'"):
        load_dataset(clean_dir)


def test_values_in_a_column_without_a_header_are_listed(clean_dir):
    path = clean_dir / "meetings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join([lines[0] + ","] + [r + ",ghi chú" for r in lines[1:]]) + "\n", "utf-8"
    )
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    found = issues[issues["code"] == "unread_column"]
    assert len(found) == 1 and "column 14, no header" in found["column"].iloc[0]


def test_an_empty_column_without_a_header_is_nothing_to_say(clean_dir):
    path = clean_dir / "meetings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0] + ","] + [r + "," for r in lines[1:]]) + "\n", "utf-8")
    assert validate(load_dataset(clean_dir)).ok
