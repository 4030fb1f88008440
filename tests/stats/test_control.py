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


def test_laney_is_the_p_chart_with_limits_scaled_by_sigma_z():
    # Laney's limits are pbar +- k sigma_i sigma_z: with k = 3 / sigma_z they are the p-chart's
    # 3-sigma limits. Rates 0.4, 0.6, 0.5 of 100: sigma_z = 3 / 1.128 (test_laney_by_hand), so
    # nsigmas = 1.128 gives pbar +- 3 x 0.05 = 0.35 and 0.65, as the p-chart does.
    laney = laney_p_chart([40, 60, 50], [100] * 3, nsigmas=D2)
    plain = p_chart([40, 60, 50], [100] * 3)
    assert laney.table["lcl"].tolist() == pytest.approx([0.35] * 3)
    assert laney.table["ucl"].tolist() == pytest.approx(plain.table["ucl"].tolist())
    assert laney.table["lcl"].tolist() == pytest.approx(plain.table["lcl"].tolist())
    assert plain.table["ucl"].tolist() == pytest.approx([0.65] * 3)


def test_laney_with_sigma_z_one_gives_the_p_chart():
    # z-scores -0.564 and +0.564 (moving range 1.128 = d2): sigma_z = 1, so Laney's chart is the
    # p-chart. pbar = 0.5, sigma = sqrt(0.25 / 100) = 0.05, so rates 0.5 -+ 0.564 x 0.05:
    # events 47.18 and 52.82 of 100 (counts may be weighted, hence not whole).
    laney = laney_p_chart([47.18, 52.82], [100, 100])
    plain = p_chart([47.18, 52.82], [100, 100])
    assert laney.sigma_z == pytest.approx(1.0)
    assert laney.table["ucl"].tolist() == pytest.approx(plain.table["ucl"].tolist())
    assert laney.table["ucl"].tolist() == pytest.approx([0.65, 0.65])


@pytest.mark.parametrize("chart", [p_chart, laney_p_chart])
def test_a_rate_on_a_limit_clipped_to_zero_or_one_is_within(chart):
    # pbar = 5/30 = 1/6; n = 5: sigma = sqrt((1/6)(5/6)/5) = 1/6, LCL = 1/6 - 3/6 < 0 -> 0.
    # A rate of 0 is ON the clipped limit: within, not below.
    low = chart([0, 5], [5, 25]).table
    assert low["lcl"].iloc[0] == 0.0 and low["label"].iloc[0] == "within"
    # pbar = 25/30 = 5/6; n = 5: UCL = 5/6 + 3/6 > 1 -> 1; a rate of 1 on it: within
    high = chart([5, 20], [5, 25]).table
    assert high["ucl"].iloc[0] == 1.0 and high["label"].iloc[0] == "within"


def test_a_rate_just_outside_a_limit_is_labelled():
    # pbar = 0.5, n = 100: limits 0.35 and 0.65 for months of 100 (sigma = 0.05); the other
    # months balance the centre: 34 of 100 is below, 66 above, 35 and 65 on the limits are within
    chart = p_chart([34, 66, 35, 65], [100] * 4)
    assert chart.center == 0.5
    assert chart.table["label"].tolist() == ["below", "above", "within", "within"]


def test_laney_wider_than_p_for_overdispersed_series():
    events = [300, 420, 350, 480, 310, 450]
    trials = [1000] * 6
    assert laney_p_chart(events, trials).sigma_z > 1
    lane = laney_p_chart(events, trials).table["label"]
    plain = p_chart(events, trials).table["label"]
    assert (plain != "within").sum() > (lane != "within").sum()
    chart, center, sigma_z = laney_p_chart(events, trials)
    assert center == pytest.approx(2310 / 6000)
