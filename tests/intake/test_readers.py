"""Reading CSV files: line breaks as offices' programs write them."""

from __future__ import annotations

from chibo_analysis import load_dataset


def test_lines_ended_by_a_carriage_return_alone(clean_dir):
    # a Mac "CSV" ends lines with CR alone; the property test found a CR before the header
    # crashing the reader (csv.Error: new-line character seen in unquoted field)
    path = clean_dir / "attendance.csv"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"\n", b"\r"))
    assert load_dataset(clean_dir).attendance["_row"].tolist() == list(range(2, 12))
    path.write_bytes(b"\r" + data)  # a blank line 1: the header is line 2, records 3-12
    ds = load_dataset(clean_dir)
    assert ds.attendance["_row"].tolist() == list(range(3, 13))
    assert ds.attendance["member_id"].iloc[0] == "M1"


def test_blank_lines_above_the_header(clean_dir):
    # found by the property test: pandas raised EmptyDataError out of chibo validate
    path = clean_dir / "attendance.csv"
    path.write_bytes(b"\n\n" + path.read_bytes())  # the header is line 3, records 4-13
    ds = load_dataset(clean_dir)
    assert ds.attendance["_row"].tolist() == list(range(4, 14))
    assert ds.attendance[["meeting_id", "member_id"]].iloc[0].tolist() == ["S1", "M1"]
