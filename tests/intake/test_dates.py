"""Dates that cannot be silently wrong (DOMAIN §5 "Dates"; issue: years, serials, swaps)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from conftest import replace_in

from chibo_analysis import load_dataset, validate
from chibo_analysis.intake.parse import parse_column
from chibo_analysis.schema import MEETINGS, MEMBERS

HELD_ON = MEETINGS.column("held_on")


@pytest.mark.parametrize("year", ["1979", 1979, 1979.0, "2022"])
def test_a_year_alone_is_not_a_date(year):
    parsed = parse_column(pd.Series([year], dtype=object), MEMBERS.column("birth_date"))
    assert parsed.values.isna().all() and parsed.errors.tolist() == ["year_only"]


def test_an_excel_serial_is_read_with_a_warning():
    # 44927 days after 30/12/1899 is 01/01/2023 (Excel's own reading of the serial)
    parsed = parse_column(pd.Series([44927, "44562"], dtype=object), HELD_ON)
    assert parsed.values.tolist() == [pd.Timestamp("2023-01-01"), pd.Timestamp("2022-01-01")]
    assert parsed.errors.tolist() == ["lenient_value", "lenient_value"]


def test_small_numbers_are_not_dates():
    parsed = parse_column(pd.Series([17, "365"], dtype=object), HELD_ON)
    assert parsed.values.isna().all() and parsed.errors.tolist() == ["unparseable"] * 2


def test_an_integer_column_is_not_read_as_dates():
    # Parquet dates stored as day counts since 1970: 19000 days is 08/01/2022, not 1952
    parsed = parse_column(pd.Series([19000, 19001, None], dtype="Int64"), HELD_ON)
    assert parsed.values.isna().all()
    assert parsed.errors.tolist() == ["not_a_date", "not_a_date", None]


def test_native_parquet_dates_are_read(clean_dir):
    meetings = load_dataset(clean_dir).meetings.drop(columns=["_file", "_sheet", "_row"])
    (clean_dir / "meetings.csv").unlink()
    meetings.assign(held_on=meetings["held_on"].dt.date).to_parquet(clean_dir / "meetings.parquet")
    ds = load_dataset(clean_dir)
    assert ds.meetings["held_on"].tolist()[:2] == [
        pd.Timestamp("2022-01-05"),
        pd.Timestamp("2022-02-05"),
    ]
    assert validate(ds).ok


def test_day_counts_in_parquet_are_refused_naming_the_column(clean_dir):
    meetings = load_dataset(clean_dir).meetings.drop(columns=["_file", "_sheet", "_row"])
    (clean_dir / "meetings.csv").unlink()
    days = (meetings["held_on"] - pd.Timestamp("1970-01-01")).dt.days.astype("int32")
    meetings.assign(held_on=days).to_parquet(clean_dir / "meetings.parquet")
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    bad = issues[issues["code"] == "not_a_date"]
    assert len(bad) == 4 and set(bad["column"]) == {"held_on"}
    assert "whole numbers where dates are expected" in bad["message"].iloc[0]


def test_english_locale_excel_swaps_are_refused():
    # typed 03/01/2022 and 05/02/2022 became date cells 1 March and 2 May; 13/01/2022 stayed text
    raw = pd.Series([dt.datetime(2022, 3, 1), dt.datetime(2022, 5, 2), "13/01/2022", None],
                    dtype=object)  # fmt: skip
    parsed = parse_column(raw, HELD_ON)
    assert parsed.errors.tolist() == ["swapped_date", "swapped_date", None, None]
    assert parsed.values.tolist()[2] == pd.Timestamp("2022-01-13")
    assert parsed.values.iloc[:2].isna().all()


def test_date_cells_alone_are_dates():
    raw = pd.Series([dt.datetime(2022, 3, 1), "01/03/2022"], dtype=object)
    parsed = parse_column(raw, HELD_ON)
    assert parsed.errors.tolist() == [None, None]
    assert parsed.values.tolist() == [pd.Timestamp("2022-03-01")] * 2


@pytest.mark.parametrize(
    ("old", "new", "column", "code"),
    [
        # members.csv row 2 is M1, born 01/05/1950, admitted 10/10/1975
        ("01/05/1950,10/10/1975", "01/05/1950,10/10/1960", "admitted_on", "implausible_date"),
        # meetings.csv row 2 is S1, held 05/01/2022: in 2099 it is a typing slip
        ("S1,CB1,05/01/2022", "S1,CB1,05/01/2099", "held_on", "implausible_date"),
    ],
)
def test_implausible_dates_are_warnings(clean_dir, old, new, column, code):
    file = "members.csv" if column == "admitted_on" else "meetings.csv"
    replace_in(clean_dir / file, old, new)
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    found = issues[issues["code"] == code]
    assert found[["file", "row", "column"]].values.tolist() == [[file, 2, column]]
    assert found["severity"].tolist() == ["warning"]


def test_serial_epoch_is_excels():
    # Excel: 1 = 01/01/1900 with its 1900 leap-day bug, so 60 is the phantom 29/02/1900 and
    # serials from 61 on are days since 30/12/1899; 43831 is 01/01/2020
    from chibo_analysis.intake.parse import EXCEL_EPOCH

    assert EXCEL_EPOCH + pd.Timedelta(days=43831) == pd.Timestamp("2020-01-01")
    assert np.datetime64("2020-01-01") == (EXCEL_EPOCH + pd.Timedelta(days=43831)).to_datetime64()


def test_a_month_first_text_column_is_refused():
    # 02/13/2022 only reads month first; so 01/05/2022 beside it cannot be read day first
    raw = pd.Series(["01/05/2022", "02/13/2022", "13/01/2022", "05/05/2022"], dtype=object)
    parsed = parse_column(raw, HELD_ON)
    assert parsed.errors.tolist() == ["month_first", "month_first", None, None]
    assert parsed.values.tolist()[2:] == [pd.Timestamp("2022-01-13"), pd.Timestamp("2022-05-05")]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (999, "unparseable"),  # neither a year nor a serial
        (1000, "year_only"),
        (2200, "year_only"),
        (2201, "unparseable"),
        # serials are days since 30/12/1899: 10958 is 31/12/1929, before the serials read
        (10958, "unparseable"),
        (10959, "lenient_value"),  # 01/01/1930
        (73050, "lenient_value"),  # 31/12/2099
        (73051, "unparseable"),
    ],
)
def test_numbers_in_a_date_column_at_their_edges(number, code):
    parsed = parse_column(pd.Series([number], dtype=object), HELD_ON)
    assert parsed.errors.tolist() == [code]
    if code == "lenient_value":
        assert parsed.values.iloc[0] in (pd.Timestamp("1930-01-01"), pd.Timestamp("2099-12-31"))


def test_a_dues_month_written_as_a_date_is_its_month():
    # "15/03/2022" in the month column is March 2022; "03/2022" and "2022-03" too
    from chibo_analysis.schema import DUES

    raw = pd.Series(["15/03/2022", "03/2022", "2022-03", "13/2022"], dtype=object)
    parsed = parse_column(raw, DUES.column("month"))
    assert parsed.values.tolist()[:3] == [pd.Timestamp("2022-03-01")] * 3
    assert parsed.errors.tolist() == [None, None, None, "impossible_date"]
