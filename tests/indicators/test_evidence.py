"""What every list shares: the evidence it cites, its provenance columns, the period's meetings."""

from __future__ import annotations

import pandas as pd
from conftest import replace_in

from chibo_analysis import load_dataset
from chibo_analysis.indicators.evidence import (
    join_evidence,
    list_context,
    period_meetings,
    source_columns,
)


def test_evidence_is_joined_per_group_in_the_order_of_the_records():
    # M2 comes first in the records: its group comes first, its rows in their order
    rows = pd.DataFrame(
        {"member_id": ["M2", "M1", "M2"], "_file": ["a.csv"] * 3, "_row": [3, 4, 5]}
    )
    assert join_evidence(rows, ["member_id"]).values.tolist() == [
        ["M2", "a.csv:3; a.csv:5"],
        ["M1", "a.csv:4"],
    ]


def test_source_columns_are_plain_text_and_integers():
    # as a loaded table has them after a merge: the file a category, the row a float
    frame = pd.DataFrame(
        {"_file": pd.Categorical(["b.csv", "a.csv"]), "_row": [7.0, 12.0], "x": [1, 2]}
    )
    out = source_columns(frame)
    assert out["_file"].dtype.name in ("str", "object") and out["_row"].dtype == "int64"
    assert out[["_file", "_row"]].values.tolist() == [["b.csv", 7], ["a.csv", 12]]


def test_the_periods_meetings_include_its_first_and_last_days(clean_dir):
    # S1 on the year's first day and S4 on its last day are in 2022; S3 on 01/01/2023 is not
    replace_in(clean_dir / "meetings.csv", "S1,CB1,05/01/2022", "S1,CB1,01/01/2022")
    replace_in(clean_dir / "meetings.csv", "S4,CQ,07/01/2022", "S4,CQ,31/12/2022")
    replace_in(clean_dir / "meetings.csv", "S3,CB2,10/02/2022", "S3,CB2,01/01/2023")
    ds, period, inside = list_context(load_dataset(clean_dir), "2022", None)
    assert period_meetings(ds, period, inside)["meeting_id"].tolist() == ["S1", "S2", "S4"]
