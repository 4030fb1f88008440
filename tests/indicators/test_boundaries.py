"""Rules pinned at their boundaries (issue 14): the value or day before, on and after.

Each case builds a tiny organisation by hand (committee TP, base B, cell X) and works
the expected figure out in the comment beside it.
"""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis import scorecard
from chibo_analysis.checks.validation import validated
from chibo_analysis.intake.load import dataset_from_frames

ORGS = pd.DataFrame(
    {
        "org_id": ["TP", "B", "X"],
        "name": ["Thành phố", "Phường", "Chi bộ X"],
        "parent_id": ["", "TP", "B"],
        "level": ["committee", "base", "cell"],
        "kind": ["", "", "residential"],
        "founded_on": ["", "", "01/01/2000"],
        "dissolved_on": ["", "", ""],
    }
)


def _members(ids, **extra) -> pd.DataFrame:
    frame = pd.DataFrame(
        {"member_id": ids, "cell_id": "X", "joined_on": "01/01/2015", "admitted_on": "01/01/2010"}
    )
    for column, values in extra.items():
        frame[column] = values
    return frame


def _card(orgs, members, meetings, register) -> pd.Series:
    meetings = pd.DataFrame(meetings, columns=["meeting_id", "held_on"]).assign(
        cell_id="X", kind="regular", duration_min="90"
    )
    register = pd.DataFrame(register, columns=["meeting_id", "member_id", "status"])
    ds = validated(
        dataset_from_frames(
            organisations=orgs, members=members, meetings=meetings, attendance=register
        )
    )
    assert ds.report.n_errors == 0, ds.report.to_frame("en").to_string()
    return scorecard(ds, "2022").set_index("org_id").loc["X"]


@pytest.mark.parametrize(
    ("present", "standard"),
    [
        (16, 0.0),  # 16/20 = 0.80: under the standard
        (17, 0.0),  # 17/20 = 0.85: R4 wants MORE than 85%, so not standard
        (18, 1.0),  # 18/20 = 0.90: standard
    ],
)
def test_r4_standard_is_strictly_more_than_85_percent(present, standard):
    ids = [f"m{i:02d}" for i in range(20)]
    # the others are excused (no unexcused absence; nobody's excused run passes 3)
    register = [("S1", m, "present" if i < present else "excused") for i, m in enumerate(ids)]
    card = _card(ORGS, _members(ids), [("S1", "05/01/2022")], register)
    assert card["standard_meeting_rate"] == standard
    assert card["attendance_rate"] == pytest.approx(present / 20)


def test_exemption_covers_its_last_day_and_not_the_next():
    # e is exempt 01/01 to 31/01/2022; marked absent at meetings on 31/01 and 01/02.
    # 31/01: e left out -> 1 present of 1; 01/02: counted -> 1 present of 2.
    # attendance_rate = (1 + 1) / (1 + 2) = 2/3; unexcused absences counted: the 01/02 one.
    members = _members(["p", "e"], exempt_from=["", "01/01/2022"], exempt_until=["", "31/01/2022"])
    register = [("S1", "p", "present"), ("S1", "e", "absent"),
                ("S2", "p", "present"), ("S2", "e", "absent")]  # fmt: skip
    card = _card(ORGS, members, [("S1", "31/01/2022"), ("S2", "01/02/2022")], register)
    assert card["attendance_rate"] == pytest.approx(2 / 3)


def test_an_exempt_row_is_left_out_without_exemption_dates():
    # status exempt for q, who has no exemption dates: the row is left out anyway
    register = [("S1", "p", "present"), ("S1", "q", "exempt")]
    card = _card(ORGS, _members(["p", "q"]), [("S1", "05/01/2022")], register)
    assert card["attendance_rate"] == 1.0 and card["standard_meeting_rate"] == 1.0


@pytest.mark.parametrize(
    ("dissolved", "months"),
    [
        ("31/05/2022", 5),  # exists on the last day of May: January to May
        ("01/06/2022", 6),  # dissolved on the 1st of June: June still counts (any day of it)
        ("02/06/2022", 6),
    ],
)
def test_a_cell_counts_the_month_it_is_dissolved_in(dissolved, months):
    orgs = ORGS.copy()
    orgs.loc[orgs["org_id"] == "X", "dissolved_on"] = dissolved
    card = _card(orgs, _members(["p"], left_on=["31/05/2022"], left_reason=["transfer"]),
                 [("S1", "05/01/2022")], [("S1", "p", "present")])  # fmt: skip
    assert card["months_expected"] == months
