"""Register rows, rolls and dues months checked at their boundary days (issue 14).

Each case builds a tiny dataset by hand (committee TP, base B, cells X and Y) and says,
beside it, which day is the last one in and which the first one out.
"""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis import validate
from chibo_analysis.intake.load import dataset_from_frames

ORGS = pd.DataFrame(
    {
        "org_id": ["TP", "B", "X", "Y"],
        "name": ["Thành phố", "Phường", "Chi bộ X", "Chi bộ Y"],
        "parent_id": ["", "TP", "B", "B"],
        "level": ["committee", "base", "cell", "cell"],
        "founded_on": ["", "", "01/01/2000", "01/01/2000"],
    }
)


def _members(rows) -> pd.DataFrame:
    """Membership rows ``(member, cell, joined_on, left_on[, exempt_from, exempt_until])``."""
    rows = [(*r, "", "")[:6] for r in rows]
    frame = pd.DataFrame(
        rows,
        columns=["member_id", "cell_id", "joined_on", "left_on", "exempt_from", "exempt_until"],
    )
    return frame.assign(
        admitted_on="01/01/2010",
        left_reason=frame["left_on"].map(lambda d: "transfer" if d else ""),
    )


def _issues(members, meetings=(), register=(), dues=None) -> pd.DataFrame:
    """Validation issues (English) of a dataset with meetings ``(id, held_on)`` in cell X."""
    meetings = pd.DataFrame(list(meetings), columns=["meeting_id", "held_on"]).assign(
        cell_id="X", kind="regular"
    )
    register = pd.DataFrame(list(register), columns=["meeting_id", "member_id", "status"])
    ds = dataset_from_frames(
        organisations=ORGS, members=members, meetings=meetings, attendance=register, dues=dues
    )
    return validate(ds).to_frame("en")


def _coded(issues: pd.DataFrame, code: str) -> list:
    return issues.loc[issues["code"] == code, ["table", "row"]].values.tolist()


# --- a register row against the roll (the half-open rule: joined_on <= day < left_on) ----------


@pytest.mark.parametrize(
    ("held_on", "flagged"),
    [
        ("28/02/2022", True),  # the day before joined_on: not yet on X's roll
        ("01/03/2022", False),  # joined_on itself: on the roll
        ("31/05/2022", False),  # the day before left_on: still on the roll
        ("01/06/2022", True),  # left_on is the first day off the roll
    ],
)
def test_a_register_row_on_the_joining_and_leaving_days(held_on, flagged):
    members = _members([("a", "X", "01/03/2022", "01/06/2022"), ("p", "X", "01/01/2015", "")])
    register = [("S1", "a", "present"), ("S1", "p", "present")]
    issues = _issues(members, [("S1", held_on)], register)
    # attendance row 2 is a's
    assert _coded(issues, "outside_membership") == ([["attendance", 2]] if flagged else [])


@pytest.mark.parametrize(
    ("held_on", "flagged"),
    [
        ("28/02/2022", False),  # first stay: 01/01/2015 up to 01/03/2022 (off from that day)
        ("01/03/2022", True),
        ("31/05/2022", True),  # away until the second stay begins
        ("01/06/2022", False),  # second stay, from 01/06/2022, open-ended
    ],
)
def test_a_member_who_came_back_is_on_the_roll_in_either_stay(held_on, flagged):
    # two rows of the same member in the same cell take the check's other path
    members = _members([("a", "X", "01/01/2015", "01/03/2022"), ("a", "X", "01/06/2022", "")])
    issues = _issues(members, [("S1", held_on)], [("S1", "a", "present")])
    assert _coded(issues, "outside_membership") == ([["attendance", 2]] if flagged else [])


# --- two rolls at once -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("joined_y", "flagged"),
    [
        ("31/03/2022", True),  # X's roll still holds a on 31/03 (left_on 01/04)
        ("01/04/2022", False),  # a transfer: off X and on Y the same day
        ("02/04/2022", False),  # a day between rolls
    ],
)
def test_overlapping_rolls_on_the_transfer_day(joined_y, flagged):
    members = _members([("a", "X", "01/01/2015", "01/04/2022"), ("a", "Y", joined_y, "")])
    issues = _issues(members)
    # members row 3 is a's row in Y
    assert _coded(issues, "overlapping_membership") == ([["members", 3]] if flagged else [])


# --- dues months demanded by a membership ------------------------------------------------------


def _dues_of(member: str, months: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"member_id": member, "month": months, "amount": "50.000",
                         "paid_on": [f"05/{m}" for m in months]})  # fmt: skip


#: p pays every month of the first half of 2022: the dues table spans January to June
HALF = [f"{m:02d}/2022" for m in range(1, 7)]


@pytest.mark.parametrize(
    ("joined", "left", "missing"),
    [
        # a pays nothing: the months of a's membership within January to June are listed
        ("01/01/2015", "01/04/2022", "2022-01, 2022-02, 2022-03"),  # left on the 1st: not April
        ("01/01/2015", "02/04/2022", "2022-01, 2022-02, 2022-03, 2022-04"),  # on roll on 01/04
        ("01/01/2015", "31/03/2022", "2022-01, 2022-02, 2022-03"),  # last day 30/03: March
        (
            "31/01/2022",
            "",
            "2022-01, 2022-02, 2022-03, 2022-04, 2022-05, 2022-06",
        ),  # one day of Jan
        ("01/02/2022", "", "2022-02, 2022-03, 2022-04, 2022-05, 2022-06"),
    ],
)
def test_dues_months_a_membership_demands(joined, left, missing):
    members = _members([("a", "X", joined, left), ("p", "X", "01/01/2015", "")])
    issues = _issues(members, dues=_dues_of("p", HALF))
    found = issues[issues["code"] == "missing_dues_month"]
    assert found["value"].tolist() == [f"a: {missing}"]


def test_a_transfer_month_is_demanded_once():
    # a moves from X to Y on 15/03/2022 and pays March once: nothing is missing
    members = _members([("a", "X", "01/01/2015", "15/03/2022"), ("a", "Y", "15/03/2022", ""),
                        ("p", "X", "01/01/2015", "")])  # fmt: skip
    dues = pd.concat([_dues_of("p", HALF), _dues_of("a", HALF)], ignore_index=True)
    assert _coded(_issues(members, dues=dues), "missing_dues_month") == []


# --- members on the roll without a register row --------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (("a", "X", "01/03/2022", ""), True),  # joined on the meeting day: expected at it
        (("a", "X", "02/03/2022", ""), False),  # joined the day after
        (("a", "X", "01/01/2015", "01/03/2022"), False),  # left on the meeting day
        (("a", "X", "01/01/2015", "02/03/2022"), True),  # left the day after
        (("a", "X", "01/01/2015", "", "01/01/2022", "28/02/2022"), True),  # exemption ended
        (("a", "X", "01/01/2015", "", "01/01/2022", "01/03/2022"), False),  # its last day
        (("a", "X", "01/01/2015", "", "01/03/2022", ""), False),  # its first day
        (("a", "X", "01/01/2015", "", "02/03/2022", ""), True),  # begins the day after
    ],
)
def test_a_member_on_the_roll_without_a_register_row(row, expected):
    members = _members([row, ("p", "X", "01/01/2015", "")])
    issues = _issues(members, [("S1", "01/03/2022")], [("S1", "p", "present")])
    found = issues[issues["code"] == "missing_register_row"]
    assert found["value"].tolist() == (["a"] if expected else [])
