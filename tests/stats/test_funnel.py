"""Funnel-plot limits (Spiegelhalter 2005, Statistics in Medicine 24:1185)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats.funnel import (
    exact_binomial_limit,
    funnel_curve,
    funnel_limits,
    winsorised_phi,
)


def test_exact_limit_interpolation_worked_by_hand():
    # Spiegelhalter 2005, appendix: r_p = smallest r with F(r) >= p,
    # alpha = (F(r) - p) / (F(r) - F(r-1)), limit = (r - alpha) / n.
    # n = 10, p0 = 0.5, p = 0.975: F(7) = 0.9453125, F(8) = 0.9892578,
    # r = 8, alpha = 0.0142578 / 0.0439453 = 0.32444, limit = 0.767556.
    assert exact_binomial_limit(0.975, [10], 0.5)[0] == pytest.approx(0.767556, abs=1e-6)
    # Lower: p = 0.025: F(1) = 0.0107422, F(2) = 0.0546875, r = 2,
    # alpha = (0.0546875 - 0.025) / 0.0439453 = 0.675556, limit = 0.132444
    # (the binomial is symmetric at 0.5: 1 - 0.767556).
    assert exact_binomial_limit(0.025, [10], 0.5)[0] == pytest.approx(0.132444, abs=1e-6)


def test_exact_limits_approach_normal_limits_for_large_n():
    # For large n the interpolated exact limits tend to p0 +- z sqrt(p0 q0 / n).
    n, p0 = 100_000, 0.9
    normal = p0 + stats.norm.ppf(0.999) * np.sqrt(p0 * (1 - p0) / n)
    assert exact_binomial_limit(0.999, [n], p0)[0] == pytest.approx(normal, abs=2e-5)


def test_labels_against_target():
    # target 0.5; unit 0: 9/10 = 0.9 > upper 95% limit 0.7676 and > 99.8% limit;
    # unit 1: 35/100, lower 95% limit (40 - 0.3154)/100 = 0.3968 -> below;
    # unit 2: 50/100 within.
    res = funnel_limits([9, 35, 50], [10, 100, 100], target=0.5)
    assert res.table["label_95"].tolist() == ["above", "below", "within"]
    assert res.target == 0.5
    assert res.overdispersion == "none"
    assert res.table.loc[0, "upper_95"] == pytest.approx(0.767556, abs=1e-6)


def test_overall_rate_is_default_target_and_index_kept():
    events = pd.Series([8, 30, 45], index=["C1", "C2", "C3"])
    res = funnel_limits(events, pd.Series([10, 50, 50], index=events.index))
    assert res.target == pytest.approx(83 / 110)
    assert list(res.table.index) == ["C1", "C2", "C3"]


def test_winsorised_phi_by_hand():
    # z = -3,-1,-1,0,0,0,0,1,1,3: 10th/90th percentiles -1.2/1.2 (linear),
    # phi = (2 * 1.44 + 4 * 1) / 10 = 0.688.
    assert winsorised_phi(np.array([-3, -1, -1, 0, 0, 0, 0, 1, 1, 3.0])) == pytest.approx(0.688)


def test_multiplicative_and_additive_overdispersion_by_hand():
    # Ten units of n = 100 against p0 = 0.5 (se = 0.05): rates give z-scores
    # -4,-2,-2,0,0,0,0,2,2,4 -> winsorised at the 10th/90th percentiles (-2.2, 2.2),
    # phi = (2 * 4.84 + 4 * 4) / 10 = 2.568.
    events = [30, 40, 40, 50, 50, 50, 50, 60, 60, 70]
    res = funnel_limits(events, [100] * 10, target=0.5, overdispersion="multiplicative")
    assert res.phi == pytest.approx(2.568)
    z = stats.norm.ppf(0.975)
    assert res.table.loc[0, "upper_95"] == pytest.approx(0.5 + z * np.sqrt(2.568) * 0.05)
    # The unit at 0.3 (z = -4) is below even the inflated 95% limit
    # (0.5 - 1.96 * 1.6025 * 0.05 = 0.343).
    assert res.table.loc[0, "label_95"] == "below"
    assert res.table.loc[1, "label_95"] == "within"
    # Additive: w = 100 / 0.25 = 400 each; tau2 = (10 * 2.568 - 9) / (4000 - 400)
    #         = 16.68 / 3600 = 0.0046333.
    add = funnel_limits(events, [100] * 10, target=0.5, overdispersion="additive")
    assert add.tau2 == pytest.approx(16.68 / 3600)
    assert add.table.loc[0, "upper_95"] == pytest.approx(0.5 + z * np.sqrt(0.0025 + 16.68 / 3600))


def test_no_adjustment_when_not_overdispersed():
    res = funnel_limits([50, 50, 51], [100, 100, 100], overdispersion="multiplicative")
    assert res.phi < 1
    assert res.overdispersion == "none"


def test_zero_trials_give_empty_limits_and_label():
    res = funnel_limits([0, 5], [0, 10], target=0.5)
    assert np.isnan(res.table.loc[0, "upper_95"])
    assert pd.isna(res.table.loc[0, "label_95"])


def test_unpacks_and_bad_input():
    table, target, phi, tau2, how = funnel_limits([1, 2], [3, 4])
    assert how == "none"
    with pytest.raises(ParameterError, match="overdispersion"):
        funnel_limits([1], [2], overdispersion="big")
    with pytest.raises(ParameterError, match="exceed"):
        funnel_limits([3], [2])
    with pytest.raises(ParameterError, match="target"):
        funnel_limits([1], [2], target=1.5)


def test_curve_matches_unit_limits():
    curve = funnel_curve(0.5, 10, points=10)
    row = curve.set_index("trials").loc[10.0]
    assert row["upper_95"] == pytest.approx(0.767556, abs=1e-6)


def test_a_rate_on_a_limit_at_zero_is_within():
    # target 0.5, 3 trials: P(X <= 0) = 0.125 > 0.001, so the 99.8% lower limit is 0 and a rate
    # of 0 lies on it (within); 3 of 3 lies above the upper limits (0.997 at 99.8%)
    res = funnel_limits([0, 3], [3, 3], target=0.5)
    assert res.table["lower_998"].iloc[0] == 0.0
    assert res.table["label_998"].tolist() == ["within", "above"]
