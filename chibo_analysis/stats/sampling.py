"""Attribute sampling for inspections: how many meetings, which, and what they show.

The method of audit attribute sampling (AICPA, *Audit Sampling* guide,
Appendix A, Tables A-1 and A-3), on the binomial distribution:

* **Sample size.** The smallest ``n`` such that, allowing
  ``k = ceil(n * expected)`` deviations, ``P(X <= k) <= 1 - confidence`` for
  ``X ~ Binomial(n, tolerable)``: finding at most ``k`` deviations then
  supports, at that confidence, that the deviation rate is below the
  tolerable rate. At 95% confidence, 5% tolerable and no expected deviation
  the answer is 59 (``0.95^59 = 0.0485``).
* **Evaluation.** The upper deviation limit after finding ``k`` deviations in
  ``n`` is the one-sided Clopper-Pearson (exact binomial) bound
  ``Beta(confidence; k + 1, n - k)``. The sample supports the cells'
  compliance when it does not exceed the tolerable rate.
* **Selection.** Seeded, reproducible random selection, simple or
  stratified (proportional allocation by largest remainder).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from chibo_analysis.errors import ParameterError
from chibo_analysis.stats._inputs import check_level
from chibo_analysis.stats._result import Result


@dataclass(frozen=True)
class SampleSize(Result):
    """Result of :func:`sample_size`; unpacks as ``n, allowed_deviations``."""

    n: int
    allowed_deviations: int
    confidence: float
    tolerable: float
    expected: float

    _unpack = ("n", "allowed_deviations")


def sample_size(
    confidence: float = 0.95,
    tolerable: float = 0.05,
    expected: float = 0.0,
    *,
    population: int | None = None,
    max_n: int = 100_000,
) -> SampleSize:
    """Attribute-sampling sample size (binomial, AICPA method).

    Parameters
    ----------
    confidence : float
        1 - risk of overreliance, e.g. 0.95.
    tolerable : float
        Tolerable deviation rate, e.g. 0.05.
    expected : float
        Expected population deviation rate; must be below ``tolerable``.
    population : int, optional
        Number of meetings in the population; the size is capped at it
        (then every meeting is inspected).
    max_n : int
        Largest size searched.

    Examples
    --------
    >>> sample_size(0.95, 0.05, 0.0)
    SampleSize(n=59, allowed_deviations=0, confidence=0.95, tolerable=0.05, expected=0.0)
    >>> tuple(sample_size(0.95, 0.05, 0.01))
    (93, 1)
    """
    confidence = check_level("confidence", confidence)
    tolerable = check_level("tolerable", tolerable)
    expected = float(expected)
    if not 0.0 <= expected < tolerable:
        raise ParameterError(
            f"expected={expected!r} is not allowed; expected a rate from 0 up to below "
            f"tolerable={tolerable!r}"
        )
    n = np.arange(1, int(max_n) + 1)
    k = np.ceil(np.round(n * expected, 9)).astype(int)
    ok = stats.binom.cdf(k, n, tolerable) <= 1 - confidence
    if not ok.any():
        raise ParameterError(
            f"no sample of up to {max_n} meetings reaches confidence={confidence} with "
            f"tolerable={tolerable} and expected={expected}"
        )
    i = int(np.argmax(ok))
    size, allowed = int(n[i]), int(k[i])
    if population is not None and size > int(population):
        size = int(population)
    return SampleSize(size, allowed, confidence, tolerable, expected)


def upper_deviation_limit(deviations, n, confidence: float = 0.95):
    """One-sided exact (Clopper-Pearson) upper limit of the deviation rate.

    Examples
    --------
    No deviation in 59 meetings, 95%: ``1 - 0.05 ** (1 / 59)``:

    >>> round(float(upper_deviation_limit(0, 59)), 4)
    0.0495
    """
    confidence = check_level("confidence", confidence)
    k = np.asarray(deviations, dtype=float)
    size = np.asarray(n, dtype=float)
    if np.any(k < 0) or np.any(k > size):
        raise ParameterError("deviations must be between 0 and the sample size")
    with np.errstate(invalid="ignore"):
        limit = np.where(
            k >= size, 1.0, stats.beta.ppf(confidence, k + 1, np.maximum(size - k, 1e-300))
        )
    limit = np.where(size > 0, limit, np.nan)
    return limit if limit.ndim else float(limit)


@dataclass(frozen=True)
class SampleEvaluation(Result):
    """Result of :func:`evaluate_sample`; unpacks as ``upper_limit, supported``.

    Attributes
    ----------
    n, deviations : int
    sample_rate : float
        deviations / n.
    upper_limit : float
        Upper deviation limit at ``confidence``.
    allowance : float
        Allowance for sampling risk, ``upper_limit - sample_rate``.
    tolerable : float
    supported : bool
        Whether the upper limit is at or below the tolerable rate.
    """

    n: int
    deviations: int
    sample_rate: float
    upper_limit: float
    allowance: float
    confidence: float
    tolerable: float
    supported: bool

    _unpack = ("upper_limit", "supported")


def evaluate_sample(
    deviations: int, n: int, *, tolerable: float = 0.05, confidence: float = 0.95
) -> SampleEvaluation:
    """Evaluate a reviewed sample against the tolerable deviation rate.

    Examples
    --------
    >>> upper, ok = evaluate_sample(1, 93, tolerable=0.05)
    >>> round(upper, 4), ok
    (0.05, True)
    """
    tolerable = check_level("tolerable", tolerable)
    n, deviations = int(n), int(deviations)
    if n <= 0:
        raise ParameterError(f"n={n} is not allowed; a sample needs at least one meeting")
    upper = float(upper_deviation_limit(deviations, n, confidence))
    rate = deviations / n
    return SampleEvaluation(
        n, deviations, rate, upper, upper - rate, confidence, tolerable, upper <= tolerable
    )


def allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Split ``n`` over strata proportionally to ``sizes`` (largest remainder).

    No stratum gets more than its size.

    Examples
    --------
    >>> allocate(pd.Series({"a": 10, "b": 20, "c": 30}), 7).tolist()
    [1, 2, 4]
    """
    sizes = sizes.astype(int)
    total = int(sizes.sum())
    n = min(int(n), total)
    if total == 0 or n == 0:
        return pd.Series(0, index=sizes.index)
    quota = sizes * n / total
    base = np.floor(quota).astype(int)
    rest = n - int(base.sum())
    order = (quota - base).sort_values(ascending=False, kind="stable").index[:rest]
    base.loc[order] += 1
    return base.clip(upper=sizes)


def select_sample(
    frame: pd.DataFrame,
    n: int,
    *,
    seed: int,
    key: str,
    stratify_by: str | None = None,
) -> pd.DataFrame:
    """Seeded random selection of ``n`` rows, simple or stratified.

    The rows are first sorted by ``key`` so that the same records give the
    same sample whatever order the files listed them in.

    Parameters
    ----------
    frame : DataFrame
        The population (e.g. meetings).
    n : int
        Rows to select (capped at the population).
    seed : int
        Seed of numpy's default generator.
    key : str
        Unique column that fixes the order (e.g. ``meeting_id``).
    stratify_by : str, optional
        Column of the strata (e.g. ``cell_id``); proportional allocation.

    Examples
    --------
    >>> df = pd.DataFrame({"id": list("abcdef"), "cell": list("xxxyyy")})
    >>> s = select_sample(df, 2, seed=1, key="id", stratify_by="cell")
    >>> sorted(s["cell"])
    ['x', 'y']
    """
    if key not in frame.columns:
        raise ParameterError(f"key={key!r} is not a column; columns are {list(frame.columns)}")
    if stratify_by is not None and stratify_by not in frame.columns:
        raise ParameterError(f"stratify_by={stratify_by!r} is not a column")
    if int(n) < 0:
        raise ParameterError(f"n={n} is not allowed; expected a count of 0 or more")
    ordered = frame.sort_values(key, kind="stable").reset_index(drop=True)
    if ordered.empty:  # nothing to draw from (a period without meetings)
        return ordered
    rng = np.random.default_rng(seed)
    draw = pd.Series(rng.random(len(ordered)), index=ordered.index)
    if stratify_by is None:
        chosen = draw.nsmallest(min(int(n), len(ordered))).index
        return ordered.loc[sorted(chosen)].reset_index(drop=True)
    strata = ordered[stratify_by].astype(str)
    quota = allocate(strata.value_counts().sort_index(), n)
    rank = draw.groupby(strata).rank(method="first")
    chosen = rank <= strata.map(quota)
    return ordered[chosen.to_numpy()].reset_index(drop=True)
