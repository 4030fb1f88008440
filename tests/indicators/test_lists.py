"""The lists behind the scorecard, on the small city (see test_indicators_scorecard's table)."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from fixtures_indicators import frames, small_city

from chibo_analysis.errors import ParameterError
from chibo_analysis.indicators.lists import LISTS, minutes_mismatches, run_list
from chibo_analysis.indicators.periods import parse_period
from chibo_analysis.indicators.scorecard import scorecard


@pytest.fixture(scope="module")
def city():
    return small_city()


def test_every_list_names_file_and_row(city):
    for name in LISTS:
        # the small city has a case of each, but no meeting rated 2 grades above the
        # inspectors: inflated_ratings' case is _inspected_city below
        ds = _inspected_city() if name == "inflated_ratings" else city
        out = run_list(name, ds, "2022")
        assert {"_file", "_row"} <= set(out.columns), name
        assert len(out) > 0, name
        assert out["_row"].dtype == "int64" and (out["_row"] >= 2).all(), name


def test_r6_meetings_months_and_cells(city):
    out = run_list("r6_meetings", city, "2022").set_index("member_id")
    assert out.loc["m1", "months"] == "2022-09, 2022-11, 2022-12"
    # m3: Feb, Mar in C1, Aug in C2: counted in C2, the roll holding them on 31/12
    assert (out.loc["m3", "months"], out.loc["m3", "cell_id"]) == (
        "2022-02, 2022-03, 2022-08",
        "C2",
    )
    assert out.loc["m3", "_row"] == 5  # m3's C2 row in the members table
    # evidence: attendance rows of C1-02, C1-03 (m3) and C2-02
    assert out.loc["m3", "evidence"].count("<attendance>:") == 3
    # the list agrees with the scorecard's count
    card = scorecard(city, "2022").set_index("org_id")
    assert out.groupby("cell_id").size().to_dict() == {"C1": 1, "C2": 1}
    assert card.loc["TP", "flagged_meetings"] == len(out)
    # within B1's subtree both; within BC none
    assert run_list("r6_meetings", city, "2022", "BC").empty


def test_r6_dues(city):
    out = run_list("r6_dues", city, "2022").set_index("member_id")
    assert list(out.index) == ["m2", "m3"]  # m1 2 months; m8 1 month in 2022 (2 in 2021)
    assert out.loc["m2", "evidence"] == "<dues>:5; <dues>:6; <dues>:7"
    with pytest.raises(ParameterError, match="needs the 'dues' table"):
        run_list("r6_dues", small_city(without=("dues",)), "2022")


def test_excused_streaks(city):
    out = run_list("excused_streaks", city, "2022")
    assert out[["member_id", "cell_id", "run_length", "meetings"]].values.tolist() == [
        ["m2", "C1", 4, "C1-02, C1-03, C1-04, C1-05"]
    ]
    assert out.loc[0, "first_on"] == pd.Timestamp("2022-02-14")
    # Q3 holds no 4th-or-later excused absence
    assert run_list("excused_streaks", city, "2022Q3").empty


def test_failing_meetings_reasons(city):
    out = run_list("failing_meetings", city, "2022").set_index("meeting_id")
    assert list(out.index) == [
        "C1-02",
        "C1-03",
        "C1-04",
        "C1-05",
        "C1-07",
        "C1-08",
        "C1-09",
        "C2-02",
        "C2-04",
    ]
    assert out.loc["C1-02", "reasons"] == "r3_short, r4_presence, r4_unexcused"
    assert out.loc["C1-05", "reasons"] == "r4_presence, r4_excused_run"
    assert out.loc["C2-04", "reasons"] == "r4_no_register"
    assert out.loc["C1-02", "reason_text"].startswith("ngắn hơn 90 phút (80 phút)")
    en = run_list("failing_meetings", city, "2022", lang="en").set_index("meeting_id")
    assert "4th or later excused absence in a row: m2" in en.loc["C1-05", "reason_text"]
    assert out.loc["C1-02", "_row"] == 4  # C1-02 is the 3rd meeting: row 4 of the file
    with pytest.raises(ParameterError, match="lang='fr'"):
        run_list("failing_meetings", city, "2022", lang="fr")


def test_implausible_good_matches_scorecard(city):
    out = run_list("implausible_good", city, "2022")
    assert list(out["meeting_id"]) == ["C1-02", "C1-04", "C1-05", "C2-04"]
    assert (out["self_rating"] == "good").all()


def test_minutes_mismatches_pure_function(city):
    out = minutes_mismatches(city.meetings, city.attendance).set_index("meeting_id")
    assert list(out.index) == ["C1-03", "C1-07", "C2-04"]
    # C1-02 writes present 4: m4's "present" row counts as written even though m4 is exempt
    assert out.loc["C1-03", "mismatched"] == "n_present"
    assert (out.loc["C1-03", "n_present"], out.loc["C1-03", "register_present"]) == (3, 2)
    assert (out.loc["C1-07", "n_summoned"], out.loc["C1-07", "register_summoned"]) == (5, 4)
    assert out.loc["C2-04", "register_present"] == 0
    assert out.loc["C1-07", "_file"] == "<meetings>" and out.loc["C1-07", "_row"] == 9


def test_minutes_several_counts_disagree():
    m = pd.DataFrame(
        {
            "meeting_id": ["a", "b"], "cell_id": ["C", "C"],
            "held_on": pd.to_datetime(["2022-01-05", "2022-02-05"]),
            "n_summoned": pd.array([3, 2], "Int64"), "n_present": pd.array([1, 2], "Int64"),
            "n_excused": pd.array([pd.NA, 0], "Int64"), "n_absent": pd.array([0, 0], "Int64"),
            "_file": ["m.csv", "m.csv"], "_sheet": ["", ""], "_row": [2, 3],
        }
    )  # fmt: skip
    a = pd.DataFrame(
        {"meeting_id": ["a", "a", "a", "b", "b", "b"], "member_id": list("xyzxyz"),
         "status": ["present", "absent", "exempt", "present", "present", "exempt"]}
    )  # fmt: skip
    out = minutes_mismatches(m, a)
    # a: summoned 3 vs 2 (exempt left out), present 1 vs 1, absent 0 vs 1; b agrees
    assert out["meeting_id"].tolist() == ["a"]
    assert out.loc[0, "mismatched"] == "n_summoned, n_absent"


def test_screens_import_is_light():
    code = "import sys, chibo_analysis.indicators.lists as s; print('scipy' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_probation_overdue(city):
    out = run_list("probation_overdue", city, "2022")
    # m7 admitted 01/03/2021, due 01/03/2022, 305 days before 31/12/2022; m6 (06/2022) not yet
    assert out[["member_id", "days_overdue"]].values.tolist() == [["m7", 305]]
    assert out.loc[0, "due_on"] == pd.Timestamp("2022-03-01")


def test_exemption_age(city):
    out = run_list("exemption_age", city, "2022")
    # m4: man born 01/05/1950, exempt from 01/01/2022 at 71: meets; m5: woman aged 42: listed
    assert out[["member_id", "age_at_exemption", "finding"]].values.tolist() == [
        ["m5", 42, "age_condition_not_met"]
    ]
    assert not out.loc[0, "longer_than_a_year"]  # 01/03-30/06


def test_exemption_age_boundary_and_unknown():
    f = frames()
    f["members"] = pd.concat(
        [
            f["members"],
            pd.DataFrame(
                [  # on her 55th birthday: not over 55; the day after: over 55; no birth date
                    ("w1", "C1", "Nữ", "1967-03-01", "1990-01-01", "1991-01-01", "2000-01-01", "", "", "2022-03-01", ""),
                    ("w2", "C1", "Nữ", "1967-03-01", "1990-01-01", "1991-01-01", "2000-01-01", "", "", "2022-03-02", ""),
                    ("w3", "C1", "", "", "1990-01-01", "1991-01-01", "2000-01-01", "", "", "2022-03-02", ""),
                ],
                columns=f["members"].columns,
            ),
        ]
    )  # fmt: skip
    from fixtures_indicators import as_clean

    out = run_list("exemption_age", as_clean(**f), "2022").set_index("member_id")
    assert out.loc["w1", "finding"] == "age_condition_not_met"
    assert "w2" not in out.index
    assert out.loc["w3", "finding"] == "age_unknown"
    assert out.loc["w1", "longer_than_a_year"]  # open-ended


def test_small_residential_and_no_admissions(city):
    small = run_list("small_residential", city, "2022")
    assert small[["org_id", "members", "min_members"]].values.tolist() == [["C1", 4, 5]]
    assert small.loc[0, "evidence"].count("<members>:") == 4
    assert run_list("small_residential", city, "2022", min_members=4).empty
    none = run_list("no_admissions", city, "2022")
    assert none["org_id"].tolist() == ["C1"]  # C2 admitted m6, BC admitted b4


@pytest.mark.parametrize(
    "period, expected",
    [
        # C9 (dissolved 30/06/2021) existed 6 months of 2021: too short to be held to the
        # target (12 months, or the whole of a shorter period); C1 and BC admitted no one
        ("2021", ["C1", "BC"]),
        ("2021Q1", ["C1", "C9", "BC"]),  # the whole quarter: held to it, as C1 and BC
        ("2021Q3", ["C1", "BC"]),  # C9 gone
        ("2020-2022", ["C1", "C9"]),  # C9: 18 months of the period; BC admitted b4 in 2022
    ],
)
def test_no_admissions_holds_only_cells_that_existed_long_enough(city, period, expected):
    out = run_list("no_admissions", city, period)
    assert out["org_id"].tolist() == expected
    assert (out["months_expected"] >= min(12, len(parse_period(period).months))).all()


@pytest.mark.parametrize(
    "basis, expected",
    [
        # B1 2022: excellent m1 m2; good m3 m5 m7 m8 m9 (m8 left C1 on 31/12: counted there).
        ("good", [["B1", 2, 5, 5, 0.2, 1]]),  # 0.2 x 5 = 1 allowed; 2 > 1
        ("good_or_better", [["B1", 2, 5, 7, 0.2, 1]]),  # 0.2 x 7 = 1.4: 1 allowed; 2 > 1
    ],
)
def test_r9_cap(city, basis, expected):
    out = run_list("r9_cap", city, "2022", basis=basis)
    got = out[["org_id", "excellent", "good", "basis", "cap_share", "allowed"]].values.tolist()
    assert got == expected
    assert out.loc[0, "evidence"] == "<reviews>:2; <reviews>:3"
    # BC: 3 good, no excellent: within the cap; the organisation's own review (B1) is not a member's
    assert "BC" not in set(out["org_id"])


def test_r9_cap_share_and_missing_table(city):
    assert run_list("r9_cap", city, "2022", share=0.5).empty  # 2 <= 0.5 x 5
    with pytest.raises(ParameterError, match="needs the 'reviews' table"):
        run_list("r9_cap", small_city(without=("reviews",)), "2022")


def test_run_list_errors(city):
    with pytest.raises(ParameterError, match="list='nope'"):
        run_list("nope", city, "2022")
    with pytest.raises(ParameterError, match="does not take option"):
        run_list("r6_meetings", city, "2022", lang="en")


def test_probation_overdue_empty_year(city):
    # 2021: m7 admitted 01/03/2021 is not yet 12 months in, m6 not yet admitted: no rows,
    # and the empty list keeps its columns and types
    out = run_list("probation_overdue", city, "2021")
    assert out.empty and "_row" in out.columns


def test_small_residential_leaves_out_cells_dissolved_in_the_period(city):
    # C9 (residential, no member) was dissolved on 30/06/2021: at the end of 2020 it
    # existed with 0 members (small); at the end of 2021 it no longer exists, so 2021
    # and 2020-2021 do not list it, whatever its roll.
    assert "C9" in set(run_list("small_residential", city, "2020")["org_id"])
    assert "C9" not in set(run_list("small_residential", city, "2021")["org_id"])
    assert "C9" not in set(run_list("small_residential", city, "2020-2021")["org_id"])


def _inspected_city():
    """Cells C1-C8 under B1, 2022; meetings rated good by the cell, all inspected.

    C1: 1 meeting, inspected average (2 grades below: overrated). C2-C7: 10 meetings
    each, one inspected average (overrated), nine inspected fair (1 grade: not
    overrated). C8: 10 meetings, nine inspected average (overrated), one good.
    """
    from chibo_analysis.intake.load import dataset_from_frames

    cells = [f"C{i}" for i in range(1, 9)]
    orgs = pd.DataFrame(
        [("TP", "Thành phố", "", "committee"), ("B1", "Phường X", "TP", "base")]
        + [(c, f"Tổ {c}", "B1", "cell") for c in cells],
        columns=["org_id", "name", "parent_id", "level"],
    )
    plan = {"C1": ["average"], "C8": ["average"] * 9 + ["good"]}
    plan |= {c: ["average"] + ["fair"] * 9 for c in cells[1:7]}
    meetings, inspections = [], []
    for cell, found in plan.items():
        for month, rating in enumerate(found, start=1):
            mid = f"{cell}-{month:02d}"
            meetings.append((mid, cell, f"10/{month:02d}/2022", "regular", "good"))
            inspections.append((f"K-{mid}", mid, f"20/{month:02d}/2022", rating))
    return dataset_from_frames(
        organisations=orgs, members=None, attendance=None,
        meetings=pd.DataFrame(meetings, columns=["meeting_id", "cell_id", "held_on", "kind",
                                                 "self_rating"]),
        inspections=pd.DataFrame(inspections, columns=["inspection_id", "meeting_id",
                                                       "inspected_on", "rating"]),
    )  # fmt: skip


def test_inflated_ratings_shrink_cells_with_few_inspected_meetings():
    from chibo_analysis.stats.shrinkage import shrunken_rates

    ds = _inspected_city()
    out = run_list("inflated_ratings", ds, "2022", "B1")
    # Overrated meetings (2+ grades above the inspectors) per cell: C1 1 of 1, C2-C7 1 of
    # 10, C8 9 of 10. The population fit (beta-binomial, every cell) gives alpha, beta;
    # each share shrinks to (alpha + overrated) / (alpha + beta + inspected).
    fit = shrunken_rates([1] + [1] * 6 + [9], [1] + [10] * 6 + [10])
    a, b = fit.alpha, fit.beta
    assert (a, b) == pytest.approx((0.796, 2.022), abs=1e-3)
    # C8: (0.796 + 9) / (2.818 + 10) = 0.764 >= 0.5: listed. C1: its one meeting was
    # overrated (raw 100%), but (0.796 + 1) / (2.818 + 1) = 0.470 < 0.5: one inspected
    # meeting is too little to call its ratings inflated. C2-C7: 0.140.
    assert out["org_id"].tolist() == ["C8"]
    row = out.iloc[0]
    assert (row["inspected_meetings"], row["overrated"]) == (10, 9)
    assert row["rating_inflation"] == pytest.approx(1.8)  # nine 2-grade gaps, one 0, over 10
    assert row["overrated_share"] == pytest.approx(0.9)
    assert row["shrunken_share"] == pytest.approx((a + 9) / (a + b + 10))
    assert row["share_lower"] < row["shrunken_share"] < row["share_upper"]
    assert row["evidence"].count("<inspections>:") == 9  # the overrated meetings' inspections
    # with a lower bar C1 is listed too (0.470), the 0.140 cells are not
    lower = run_list("inflated_ratings", ds, "2022", "B1", share=0.4)
    assert lower["org_id"].tolist() == ["C8", "C1"]
    assert lower.iloc[1]["shrunken_share"] == pytest.approx((a + 1) / (a + b + 1))
    # no inspections table: the list says it needs one
    with pytest.raises(ParameterError, match="needs the 'inspections' table"):
        run_list("inflated_ratings", small_city(without=("inspections",)), "2022")


def test_failing_meetings_reason_texts_and_evidence_by_hand():
    # tests/data/clean: S2 (combined, 125 min) counts M2 present, M3 excused (M1 exempt, left
    # out): 1 of 2, not above 85%; nothing absent, so no evidence (an empty text, not missing).
    # S4 (regular, 60 min < 90) counts M6, absent without reason (attendance.csv row 11).
    from conftest import CLEAN

    from chibo_analysis import load_dataset

    out = run_list("failing_meetings", load_dataset(CLEAN), "2022", lang="en")
    assert out[["meeting_id", "reasons", "reason_text", "evidence"]].values.tolist() == [
        ["S2", "r4_presence", "1 of 2 members present, not above 85%", ""],
        [
            "S4",
            "r3_short, r4_presence, r4_unexcused",
            "shorter than 90 minutes (60 min); 0 of 1 members present, not above 85%; "
            "1 member(s) absent without reason",
            "attendance.csv:11",
        ],
    ]


def test_probation_overdue_only_in_the_organisation_asked_for(city):
    # m7 (C2) is overdue; C1 and the base cell BC have no one overdue
    assert run_list("probation_overdue", city, "2022", org_id="C1").empty
    assert run_list("probation_overdue", city, "2022", org_id="BC").empty
    assert run_list("probation_overdue", city, "2022", org_id="B1")["member_id"].tolist() == ["m7"]


def test_exemption_age_unknown_without_gender_or_without_birth_date():
    # w4: a woman without birth date, w5: a birth date without gender: neither can be checked
    f = frames()
    f["members"] = pd.concat(
        [
            f["members"],
            pd.DataFrame(
                [
                    ("w4", "C1", "Nữ", "", "1990-01-01", "1991-01-01", "2000-01-01", "", "", "2022-03-02", ""),
                    ("w5", "C1", "", "1950-01-01", "1990-01-01", "1991-01-01", "2000-01-01", "", "", "2022-03-02", ""),
                ],
                columns=f["members"].columns,
            ),
        ]
    )  # fmt: skip
    from fixtures_indicators import as_clean

    out = run_list("exemption_age", as_clean(**f), "2022").set_index("member_id")
    assert out.loc[["w4", "w5"], "finding"].tolist() == ["age_unknown", "age_unknown"]
    # gender as plain text: a categorical column would group by categories no row has
    assert out["gender"].dtype == object


def test_a_29_february_plus_whole_years():
    from chibo_analysis.indicators.lists_members import _add_years

    # 2000 is a leap year (divisible by 400), 1900 is not (by 100 only), 2001 is not
    born = pd.to_datetime(pd.Series(["1940-02-29", "1840-02-29", "2000-02-29", None]))
    assert _add_years(born, pd.Series([60, 60, 1, 5])).tolist() == [
        pd.Timestamp("2000-02-29"),
        pd.Timestamp("1900-02-28"),
        pd.Timestamp("2001-02-28"),
        pd.NaT,
    ]
