"""The §4 scorecard on the small city of fixtures_indicators, every column worked out by hand.

Register per C1 meeting in 2022 (counted = rows not left out; m4 is exempt all
year, m5 from 01/03 to 30/06, so their rows are left out whatever is written):

    meeting  date   kind       min  rating  present/counted  absent  std  notes
    C1-01    01-10  regular    120  good    5/5 (m4 X)       0       yes  superior; inspected fair
    C1-02    02-14  regular     80  good    3/5 (m4 P out)   1 (m3)  no   short; m2 excused #1
    C1-03    03-31  combined   130  fair    2/4 (m5 A out)   1 (m3)  no   last day of Q1; m2 #2;
                                                                          inspected poor then fair
    C1-04    04-20  thematic    60  good    3/4 (m5 E out)   0       no   short; m2 #3
    C1-05    05-16  regular     -   good    3/4 (m4 P out)   0       no   m2 #4 -> streak
    C1-06    07-05  regular     90  good    4/4              0       yes  superior; m5 counted again
    C1-07    09-12  regular    100  -       3/4              1 (m1)  no   inspected (no self-rating)
    C1-08    11-08  regular     95  average 3/4              1 (m1)  no
    C1-09    12-05  extraord.   45  -       3/4              1 (m1)  no   short; not a regular month

C2 (founded 20/05/2022): C2-01 05-25 combined 120 good 2/2 std; C2-02 08-10
regular 90 fair 3/4, m3 absent, inspected fair; C2-03 09-30 thematic 90 4/4
std, superior; C2-04 10-12 regular 100 good, no register rows (not standard).
BC (base cell): BC-01 06-15 regular 90 good 3/3 std.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures_indicators import small_city

from chibo_analysis.errors import ParameterError
from chibo_analysis.indicators.scorecard import (
    COUNT_COLUMNS,
    ID_COLUMNS,
    SCORECARD_COLUMNS,
    scorecard,
    scorecard_counts,
)

NA = pd.NA

# fmt: off
EXPECTED_2022 = {
    # column: {org: value}, each worked out from the table above
    "members": {          # on the roll on 31/12: C1 m1 m2 m4 m5 (m3 moved, m8 left 31/12);
        "C1": 4, "C2": 4, "BC": 4, "B1": 8, "TP": 12},  # C2 m3 m6 m7 m9; BC b1-b4 (b4 joined 31/12)
    "months_expected": {"C1": 12, "C2": 8, "BC": 12, "B1": 20, "TP": 32},  # C2: May-Dec
    "regular_months": {   # C1 Jan Feb Mar May Jul Sep Nov; C2 May Aug Oct; BC Jun
        "C1": 7, "C2": 3, "BC": 1, "B1": 10, "TP": 11},
    "regular_rate": {"C1": 7 / 12, "C2": 3 / 8, "BC": 1 / 12, "B1": 10 / 20, "TP": 11 / 32},
    "quarters_expected": {"C1": 4, "C2": 3, "BC": 4, "B1": 7, "TP": 11},  # C2: Q2-Q4
    "thematic_quarters": {  # C1 Q1 (combined 31/03) Q2; C2 Q2 (combined) Q3 (30/09)
        "C1": 2, "C2": 2, "BC": 0, "B1": 4, "TP": 4},
    "thematic_rate": {"C1": 2 / 4, "C2": 2 / 3, "BC": 0.0, "B1": 4 / 7, "TP": 4 / 11},
    "short_meetings": {"C1": 3, "C2": 0, "BC": 0, "B1": 3, "TP": 3},  # 80, 60, 45 min
    "attendance_rate": {  # C1 29/38; C2 (2+3+4)/(2+4+4); BC 3/3
        "C1": 29 / 38, "C2": 9 / 10, "BC": 1.0, "B1": 38 / 48, "TP": 41 / 51},
    "unexcused_absences": {"C1": 5, "C2": 1, "BC": 0, "B1": 6, "TP": 6},  # m5's A left out
    "standard_meeting_rate": {  # C1 01, 06 of 9; C2 01, 03 of 4; BC 1 of 1
        "C1": 2 / 9, "C2": 2 / 4, "BC": 1.0, "B1": 4 / 13, "TP": 5 / 14},
    "flagged_meetings": {  # m1 Sep Nov Dec in C1; m3 Feb Mar (C1) + Aug (C2) -> counted in C2
        "C1": 1, "C2": 1, "BC": 0, "B1": 2, "TP": 2},
    "flagged_dues": {  # m2 Jan Jun Oct; m3 Jan Aug Sep -> C2; m1 2 months; m8 1 month in 2022
        "C1": 1, "C2": 1, "BC": 0, "B1": 2, "TP": 2},
    "excused_streaks": {"C1": 1, "C2": 0, "BC": 0, "B1": 1, "TP": 1},  # m2, 4th at C1-05
    "good_self_ratings": {"C1": 5, "C2": 2, "BC": 1, "B1": 7, "TP": 8},
    "implausible_good": {"C1": 3, "C2": 1, "BC": 0, "B1": 4, "TP": 4},  # C1-02 04 05; C2-04
    "inspected_meetings": {"C1": 2, "C2": 1, "BC": 0, "B1": 3, "TP": 3},  # C1-01, C1-03; C2-02
    "rating_agreement": {  # C1-01 good vs fair no; C1-03 fair vs latest fair yes; C2-02 yes
        "C1": 1 / 2, "C2": 1.0, "BC": NA, "B1": 2 / 3, "TP": 2 / 3},
    "rating_inflation": {  # (3-2) + (2-2) over 2; C2 0
        "C1": 1 / 2, "C2": 0.0, "BC": NA, "B1": 1 / 3, "TP": 1 / 3},
    "superior_attended": {"C1": 2, "C2": 1, "BC": 0, "B1": 3, "TP": 3},
    "admissions": {"C1": 0, "C2": 1, "BC": 1, "B1": 1, "TP": 2},  # m6 01/06; b4 31/12
    "minutes_mismatches": {  # C1-03 present 3 vs 2; C1-07 summoned 5 vs 4; C2-04 present 4 vs 0
        "C1": 2, "C2": 1, "BC": 0, "B1": 3, "TP": 3},
}
# fmt: on


@pytest.fixture(scope="module")
def card_2022() -> pd.DataFrame:
    return scorecard(small_city(), "2022").set_index("org_id")


def test_columns_are_the_contract(card_2022):
    card = card_2022.reset_index()
    assert list(card.columns) == ID_COLUMNS + SCORECARD_COLUMNS
    assert list(EXPECTED_2022) == SCORECARD_COLUMNS


def test_rows_in_tree_order_and_dead_cell_left_out(card_2022):
    # C9 was dissolved on 30/06/2021: no row in 2022
    assert list(card_2022.index) == ["TP", "B1", "C1", "C2", "BC"]
    assert list(card_2022["level"]) == ["committee", "base", "cell", "cell", "base_cell"]
    assert card_2022.loc["C2", "parent_id"] == "B1"
    assert set(card_2022["period"]) == {"2022"}


@pytest.mark.parametrize("column", SCORECARD_COLUMNS)
def test_every_column_by_hand(card_2022, column):
    for org, expected in EXPECTED_2022[column].items():
        got = card_2022.loc[org, column]
        if expected is NA:
            assert pd.isna(got), (org, column, got)
        else:
            assert got == pytest.approx(expected), (org, column, got)


def test_dtypes(card_2022):
    assert str(card_2022["members"].dtype) == "Int64"
    assert str(card_2022["attendance_rate"].dtype) == "Float64"


def test_without_dues_and_inspections_columns_empty_not_zero():
    card = scorecard(small_city(without=("dues", "inspections")), "2022").set_index("org_id")
    for col in ("flagged_dues", "inspected_meetings", "rating_agreement", "rating_inflation"):
        assert card[col].isna().all(), col
    # the other columns do not change
    assert card.loc["C1", "flagged_meetings"] == 1
    assert card.loc["TP", "members"] == 12


def test_quarter_q3():
    card = scorecard(small_city(), "2022Q3").set_index("org_id")
    c1, c2 = card.loc["C1"], card.loc["C2"]
    # C1 Q3: meetings C1-06 (07-05, 4/4 std) and C1-07 (09-12, 3/4, m1 absent)
    assert (c1["months_expected"], c1["regular_months"]) == (3, 2)
    assert (c1["quarters_expected"], c1["thematic_quarters"]) == (1, 0)
    assert c1["attendance_rate"] == pytest.approx(7 / 8)
    assert c1["standard_meeting_rate"] == pytest.approx(1 / 2)
    assert c1["members"] == 5  # m8 still on the roll on 30/09; m3 gone since 01/07
    # year to date at 30/09: m1 has only Sep; m3 has Feb Mar Aug -> C2
    assert (c1["flagged_meetings"], c2["flagged_meetings"]) == (0, 1)
    # dues to 30/09: m2 Jan Jun (Oct not yet) -> 0; m3 Jan Aug Sep -> C2
    assert (c1["flagged_dues"], c2["flagged_dues"]) == (0, 1)
    assert c1["excused_streaks"] == 0  # m2's 4th was in May
    assert c1["inspected_meetings"] == 0 and pd.isna(c1["rating_agreement"])  # C1-07 unrated
    assert c1["minutes_mismatches"] == 1  # C1-07
    # C2 Q3: 30/09 is the quarter's last day and counts in Q3
    assert (c2["months_expected"], c2["thematic_quarters"], c2["thematic_rate"]) == (3, 1, 1.0)
    assert c2["admissions"] == 0  # m6 was admitted in Q2


def test_quarter_with_mid_year_founding_and_quarter_end():
    q1 = scorecard(small_city(), "2022Q1").set_index("org_id")
    assert "C2" not in q1.index  # founded 20/05
    # C1-03 on 31/03 counts in Q1 both as a regular month and a thematic quarter
    assert (q1.loc["C1", "regular_months"], q1.loc["C1", "thematic_quarters"]) == (3, 1)
    q2 = scorecard(small_city(), "2022Q2").set_index("org_id")
    assert (q2.loc["C2", "months_expected"], q2.loc["C2", "quarters_expected"]) == (2, 1)
    assert q2.loc["C1", "thematic_quarters"] == 1  # C1-04 only: 31/03 is not in Q2
    assert q2.loc["C1", "excused_streaks"] == 1  # m2's run began in Q1 and reached 4 in May


def test_range_of_years():
    card = scorecard(small_city(), "2021-2022").set_index("org_id")
    assert set(card["period"]) == {"2021-2022"}
    # C9 existed Jan-Jun 2021; C2 May-Dec 2022; C1 all 24 months
    assert card.loc["C9", "months_expected"] == 6
    assert card.loc["C9", "quarters_expected"] == 2
    assert card.loc["C2", "months_expected"] == 8
    assert card.loc["C1", "months_expected"] == 24
    assert card.loc["C1", "regular_months"] == 8  # Dec 2021 + the 7 of 2022
    assert card.loc["C9", "members"] == 0  # c9a left on 30/06/2021
    assert card.loc["B1", "months_expected"] == 24 + 8 + 6


def test_year_2021_runs_restart():
    # m2 excused at C1-00 (20/12/2021): 2021 alone has a run of 1; 2022's run starts again
    card = scorecard(small_city(), "2021").set_index("org_id")
    assert card.loc["C1", "excused_streaks"] == 0
    assert "C2" not in card.index
    assert card.loc["C1", "attendance_rate"] == pytest.approx(3 / 4)


def test_subtree():
    card = scorecard(small_city(), "2022", org_id="B1")
    assert list(card["org_id"]) == ["B1", "C1", "C2"]
    only = scorecard(small_city(), "2022", org_id="C2")
    assert list(only["org_id"]) == ["C2"]
    with pytest.raises(ParameterError, match="org_id='XX'"):
        scorecard(small_city(), "2022", org_id="XX")


def test_counts_carry_numerators_and_denominators():
    counts = scorecard_counts(small_city(), "2022").set_index("org_id")
    assert list(counts.columns) == ID_COLUMNS[1:] + COUNT_COLUMNS
    assert (counts.loc["C1", "attendance_present"], counts.loc["C1", "attendance_counted"]) == (
        29,
        38,
    )
    assert (counts.loc["TP", "standard_meetings"], counts.loc["TP", "meetings"]) == (5, 14)
    assert counts.loc["B1", "rating_difference"] == 1


def test_bad_period():
    with pytest.raises(ParameterError, match="period='2022Q5'"):
        scorecard(small_city(), "2022Q5")


def test_admission_elsewhere_counts_nowhere():
    from fixtures_indicators import as_clean, frames

    f = frames()
    # m6 now joined C2 on 01/07/2022, a month after being admitted on 01/06/2022:
    # admitted elsewhere, so C2 admitted nobody in 2022 (and nor did any cell of the dataset)
    f["members"].loc[f["members"]["member_id"] == "m6", "joined_on"] = "2022-07-01"
    card = scorecard(as_clean(**f), "2022").set_index("org_id")
    assert card.loc["C2", "admissions"] == 0
    assert card.loc["TP", "admissions"] == 1  # b4 only


def test_a_base_whose_cells_did_not_exist_in_the_period_has_a_row_of_zeros():
    """B2 existed in 2022, its only cell K was dissolved in 2021: B2 has a row, counts 0."""
    from chibo_analysis.indicators.scorecard import scorecard_counts

    city = small_city()
    orgs = city.organisations
    extra = pd.DataFrame({
        "org_id": ["B2", "K"], "name": ["Đảng bộ B2", "Chi bộ K"], "parent_id": ["TP", "B2"],
        "level": ["base", "cell"], "founded_on": pd.to_datetime(["2015-01-01", "2015-01-01"]),
        "dissolved_on": pd.to_datetime([None, "2021-06-30"])})  # fmt: skip
    from dataclasses import replace

    tables = dict(city.tables)
    tables["organisations"] = pd.concat([orgs, extra.astype({"level": orgs["level"].dtype})])
    counts = scorecard_counts(replace(city, tables=tables), "2022").set_index("org_id")
    assert "K" not in counts.index
    assert counts.loc["B2", ["members", "meetings", "months_expected"]].tolist() == [0, 0, 0]
