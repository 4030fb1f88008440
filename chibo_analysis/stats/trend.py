"""Test for a trend in proportions over ordered groups (e.g. years).

The Cochran-Armitage test (Cochran 1954, Armitage 1955), in the form of R's
``prop.trend.test``: with scores ``s_i`` (default 0, 1, 2, ... or the years
themselves), events ``x_i`` out of ``n_i``, ``N = sum n_i`` and overall rate
``pbar``,

``T = sum x_i s_i - pbar sum n_i s_i``,
``V = pbar (1 - pbar) (sum n_i s_i^2 - (sum n_i s_i)^2 / N)``,
``X^2 = T^2 / V`` on 1 degree of freedom.

The sign of ``T`` (reported as ``slope``: the weighted least-squares slope of
the rates on the scores) gives the direction. The test is equivalent to the
score test of the slope in a logistic regression of the event on the score;
it assumes independent trials (cells repeated over years are not, so read it
as a screen, not proof).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats._inputs import as_counts
from chibo_analysis.stats._result import Result


@dataclass(frozen=True)
class TrendResult(Result):
    """Result of :func:`trend_test`; unpacks as ``statistic, pvalue``.

    Attributes
    ----------
    statistic : float
        Chi-square statistic on 1 degree of freedom.
    pvalue : float
        Two-sided p-value.
    slope : float
        Change in rate per unit of score (weighted least squares; sign =
        direction of the trend).
    z : float
        Signed square root of the statistic (negative: falling).
    """

    statistic: float
    pvalue: float
    slope: float
    z: float

    _unpack = ("statistic", "pvalue")


def trend_test(events, trials, scores=None) -> TrendResult:
    """Cochran-Armitage chi-square test for trend in proportions.

    Parameters
    ----------
    events, trials : array-like
        Events and trials per ordered group (e.g. per year).
    scores : array-like, optional
        Score of each group; default 1, 2, ..., k (only differences matter).

    Examples
    --------
    R's ``prop.trend.test`` example (smokers among patients):

    >>> stat, p = trend_test([83, 90, 129, 70], [86, 93, 136, 82])
    >>> round(stat, 4), round(p, 6)
    (8.2249, 0.004132)
    """
    x, n, _ = as_counts(events, trials)
    s = np.arange(1, x.size + 1, dtype=float) if scores is None else np.asarray(scores, float)
    if s.shape != x.shape:
        raise ParameterError(f"scores must have one value per group; got {s.size} for {x.size}")
    keep = n > 0
    x, n, s = x[keep], n[keep], s[keep]
    if x.size < 2 or np.ptp(s) == 0:
        raise ParameterError(
            "a trend test needs at least two groups with trials and different scores"
        )
    total = n.sum()
    pbar = x.sum() / total
    sxx = (n * s**2).sum() - (n * s).sum() ** 2 / total
    t = (x * s).sum() - pbar * (n * s).sum()
    var = pbar * (1 - pbar) * sxx
    if var == 0:
        return TrendResult(0.0, 1.0, 0.0, 0.0)
    stat = float(t**2 / var)
    z = float(t / np.sqrt(var))
    return TrendResult(stat, float(stats.chi2.sf(stat, 1)), float(t / sxx), z)
