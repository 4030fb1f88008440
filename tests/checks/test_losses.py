"""Register rows set aside per cell, and the caveat of cells that lost more than 5%.

tests/data/clean by hand: CB1's register has 7 rows (S1: 4, S2: 3), CB2's 2 (S3),
CQ's 1 (S4). One more row for S1 naming an unknown member M99 makes CB1 8 rows,
1 set aside: 12.5% > 5%.
"""

from __future__ import annotations

import pandas as pd
from conftest import append_line

from chibo_analysis import load_dataset, scorecard
from chibo_analysis.checks.losses import caveats, register_losses
from chibo_analysis.checks.validation import validated
from chibo_analysis.present.report_tables import not_read, scorecard_rows


def test_losses_per_cell_by_hand(clean_dir):
    append_line(clean_dir / "attendance.csv", "S1,M99,present")
    ds = validated(load_dataset(clean_dir))
    losses = register_losses(ds)
    assert losses.values.tolist() == [["CB1", 8, 1, 0.125], ["CB2", 2, 0, 0.0], ["CQ", 1, 0, 0.0]]
    rows = scorecard_rows(scorecard(ds, "2022"), dataset=ds, lang="en")
    caveat = dict(zip(rows["name"], rows["caveat"], strict=True))
    assert caveat["Chi bộ tổ dân phố 1"] == (
        "12.5% of the register rows set aside: the cell's figures are indicative only"
    )
    assert caveat["Chi bộ tổ dân phố 2"] == ""


def test_a_meeting_set_aside_counts_its_rows_in_its_cell(clean_dir):
    # S3 (CB2, 10/02/2022) loses its date: the meeting and its 2 register rows go
    text = (clean_dir / "meetings.csv").read_text(encoding="utf-8")
    (clean_dir / "meetings.csv").write_text(text.replace("S3,CB2,10/02/2022", "S3,CB2,"), "utf-8")
    losses = register_losses(validated(load_dataset(clean_dir))).set_index("cell_id")
    assert losses.loc["CB2", ["register_rows", "set_aside"]].tolist() == [2, 2]


def test_no_caveat_column_when_nothing_was_lost(clean_dir):
    ds = validated(load_dataset(clean_dir))
    assert "caveat" not in scorecard_rows(scorecard(ds, "2022"), dataset=ds).columns
    assert not_read(ds.report).empty


def test_caveats_are_vietnamese_text_by_default(clean_dir):
    # CB1 lost 1 of 8 rows (12.5% > 5%); CB2 and CQ lost nothing: one caveat, in Vietnamese
    append_line(clean_dir / "attendance.csv", "S1,M99,present")
    found = caveats(validated(load_dataset(clean_dir)))
    expected = pd.Series(
        ["12,5% dòng điểm danh bị loại: số liệu của chi bộ chỉ có giá trị tham khảo"],
        index=["CB1"],
        dtype=object,
    )
    pd.testing.assert_series_equal(found, expected)
