"""p-chart and Laney p' chart of a proportion over time (e.g. monthly attendance).

* **p-chart** (Shewhart): centre ``pbar = sum(events) / sum(trials)``, limits
  ``pbar +- 3 sqrt(pbar (1 - pbar) / n_i)`` clipped to [0, 1], as in R's qcc.
* **Laney p' chart** (Laney, D. B. 2002. Improved control charts for
  attributes. *Quality Engineering* 14:531-537): with large subgroups the
  binomial limits are too narrow (overdispersion). Each point's z-score
  ``z_i = (p_i - pbar) / sigma_i`` is formed, ``sigma_z`` is the mean moving
  range of consecutive z-scores divided by ``d2 = 1.128``, and the limits
  become ``pbar +- 3 sigma_i sigma_z``. ``sigma_z = 1`` gives the p-chart back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from chibo_analysis.stats._inputs import as_counts, position
from chibo_analysis.stats._result import Result

#: Expected range of two standard normal values (d2 for n = 2).
D2 = 1.128


@dataclass(frozen=True)
class ControlChart(Result):
    """A control chart of a proportion.

    Attributes
    ----------
    table : DataFrame
        One row per subgroup, in the order given: ``events``, ``trials``,
        ``rate``, ``lcl``, ``ucl``, ``label`` (within / above / below), and
        ``z`` (for the Laney chart).
    center : float
        The centre line ``pbar``.
    sigma_z : float
        Laney's between-subgroup factor (1 for the p-chart).
    kind : str
        ``"p"`` or ``"laney"``.
    """

    table: pd.DataFrame
    center: float
    sigma_z: float
    kind: str

    _unpack = ("table", "center", "sigma_z")


def _chart(events, trials, nsigmas: float, laney: bool) -> ControlChart:
    e, n, index = as_counts(events, trials)
    keep = n > 0
    center = float(e.sum() / n.sum()) if n.sum() > 0 else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(keep, e / n, np.nan)
        sigma = np.where(keep, np.sqrt(center * (1 - center) / n), np.nan)
        z = (rate - center) / sigma
    sigma_z = 1.0
    if laney:
        zk = z[keep]
        sigma_z = float(np.mean(np.abs(np.diff(zk))) / D2) if zk.size > 1 else float("nan")
    lcl = np.clip(center - nsigmas * sigma * sigma_z, 0.0, 1.0)
    ucl = np.clip(center + nsigmas * sigma * sigma_z, 0.0, 1.0)
    table = pd.DataFrame(
        {"events": e, "trials": n, "rate": rate, "lcl": lcl, "ucl": ucl}, index=index
    )
    table["label"] = position(rate, lcl, ucl)
    if laney:
        table["z"] = z
    return ControlChart(table, center, sigma_z, "laney" if laney else "p")


def p_chart(events, trials, *, nsigmas: float = 3.0) -> ControlChart:
    """Shewhart p-chart with limits that vary with each subgroup's size.

    Parameters
    ----------
    events, trials : array-like or Series
        Per subgroup (e.g. per month: members present, register rows), in
        time order. A Series' index labels the rows.
    nsigmas : float
        Width of the limits in standard errors.

    Examples
    --------
    >>> chart = p_chart([5, 5, 9], [10, 10, 10])
    >>> round(chart.center, 4), chart.table["label"].tolist()
    (0.6333, ['within', 'within', 'within'])
    """
    return _chart(events, trials, float(nsigmas), laney=False)


def laney_p_chart(events, trials, *, nsigmas: float = 3.0) -> ControlChart:
    """Laney p' chart: p-chart limits widened by the moving range of z-scores.

    Parameters
    ----------
    events, trials : array-like or Series
        Per subgroup in time order (the moving range needs the order).
    nsigmas : float
        Width of the limits in (Laney-adjusted) standard errors.

    Examples
    --------
    Two months at 40% and 60% of 100: pbar = 0.5, sigma_i = 0.05, z = -2
    and 2, moving range 4, sigma_z = 4 / 1.128:

    >>> round(laney_p_chart([40, 60], [100, 100]).sigma_z, 3)
    3.546
    """
    return _chart(events, trials, float(nsigmas), laney=True)
