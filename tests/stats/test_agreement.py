"""Weighted Cohen's kappa."""

import numpy as np
import pytest

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats.agreement import (
    confusion_table,
    kappa_from_table,
    weight_matrix,
    weighted_kappa,
)

# R vcd's SexualFun table (Agresti, Categorical Data Analysis), husband x wife.
# vcd::Kappa(SexualFun) prints (vcd reference manual and vignette):
#   Unweighted 0.1293 ASE 0.06860, CI -0.00512 .. 0.2638
#   Weighted   0.2374 ASE 0.07832, CI  0.08388 .. 0.3909   (equal-spacing weights)
# vcd's ASE is the large-sample variance of Fleiss, Cohen & Everitt (1969).
SEXUAL_FUN = [[7, 7, 2, 3], [2, 8, 3, 7], [1, 5, 4, 9], [2, 8, 9, 14]]


def test_matches_vcd_unweighted_and_linear():
    plain = kappa_from_table(SEXUAL_FUN, weights="none")
    assert plain.kappa == pytest.approx(0.1293, abs=5e-5)
    assert plain.se == pytest.approx(0.06860, abs=5e-6)
    assert plain.low == pytest.approx(-0.00512, abs=5e-6)
    linear = kappa_from_table(SEXUAL_FUN, weights="linear")
    assert linear.kappa == pytest.approx(0.2374, abs=5e-5)
    assert linear.se == pytest.approx(0.07832, abs=5e-6)
    assert (linear.low, linear.high) == pytest.approx((0.08388, 0.3909), abs=5e-5)


def test_quadratic_matches_sklearn():
    # scikit-learn's test_cohen_kappa: y1 = 46 x 0, 44 x 1, 10 x 2;
    # y2 = 50 x 0, 40 x 1, 10 x 2; quadratic 0.9541, linear 0.9412, none 0.9315.
    y1 = np.array(["a"] * 46 + ["b"] * 44 + ["c"] * 10)
    y2 = np.array(["a"] * 50 + ["b"] * 40 + ["c"] * 10)
    cats = ("a", "b", "c")
    assert weighted_kappa(y1, y2, categories=cats).kappa == pytest.approx(0.9541, abs=5e-5)
    assert weighted_kappa(y1, y2, categories=cats, weights="linear").kappa == pytest.approx(
        0.9412, abs=5e-5
    )
    assert weighted_kappa(y1, y2, categories=cats, weights="none").kappa == pytest.approx(
        0.9315, abs=5e-5
    )


def test_confusion_table_order_and_missing_pairs():
    t = confusion_table(["poor", "good", None, "fair"], ["average", "good", "good", "good"])
    assert list(t.index) == ["good", "fair", "average", "poor"]
    assert list(t.columns) == ["good", "fair", "average", "poor"]
    assert t.to_numpy().sum() == 3  # the pair with a missing self-rating is left out
    assert t.loc["poor", "average"] == 1 and t.loc["fair", "good"] == 1


def test_quadratic_weights_by_hand():
    # k = 4: 1 - (i - j)^2 / 9
    assert weight_matrix(4)[0].tolist() == pytest.approx([1, 8 / 9, 5 / 9, 0])


def test_bootstrap_is_seeded_and_brackets_estimate():
    rng = np.random.default_rng(3)
    codes = np.array(["good", "fair", "average", "poor"])
    a = codes[rng.integers(0, 4, 80)]
    b = np.where(rng.random(80) < 0.6, a, codes[rng.integers(0, 4, 80)])
    one = weighted_kappa(a, b, ci="bootstrap", seed=7, n_boot=500)
    two = weighted_kappa(a, b, ci="bootstrap", seed=7, n_boot=500)
    assert (one.low, one.high) == (two.low, two.high)
    assert one.low < one.kappa < one.high
    kappa, low, high = one
    assert kappa == one.kappa


def test_unknown_rating_is_an_error():
    with pytest.raises(ParameterError, match="unknown ratings"):
        weighted_kappa(["good"], ["excellent"])
    with pytest.raises(ParameterError, match="weights"):
        kappa_from_table(SEXUAL_FUN, weights="cubic")


def test_asymptotic_interval_is_cut_to_kappas_range():
    # 10 meetings: 4 both good, 5 both poor, 1 self good / inspection poor (unweighted).
    # po = 0.9, pe = 0.4 x 0.5 + 0.6 x 0.5 = 0.5, kappa = (0.9 - 0.5) / 0.5 = 0.8.
    # FCE 1969 variance, by hand: diagonal 0.4 x (1 - 0.9 x 0.2)^2 + 0.5 x (1 - 1.1 x 0.2)^2
    # = 0.26896 + 0.3042; off-diagonal 0.2^2 x 0.1 x (0.5 + 0.4)^2 = 0.00324; minus
    # (0.8 - 0.5 x 0.2)^2 = 0.49; over 10 x 0.5^2: 0.0864 / 2.5 = 0.03456, se = 0.18590.
    # 0.8 + 1.96 x 0.1859 = 1.164 is not a kappa: the upper bound is cut at 1.
    res = kappa_from_table([[4, 0], [1, 5]], weights="none")
    assert res.kappa == pytest.approx(0.8)
    assert res.se == pytest.approx(0.034560**0.5, abs=1e-6)
    assert res.high == 1.0
    assert res.low == pytest.approx(0.8 - 1.959964 * 0.185903, abs=1e-5)
