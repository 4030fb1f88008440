"""The synthetic members table's ground truth of overdue probation (R10)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from chibo_analysis.synth.records import _overdue_truth
from chibo_analysis.synth.structure import OPEN


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def test_a_member_between_two_rolls_at_a_years_end_is_on_no_list():
    # admitted 15/01/2020, never confirmed: due 15/01/2021. On cell C0's roll until
    # 01/06/2022, on no roll at the end of 2022, on C1's from 01/03/2023.
    rows = pd.DataFrame(
        {
            "member": [0, 0],
            "cell": [0, 1],
            "join": [_day("2019-06-01"), _day("2023-03-01")],
            "left": [_day("2022-06-01"), OPEN],
        }
    )
    admitted = np.array([_day("2020-01-15")])
    out = _overdue_truth(
        rows,
        admitted,
        confirmed=np.array([OPEN]),
        never=np.array([True]),
        ids=np.array(["DV1"], dtype=object),
        cell_ids=np.array(["C0", "C1"], dtype=object),
        start=_day("2020-01-01"),
        end=_day("2023-12-31"),
    )
    assert out[["org_id", "member_id", "period"]].values.tolist() == [
        ["C0", "DV1", "2021"],
        ["C1", "DV1", "2023"],
    ]
    assert set(out["kind"]) == {"unconfirmed_probation"}
    assert out["detail"].str.contains("never confirmed").all()
