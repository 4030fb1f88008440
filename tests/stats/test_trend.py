"""Cochran-Armitage test for trend."""

import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats.trend import trend_test


def test_matches_r_prop_trend_test():
    # R's ?prop.trend.test example: smokers <- c(83, 90, 129, 70);
    # patients <- c(86, 93, 136, 82); prop.trend.test(smokers, patients)
    # -> X-squared = 8.2249, df = 1, p-value = 0.004132
    stat, p = trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert stat == pytest.approx(8.2249, abs=5e-5)
    assert p == pytest.approx(0.004132, abs=5e-7)
    res = trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    assert res.z < 0 and res.slope < 0  # the proportion falls


def test_scores_only_matter_by_differences():
    a = trend_test([5, 8, 12], [20, 20, 20], scores=[2020, 2021, 2022])
    b = trend_test([5, 8, 12], [20, 20, 20])
    assert a.statistic == pytest.approx(b.statistic)
    # By hand: N = 60, pbar = 25/60, sum n s = 120, sum n s^2 = 280 (scores 1..3),
    # T = (5 + 16 + 36) - 25/60 * 120 = 57 - 50 = 7,
    # V = (25/60)(35/60)(280 - 120^2/60) = 0.2430556 * 40 = 9.7222,
    # X^2 = 49 / 9.7222 = 5.04
    assert b.statistic == pytest.approx(49 / (25 / 60 * 35 / 60 * 40))
    assert b.slope == pytest.approx(7 / 40)


def test_needs_two_groups():
    with pytest.raises(ParameterError, match="two groups"):
        trend_test([1], [2])
