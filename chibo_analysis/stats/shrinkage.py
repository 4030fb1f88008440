"""Empirical-Bayes (beta-binomial) shrunken rates, to rank cells honestly.

A small cell with 3 meetings out of 3 has a raw rate of 100%, but little
evidence. The beta-binomial model treats each cell's true rate as drawn from
a ``Beta(alpha, beta)`` population; ``alpha`` and ``beta`` are estimated from
all cells together, and each cell's rate is then the posterior
``Beta(alpha + y, beta + n - y)``: its mean ``(alpha + y) / (alpha + beta + n)``
is pulled toward the population mean, strongly for small cells and hardly
for large ones. Ranking by it (or by the interval) is fairer than by raw
rates.

Estimating ``alpha`` and ``beta``:

* ``"mle"`` (default): maximum of the beta-binomial marginal likelihood
  ``sum log BetaBinom(y_i | n_i, alpha, beta)``, fitted on the mean (logit)
  and the log of ``alpha + beta``; ``alpha + beta`` is capped at 1e7 (cells
  that do not differ beyond chance shrink fully to the mean).
* ``"moments"``: the method of moments of Gelman et al., *Bayesian Data
  Analysis* (3rd ed., section 5.1): the mean ``m`` and sample variance ``v``
  of the raw rates give ``alpha + beta = m (1 - m) / v - 1``. It ignores the
  binomial noise in ``v`` and so shrinks less than it should; kept because it
  is simple to check by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from chibo_analysis.errors import ParameterError, check_argument
from chibo_analysis.stats._inputs import as_counts, check_level
from chibo_analysis.stats._result import Result

METHODS = ("mle", "moments")
MAX_CONCENTRATION = 1e7


@dataclass(frozen=True)
class ShrinkageResult(Result):
    """Shrunken rates; unpacks as ``table, alpha, beta``.

    Attributes
    ----------
    table : DataFrame
        Per unit: ``events``, ``trials``, ``rate`` (raw), ``shrunken``
        (posterior mean), ``lower``, ``upper`` (equal-tailed posterior
        interval) and ``rank`` (1 = highest shrunken rate).
    alpha, beta : float
        The fitted population Beta distribution.
    method : str
        ``"mle"`` or ``"moments"``.
    """

    table: pd.DataFrame
    alpha: float
    beta: float
    method: str

    _unpack = ("table", "alpha", "beta")

    @property
    def mean(self) -> float:
        """Population mean rate ``alpha / (alpha + beta)``."""
        return self.alpha / (self.alpha + self.beta)


def beta_binomial_loglik(alpha: float, beta: float, events, trials) -> float:
    """Log-likelihood of the counts under ``BetaBinomial(n, alpha, beta)``.

    Examples
    --------
    >>> from scipy import stats
    >>> ll = beta_binomial_loglik(2.0, 3.0, [1, 4], [5, 6])
    >>> bool(np.isclose(ll, stats.betabinom.logpmf([1, 4], [5, 6], 2.0, 3.0).sum()))
    True
    """
    y = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    return float(
        np.sum(
            special.gammaln(n + 1)
            - special.gammaln(y + 1)
            - special.gammaln(n - y + 1)
            + special.betaln(y + alpha, n - y + beta)
            - special.betaln(alpha, beta)
        )
    )


def fit_beta_moments(events, trials) -> tuple[float, float]:
    """Method-of-moments ``(alpha, beta)`` from the raw rates (BDA3, section 5.1).

    Examples
    --------
    Rates 0.2, 0.4, 0.6: m = 0.4, v = 0.04, alpha + beta = 0.24 / 0.04 - 1 = 5:

    >>> fit_beta_moments([2, 4, 6], [10, 10, 10])
    (2.0, 3.0)
    """
    y, n, _ = as_counts(events, trials)
    rates = y[n > 0] / n[n > 0]
    if rates.size < 2:
        raise ParameterError("shrinkage needs at least two units with trials")
    m, v = rates.mean(), rates.var(ddof=1)
    if m in (0.0, 1.0):
        raise ParameterError(f"every unit has rate {m:g}; there is nothing to shrink")
    conc = MAX_CONCENTRATION if v <= 0 else min(m * (1 - m) / v - 1, MAX_CONCENTRATION)
    if conc <= 0:
        raise ParameterError("the rates vary more than a Beta distribution allows (v >= m(1-m))")
    return float(round(m * conc, 12)), float(round((1 - m) * conc, 12))


def fit_beta_mle(events, trials) -> tuple[float, float]:
    """Maximum-likelihood ``(alpha, beta)`` of the beta-binomial model."""
    y, n, _ = as_counts(events, trials)
    y, n = y[n > 0], n[n > 0]
    if y.size < 2:
        raise ParameterError("shrinkage needs at least two units with trials")
    m = y.sum() / n.sum()
    if m in (0.0, 1.0):
        raise ParameterError(f"every unit has rate {m:g}; there is nothing to shrink")

    def nll(theta):
        mu, conc = special.expit(theta[0]), np.exp(theta[1])
        return -beta_binomial_loglik(mu * conc, (1 - mu) * conc, y, n)

    starts = [np.log(c) for c in (2.0, 20.0, 200.0)]
    best = None
    for s in starts:
        fit = optimize.minimize(
            nll,
            x0=[special.logit(m), s],
            method="L-BFGS-B",
            bounds=[(-30, 30), (np.log(1e-3), np.log(MAX_CONCENTRATION))],
        )
        if best is None or fit.fun < best.fun:
            best = fit
    mu, conc = special.expit(best.x[0]), np.exp(best.x[1])
    return float(mu * conc), float((1 - mu) * conc)


def shrunken_rates(events, trials, *, method: str = "mle", level: float = 0.95) -> ShrinkageResult:
    """Empirical-Bayes shrunken rates with posterior intervals.

    Parameters
    ----------
    events, trials : array-like or Series
        Per unit (a Series' index labels the rows).
    method : {"mle", "moments"}
        How ``alpha`` and ``beta`` are estimated.
    level : float
        Coverage of the posterior intervals.

    Examples
    --------
    >>> res = shrunken_rates([2, 4, 6], [10, 10, 10], method="moments")
    >>> res.table["shrunken"].round(4).tolist()
    [0.2667, 0.4, 0.5333]
    """
    check_argument("method", method, METHODS)
    level = check_level("level", level)
    y, n, index = as_counts(events, trials)
    fit = fit_beta_mle if method == "mle" else fit_beta_moments
    alpha, beta = fit(y, n)
    a_post, b_post = alpha + y, beta + n - y
    table = pd.DataFrame(
        {
            "events": y,
            "trials": n,
            "rate": np.where(n > 0, y / np.where(n > 0, n, 1), np.nan),
            "shrunken": a_post / (a_post + b_post),
            "lower": stats.beta.ppf(0.5 - level / 2, a_post, b_post),
            "upper": stats.beta.ppf(0.5 + level / 2, a_post, b_post),
        },
        index=index,
    )
    table["rank"] = table["shrunken"].rank(ascending=False, method="min").astype(int)
    return ShrinkageResult(table, alpha, beta, method)
