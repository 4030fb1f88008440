"""A cell's lifetime and the order of paired dates, checked at their boundary days (issue 14)."""

from __future__ import annotations

import pandas as pd
import pytest

from chibo_analysis import validate
from chibo_analysis.intake.load import dataset_from_frames


def _orgs(founded: str = "01/01/2000", dissolved: str = "") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "org_id": ["TP", "B", "X"],
            "name": ["Thành phố", "Phường", "Chi bộ X"],
            "parent_id": ["", "TP", "B"],
            "level": ["committee", "base", "cell"],
            "founded_on": ["", "", founded],
            "dissolved_on": ["", "", dissolved],
        }
    )


def _issues(orgs, held_on: str, **member) -> pd.DataFrame:
    """Issues of cell X with one member ``p`` (overridden by ``member``) and one meeting."""
    members = pd.DataFrame({"member_id": ["p"], "cell_id": "X", "admitted_on": "01/01/2010",
                            "joined_on": "01/01/2015", **{k: [v] for k, v in member.items()}})  # fmt: skip
    meetings = pd.DataFrame({"meeting_id": ["S1"], "cell_id": "X", "held_on": held_on,
                             "kind": "regular"})  # fmt: skip
    register = pd.DataFrame({"meeting_id": ["S1"], "member_id": "p", "status": "present"})
    ds = dataset_from_frames(
        organisations=orgs, members=members, meetings=meetings, attendance=register
    )
    return validate(ds).to_frame("en")


@pytest.mark.parametrize(
    ("founded", "dissolved", "held_on", "flagged"),
    [
        # a meeting counts in a month in which the cell existed on any day (DOMAIN §4)
        ("15/03/2022", "", "28/02/2022", True),  # the month before the founding month
        ("15/03/2022", "", "01/03/2022", False),  # the founding month, before the founding day
        ("15/03/2022", "", "15/03/2022", False),
        ("01/01/2015", "15/06/2022", "15/06/2022", False),  # the dissolution day
        ("01/01/2015", "15/06/2022", "30/06/2022", False),  # later in the dissolution month
        ("01/01/2015", "15/06/2022", "01/07/2022", True),  # the month after
        ("01/01/2015", "01/06/2022", "01/06/2022", False),  # dissolved on the 1st: June counts
        ("01/01/2015", "01/06/2022", "31/05/2022", False),
    ],
)
def test_a_meeting_outside_its_cells_months(founded, dissolved, held_on, flagged):
    # p's membership keeps to the meeting's day, so only the lifetime can be at fault
    issues = _issues(_orgs(founded, dissolved), held_on, joined_on=founded)
    found = issues.loc[issues["code"] == "outside_lifetime", ["table", "row"]].values.tolist()
    assert found == ([["meetings", 2]] if flagged else [])


@pytest.mark.parametrize(
    ("early", "late"),
    [("joined_on", "left_on"), ("admitted_on", "confirmed_on"), ("exempt_from", "exempt_until")],
)
@pytest.mark.parametrize("shift", [-1, 0, 1])
def test_paired_dates_in_order(early, late, shift):
    # the later date a day before the earlier (shift -1) is refused; the same day (a one-day
    # membership or exemption, a confirmation on the admission day) or after is not
    first = pd.Timestamp("2016-03-01")
    dates = {early: first.strftime("%d/%m/%Y"),
             late: (first + pd.Timedelta(days=shift)).strftime("%d/%m/%Y")}  # fmt: skip
    if late == "left_on":
        dates["left_reason"] = "transfer"
    issues = _issues(_orgs(), "05/01/2017", **dates)
    found = issues.loc[issues["code"] == "date_order", "column"].tolist()
    assert found == ([late] if shift < 0 else [])


def test_the_organisation_tree_messages_by_hand(clean_dir):
    # PX names no organisation; A1 and A2 are each other's parent (a cycle: both set aside);
    # CB4's parent A1 is set aside, so CB4 goes too, saying why
    from conftest import append_line

    from chibo_analysis import load_dataset

    for line in (
        "CB3,Chi bộ 3,PX,cell,residential,,",
        "A1,Đảng bộ A1,A2,base,,,",
        "A2,Đảng bộ A2,A1,base,,,",
        "CB4,Chi bộ 4,A1,cell,residential,,",
    ):
        append_line(clean_dir / "organisations.csv", line)
    issues = validate(load_dataset(clean_dir)).issues
    tree = issues[issues["column"] == "parent_id"]
    assert tree[["table", "row", "code", "message_en", "message_vi"]].values.tolist() == [
        ["organisations", 7, "unknown_reference", "parent_id: no such organisation",
         "Mã tổ chức cấp trên: không có tổ chức này"],
        ["organisations", 8, "parent_cycle",
         "parent_id: the chain of parents comes back to this organisation",
         "Mã tổ chức cấp trên: quan hệ cấp trên quay vòng về chính tổ chức này"],
        ["organisations", 9, "parent_cycle",
         "parent_id: the chain of parents comes back to this organisation",
         "Mã tổ chức cấp trên: quan hệ cấp trên quay vòng về chính tổ chức này"],
        ["organisations", 10, "rejected_reference",
         "parent_id: the parent organisation was set aside",
         "Mã tổ chức cấp trên: tổ chức cấp trên đã bị loại"],
    ]  # fmt: skip


def test_no_meetings_table_no_minutes_comparison(clean_dir):
    from chibo_analysis import load_dataset
    from chibo_analysis.checks.cross_table import minutes_mismatch

    ds = load_dataset(clean_dir)
    assert minutes_mismatch(None, ds.tables["attendance"]) is None
    assert minutes_mismatch(ds.meetings.iloc[:0], ds.tables["attendance"]) is None
