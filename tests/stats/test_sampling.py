"""Attribute sampling: sizes, upper deviation limits, seeded selection."""

import math

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats.sampling import (
    allocate,
    evaluate_sample,
    sample_size,
    select_sample,
    upper_deviation_limit,
)


# AICPA Audit Sampling guide, Appendix A, Table A-1 "Statistical Sample Sizes for
# Tests of Controls - 5 Percent Risk of Overreliance" (sample size, allowed
# deviations in parentheses).
@pytest.mark.parametrize(
    "tolerable, expected, n, k",
    [
        (0.05, 0.0, 59, 0),  # the classic 59
        (0.10, 0.0, 29, 0),
        (0.02, 0.0, 149, 0),
        (0.03, 0.0, 99, 0),
        (0.04, 0.0, 74, 0),
        (0.05, 0.01, 93, 1),
        (0.05, 0.0125, 124, 2),
        (0.05, 0.0175, 153, 3),
        (0.05, 0.02, 181, 4),
        (0.04, 0.015, 192, 3),
        (0.06, 0.02, 127, 3),
        (0.10, 0.005, 46, 1),
        (0.20, 0.0, 14, 0),
    ],
)
def test_sample_size_matches_aicpa_table(tolerable, expected, n, k):
    assert tuple(sample_size(0.95, tolerable, expected)) == (n, k)


def test_sample_size_capped_at_population_and_bad_input():
    assert sample_size(0.95, 0.05, 0.0, population=40).n == 40
    with pytest.raises(ParameterError, match="expected"):
        sample_size(0.95, 0.05, 0.05)
    with pytest.raises(ParameterError, match="confidence"):
        sample_size(1.5, 0.05)


def test_upper_limits_match_aicpa_evaluation_table():
    # AICPA Table A-3 (upper limits at 5% risk, rounded up to a tenth of a
    # percent): n = 100 with 0, 1, 2, 3 deviations -> 3.0, 4.7, 6.2, 7.6 %;
    # n = 50 with 1 deviation -> 9.2 %.
    up = upper_deviation_limit([0, 1, 2, 3], [100] * 4)
    assert [math.ceil(u * 1000) / 10 for u in up] == [3.0, 4.7, 6.2, 7.6]
    assert math.ceil(upper_deviation_limit(1, 50) * 1000) / 10 == 9.2
    # Zero deviations: closed form 1 - (1 - conf)^(1/n).
    assert upper_deviation_limit(0, 59) == pytest.approx(1 - 0.05 ** (1 / 59))
    assert upper_deviation_limit(5, 5) == 1.0


def test_evaluate_sample():
    upper, supported = evaluate_sample(0, 59, tolerable=0.05)
    assert supported and upper < 0.05
    ev = evaluate_sample(2, 59, tolerable=0.05)
    assert not ev.supported
    assert ev.allowance == pytest.approx(ev.upper_limit - 2 / 59)
    with pytest.raises(ParameterError):
        evaluate_sample(0, 0)


def test_allocate_largest_remainder():
    # 7 over sizes 10/20/30: quotas 1.1667, 2.3333, 3.5 -> floors 1, 2, 3 (6),
    # the one left goes to the largest remainder (c: 0.5).
    assert allocate(pd.Series({"a": 10, "b": 20, "c": 30}), 7).tolist() == [1, 2, 4]
    assert allocate(pd.Series({"a": 1, "b": 1}), 5).tolist() == [1, 1]


def test_selection_reproducible_and_order_independent():
    frame = pd.DataFrame(
        {"meeting_id": [f"M{i:03d}" for i in range(60)], "cell_id": np.repeat(list("ABC"), 20)}
    )
    one = select_sample(frame, 9, seed=42, key="meeting_id", stratify_by="cell_id")
    shuffled = frame.sample(frac=1, random_state=1)
    two = select_sample(shuffled, 9, seed=42, key="meeting_id", stratify_by="cell_id")
    assert one["meeting_id"].tolist() == two["meeting_id"].tolist()
    assert one["cell_id"].value_counts().to_dict() == {"A": 3, "B": 3, "C": 3}
    other = select_sample(frame, 9, seed=43, key="meeting_id", stratify_by="cell_id")
    assert other["meeting_id"].tolist() != one["meeting_id"].tolist()
    simple = select_sample(frame, 100, seed=1, key="meeting_id")
    assert len(simple) == 60


def test_selection_from_no_rows_is_empty():
    # A period without meetings: nothing to draw, stratified or not, and no error
    frame = pd.DataFrame(
        {"meeting_id": pd.Series([], dtype=str), "cell_id": pd.Series([], dtype=str)}
    )
    assert select_sample(frame, 5, seed=1, key="meeting_id", stratify_by="cell_id").empty
    assert select_sample(frame, 5, seed=1, key="meeting_id").empty
