"""The rule facts of each meeting and register row, on frames built by hand (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.indicators import standards


def test_meeting_facts_by_hand():
    # M0: 7 present, 1 excused that is the member's 4th in a row, 1 exempt row; regular, 90 min
    # M1: 1 present, 1 absent; combined, 100 min (short: 120 needed)
    # M2: no register row; kind and duration unknown
    # M3: 7 present, 1 excused (1st in a row); regular, 95 min
    meetings = pd.DataFrame(
        {"kind": ["regular", "combined", None, "regular"],
         "duration_min": pd.array([90, 100, None, 95], dtype="Int64"),
         "self_rating": ["good", "fair", None, "good"]},
        index=[10, 11, 12, 13],
    )  # fmt: skip
    rows = (
        [(0, "present", False, 0)] * 7 + [(0, "excused", False, 4), (0, "exempt", True, 0)]
        + [(1, "present", False, 0), (1, "absent", False, 0)]
        + [(3, "present", False, 0)] * 7 + [(3, "excused", False, 1)]
    )  # fmt: skip
    reg = pd.DataFrame(rows, columns=["_mpos", "status", "left_out", "run"])
    f = standards.meeting_facts(meetings, reg, reg["run"])
    assert f.index.tolist() == [10, 11, 12, 13]
    got = {c: f[c].tolist() for c in f.columns}
    assert got == {
        "n_rows": [9, 2, 0, 8],
        "n_counted": [8, 2, 0, 8],
        "n_present": [7, 1, 0, 7],
        "n_excused": [1, 0, 0, 1],
        "n_absent": [0, 1, 0, 0],
        "n_streak": [1, 0, 0, 0],
        "min_minutes": [90, 120, 90, 90],  # an unknown kind is held to a regular meeting's 90
        "short": [False, True, False, False],
        # 7/8 = 0.875 > 0.85; 1/2; no counted row (not standard); 7/8
        "low_presence": [False, True, True, False],
        "standard": [False, False, False, True],  # M0 fails on the 4th excused absence only
        "good": [True, False, False, True],
        "implausible_good": [True, False, False, False],
    }


def test_excused_runs_of_two_members_in_two_cells_stay_apart():
    # Member codes a=0, b=1, c=2 and cell codes X=0, Y=1 (order of first appearance). a's
    # excused absences in Y and c's in X alternate in time: each is a run of 2, not one run
    # of 4 (a key that mixed up member and cell could join them).
    reg = pd.DataFrame(
        {
            "member_id": ["a", "b", "c", "a", "c", "a", "c"],
            "cell_id": ["X", "Y", "X", "Y", "X", "Y", "X"],
            "meeting_id": ["X1", "Y1", "X1", "Y2", "X2", "Y3", "X3"],
            "held_on": pd.to_datetime(
                [
                    "2022-01-01",
                    "2022-01-01",
                    "2022-01-01",
                    "2022-02-02",
                    "2022-03-03",
                    "2022-04-04",
                    "2022-05-05",
                ]
            ),
            "status": ["present", "present", "present", "excused", "excused", "excused", "excused"],
            "left_out": False,
        }  # fmt: skip
    )
    reg["year"] = reg["held_on"].dt.year
    assert standards.excused_run_position(reg).tolist() == [0, 0, 0, 1, 1, 2, 2]


def test_flagged_members_from_the_third_distinct_month():
    months = pd.DataFrame(
        {
            "member_id": ["a"] * 4 + ["b"] * 2,
            "year": [2022] * 6,
            "month": pd.to_datetime(
                ["2022-01-01", "2022-01-01", "2022-03-01", "2022-12-01", "2022-01-01", "2022-02-01"]
            ),
        }  # fmt: skip
    )
    out = standards.flagged_members(months, with_months=True)
    # a: January (twice), March, December = 3 distinct months; b: 2
    assert out.to_dict("list") == {"member_id": ["a"], "year": [2022], "n_months": [3],
                                   "months": ["2022-01, 2022-03, 2022-12"]}  # fmt: skip
    assert np.issubdtype(out["n_months"].dtype, np.integer)
