"""Funnel-plot limits for proportions (Spiegelhalter 2005).

Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional
performance. *Statistics in Medicine* 24:1185-1202.

A cell's rate (e.g. attendance: present / register rows) is compared with a
target ``p0`` (the programme's target, or the overall rate). Its control
limits depend only on its size ``n``, so small and large cells are judged
fairly: a small cell must stray further before it is flagged.

* **Exact binomial limits** with the paper's interpolation for discrete
  data: for a tail probability ``p``, let ``r`` be the smallest count with
  ``P(X <= r) >= p`` (``X ~ Binomial(n, p0)``) and
  ``alpha = (P(X <= r) - p) / (P(X <= r) - P(X <= r - 1))``; the limit is
  ``(r - alpha) / n``. Limits are drawn at 95% and 99.8% by default.
* **Overdispersion.** When cells differ more than chance allows (they
  always do in real audits), the paper's z-scores
  ``z_i = (y_i - p0) / sqrt(p0 (1 - p0) / n_i)`` are winsorised at 10% at
  each end and ``phi = mean(z_w^2)``. With ``overdispersion="multiplicative"``
  and ``phi > 1`` the limits become ``p0 +- z sqrt(phi p0 (1-p0) / n)``; with
  ``"additive"`` (random effects), ``p0 +- z sqrt(p0 (1-p0) / n + tau^2)`` with
  ``tau^2 = max(0, (I phi - (I - 1)) / (sum w - sum w^2 / sum w))`` and
  ``w_i = n_i / (p0 (1 - p0))``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from chibo_analysis.errors import check_argument
from chibo_analysis.stats._inputs import as_counts, check_level, level_tag, position
from chibo_analysis.stats._result import Result

OVERDISPERSION = ("none", "multiplicative", "additive")


def exact_binomial_limit(p: float, trials, p0: float) -> np.ndarray:
    """Spiegelhalter's interpolated ``p``-quantile of ``Binomial(n, p0) / n``.

    Parameters
    ----------
    p : float
        Tail probability, e.g. 0.025 for the lower 95% limit.
    trials : array-like
        Sizes ``n`` (0 gives an empty limit).
    p0 : float
        The target proportion.

    Examples
    --------
    >>> float(exact_binomial_limit(0.975, [10], 0.5)[0].round(4))
    0.7676
    """
    n = np.asarray(trials, dtype=float)
    r = stats.binom.ppf(p, n, p0)
    upper = stats.binom.cdf(r, n, p0)
    below = stats.binom.cdf(r - 1, n, p0)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = np.where(upper > below, (upper - p) / (upper - below), 0.0)
        limit = (r - alpha) / n
    return np.where(n > 0, np.clip(limit, 0.0, 1.0), np.nan)


@dataclass(frozen=True)
class FunnelResult(Result):
    """Funnel-plot limits of each unit.

    Attributes
    ----------
    table : DataFrame
        One row per unit: ``events``, ``trials``, ``rate``, ``z``, then
        ``lower_<L>``, ``upper_<L>`` and ``label_<L>`` (within / above /
        below) for each level ``L`` (``95``, ``998``).
    target : float
        The proportion compared against.
    phi : float
        Overdispersion factor from the winsorised z-scores (1 = none).
    tau2 : float
        Between-unit variance of the additive model (0 unless used).
    overdispersion : str
        The adjustment applied to the limits.
    """

    table: pd.DataFrame
    target: float
    phi: float
    tau2: float
    overdispersion: str


def winsorised_phi(z: np.ndarray, fraction: float = 0.1) -> float:
    """Overdispersion factor: mean square of z-scores winsorised at ``fraction``.

    The lowest and highest ``fraction`` of the z-scores are set to the
    ``fraction`` and ``1 - fraction`` percentiles (numpy's default linear
    interpolation) before squaring.

    Examples
    --------
    Ten z-scores; the 10th and 90th percentiles are -1.2 and 1.2, so -3 and 3
    become -1.2 and 1.2 and phi = (2 * 1.44 + 4 * 1) / 10:

    >>> round(winsorised_phi(np.array([-3, -1, -1, 0, 0, 0, 0, 1, 1, 3])), 3)
    0.688
    """
    z = np.asarray(z, dtype=float)
    z = z[~np.isnan(z)]
    if z.size == 0:
        return float("nan")
    low, high = np.quantile(z, [fraction, 1 - fraction])
    return float(np.mean(np.clip(z, low, high) ** 2))


def funnel_limits(
    events,
    trials,
    *,
    target: float | None = None,
    levels: tuple[float, ...] = (0.95, 0.998),
    overdispersion: str = "none",
    winsorise: float = 0.1,
) -> FunnelResult:
    """Funnel-plot limits for a proportion, each unit labelled.

    Parameters
    ----------
    events, trials : array-like or Series
        Numerator and denominator per unit (a Series' index labels the rows).
    target : float, optional
        Proportion to compare against; default the overall rate
        ``sum(events) / sum(trials)``.
    levels : tuple of float
        Two-sided coverage of the limits.
    overdispersion : {"none", "multiplicative", "additive"}
        Adjustment of the limits (see the module docstring). It is applied
        only when ``phi > 1``; otherwise the exact limits are kept.
    winsorise : float
        Fraction winsorised at each end before estimating ``phi``.

    Returns
    -------
    FunnelResult

    Examples
    --------
    >>> res = funnel_limits([9, 35], [10, 100], target=0.5)
    >>> res.table["label_95"].tolist()
    ['above', 'below']
    """
    check_argument("overdispersion", overdispersion, OVERDISPERSION)
    levels = tuple(check_level("levels", lv) for lv in levels)
    winsorise = float(winsorise)
    e, n, index = as_counts(events, trials)
    with np.errstate(invalid="ignore", divide="ignore"):  # no trials at all: NaN
        p0 = float(e.sum() / n.sum()) if target is None else check_level("target", target)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, e / n, np.nan)
        se2 = np.where(n > 0, p0 * (1 - p0) / n, np.nan)
        z = (rate - p0) / np.sqrt(se2)
    phi = winsorised_phi(z, winsorise)
    tau2 = 0.0
    if overdispersion == "additive" and phi > 1:
        w = n[n > 0] / (p0 * (1 - p0))
        units = w.size
        tau2 = max(0.0, (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    table = pd.DataFrame({"events": e, "trials": n, "rate": rate, "z": z}, index=index)
    for level in levels:
        tag = level_tag(level)
        tail = (1 - level) / 2
        if overdispersion == "none" or not phi > 1:
            low = exact_binomial_limit(tail, n, p0)
            high = exact_binomial_limit(1 - tail, n, p0)
        else:
            zq = stats.norm.ppf(1 - tail)
            var = phi * se2 if overdispersion == "multiplicative" else se2 + tau2
            low = np.clip(p0 - zq * np.sqrt(var), 0.0, 1.0)
            high = np.clip(p0 + zq * np.sqrt(var), 0.0, 1.0)
        table[f"lower_{tag}"] = low
        table[f"upper_{tag}"] = high
        table[f"label_{tag}"] = position(rate, low, high)
    applied = overdispersion if phi > 1 else "none"
    return FunnelResult(table, p0, phi, tau2, applied)


def funnel_curve(
    target: float,
    max_trials: int,
    *,
    levels: tuple[float, ...] = (0.95, 0.998),
    phi: float = 1.0,
    tau2: float = 0.0,
    points: int = 200,
) -> pd.DataFrame:
    """The funnel's limit lines over sizes 1..``max_trials``, for plotting.

    Exact limits when ``phi <= 1`` and ``tau2 == 0``, otherwise the
    normal-approximation limits inflated by ``phi`` (multiplicative) or
    widened by ``tau2`` (additive), as in :func:`funnel_limits`.
    """
    target = check_level("target", target)
    n = np.unique(np.geomspace(1, max(int(max_trials), 1), points).round())
    out = pd.DataFrame({"trials": n})
    se2 = target * (1 - target) / n
    for level in levels:
        tag, tail = level_tag(level), (1 - check_level("levels", level)) / 2
        if phi <= 1 and tau2 == 0:
            out[f"lower_{tag}"] = exact_binomial_limit(tail, n, target)
            out[f"upper_{tag}"] = exact_binomial_limit(1 - tail, n, target)
        else:
            var = max(phi, 1.0) * se2 + tau2
            zq = stats.norm.ppf(1 - tail)
            out[f"lower_{tag}"] = np.clip(target - zq * np.sqrt(var), 0, 1)
            out[f"upper_{tag}"] = np.clip(target + zq * np.sqrt(var), 0, 1)
    return out
