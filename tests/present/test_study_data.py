"""The inputs of the audit charts (chibo_analysis.present.study_data), on hand-made datasets."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.present import charts, study_data

# --- presence_grid: the table behind the heatmaps ------------------------------


def _grid_dataset():
    from chibo_analysis.intake.load import dataset_from_frames

    orgs = pd.DataFrame(
        [
            ("TP", "Thành phố", "", "committee", "", ""),
            ("B", "Phường X", "TP", "base", "", ""),
            ("C1", "Chi bộ 1", "B", "cell", "15/03/2022", ""),  # founded mid-March
            ("C2", "Chi bộ 2", "B", "cell", "", "10/05/2022"),  # dissolved 10 May
            ("C3", "Chi bộ 3", "TP", "base_cell", "", ""),  # outside B
        ],
        columns=["org_id", "name", "parent_id", "level", "founded_on", "dissolved_on"],
    )
    meetings = pd.DataFrame(
        [
            ("S1", "C1", "20/03/2022", "regular"),
            ("S2", "C1", "10/04/2022", "combined"),  # counts for April and for Q2
            ("S3", "C1", "05/05/2022", "thematic"),  # Q2 only, not a monthly meeting
            ("S4", "C2", "10/01/2022", "regular"),
            ("S5", "C2", "20/01/2022", "regular"),  # a second one in January
            ("S6", "C2", "10/02/2022", "extraordinary"),  # counts nowhere
            ("S7", "C3", "10/02/2022", "regular"),
        ],
        columns=["meeting_id", "cell_id", "held_on", "kind"],
    )
    members = pd.DataFrame({"member_id": ["m1"], "cell_id": ["C2"], "joined_on": ["01/01/2020"]})
    attendance = pd.DataFrame({"meeting_id": ["S4"], "member_id": ["m1"], "status": ["present"]})
    return dataset_from_frames(
        organisations=orgs, members=members, meetings=meetings, attendance=attendance
    )


def test_presence_grid_by_base_groups_the_rows():
    # C1 and C2 are in base B ("Phường X"); C3 is a base_cell: last, with an empty base
    grid = study_data.presence_grid(_grid_dataset(), "2022", "TP", by_base=True)
    assert grid.index.names == ["base", "cell"]
    assert grid.index.tolist() == [
        ("Phường X", "Chi bộ 1"), ("Phường X", "Chi bộ 2"), ("", "Chi bộ 3"),
    ]  # fmt: skip
    plain = study_data.presence_grid(_grid_dataset(), "2022", "TP")  # same rows, same values
    pd.testing.assert_frame_equal(grid.reset_index(drop=True), plain.reset_index(drop=True))


def test_presence_grid_months():
    presence_grid = study_data.presence_grid

    grid = presence_grid(_grid_dataset(), "2022", "B")
    nan = float("nan")
    assert grid.index.tolist() == ["Chi bộ 1", "Chi bộ 2"]  # C3 is outside B
    assert grid.columns.tolist() == list(pd.date_range("2022-01-01", periods=12, freq="MS"))
    expected = pd.DataFrame(
        # C1: not yet founded in Jan-Feb, March and April held (combined counts), none after.
        # C2: two in January, none in Feb-May (extraordinary does not count), gone from June.
        [[nan, nan, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0] + [nan] * 7],
        index=grid.index,
        columns=grid.columns,
        dtype="float64",
    )
    pd.testing.assert_frame_equal(grid, expected)


def test_presence_grid_quarters():
    presence_grid = study_data.presence_grid

    grid = presence_grid(_grid_dataset(), "2022", "B", kind="thematic")
    assert [str(q) for q in grid.columns] == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    # C1: Q1 exists (from March) but no thematic; Q2 the combined and the thematic meeting.
    # C2: exists in Q1 and Q2 (to 10 May), no thematic meeting; gone after.
    assert grid.to_numpy().tolist()[0] == [0, 2, 0, 0]
    assert grid.iloc[1].tolist()[:2] == [0, 0] and all(pd.isna(grid.iloc[1, 2:]))


def test_presence_grid_rejects_unknown_kind():
    presence_grid = study_data.presence_grid

    with pytest.raises(ParameterError, match="kind='monthly'"):
        presence_grid(_grid_dataset(), "2022", kind="monthly")


def _discipline_dataset():
    from chibo_analysis.intake.load import dataset_from_frames

    orgs = pd.DataFrame(
        [("TP", "Thành phố", "", "committee"), ("B", "Phường X", "TP", "base"),
         ("C1", "Chi bộ 1", "B", "cell"), ("C2", "Chi bộ 2", "TP", "base_cell")],
        columns=["org_id", "name", "parent_id", "level"],
    )  # fmt: skip
    members = pd.DataFrame(
        [("m1", "C1", "01/01/2020", "01/07/2022"), ("m1", "C2", "01/07/2022", ""),
         ("m2", "C2", "01/01/2020", "")],
        columns=["member_id", "cell_id", "joined_on", "left_on"],
    )  # fmt: skip
    disciplines = pd.DataFrame(
        [("m1", "15/03/2022", "reprimand", "vắng"),  # m1 then in C1, under B
         ("m1", "15/09/2022", "warning", "vắng"),  # m1 then in C2, outside B
         ("C1", "01/10/2022", "reprimand", "yếu kém"),  # the cell itself
         ("m2", "15/03/2021", "warning", "cũ")],  # another year
        columns=["subject_id", "decided_on", "form", "reason"],
    )  # fmt: skip
    return dataset_from_frames(
        organisations=orgs, members=members, meetings=None, attendance=None,
        disciplines=disciplines,
    )  # fmt: skip


def test_discipline_cases_within_the_organisation_and_period():
    discipline_cases = study_data.discipline_cases

    ds = _discipline_dataset()
    out = discipline_cases(ds, "2022", "B")
    assert out["org_id"].tolist() == ["C1", "C1"]
    assert out["member_id"].tolist()[0] == "m1" and pd.isna(out["member_id"].iloc[1])
    assert out["_row"].tolist() == [2, 4]  # rows of disciplines as seen in the file
    everyone = discipline_cases(ds, "2022")
    assert everyone["org_id"].tolist() == ["C1", "C2", "C1"]  # by date; 2021 left out


# --- attendance and ratings, on one small base organisation ------------------------


@pytest.fixture(scope="module")
def base():
    """B (base) with cells C1 (m1, m2) and C2 (m3, m4; m4 exempt since 01/01/2022)."""
    from chibo_analysis.intake.load import dataset_from_frames

    orgs = pd.DataFrame(
        [("TP", "Thành phố", "", "committee"), ("B", "Phường X", "TP", "base"),
         ("C1", "Chi bộ 1", "B", "cell"), ("C2", "Chi bộ 2", "B", "cell")],
        columns=["org_id", "name", "parent_id", "level"],
    )  # fmt: skip
    members = pd.DataFrame(
        [("m1", "C1", "01/01/2015", ""), ("m2", "C1", "01/01/2015", ""),
         ("m3", "C2", "01/01/2015", ""), ("m4", "C2", "01/01/2015", "01/01/2022")],
        columns=["member_id", "cell_id", "joined_on", "exempt_from"],
    )  # fmt: skip
    meetings = pd.DataFrame(
        [("M1", "C1", "10/01/2022", "regular", "good"), ("M2", "C1", "10/02/2022", "regular", "fair"),
         ("M3", "C2", "15/01/2022", "regular", "good")],
        columns=["meeting_id", "cell_id", "held_on", "kind", "self_rating"],
    )  # fmt: skip
    attendance = pd.DataFrame(
        [("M1", "m1", "present"), ("M1", "m2", "absent"), ("M2", "m1", "present"),
         ("M2", "m2", "present"), ("M3", "m3", "present"), ("M3", "m4", "present")],
        columns=["meeting_id", "member_id", "status"],
    )  # fmt: skip
    inspections = pd.DataFrame(
        [("K1", "M1", "20/01/2022", "fair"), ("K2", "M1", "25/01/2022", "good"),
         ("K3", "M3", "20/01/2022", "average")],
        columns=["inspection_id", "meeting_id", "inspected_on", "rating"],
    )  # fmt: skip
    return dataset_from_frames(
        organisations=orgs, members=members, meetings=meetings, attendance=attendance,
        inspections=inspections,
    )  # fmt: skip


def test_monthly_attendance_leaves_exempt_members_out(base):
    out = study_data.monthly_attendance(base, "2022", "B")
    assert len(out) == 12 and out.index[0] == pd.Timestamp("2022-01-01")
    # January: m1 (M1) and m3 (M3) present; m2 absent; m4 exempt, left out -> 2 of 3.
    # February: m1 and m2 present at M2 -> 2 of 2. No meetings after.
    assert out["present"].tolist() == [2, 2] + [0] * 10
    assert out["counted"].tolist() == [3, 2] + [0] * 10


def test_attendance_chart_uses_months_with_meetings(base):
    chart = study_data.attendance_chart(base, "2022", "B")
    assert chart.table.index.tolist() == [pd.Timestamp("2022-01-01"), pd.Timestamp("2022-02-01")]
    assert chart.center == pytest.approx(4 / 5)  # 4 present of 5 counted


def test_attendance_funnel_per_cell_named(base):
    res, curve = study_data.attendance_funnel(base, "2022", "B")
    # C1: 3 present of 4 counted; C2: 1 of 1 (m4 exempt). Overall 4 / 5.
    assert res.table.index.tolist() == ["Chi bộ 1", "Chi bộ 2"]
    assert res.table["events"].tolist() == [3, 1] and res.table["trials"].tolist() == [4, 1]
    assert res.target == pytest.approx(0.8)
    assert curve["trials"].max() == 4


def test_attendance_funnel_of_base_organisations(base):
    res, _ = study_data.attendance_funnel(base, "2022", "TP", units="bases")
    assert res.table.index.tolist() == ["Phường X"] and res.table["trials"].tolist() == [5]
    with pytest.raises(ParameterError, match="units='wards'"):
        study_data.attendance_funnel(base, "2022", units="wards")


def test_shrunken_attendance_keeps_the_counts(base):
    res = study_data.shrunken_attendance(base, "2022", "B")
    assert res.table["events"].tolist() == [3, 1] and res.table["trials"].tolist() == [4, 1]
    assert (
        (res.table["lower"] <= res.table["shrunken"])
        & (res.table["shrunken"] <= res.table["upper"])
    ).all()


def test_rating_agreement_uses_the_latest_inspection(base):
    res = study_data.rating_agreement(base, "2022", "B")
    # M1: self good, latest inspection (25/01) good; M3: self good, inspection average.
    assert res.n == 2
    assert res.confusion.loc["good", "good"] == 1 and res.confusion.loc["good", "average"] == 1
    assert int(res.confusion.to_numpy().sum()) == 2


def test_yearly_scorecards_stack_the_years(base):
    out = study_data.yearly_scorecards(base, "2021-2022", "B", units="cells")
    assert out[["org_id", "period"]].to_numpy().tolist() == [
        ["C1", "2021"], ["C2", "2021"], ["C1", "2022"], ["C2", "2022"],
    ]  # fmt: skip
    assert out["attendance_rate"].tolist()[2:] == [0.75, 1.0]
    assert out["attendance_rate"].iloc[:2].isna().all()  # no meetings in 2021: empty, not 0


def test_comparison_units_are_bases_only_where_there_are_two(base):
    # TP holds one base organisation (B): comparing B with itself says nothing, so its
    # cells are compared; B itself: its cells. The discipline dataset's TP holds B and
    # the base cell C2: two units, compared as base organisations.
    assert study_data.comparison_units(base, "TP") == "cells"
    assert study_data.comparison_units(base, "B") == "cells"
    assert study_data.comparison_units(_discipline_dataset(), "TP") == "bases"


def test_shrinkage_of_a_single_unit_keeps_the_observed_rate(base):
    # One base organisation (B: 4 present of 5 counted): no population to estimate,
    # so no shrinkage, the observed rate kept and the reason left to the chart.
    res = study_data.shrunken_attendance(base, "2022", "TP", units="bases")
    assert res.method == "none"
    assert res.table.index.tolist() == ["Phường X"]
    assert res.table["rate"].tolist() == [0.8]
    assert res.table["shrunken"].isna().all() and res.table["upper"].isna().all()
    ax = charts.plot_caterpillar(res.table, target=0.9, lang="en")
    assert "at least two units" in " ".join(t.get_text() for t in ax.texts)


def test_a_period_without_data_gives_empty_results_not_errors(base):
    # 2030: no meeting, no register row. The funnel has no unit and no limit line,
    # and its chart says so; the control chart has no month; kappa has no pair.
    res, curve = study_data.attendance_funnel(base, "2030", "B")
    assert res.table.empty and curve.empty and res.target != res.target  # NaN
    ax = charts.plot_funnel(res, curve, lang="vi")
    assert [t.get_text() for t in ax.texts] == ["Không có dữ liệu"]
    assert study_data.attendance_chart(base, "2030", "B").table.empty
    assert study_data.rating_agreement(base, "2030", "B").n == 0
