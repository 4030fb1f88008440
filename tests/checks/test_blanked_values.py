"""A bad value is not a lost record (DOMAIN §5, "What a row cannot live without").

tests/data/clean by hand: CB1 holds S1 (05/01/2022, regular, 95 min) and S2
(05/02/2022, combined, 125 min); M2 (Trần Thị Bình) is on CB1's roll and
present at both; M3 is present at S1 and excused at S2; M1 is exempt.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import replace_in

from chibo_analysis import load_dataset, scorecard, validate
from chibo_analysis.checks.validation import validated
from chibo_analysis.schema import TABLES


def _card(ds) -> pd.Series:
    card = scorecard(validated(ds), "2022")
    return card.set_index("org_id").loc["CB1"]


def test_an_impossible_birth_date_blanks_the_date_and_keeps_the_member(clean_dir):
    # members.csv row 3 is M2; 31/02 does not exist
    replace_in(clean_dir / "members.csv", "02/03/1980", "31/02/1980")
    ds = load_dataset(clean_dir)
    report = validate(ds)
    issues = report.to_frame("en")
    assert issues[["row", "column", "value", "code", "severity", "action"]].values.tolist() == [
        [3, "birth_date", "31/02/1980", "impossible_date", "error", "blanked"]
    ]
    assert report.rejected().empty
    clean = ds.clean(report)
    m2 = clean.members[clean.members["member_id"] == "M2"]
    assert len(m2) == 1 and m2["birth_date"].isna().all()
    # M2's two register rows and the cell's figures are those of the clean data
    assert (clean.attendance["member_id"] == "M2").sum() == 2
    before = _card(load_dataset(clean_dir.parent / "clean"))
    pd.testing.assert_series_equal(_card(ds), before)


@pytest.mark.parametrize("written", ["0", "-90", "chín mươi"])
def test_a_bad_duration_is_unknown_for_r3_only(clean_dir, written):
    # meetings.csv row 2 is S1 (95 minutes, regular, January)
    replace_in(clean_dir / "meetings.csv", "regular,95,", f"regular,{written},")
    ds = load_dataset(clean_dir)
    report = validate(ds)
    issues = report.to_frame("en")
    code = "unparseable" if written == "chín mươi" else "out_of_range"
    assert issues[["row", "column", "value", "code", "action"]].values.tolist() == [
        [2, "duration_min", written, code, "blanked"]
    ]
    clean = ds.clean(report)
    s1 = clean.meetings[clean.meetings["meeting_id"] == "S1"]
    assert len(s1) == 1 and s1["duration_min"].isna().all()
    assert (clean.attendance["meeting_id"] == "S1").sum() == 4  # its register rows stay
    card = _card(ds)
    # January still has its regular meeting (R1); S2 (125 min, combined) is not short
    assert card["regular_months"] == 2  # January (S1) and February (S2)
    assert card["short_meetings"] == 0  # S1's duration is unknown, S2 lasts 125 >= 120


def test_an_unreadable_meeting_kind_sets_the_meeting_aside(clean_dir):
    # the kind is one of the values a meeting cannot live without
    replace_in(clean_dir / "meetings.csv", "S1,CB1,05/01/2022,regular", "S1,CB1,05/01/2022,họp")
    report = validate(load_dataset(clean_dir))
    errors = report.to_frame("en").query("severity == 'error'")
    assert errors.iloc[0][["row", "column", "value", "code", "action"]].tolist() == [
        2, "kind", "họp", "not_allowed", "set_aside",
    ]  # fmt: skip
    # S1's four register rows and its inspection K1 refer to a meeting set aside
    assert (errors["code"] == "rejected_reference").sum() == 5
    assert sorted(report.rejected()["table"]) == ["attendance"] * 4 + ["inspections", "meetings"]


def test_every_table_declares_what_a_row_cannot_live_without():
    for table in TABLES.values():
        assert set(table.key) <= set(table.essential), table.name
        refs = {c.name for c in table.columns if c.kind == "id"}
        assert refs <= set(table.essential), table.name
    assert TABLES["meetings"].essential == ("meeting_id", "cell_id", "held_on", "kind")
    assert TABLES["attendance"].essential == ("meeting_id", "member_id", "status")
    assert "joined_on" in TABLES["members"].essential
    assert "birth_date" not in TABLES["members"].essential


def test_a_member_on_the_roll_without_a_register_row_is_a_warning(clean_dir):
    # attendance.csv row 8 is S2,M3,excused; without it, M3 (on CB1's roll since 2021) is
    # missing from S2's register: he would silently leave S2's attendance count
    text = (clean_dir / "attendance.csv").read_text(encoding="utf-8")
    (clean_dir / "attendance.csv").write_text(text.replace("S2,M3,excused\n", ""), "utf-8")
    (clean_dir / "meetings.csv").write_text(
        (clean_dir / "meetings.csv").read_text(encoding="utf-8").replace(",2,1,1,0", ",,,,"),
        "utf-8",
    )  # no counts in S2's minutes: nothing else would tell
    issues = validate(load_dataset(clean_dir)).to_frame("en")
    assert issues[["table", "row", "column", "value", "code", "severity"]].values.tolist() == [
        ["meetings", 3, "member_id", "M3", "missing_register_row", "warning"]
    ]
