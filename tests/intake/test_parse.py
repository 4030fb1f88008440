"""Value parsing: the vectorised date pass agrees with the value-by-value parser."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.intake import parse
from chibo_analysis.schema import MEETINGS

SPELLINGS = [
    "03/01/2022", "31/12/2021", "29/02/2024", "29/02/2023", "31/02/2022", "00/01/2022",
    "2022-01-31", "2022-02-30", "2022-1-5", "3/1/2022", "03.01.2022", "03-01-2022",
    " 03/01/2022 ", "03/01/2022 08:30", "2022-01-03T08:30", "44927", "hôm qua", "13/13/2022",
]  # fmt: skip


def test_quick_dates_agree_with_the_value_by_value_parser():
    # (a date cell among day-first text with a day over 12 is a swapped_date: test_dates.py)
    raw = pd.Series(SPELLINGS + [44927], dtype=object)
    parsed = parse.parse_column(raw, MEETINGS.column("held_on"))
    for value, got, error in zip(raw, parsed.values, parsed.errors, strict=True):
        want, want_error = parse._date_one(value)
        assert error == want_error, value
        assert (pd.isna(got) and want is None) or got == want, value


def test_quick_dates_take_only_the_two_strict_spellings():
    uniques = np.array(["03/01/2022", "2022-01-31", "31/02/2022", "3/1/2022", 44927], dtype=object)
    dates, done = parse._quick_dates(uniques)
    assert done.tolist() == [True, True, False, False, False]
    assert [str(d)[:10] for d in dates[:2]] == ["2022-01-03", "2022-01-31"]


def test_a_yes_no_column_with_blanks_and_unreadable_values_is_a_nullable_boolean():
    # "Có" / "Không" (yes / no), a blank cell, and "hình như" (unreadable: blanked, reported)
    column = MEETINGS.column("superior_attended")
    raw = pd.Series(["Có", None, "Không", "yes", "hình như"], dtype=object)
    parsed = parse.parse_column(raw, column)
    assert str(parsed.values.dtype) == "boolean"
    assert parsed.values.tolist() == [True, pd.NA, False, True, pd.NA]
    assert parsed.errors.tolist()[:4] == [None] * 4 and parsed.errors.iloc[4] is not None


def test_control_characters_are_removed_and_their_rows_marked():
    from chibo_analysis.schema import ATTENDANCE, MEMBERS

    # a name with NUL and BEL inside; a name that is only a NUL (blank once cleaned);
    # a right-to-left override; a name with a tab and a line break (kept: text may hold them)
    raw = pd.Series(["Tr\x00ần\x07 Thị Bình", "\x00", "An\u202e", "Lê\tVăn\nBa", None])
    parsed = parse.parse_column(raw, MEMBERS.column("full_name"))
    assert parsed.values.tolist()[:4] == ["Trần Thị Bình", None, "An", "Lê\tVăn\nBa"]
    assert parsed.controls.tolist() == [True, True, True, False, False]
    assert parsed.blank.tolist() == [False, True, False, False, True]
    # an id and a category: the same removal, before reading ("M\x001" is M1)
    ids = parse.parse_column(pd.Series(["M\x001", "M2"], dtype="str"), MEMBERS.column("member_id"))
    assert ids.values.tolist() == ["M1", "M2"] and ids.controls.tolist() == [True, False]
    status = parse.parse_column(pd.Series(["Có mặt\x00", "x"]), ATTENDANCE.column("status"))
    assert status.values.astype(str).tolist() == ["present", "present"]
    assert status.controls.tolist() == [True, False] and status.errors.isna().all()


def test_no_control_character_no_mask():
    from chibo_analysis.schema import MEMBERS

    parsed = parse.parse_column(pd.Series(["Nguyễn Văn An", "Lê\tBa"]), MEMBERS.column("full_name"))
    assert parsed.controls is None


def test_a_number_too_large_for_a_whole_number_column_is_out_of_range():
    # found by the property test: 99999999999999999999 overflowed the Int64 column
    from chibo_analysis.schema import DUES

    raw = pd.Series(["99999999999999999999", "50.000", 1e20, "-9223372036854775807"], dtype=object)
    parsed = parse.parse_column(raw, DUES.column("amount"))
    assert parsed.errors.tolist() == ["out_of_range", None, "out_of_range", None]
    assert parsed.values.tolist() == [pd.NA, 50000, pd.NA, -9223372036854775807]


def test_blank_is_empty_or_only_spaces():
    # text: "", spaces and a tab are blank, text with spaces around it is not; numbers: NaN only
    text = pd.Series(["", "  ", "x", None, " y ", "\t"], dtype=object, index=[3, 4, 5, 6, 7, 8])
    blank = parse.is_blank(text)
    assert blank.tolist() == [True, True, False, True, False, True]
    assert blank.index.tolist() == [3, 4, 5, 6, 7, 8]
    assert parse.is_blank(pd.Series([1.0, np.nan])).tolist() == [False, True]


def test_a_month_read_as_a_date_and_time_is_its_first_day():
    # a spreadsheet's date cell (15/03/2022 10:30) in the dues month column: March 2022
    from chibo_analysis.schema import DUES

    parsed = parse.parse_column(
        pd.Series(pd.to_datetime(["2022-03-15 10:30", None])), DUES.column("month")
    )
    assert parsed.values.tolist()[0] == pd.Timestamp("2022-03-01") and pd.isna(parsed.values[1])
    assert parsed.errors.tolist() == [None, None]


@pytest.mark.parametrize("dtype", ["str", object])  # text, and text mixed with numbers
def test_an_invisible_character_in_a_code_is_dropped_with_a_warning(dtype):
    # a zero-width space after M1 (copied from a web page): read as M1, saying so; spaces
    # around a code are not worth a warning
    from chibo_analysis.schema import MEMBERS

    raw = pd.Series(["M1\u200b", " M2 ", "M3"], dtype=dtype)
    parsed = parse.parse_column(raw, MEMBERS.column("member_id"))
    assert parsed.values.tolist() == ["M1", "M2", "M3"]
    assert parsed.errors.tolist() == ["lenient_value", None, None]


@pytest.mark.parametrize("dtype", ["Float64", "Int64", "float64"])
def test_counts_typed_as_numbers_in_parquet_are_read_as_numbers(dtype):
    """A province's export may type the counts as nullable floats (Float64 with gaps): read,
    not refused with a library error (it crashed looking for control characters)."""
    raw = pd.Series([12, None, 7], dtype=dtype)
    parsed = parse.parse_column(raw, MEETINGS.column("n_summoned"))
    assert parsed.values.tolist()[0] == 12 and parsed.values.tolist()[2] == 7
    assert pd.isna(parsed.values.iloc[1]) and parsed.errors.isna().all()
