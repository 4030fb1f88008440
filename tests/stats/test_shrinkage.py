"""Empirical-Bayes beta-binomial shrinkage."""

import numpy as np
import pytest
from scipy import optimize, stats

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats.shrinkage import (
    beta_binomial_loglik,
    fit_beta_mle,
    fit_beta_moments,
    shrunken_rates,
)

# The 70 historical rat-tumour experiments of Tarone (1982), as tabulated in
# Gelman et al., Bayesian Data Analysis (3rd ed.), Table 5.1. BDA section 5.1:
# "the sample mean and standard deviation of the 70 values y_j/n_j are 0.136
# and 0.103 ... The resulting estimate for (alpha, beta) is (1.4, 8.6)."
RAT_N = [20, 20, 20, 20, 20, 20, 20, 19, 19, 19, 19, 18, 18, 17, 20, 20, 20, 20, 19, 19,
         18, 18, 25, 24, 23, 20, 20, 20, 20, 20, 20, 10, 49, 19, 46, 27, 17, 49, 47, 20,
         20, 13, 48, 50, 20, 20, 20, 20, 20, 20, 20, 48, 19, 19, 19, 22, 46, 49, 20, 20,
         23, 19, 22, 20, 20, 20, 52, 46, 47, 24]  # fmt: skip
RAT_Y = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2,
         2, 2, 2, 2, 1, 5, 2, 5, 3, 2, 7, 7, 3, 3, 2, 9, 10, 4, 4, 4, 4, 4, 4, 4, 10, 4, 4,
         4, 5, 11, 12, 5, 5, 6, 5, 6, 6, 6, 6, 16, 15, 15, 9]  # fmt: skip


def test_moments_match_bda_rat_tumours():
    alpha, beta = fit_beta_moments(RAT_Y, RAT_N)
    assert (round(alpha, 1), round(beta, 1)) == (1.4, 8.6)


def test_mle_is_the_maximum_found_by_scipy_betabinom():
    alpha, beta = fit_beta_mle(RAT_Y, RAT_N)
    # Independent check: maximise scipy.stats.betabinom's likelihood directly
    # on (log alpha, log beta) with Nelder-Mead.
    y, n = np.array(RAT_Y), np.array(RAT_N)
    res = optimize.minimize(
        lambda t: -stats.betabinom.logpmf(y, n, *np.exp(t)).sum(),
        [0.0, 2.0],
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 10_000},
    )
    assert (alpha, beta) == pytest.approx(tuple(np.exp(res.x)), rel=1e-3)
    ll = beta_binomial_loglik(alpha, beta, y, n)
    assert ll >= beta_binomial_loglik(1.4, 8.6, y, n)


def test_posterior_by_hand():
    # Moments on rates 0.2, 0.4, 0.6 (n = 10 each): m = 0.4, v = 0.04,
    # alpha + beta = 0.4 * 0.6 / 0.04 - 1 = 5 -> (2, 3).
    # Unit 0: Beta(2 + 2, 3 + 8) = Beta(4, 11), mean 4/15 = 0.26667.
    res = shrunken_rates([2, 4, 6], [10, 10, 10], method="moments")
    assert (res.alpha, res.beta) == pytest.approx((2, 3))
    t = res.table
    assert t["shrunken"].tolist() == pytest.approx([4 / 15, 6 / 15, 8 / 15])
    assert t.loc[0, "lower"] == pytest.approx(stats.beta.ppf(0.025, 4, 11))
    assert t["rank"].tolist() == [3, 2, 1]
    assert res.mean == pytest.approx(0.4)


def test_small_cells_shrink_more():
    # Same raw rate 1.0, sizes 3 and 300: the small cell is pulled further down.
    res = shrunken_rates([3, 300, 50, 60, 70], [3, 300, 100, 100, 100])
    assert res.table.loc[0, "shrunken"] < res.table.loc[1, "shrunken"]
    table, alpha, beta = res
    assert alpha > 0 and beta > 0


def test_degenerate_inputs():
    with pytest.raises(ParameterError, match="nothing to shrink"):
        shrunken_rates([0, 0], [5, 5])
    with pytest.raises(ParameterError, match="method"):
        shrunken_rates([1, 2], [5, 5], method="bayes")
