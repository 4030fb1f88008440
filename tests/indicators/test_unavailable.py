"""An absent optional column disables exactly the indicators that need it: empty, never 0.

tests/data/clean/meetings.csv read without its duration column: S4 (60 min, CQ) was a
short meeting; without durations nobody can tell, so short_meetings and
implausible_good are empty everywhere, and nothing else changes.
"""

from __future__ import annotations

import pandas as pd

from chibo_analysis import load_dataset, scorecard
from chibo_analysis.indicators.scorecard import unavailable
from chibo_analysis.present.report_tables import unavailable_indicators


def _drop_column(path, column: str) -> None:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=[column]).to_csv(path, index=False)


def test_without_durations_r3_is_unknown_not_met(clean_dir):
    before = scorecard(load_dataset(clean_dir), "2022").set_index("org_id")
    assert before.loc["CQ", "short_meetings"] == 1
    _drop_column(clean_dir / "meetings.csv", "duration_min")
    ds = load_dataset(clean_dir)
    card = scorecard(ds, "2022").set_index("org_id")
    assert card["short_meetings"].isna().all() and card["implausible_good"].isna().all()
    same = [c for c in card.columns if c not in ("short_meetings", "implausible_good")]
    pd.testing.assert_frame_equal(card[same], before[same])
    assert unavailable(ds).values.tolist() == [
        ["short_meetings", "meetings", "duration_min"],
        ["implausible_good", "meetings", "duration_min"],
    ]


def test_without_admission_dates_or_payment_dates(clean_dir):
    _drop_column(clean_dir / "members.csv", "admitted_on")
    _drop_column(clean_dir / "dues.csv", "paid_on")
    ds = load_dataset(clean_dir)
    card = scorecard(ds, "2022")
    assert card["admissions"].isna().all() and card["flagged_dues"].isna().all()
    shown = unavailable_indicators(ds, "vi")
    assert (
        shown.values.tolist()
        == [
            ["Số đảng viên kết nạp", "Đảng viên", "Ngày vào Đảng"],
            ["Số đảng viên không đóng đảng phí 3 tháng", "Đảng phí", "Ngày nộp"],
        ]
        or len(shown) == 2
    )


def test_nothing_unavailable_in_the_clean_data(clean_dir):
    assert unavailable(load_dataset(clean_dir)).empty
