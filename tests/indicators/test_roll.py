"""Roll boundaries, cell lifetimes, ancestry and the left-out rule."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures_indicators import small_city

from chibo_analysis.indicators import engine, roll
from chibo_analysis.indicators.periods import parse_period


def test_on_roll_boundaries():
    members = pd.DataFrame(
        {
            "joined_on": pd.to_datetime(
                ["2022-12-31", "2023-01-01", None, "2020-01-01", "2020-01-01"]
            ),
            "left_on": pd.to_datetime([None, None, None, "2022-12-31", "2023-01-01"]),
        }
    )
    # joined on the last day: on; joined next day: off; always: on; left on the last day: off;
    # left the day after: on
    assert roll.on_roll(members, pd.Timestamp("2022-12-31")).tolist() == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_cell_months_founded_mid_month_and_dissolved():
    ds = small_city()
    months = roll.cell_months(ds.organisations, parse_period("2021-2022"))
    per_cell = months.groupby("cell_id").size().to_dict()
    # C2 founded 20/05/2022: May counts; C9 dissolved 30/06/2021: June counts
    assert per_cell == {"C1": 24, "C2": 8, "BC": 24, "C9": 6}
    assert months.loc[months["cell_id"] == "C2", "month"].min() == pd.Timestamp("2022-05-01")
    # the documented frame: these three columns, numbered from 0
    assert list(months.columns) == ["cell_id", "month", "quarter"]
    assert months.index.equals(pd.RangeIndex(len(months)))


def test_ancestry_stops_at_cycles_and_unknown_parents():
    # A and B are each other's parent (validation rejects it; the walk must still end);
    # C's parent X is not in the table: listed, not climbed past; D has a blank parent.
    orgs = pd.DataFrame({"org_id": ["A", "B", "C", "D"], "parent_id": ["B", "A", "X", ""]})
    pairs = roll.ancestry(orgs)
    assert sorted(map(tuple, pairs.values)) == [
        ("A", "A"), ("A", "B"), ("B", "A"), ("B", "B"), ("C", "C"), ("C", "X"), ("D", "D"),
    ]  # fmt: skip
    assert pairs["org_id"].dtype == object


def test_ancestry_and_subtree():
    orgs = small_city().organisations
    pairs = roll.ancestry(orgs)
    assert set(pairs.loc[pairs["org_id"] == "C1", "ancestor_id"]) == {"C1", "B1", "TP"}
    assert set(pairs.loc[pairs["org_id"] == "BC", "ancestor_id"]) == {"BC", "TP"}
    assert set(roll.subtree(orgs, "B1")) == {"B1", "C1", "C2", "C9"}
    assert len(roll.subtree(orgs, None)) == 6


def test_left_out_rule():
    ds = small_city()
    reg = engine.register_rows(ds.tables, pd.Timestamp("2020-01-01"), pd.Timestamp("2023-12-31"))
    reg = reg.set_index(["meeting_id", "member_id"])
    left = reg["left_out"]
    assert left[("C1-01", "m4")]  # status exempt
    assert left[("C1-02", "m4")]  # written present, exempt since 01/01/2022 (open-ended)
    assert left[("C1-03", "m5")]  # written absent, exemption 01/03-30/06 covers 31/03
    assert left[("C1-04", "m5")]  # written excused, covered
    assert not left[("C1-06", "m5")]  # 05/07: exemption ended 30/06
    assert not left[("C1-02", "m3")]


def test_home_cells_transfer_and_departure():
    ds = small_city()
    home = engine.home_cells(ds.members, pd.Series(["m3", "m8", "m1"]), parse_period("2022"))
    home = home.set_index("member_id")["cell_id"].to_dict()
    # m3 on C2's roll at the end; m8 left C1 on 31/12 (the last cell left); m1 in C1
    assert home == {"m3": "C2", "m8": "C1", "m1": "C1"}
    # at the end of Q2 m3 is still on C1's roll
    q2 = engine.home_cells(ds.members, pd.Series(["m3"]), parse_period("2022Q2"))
    assert q2["cell_id"].tolist() == ["C1"]


@pytest.mark.parametrize("org", ["XX", ""])
def test_unknown_org(org):
    from chibo_analysis.errors import ParameterError

    # the message names what was asked for and shows the first organisations of the dataset
    with pytest.raises(ParameterError, match=r"org_id=.* \(6 organisations, e\.g\. 'TP', 'B1', "):
        roll.subtree(small_city().organisations, org)


@pytest.mark.parametrize(
    ("founded", "dissolved", "existed"),
    [
        ("2022-12-31", None, True),  # founded on the window's last day
        ("2023-01-01", None, False),  # founded the day after
        (None, "2022-01-01", True),  # dissolved on the window's first day: it existed that day
        (None, "2021-12-31", False),  # dissolved the day before
        (None, None, True),
    ],
)
def test_existed_between_on_its_edges(founded, dissolved, existed):
    orgs = pd.DataFrame({"founded_on": pd.to_datetime([founded]),
                         "dissolved_on": pd.to_datetime([dissolved])})  # fmt: skip
    got = roll.existed_between(orgs, pd.Timestamp("2022-01-01"), pd.Timestamp("2022-12-31"))
    assert got.dtype == bool and got.tolist() == [existed]


def test_ancestry_climbs_past_an_organisation_listed_first():
    """The table lists a base before its committee and cell: the cell still reaches T."""
    orgs = pd.DataFrame({"org_id": ["B", "C", "T"], "parent_id": ["T", "B", None]})
    pairs = roll.ancestry(orgs)
    assert sorted(pairs.loc[pairs["org_id"] == "C", "ancestor_id"]) == ["B", "C", "T"]
