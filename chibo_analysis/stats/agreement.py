"""Agreement between the cells' self-ratings and the inspectors' ratings.

Weighted Cohen's kappa (Cohen 1968) on the ordered scale of
:data:`chibo_analysis.schema.RATINGS` (good, fair, average, poor). With
agreement weights ``w_ij`` (1 on the diagonal), observed and chance
agreement ``po = sum w_ij p_ij`` and ``pe = sum w_ij p_i. p_.j``,
``kappa = (po - pe) / (1 - pe)``.

Weights: ``"quadratic"`` ``1 - (i - j)^2 / (k - 1)^2`` (Fleiss-Cohen; the
default: a two-step disagreement costs four times a one-step one),
``"linear"`` ``1 - |i - j| / (k - 1)`` (equal spacing) or ``"none"``.

Confidence interval: ``"asymptotic"`` uses the large-sample standard error
of Fleiss, Cohen & Everitt (1969, *Psychological Bulletin* 72:323-327), as R's
``vcd::Kappa`` does, cut to kappa's range [-1, 1] (vcd does not cut it, so
near 1 its upper bound may pass 1); ``"bootstrap"`` resamples the rated meetings with a seed
(percentile interval), better for the small samples inspections give.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from chibo_analysis.errors import ParameterError, check_argument
from chibo_analysis.schema import RATINGS
from chibo_analysis.stats._inputs import check_level
from chibo_analysis.stats._result import Result

#: Rating codes in scale order, best first.
RATING_ORDER = tuple(c.code for c in RATINGS)
WEIGHTS = ("quadratic", "linear", "none")
CI_METHODS = ("asymptotic", "bootstrap")


@dataclass(frozen=True)
class KappaResult(Result):
    """Weighted kappa with its interval; unpacks as ``kappa, low, high``.

    Attributes
    ----------
    kappa, low, high : float
        The estimate and the confidence interval.
    se : float
        Large-sample standard error (Fleiss, Cohen & Everitt 1969).
    n : int
        Number of rated pairs.
    confusion : DataFrame
        Counts, rows = self-rating, columns = inspection rating, in the
        order good / fair / average / poor.
    weights : str
        The weighting used.
    """

    kappa: float
    low: float
    high: float
    se: float
    n: int
    confusion: pd.DataFrame
    weights: str

    _unpack = ("kappa", "low", "high")


def weight_matrix(k: int, weights: str = "quadratic") -> np.ndarray:
    """Agreement weights for ``k`` ordered categories (1 on the diagonal).

    Examples
    --------
    >>> weight_matrix(3, "quadratic")[0].tolist()
    [1.0, 0.75, 0.0]
    """
    check_argument("weights", weights, WEIGHTS)
    i, j = np.indices((k, k))
    if weights == "none" or k < 2:
        return (i == j).astype(float)
    if weights == "linear":
        return 1.0 - np.abs(i - j) / (k - 1)
    return 1.0 - (i - j) ** 2 / (k - 1) ** 2


def _kappa(table: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Kappa and its FCE-1969 standard error from a count table."""
    n = table.sum()
    p = table / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    po = (w * p).sum()
    pe = (w * np.outer(rows, cols)).sum()
    if pe == 1:
        return float("nan"), float("nan")
    kappa = (po - pe) / (1 - pe)
    wi = w @ cols  # mean weight of row i against the column margins
    wj = w.T @ rows
    dev = w - (wi[:, None] + wj[None, :]) * (1 - kappa)
    var = ((p * dev**2).sum() - (kappa - pe * (1 - kappa)) ** 2) / (n * (1 - pe) ** 2)
    return float(kappa), float(np.sqrt(max(var, 0.0)))


def confusion_table(rater_a, rater_b, categories=RATING_ORDER) -> pd.DataFrame:
    """Counts of each pair of ratings, both axes in ``categories`` order.

    Pairs where either rating is missing are left out.

    Examples
    --------
    >>> confusion_table(["good", "fair"], ["fair", "fair"]).loc["good", "fair"]
    np.int64(1)
    """
    a = pd.Series(np.asarray(rater_a, dtype=object))
    b = pd.Series(np.asarray(rater_b, dtype=object))
    if len(a) != len(b):
        raise ParameterError(f"the two ratings differ in length: {len(a)} and {len(b)}")
    keep = a.notna() & b.notna()
    a, b = a[keep].astype(str), b[keep].astype(str)
    unknown = sorted((set(a) | set(b)) - set(categories))
    if unknown:
        raise ParameterError(f"unknown ratings {unknown}; expected one of {list(categories)}")
    k = len(categories)
    code = {c: i for i, c in enumerate(categories)}
    flat = a.map(code).to_numpy(int) * k + b.map(code).to_numpy(int)
    counts = np.bincount(flat, minlength=k * k).reshape(k, k)
    return pd.DataFrame(
        counts,
        index=pd.Index(list(categories), name="self_rating"),
        columns=pd.Index(list(categories), name="inspection_rating"),
    )


def kappa_from_table(table, *, weights: str = "quadratic", level: float = 0.95) -> KappaResult:
    """Weighted kappa from a square count table (rows rater A, columns rater B).

    Examples
    --------
    >>> res = kappa_from_table([[10, 0], [0, 10]], weights="none")
    >>> res.kappa
    1.0
    """
    frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(np.asarray(table))
    counts = frame.to_numpy(dtype=float)
    if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
        raise ParameterError(f"the table must be square; got shape {counts.shape}")
    level = check_level("level", level)
    w = weight_matrix(counts.shape[0], weights)
    n = int(counts.sum())
    if n == 0:
        nan = float("nan")
        return KappaResult(nan, nan, nan, nan, 0, frame, weights)
    kappa, se = _kappa(counts, w)
    zq = stats.norm.ppf(0.5 + level / 2)
    # kappa lies in [-1, 1]: the normal interval is cut there (a few inspected meetings
    # with high agreement would otherwise read "0.17 to 1.04")
    low, high = np.clip([kappa - zq * se, kappa + zq * se], -1.0, 1.0)
    return KappaResult(kappa, float(low), float(high), se, n, frame, weights)


def weighted_kappa(
    self_ratings,
    inspection_ratings,
    *,
    weights: str = "quadratic",
    ci: str = "asymptotic",
    level: float = 0.95,
    n_boot: int = 2000,
    seed: int | None = 0,
    categories=RATING_ORDER,
) -> KappaResult:
    """Weighted Cohen's kappa between two ratings of the same meetings.

    Parameters
    ----------
    self_ratings, inspection_ratings : array-like of rating codes
        Paired ratings (``good``, ``fair``, ``average``, ``poor``); pairs
        with a missing rating are left out.
    weights : {"quadratic", "linear", "none"}
    ci : {"asymptotic", "bootstrap"}
        How the interval is computed (see the module docstring).
    level : float
        Coverage of the interval.
    n_boot : int
        Bootstrap resamples.
    seed : int or None
        Seed of the bootstrap, for reproducible intervals.
    categories : sequence of str
        The ordered scale.

    Examples
    --------
    >>> res = weighted_kappa(["good", "fair", "poor"], ["good", "average", "poor"])
    >>> round(res.kappa, 4)
    0.8966
    """
    check_argument("ci", ci, CI_METHODS)
    confusion = confusion_table(self_ratings, inspection_ratings, categories)
    result = kappa_from_table(confusion, weights=weights, level=level)
    if ci == "asymptotic" or result.n == 0:
        return result
    k = len(categories)
    counts = confusion.to_numpy()
    cells = np.repeat(np.arange(k * k), counts.ravel())
    rng = np.random.default_rng(seed)
    draws = cells[rng.integers(0, cells.size, size=(int(n_boot), cells.size))]
    offsets = (np.arange(int(n_boot)) * k * k)[:, None]
    tables = np.bincount((draws + offsets).ravel(), minlength=int(n_boot) * k * k)
    tables = tables.reshape(int(n_boot), k, k).astype(float) / cells.size
    w = weight_matrix(k, weights)
    rows, cols = tables.sum(axis=2), tables.sum(axis=1)
    po = (tables * w).sum(axis=(1, 2))
    pe = np.einsum("bi,bj,ij->b", rows, cols, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (po - pe) / (1 - pe)
    boot = boot[np.isfinite(boot)]
    low, high = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
    return KappaResult(
        result.kappa, float(low), float(high), result.se, result.n, confusion, weights
    )
